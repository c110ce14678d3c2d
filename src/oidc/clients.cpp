#include "oidc/clients.hpp"

#include "core/crypto.hpp"
#include "db/transaction.hpp"
#include "oidc/jose.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::oidc {

namespace {

constexpr std::size_t kMaxNameLength = 200;  // characters, as the form's maxlength counts them

// UTF-8 characters: every byte that does not continue a sequence starts one.
std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// Pages load images only from the portal itself (Content-Security-Policy img-src 'self').
bool valid_logo(const std::string& logo) {
    return logo.empty() || (logo.front() == '/' && logo.rfind("//", 0) != 0 &&
                            logo.find_first_of(" \"<>\\") == std::string::npos && logo.size() <= 500);
}

void check_identity(const ClientInput& in, ClientCheck& r) {
    if (!valid_client_id(in.id)) r.problems.push_back({"id", "bad_id"});
    r.client.client_id = in.id;
    r.client.name = in.name;
    if (in.name.empty()) r.problems.push_back({"name", "name_required"});
    else if (code_points(in.name) > kMaxNameLength) r.problems.push_back({"name", "name_too_long"});
    r.client.logo_url = in.logo;
    if (!valid_logo(in.logo)) r.problems.push_back({"logo", "bad_logo"});
}

void check_addresses(const ClientInput& in, ClientCheck& r) {
    bool bad = false;
    for (const auto& u : in.redirect_uris) bad = bad || !valid_redirect_uri(u);
    if (in.redirect_uris.empty()) r.problems.push_back({"redirect_uris", "redirect_required"});
    else if (bad) r.problems.push_back({"redirect_uris", "bad_redirect"});
    r.client.redirect_uris = in.redirect_uris;
    for (const auto& u : in.logout_uris)
        if (!valid_redirect_uri(u)) {
            r.problems.push_back({"logout_uris", "bad_logout_uri"});
            break;
        }
    r.client.logout_uris = in.logout_uris;
    if (!in.backchannel.empty() && !valid_redirect_uri(in.backchannel))
        r.problems.push_back({"backchannel", "bad_backchannel"});
    r.client.backchannel_uri = in.backchannel;
}

void check_access(const ClientInput& in, ClientCheck& r) {
    auto scopes = parse_scopes(in.scopes);
    if (!scopes) r.problems.push_back({"scopes", "bad_scopes"});
    else {
        scopes->insert("openid");
        r.client.scopes = *scopes;
    }
    if (!acr_rank(in.min_level)) r.problems.push_back({"min_level", "bad_min_level"});
    r.client.min_level = in.min_level;
}

void check_authentication(const ClientInput& in, ClientCheck& r) {
    if (!alg_from_string(in.alg)) r.problems.push_back({"alg", "bad_alg"});
    r.client.alg = in.alg;
    const auto auth = client_auth_from_string(in.auth);
    if (!auth) {
        r.problems.push_back({"auth", "bad_auth"});
        return;
    }
    r.client.auth = *auth;
    if (*auth != ClientAuth::private_key_jwt) return;
    if (in.jwks.empty()) {
        r.problems.push_back({"jwks", "jwks_required"});
        return;
    }
    const auto jwks = nlohmann::json::parse(in.jwks, nullptr, false);
    if (jwks.is_discarded() || keys_from_jwks(jwks).empty()) r.problems.push_back({"jwks", "bad_jwks"});
    else r.client.jwks = jwks.dump();
}

}  // namespace

ClientCheck check_client(const ClientInput& in, std::int64_t now) {
    ClientCheck r;
    check_identity(in, r);
    check_authentication(in, r);
    check_addresses(in, r);
    check_access(in, r);
    r.client.created_at = r.client.updated_at = now;
    return r;
}

std::string cli_message(const ClientProblem& p) {
    if (p.code == "bad_id") return "--id: 3-64 of a-z 0-9 . _ -";
    if (p.code == "name_required") return "--name is required: the consent screen shows it";
    if (p.code == "name_too_long") return "--name: at most 200 characters";
    if (p.code == "bad_logo") return "--logo must be a path on the portal (/static/…): pages load no images from elsewhere";
    if (p.code == "bad_auth") return "--auth must be client_secret_basic or private_key_jwt";
    if (p.code == "bad_alg") return "--alg must be RS256 or ES256";
    if (p.code == "jwks_required") return "private_key_jwt needs --jwks-file (the site's public keys)";
    if (p.code == "bad_jwks") return "--jwks-file holds no usable EC P-256 or RSA key";
    if (p.code == "redirect_required") return "at least one --redirect-uri is required";
    if (p.code == "bad_redirect") return "--redirect-uri: https:// (http:// only on loopback), no fragment";
    if (p.code == "bad_logout_uri") return "--post-logout-uri is not a valid address";
    if (p.code == "bad_backchannel") return "--backchannel-logout-uri is not a valid address";
    if (p.code == "bad_scopes")
        return "--scopes: unknown scope (known: openid fullname birthdate birthplace gender snils inn id_doc email mobile)";
    if (p.code == "bad_min_level") return "--min-level must be simplified, standard or confirmed";
    return "--" + p.field + " is not valid";
}

std::optional<Registered> register_client(ClientStore& store, Client c) {
    Registered r;
    if (c.auth == ClientAuth::client_secret_basic) {
        r.secret = core::random_token(32);
        c.secret_hash = core::sha256_hex(r.secret);
    }
    if (!store.create(c)) return std::nullopt;
    return r;
}

std::optional<std::string> rotate_client_secret(ClientStore& store, const std::string& client_id, std::int64_t now) {
    std::string secret = core::random_token(32);
    if (!store.set_secret(client_id, core::sha256_hex(secret), now)) return std::nullopt;
    return secret;
}

bool remove_client(db::Database& db, const std::string& client_id, std::int64_t now) {
    return db::transact(db, [&](soci::session& tx) {
        GrantStore(db).revoke_all_for_client(tx, client_id, now);
        return ClientStore(db).remove(tx, client_id);
    });
}

}  // namespace uslugi::oidc
