#include "oidc/jose.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <stdexcept>

namespace uslugi::oidc {

namespace {

constexpr int kEcCoordinate = 32;  // P-256: 32-byte coordinates and signature halves

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using PctxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

[[noreturn]] void fail(const char* what) { throw std::runtime_error(std::string("openssl: ") + what); }

std::string bn_bytes(const BIGNUM* bn, int pad = 0) {
    std::string out(pad ? pad : BN_num_bytes(bn), '\0');
    if (pad) {
        if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad) != pad) fail("BN_bn2binpad");
    } else {
        BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    }
    return out;
}

BnPtr bn_param(const EVP_PKEY* pkey, const char* name) {
    BIGNUM* bn = nullptr;
    if (!EVP_PKEY_get_bn_param(pkey, name, &bn)) fail(name);
    return BnPtr(bn);
}

BnPtr bn_from(std::string_view bytes) {
    BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()), nullptr);
    if (!bn) fail("BN_bin2bn");
    return BnPtr(bn);
}

// The JWK members that identify a public key, as RFC 7638 orders them.
nlohmann::json thumbprint_members(const EVP_PKEY* pkey, Alg alg) {
    nlohmann::ordered_json m;
    if (alg == Alg::es256) {
        m["crv"] = "P-256";
        m["kty"] = "EC";
        m["x"] = b64url(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X).get(), kEcCoordinate));
        m["y"] = b64url(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y).get(), kEcCoordinate));
    } else {
        m["e"] = b64url(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_RSA_E).get()));
        m["kty"] = "RSA";
        m["n"] = b64url(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_RSA_N).get()));
    }
    return nlohmann::json::parse(m.dump());
}

std::string thumbprint(const nlohmann::json& members) {
    // nlohmann::json (not ordered) dumps keys sorted: RFC 7638's lexicographic order.
    return b64url(sha256(members.dump()));
}

PkeyPtr pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    PctxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY* pkey = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        throw std::invalid_argument("the JWK is not a usable public key");
    return PkeyPtr(pkey);
}

std::string jwk_bytes(const nlohmann::json& jwk, const char* member) {
    if (!jwk.contains(member) || !jwk[member].is_string())
        throw std::invalid_argument(std::string("the JWK has no ") + member);
    auto bytes = b64url_decode(jwk[member].get<std::string>());
    if (!bytes || bytes->empty()) throw std::invalid_argument(std::string("the JWK's ") + member + " is not base64url");
    return *bytes;
}

PkeyPtr ec_public(const nlohmann::json& jwk) {
    const std::string x = jwk_bytes(jwk, "x"), y = jwk_bytes(jwk, "y");
    if (x.size() != kEcCoordinate || y.size() != kEcCoordinate) throw std::invalid_argument("the JWK is not a P-256 point");
    const std::string point = std::string(1, '\x04') + x + y;  // uncompressed SEC1 encoding
    BldPtr bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    return pkey_from_params("EC", bld.get());
}

PkeyPtr rsa_public(const nlohmann::json& jwk) {
    BnPtr n = bn_from(jwk_bytes(jwk, "n")), e = bn_from(jwk_bytes(jwk, "e"));
    if (BN_num_bits(n.get()) < 2048) throw std::invalid_argument("the RSA key is shorter than 2048 bits");
    BldPtr bld(OSSL_PARAM_BLD_new());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    return pkey_from_params("RSA", bld.get());
}

// ECDSA signatures come from OpenSSL as DER; JWS wants r‖s of fixed width.
std::string der_to_raw(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, long(der.size())));
    if (!sig) fail("d2i_ECDSA_SIG");
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    return bn_bytes(r, kEcCoordinate) + bn_bytes(s, kEcCoordinate);
}

std::optional<std::string> raw_to_der(std::string_view raw) {
    if (raw.size() != 2 * kEcCoordinate) return std::nullopt;
    SigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = bn_from(raw.substr(0, kEcCoordinate)).release();
    BIGNUM* s = bn_from(raw.substr(kEcCoordinate)).release();
    if (!ECDSA_SIG_set0(sig.get(), r, s)) {
        BN_free(r);
        BN_free(s);
        return std::nullopt;
    }
    const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    std::string der(len > 0 ? len : 0, '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (len <= 0 || i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
    return der;
}

}  // namespace

std::string b64url(std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::optional<std::string> b64url_decode(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    return out;
}

std::string sha256(std::string_view data) {
    std::string out(32, '\0');
    unsigned int len = 0;
    if (!EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(),
                    nullptr))
        fail("EVP_Digest");
    return out;
}

std::string_view to_string(Alg a) { return a == Alg::es256 ? "ES256" : "RS256"; }

std::optional<Alg> alg_from_string(std::string_view s) {
    if (s == "ES256") return Alg::es256;
    if (s == "RS256") return Alg::rs256;
    return std::nullopt;
}

std::string_view to_string(JwtError e) {
    switch (e) {
        case JwtError::malformed: return "malformed";
        case JwtError::bad_alg: return "bad_alg";
        case JwtError::unknown_key: return "unknown_key";
        case JwtError::bad_signature: return "bad_signature";
    }
    return "malformed";
}

struct Key::Impl {
    PkeyPtr pkey;
};

Key::Key(std::unique_ptr<Impl> impl, Alg alg) : impl_(std::move(impl)), alg_(alg) {
    kid_ = thumbprint(thumbprint_members(impl_->pkey.get(), alg_));
}
Key::Key(Key&&) noexcept = default;
Key& Key::operator=(Key&&) noexcept = default;
Key::~Key() = default;

Key Key::generate(Alg alg) {
    EVP_PKEY* p = alg == Alg::es256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    if (!p) fail("key generation");
    auto impl = std::make_unique<Impl>();
    impl->pkey.reset(p);
    return Key(std::move(impl), alg);
}

Key Key::from_private_pem(std::string_view pem, Alg alg) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    EVP_PKEY* p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!p) fail("PEM_read_bio_PrivateKey");
    auto impl = std::make_unique<Impl>();
    impl->pkey.reset(p);
    const bool is_ec = EVP_PKEY_is_a(p, "EC");
    if (is_ec != (alg == Alg::es256)) throw std::invalid_argument("the key's type does not match its algorithm");
    return Key(std::move(impl), alg);
}

Key Key::from_jwk(const nlohmann::json& jwk) {
    if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string())
        throw std::invalid_argument("a JWK must be an object with kty");
    const std::string kty = jwk["kty"];
    auto impl = std::make_unique<Impl>();
    Alg alg;
    if (kty == "EC") {
        if (jwk.value("crv", "") != "P-256") throw std::invalid_argument("only the P-256 curve is accepted");
        impl->pkey = ec_public(jwk);
        alg = Alg::es256;
    } else if (kty == "RSA") {
        impl->pkey = rsa_public(jwk);
        alg = Alg::rs256;
    } else {
        throw std::invalid_argument("only EC and RSA keys are accepted");
    }
    Key key(std::move(impl), alg);
    if (jwk.contains("kid") && jwk["kid"].is_string()) key.kid_ = jwk["kid"];
    return key;
}

std::string Key::to_private_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr))
        fail("PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, std::size_t(len));
}

nlohmann::json Key::public_jwk() const {
    nlohmann::json jwk = thumbprint_members(impl_->pkey.get(), alg_);
    jwk["kid"] = kid_;
    jwk["alg"] = std::string(to_string(alg_));
    jwk["use"] = "sig";
    return jwk;
}

std::string Key::sign(std::string_view input) const {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get()) <= 0 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) <= 0)
        fail("EVP_DigestSignInit");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) <= 0)
        fail("EVP_DigestSign");
    sig.resize(len);
    return alg_ == Alg::es256 ? der_to_raw(sig) : sig;
}

bool Key::verify(std::string_view input, std::string_view signature) const {
    std::string sig(signature);
    if (alg_ == Alg::es256) {
        auto der = raw_to_der(signature);
        if (!der) return false;
        sig = *der;
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get()) <= 0) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                            reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

std::string sign_jwt(const Key& key, const nlohmann::json& payload, const std::string& typ) {
    const nlohmann::json header = {{"alg", std::string(to_string(key.alg()))}, {"kid", key.kid()}, {"typ", typ}};
    const std::string input = b64url(header.dump()) + "." + b64url(payload.dump());
    return input + "." + b64url(key.sign(input));
}

VerifyResult verify_jwt(std::string_view token, const std::vector<const Key*>& keys) {
    VerifyResult r;
    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return r;
    auto header_text = b64url_decode(token.substr(0, dot1));
    auto payload_text = b64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = b64url_decode(token.substr(dot2 + 1));
    if (!header_text || !payload_text || !signature) return r;
    VerifiedJwt jwt;
    jwt.header = nlohmann::json::parse(*header_text, nullptr, false);
    jwt.payload = nlohmann::json::parse(*payload_text, nullptr, false);
    if (!jwt.header.is_object() || !jwt.payload.is_object() || !jwt.header.contains("alg") ||
        !jwt.header["alg"].is_string())
        return r;
    const auto alg = alg_from_string(jwt.header["alg"].get<std::string>());
    if (!alg) {  // "none", HS256 and the rest are never accepted
        r.error = JwtError::bad_alg;
        return r;
    }
    const std::string kid = jwt.header.contains("kid") && jwt.header["kid"].is_string() ? jwt.header["kid"] : "";
    const std::string_view input = token.substr(0, dot2);
    bool candidate = false;
    for (const Key* k : keys) {
        if (k->alg() != *alg || (!kid.empty() && k->kid() != kid)) continue;
        candidate = true;
        if (k->verify(input, *signature)) {
            r.jwt = std::move(jwt);
            return r;
        }
    }
    r.error = candidate ? JwtError::bad_signature : JwtError::unknown_key;
    return r;
}

std::vector<Key> keys_from_jwks(const nlohmann::json& jwks) {
    std::vector<Key> out;
    if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) return out;
    for (const auto& jwk : jwks["keys"]) {
        try {
            out.push_back(Key::from_jwk(jwk));
        } catch (const std::invalid_argument&) {
            // A key we cannot use (another curve, encryption only) is not one a client may sign with here.
        }
    }
    return out;
}

}  // namespace uslugi::oidc
