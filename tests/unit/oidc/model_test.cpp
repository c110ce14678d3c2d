#include "oidc/jose.hpp"
#include "oidc/model.hpp"

#include <gtest/gtest.h>

namespace uslugi::oidc {
namespace {

TEST(OidcScopes, ParseKnownNamesOnly) {
    auto s = parse_scopes("openid fullname snils");
    ASSERT_TRUE(s);
    EXPECT_EQ(join_scopes(*s), "openid fullname snils");
    EXPECT_FALSE(parse_scopes("openid passwords"));
    EXPECT_FALSE(parse_scopes("openid  snils"));  // an empty name between two spaces
    EXPECT_FALSE(parse_scopes("openid "));
    EXPECT_TRUE(parse_scopes("")->empty());
}

TEST(OidcScopes, DataScopesInCatalogOrderWithAuditFields) {
    const ScopeSet s{"snils", "openid", "fullname", "mobile"};
    EXPECT_EQ(data_scopes(s), (std::vector<std::string>{"fullname", "snils", "mobile"}));
    EXPECT_EQ(audit_fields(s), "surname,name,patronymic,snils,phone");
    EXPECT_EQ(audit_fields(ScopeSet{"openid"}), "");
}

TEST(OidcScopes, Subset) {
    EXPECT_TRUE(is_subset({"openid", "snils"}, {"openid", "snils", "inn"}));
    EXPECT_FALSE(is_subset({"openid", "id_doc"}, {"openid", "snils", "inn"}));
}

TEST(OidcRedirects, OnlyAbsoluteHttpsOrLoopbackHttpWithoutFragment) {
    EXPECT_TRUE(valid_redirect_uri("https://portal.region.example/cb"));
    EXPECT_TRUE(valid_redirect_uri("http://127.0.0.1:8090/callback?x=1"));
    EXPECT_TRUE(valid_redirect_uri("http://localhost:8090/cb"));
    EXPECT_FALSE(valid_redirect_uri("http://portal.region.example/cb"));  // plain http off loopback
    EXPECT_FALSE(valid_redirect_uri("https://portal.region.example/cb#frag"));
    EXPECT_FALSE(valid_redirect_uri("https://user@portal.region.example/cb"));
    EXPECT_FALSE(valid_redirect_uri("javascript:alert(1)"));
    EXPECT_FALSE(valid_redirect_uri("/relative"));
}

TEST(OidcRedirects, ExactMatchOnly) {
    const std::vector<std::string> reg{"https://site.example/cb"};
    EXPECT_TRUE(redirect_matches(reg, "https://site.example/cb"));
    EXPECT_FALSE(redirect_matches(reg, "https://site.example/cb/"));
    EXPECT_FALSE(redirect_matches(reg, "https://site.example/c"));
    EXPECT_FALSE(redirect_matches(reg, "https://site.example/cb?next=x"));
    EXPECT_FALSE(redirect_matches(reg, "HTTPS://site.example/cb"));
}

TEST(OidcRedirects, Origin) {
    EXPECT_EQ(origin_of("https://site.example:8443/cb?x=1"), "https://site.example:8443");
    EXPECT_EQ(origin_of("http://127.0.0.1:9/"), "http://127.0.0.1:9");
    EXPECT_EQ(origin_of("ftp://x/"), "");
    EXPECT_EQ(origin_of("https://u@x/"), "");
}

TEST(OidcClients, ClientIds) {
    EXPECT_TRUE(valid_client_id("region-portal.71"));
    EXPECT_FALSE(valid_client_id("ab"));
    EXPECT_FALSE(valid_client_id("Region"));
    EXPECT_FALSE(valid_client_id("a b c"));
}

TEST(OidcPkce, RfcAppendixBExample) {
    // RFC 7636 Appendix B.
    EXPECT_TRUE(pkce_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    EXPECT_FALSE(pkce_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    EXPECT_FALSE(pkce_matches("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    EXPECT_FALSE(pkce_matches("", ""));
}

TEST(OidcLevels, AcrValuesAskForTheLowestNamedLevel) {
    EXPECT_EQ(requested_rank("confirmed"), 3);
    EXPECT_EQ(requested_rank("standard confirmed"), 2);
    EXPECT_EQ(requested_rank("urn:other standard"), 2);
    EXPECT_FALSE(requested_rank("urn:other"));
    EXPECT_FALSE(requested_rank(""));
    EXPECT_EQ(acr_name(3), "confirmed");
    EXPECT_EQ(acr_name(1), "simplified");
}

TEST(OidcRefresh, Verdicts) {
    EXPECT_EQ(judge_refresh(false, false, 200, 100), RefreshVerdict::rotate);
    EXPECT_EQ(judge_refresh(true, false, 200, 100), RefreshVerdict::reused);
    EXPECT_EQ(judge_refresh(true, false, 50, 100), RefreshVerdict::reused);  // reuse is told even when expired
    EXPECT_EQ(judge_refresh(false, false, 100, 100), RefreshVerdict::expired);
    EXPECT_EQ(judge_refresh(true, true, 200, 100), RefreshVerdict::revoked);
}

AuthorizeRequest good_request() {
    return {"site", "https://site.example/cb", "code", "openid fullname", "st", "n",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", "", ""};
}

TEST(OidcAuthorize, ChecksInOrder) {
    const ScopeSet allowed{"openid", "fullname"};
    EXPECT_TRUE(check_authorize(good_request(), allowed).ok());
    auto r = good_request();
    r.response_type = "token";
    EXPECT_EQ(check_authorize(r, allowed).error, "unsupported_response_type");
    r = good_request();
    r.scope = "openid snils";
    EXPECT_EQ(check_authorize(r, allowed).error, "invalid_scope");
    r.scope = "fullname";
    EXPECT_EQ(check_authorize(r, allowed).error, "invalid_scope");
    r = good_request();
    r.code_challenge = "";
    EXPECT_EQ(check_authorize(r, allowed).error, "invalid_request");
    r = good_request();
    r.code_challenge_method = "plain";
    EXPECT_EQ(check_authorize(r, allowed).error, "invalid_request");
    r = good_request();
    r.prompt = "select_account";
    EXPECT_EQ(check_authorize(r, allowed).error, "invalid_request");
}

// ---- JOSE ----

TEST(OidcJose, Base64Url) {
    EXPECT_EQ(b64url(std::string("\xfb\xff", 2)), "-_8");
    EXPECT_EQ(b64url_decode("-_8"), std::string("\xfb\xff", 2));
    EXPECT_FALSE(b64url_decode("a+b/"));
    EXPECT_FALSE(b64url_decode("YQ=="));  // padding is not base64url
}

TEST(OidcJose, SignAndVerifyBothAlgorithms) {
    for (Alg alg : {Alg::es256, Alg::rs256}) {
        const Key key = Key::generate(alg);
        const std::string jwt = sign_jwt(key, {{"sub", "x"}, {"n", 1}});
        const auto ok = verify_jwt(jwt, {&key});
        ASSERT_TRUE(ok.jwt) << to_string(alg);
        EXPECT_EQ(ok.jwt->payload["sub"], "x");
        EXPECT_EQ(ok.jwt->header["alg"], std::string(to_string(alg)));
        EXPECT_EQ(ok.jwt->header["kid"], key.kid());
        // One changed character of the payload breaks the signature.
        std::string tampered = jwt;
        tampered[jwt.find('.') + 2] ^= 1;
        EXPECT_FALSE(verify_jwt(tampered, {&key}).jwt);
    }
}

TEST(OidcJose, RejectsAlgNoneAndForeignKeys) {
    const Key ours = Key::generate(Alg::es256);
    const Key theirs = Key::generate(Alg::es256);
    const std::string foreign = sign_jwt(theirs, {{"sub", "x"}});
    const auto r = verify_jwt(foreign, {&ours});
    EXPECT_FALSE(r.jwt);
    EXPECT_EQ(r.error, JwtError::unknown_key);
    // The same token claiming our kid fails on the signature.
    const nlohmann::json header = {{"alg", "ES256"}, {"kid", ours.kid()}};
    const std::string input = b64url(header.dump()) + "." + b64url(R"({"sub":"x"})");
    EXPECT_EQ(verify_jwt(input + "." + b64url(theirs.sign(input)), {&ours}).error, JwtError::bad_signature);
    const std::string none = b64url(R"({"alg":"none"})") + "." + b64url(R"({"sub":"x"})") + ".";
    EXPECT_EQ(verify_jwt(none, {&ours}).error, JwtError::bad_alg);
    EXPECT_EQ(verify_jwt("a.b", {&ours}).error, JwtError::malformed);
}

TEST(OidcJose, AlgorithmMustMatchTheKey) {
    const Key rsa = Key::generate(Alg::rs256);
    const std::string header = b64url(nlohmann::json{{"alg", "ES256"}, {"kid", rsa.kid()}}.dump());
    const std::string input = header + "." + b64url("{}");
    EXPECT_FALSE(verify_jwt(input + "." + b64url(rsa.sign(input)), {&rsa}).jwt);
}

TEST(OidcJose, PemRoundTripAndPublicJwk) {
    const Key key = Key::generate(Alg::rs256);
    const Key again = Key::from_private_pem(key.to_private_pem(), Alg::rs256);
    EXPECT_EQ(again.kid(), key.kid());
    const Key pub = Key::from_jwk(key.public_jwk());
    EXPECT_EQ(pub.kid(), key.kid());
    EXPECT_TRUE(verify_jwt(sign_jwt(again, {{"a", 1}}), {&pub}).jwt);
    const nlohmann::json jwk = key.public_jwk();
    EXPECT_FALSE(jwk.contains("d"));  // never the private part
    EXPECT_THROW(Key::from_private_pem(key.to_private_pem(), Alg::es256), std::invalid_argument);
}

TEST(OidcJose, EcThumbprintIsRfc7638) {
    // RFC 7638 §3.1 uses an RSA key; for EC, check the members and their order instead.
    const Key key = Key::generate(Alg::es256);
    const auto jwk = key.public_jwk();
    const std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + jwk["x"].get<std::string>() + R"(","y":")" +
                                  jwk["y"].get<std::string>() + R"("})";
    EXPECT_EQ(key.kid(), b64url(sha256(canonical)));
}

TEST(OidcJose, JwksSkipsUnusableKeys) {
    const Key ec = Key::generate(Alg::es256);
    const nlohmann::json jwks = {{"keys", {ec.public_jwk(), {{"kty", "oct"}, {"k", "AAAA"}},
                                           {{"kty", "EC"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "AA"}}}}};
    const auto keys = keys_from_jwks(jwks);
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].kid(), ec.kid());
    EXPECT_THROW(Key::from_jwk({{"kty", "RSA"}, {"n", b64url("short")}, {"e", "AQAB"}}), std::invalid_argument);
}

}  // namespace
}  // namespace uslugi::oidc
