#pragma once
// Verification of a detached CMS (PKCS #7) signature over a challenge the
// portal issued, with OpenSSL 3: a qualified electronic signature (SPEC
// ID-3c). Self-contained: no I/O beyond the bytes it is given (the caller
// reads the trust store's files). GOST R 34.10-2012 / 34.11-2012 work once
// load_gost_engine() made Debian's GOST engine available; RSA and ECDSA
// always do.
//
// What verify_detached() checks, in this order, each failure with a stable
// code (Failure): the size and form of the input (DER, PEM or Base64), that it
// is SignedData with one signer whose certificate it carries, that the
// signature is over exactly the challenge, the chain to a trusted certificate
// at `now` (validity dates, revocation lists), the key usage
// (digitalSignature or nonRepudiation), and that the subject names a SNILS.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace uslugi::core::cms {

enum class Failure {
    none,
    empty,                  // nothing given
    too_large,              // over Limits::max_bytes
    not_a_signature,        // not DER/PEM/Base64 of a CMS SignedData (a certificate, a text, an envelope …)
    truncated,              // a CMS whose bytes end before its length says
    no_certificate,         // the signer's certificate is not in the signature
    several_signers,        // more (or fewer) than one signer: whose identity would it prove?
    unsupported_algorithm,  // a key or hash this OpenSSL cannot use (GOST without the engine)
    bad_signature,          // the signature value is not the signer's
    wrong_challenge,        // a valid signature, but over other bytes than the challenge
    untrusted,              // no chain to a trusted certification authority
    not_yet_valid,
    expired,
    revoked,                // listed in the authority's CRL
    revocation_unknown,     // no current CRL of the authority: revocation cannot be ruled out
    key_usage,              // the key is not for signing (digitalSignature / nonRepudiation)
    no_snils,               // the subject names no SNILS (1.2.643.100.3)
};
// "wrong_challenge" …: the stable code of the API and of the locale texts.
std::string_view to_string(Failure f);

// What a qualified certificate says about its holder (values as UTF-8).
struct Subject {
    std::string snils;       // 11 digits, 1.2.643.100.3
    std::string inn;         // a person's INN, 12 digits, 1.2.643.3.131.1.1
    std::string innle;       // an organisation's INN, 10 digits, 1.2.643.100.4
    std::string ogrn, ogrnip;
    std::string surname, given_name;  // SN; GN holds the name and patronymic in Russian certificates
    std::string common_name, organisation;
    std::string text;        // the whole subject on one line ("C=RU, SN=…, …")
};

struct SignerCertificate {
    Subject subject;
    std::string issuer;      // one line
    std::string serial;      // hex
    std::int64_t not_before = 0, not_after = 0;  // Unix seconds
    std::string key_algorithm;     // "GOST R 34.10-2012 with 256 bit modulus", "rsaEncryption" …
    std::string digest_algorithm;  // of the signature: "md_gost12_256", "SHA256" …
};

struct Verdict {
    Failure failure = Failure::none;
    bool has_certificate = false;  // `signer` is filled (also for most failures)
    SignerCertificate signer;
    std::string detail;            // OpenSSL's reason, for logs (never shown to users as is)
    bool ok() const { return failure == Failure::none; }
};

struct Limits {
    // Real signatures with their chain are a few kilobytes; anything far
    // larger is refused before parsing.
    std::size_t max_bytes = 128 * 1024;
};

// Trusted certification authorities and their revocation lists. Thread-safe
// to verify against from many threads once filled.
class TrustStore {
public:
    TrustStore();
    ~TrustStore();
    TrustStore(TrustStore&&) noexcept;
    TrustStore& operator=(TrustStore&&) noexcept;

    struct Added {
        int authorities = 0;  // CA certificates added as trust anchors
        int crls = 0;
        int ignored = 0;      // certificates that are not of a CA (never trusted)
    };
    // PEM text with any number of CERTIFICATE and X509 CRL blocks (other
    // blocks are ignored); also a single DER certificate or CRL. Throws
    // std::invalid_argument when a block does not parse.
    Added add(std::string_view pem_or_der);
    int authorities() const { return authorities_; }
    int crls() const { return crls_; }

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
    int authorities_ = 0, crls_ = 0;
};

// Verifies `signature` (DER bytes, PEM "CMS"/"PKCS7" text, or bare Base64)
// as a detached signature of exactly `challenge`, at time `now` (Unix seconds).
Verdict verify_detached(std::string_view challenge, std::string_view signature, const TrustStore& trust,
                        std::int64_t now, const Limits& limits = {});

// Decodes the forms verify_detached accepts into DER; `failure` says why not
// (empty, too_large, not_a_signature) when it returns "".
std::string to_der(std::string_view signature, const Limits& limits, Failure& failure);

// Makes Debian's GOST engine (gost.so, libengine-gost-openssl) available to
// this process through an OpenSSL configuration with an engine section, read
// from memory (the engine's provider module does not load on Debian 12).
// Idempotent and thread-safe; true when GOST R 34.11-2012 is usable
// afterwards (also when OPENSSL_CONF had loaded the engine already).
bool load_gost_engine();
bool gost_available();

}  // namespace uslugi::core::cms
