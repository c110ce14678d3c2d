#pragma once
// JSON Web Signatures for the OpenID Connect provider: keys, compact JWTs
// signed with ES256 or RS256, and their verification against a set of public
// keys (ours, or a client's JWKS for private_key_jwt). Every signature and
// key operation is OpenSSL 3's; this file only frames its input and output
// as RFC 7515/7517/7518 want them (base64url, raw r‖s for ECDSA, JWK members).
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::oidc {

// URL-safe base64 without padding (RFC 7515 §2), and back (nullopt when invalid).
std::string b64url(std::string_view bytes);
std::optional<std::string> b64url_decode(std::string_view text);
// Raw SHA-256.
std::string sha256(std::string_view data);

// The algorithms the provider signs and accepts: nothing else, never "none".
enum class Alg { es256, rs256 };
std::string_view to_string(Alg a);
std::optional<Alg> alg_from_string(std::string_view s);

// A private or public key held by OpenSSL.
class Key {
public:
    // A fresh key pair: P-256 for ES256, 2048-bit RSA for RS256.
    static Key generate(Alg alg);
    // A private key from PKCS#8 PEM (what to_private_pem wrote).
    static Key from_private_pem(std::string_view pem, Alg alg);
    // A public key from one JWK (kty EC crv P-256, or kty RSA); throws std::invalid_argument.
    static Key from_jwk(const nlohmann::json& jwk);

    Alg alg() const { return alg_; }
    const std::string& kid() const { return kid_; }
    std::string to_private_pem() const;
    // {"kty","crv","x","y"} or {"kty","n","e"} with "kid", "alg", "use":"sig".
    nlohmann::json public_jwk() const;
    // The JWS signature of `input` (raw bytes: r‖s for ES256).
    std::string sign(std::string_view input) const;
    bool verify(std::string_view input, std::string_view signature) const;

    Key(Key&&) noexcept;
    Key& operator=(Key&&) noexcept;
    ~Key();

private:
    struct Impl;
    explicit Key(std::unique_ptr<Impl> impl, Alg alg);
    std::unique_ptr<Impl> impl_;
    Alg alg_;
    std::string kid_;  // RFC 7638 thumbprint unless the JWK named one
};

// header.payload.signature with {"alg", "kid", "typ"} in the header.
std::string sign_jwt(const Key& key, const nlohmann::json& payload, const std::string& typ = "JWT");

struct VerifiedJwt {
    nlohmann::json header;
    nlohmann::json payload;
};
enum class JwtError { malformed, bad_alg, unknown_key, bad_signature };
std::string_view to_string(JwtError e);

// Verifies a compact JWS against `keys`: the header's alg must be ES256 or
// RS256 and equal to the key's, the kid (when given) must name one of them.
// Claims (exp, aud …) are the caller's to check.
struct VerifyResult {
    std::optional<VerifiedJwt> jwt;
    JwtError error = JwtError::malformed;
};
VerifyResult verify_jwt(std::string_view token, const std::vector<const Key*>& keys);

// The JWKS {"keys":[…]} of a client, parsed; keys of other types or curves are skipped.
std::vector<Key> keys_from_jwks(const nlohmann::json& jwks);

}  // namespace uslugi::oidc
