#include "core/cms.hpp"

#include "core/crypto.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <mutex>
#include <optional>
#include <stdexcept>

namespace uslugi::core::cms {

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
void free_bio(BIO* b) { BIO_free(b); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using CertsPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), free_x509_stack>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

BioPtr memory_bio(std::string_view bytes) {
    return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// OpenSSL's queued errors as one line, and the queue emptied: it is per
// thread, and a later unrelated call must not find ours.
std::string take_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Base64 as people paste it: line breaks anywhere, padding possibly lost
// when a text was cut (then the DER inside is reported truncated, not garbled).
std::optional<std::string> lenient_base64(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (!is_space(c)) clean.push_back(c);
    while (!clean.empty() && clean.back() == '=') clean.pop_back();
    if (clean.size() % 4 == 1) clean.pop_back();  // a lone sextet carries no whole byte
    while (clean.size() % 4) clean.push_back('=');
    if (clean.empty()) return std::nullopt;
    return base64_decode(clean);
}

// The Base64 body of the first PEM block; `label` gets its label ("CMS").
std::optional<std::string> pem_body(std::string_view text, std::string& label) {
    const auto begin = text.find("-----BEGIN ");
    if (begin == std::string_view::npos) return std::nullopt;
    const auto label_end = text.find("-----", begin + 11);
    if (label_end == std::string_view::npos) return std::nullopt;
    label = std::string(text.substr(begin + 11, label_end - begin - 11));
    std::size_t body = label_end + 5;
    const auto end = text.find("-----END ", body);
    std::string_view inside = text.substr(body, end == std::string_view::npos ? std::string_view::npos : end - body);
    // RFC 1421 headers ("Proc-Type: …") end at an empty line; CMS PEM has none.
    if (inside.find(':') != std::string_view::npos) {
        const auto blank = inside.find("\n\n");
        if (blank != std::string_view::npos) inside = inside.substr(blank + 2);
    }
    return std::string(inside);
}

// The length the outer DER header declares (header included), or 0 when
// indefinite or unreadable.
std::size_t declared_length(std::string_view der) {
    if (der.size() < 2 || static_cast<unsigned char>(der[0]) != 0x30) return 0;
    const auto first = static_cast<unsigned char>(der[1]);
    if (first < 0x80) return 2 + first;
    const std::size_t n = first & 0x7f;
    if (n == 0 || n > 4 || der.size() < 2 + n) return n == 0 ? 0 : 2 + n + 1;  // indefinite; or the header itself is cut
    std::size_t len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | static_cast<unsigned char>(der[2 + i]);
    return 2 + n + len;
}

std::int64_t unix_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string one_line(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    const unsigned long flags = (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB & ~XN_FLAG_SPC_EQ) | ASN1_STRFLGS_UTF8_CONVERT;
    X509_NAME_print_ex(bio.get(), name, 0, flags);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string utf8_of(const X509_NAME_ENTRY* entry) {
    unsigned char* out = nullptr;
    const int len = ASN1_STRING_to_UTF8(&out, X509_NAME_ENTRY_get_data(entry));
    if (len < 0) return {};
    std::string s(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
    return s;
}

std::string digits_of(const std::string& s) {
    std::string d;
    for (char c : s)
        if (c >= '0' && c <= '9') d.push_back(c);
    return d;
}

Subject subject_of(X509* cert) {
    Subject s;
    const X509_NAME* name = X509_get_subject_name(cert);
    s.text = one_line(name);
    // INNLE (1.2.643.100.4) is newer than OpenSSL 3.0's object table.
    static const int innle_nid = [] {
        const int nid = OBJ_txt2nid("1.2.643.100.4");
        return nid != NID_undef ? nid : OBJ_create("1.2.643.100.4", "INNLE", "INN of a legal entity");
    }();
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
        const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        std::string v = utf8_of(e);
        if (nid == NID_SNILS) s.snils = digits_of(v);
        else if (nid == NID_INN) s.inn = digits_of(v);
        else if (nid == innle_nid) s.innle = digits_of(v);
        else if (nid == NID_OGRN) s.ogrn = digits_of(v);
        else if (nid == NID_OGRNIP) s.ogrnip = digits_of(v);
        else if (nid == NID_surname) s.surname = std::move(v);
        else if (nid == NID_givenName) s.given_name = std::move(v);
        else if (nid == NID_commonName) s.common_name = std::move(v);
        else if (nid == NID_organizationName) s.organisation = std::move(v);
    }
    return s;
}

std::string serial_of(X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    if (!bn) return {};
    char* hex = BN_bn2hex(bn);
    std::string s = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    return s;
}

std::string key_algorithm_of(X509* cert) {
    ASN1_OBJECT* alg = nullptr;
    if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert)) != 1 || !alg) return {};
    const int nid = OBJ_obj2nid(alg);
    return nid != NID_undef ? OBJ_nid2ln(nid) : std::string();
}

SignerCertificate describe(X509* cert, const X509_ALGOR* digest) {
    SignerCertificate c;
    c.subject = subject_of(cert);
    c.issuer = one_line(X509_get_issuer_name(cert));
    c.serial = serial_of(cert);
    c.not_before = unix_time(X509_get0_notBefore(cert));
    c.not_after = unix_time(X509_get0_notAfter(cert));
    c.key_algorithm = key_algorithm_of(cert);
    if (digest) {
        const ASN1_OBJECT* obj = nullptr;
        X509_ALGOR_get0(&obj, nullptr, nullptr, digest);
        const int nid = OBJ_obj2nid(obj);
        if (nid != NID_undef) c.digest_algorithm = OBJ_nid2sn(nid);
    }
    return c;
}

Verdict fail(Verdict v, Failure f, std::string detail = {}) {
    v.failure = f;
    v.detail = detail.empty() ? take_errors() : std::move(detail);
    ERR_clear_error();
    return v;
}

// Reads DER into a CMS SignedData; nullptr with `why` set otherwise.
CmsPtr parse_signed_data(const std::string& der, Failure& why, std::string& detail) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    if (!cms) {
        const std::size_t declared = declared_length(der);
        const unsigned long e = ERR_peek_last_error();
        const bool asn1_short = ERR_GET_LIB(e) == ERR_LIB_ASN1 &&
                                (ERR_GET_REASON(e) == ASN1_R_TOO_LONG || ERR_GET_REASON(e) == ASN1_R_HEADER_TOO_LONG ||
                                 ERR_GET_REASON(e) == ASN1_R_NOT_ENOUGH_DATA);
        why = declared > der.size() || (declared == 0 && asn1_short && !der.empty() &&
                                        static_cast<unsigned char>(der[0]) == 0x30)
                  ? Failure::truncated
                  : Failure::not_a_signature;
        detail = take_errors();
        return nullptr;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        why = Failure::not_a_signature;
        detail = "CMS content type is not signedData";
        return nullptr;
    }
    return cms;
}

// The challenge as CMS_verify reads it. Not a bare memory BIO: for one,
// OpenSSL 3.0's CMS_verify makes a copy that it does not free when the
// signature's content cannot be set up (a damaged algorithm field); behind a
// buffer BIO it reads our chain directly, and we free it.
void free_bio_chain(BIO* b) { BIO_free_all(b); }
using BioChainPtr = std::unique_ptr<BIO, Deleter<BIO, free_bio_chain>>;
BioChainPtr content_bio(std::string_view bytes) {
    BioChainPtr chain(BIO_new(BIO_f_buffer()));
    BIO_push(chain.get(), BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    return chain;
}

// The embedded content of a non-detached signature, if any.
const ASN1_OCTET_STRING* embedded_content(CMS_ContentInfo* cms) {
    ASN1_OCTET_STRING** pos = CMS_get0_content(cms);
    return pos ? *pos : nullptr;
}

// The signature over the challenge, without looking at the certificate's
// trust (that is the chain's part). Failure::none when it holds.
Failure check_signature(CMS_ContentInfo* cms, std::string_view challenge, std::string& detail) {
    const ASN1_OCTET_STRING* content = embedded_content(cms);
    if (content) {
        const std::string_view inside(reinterpret_cast<const char*>(ASN1_STRING_get0_data(content)),
                                      static_cast<std::size_t>(ASN1_STRING_length(content)));
        if (inside != challenge) {
            detail = "the signature carries other content than the challenge";
            return Failure::wrong_challenge;
        }
    }
    const unsigned flags = CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY;
    BioChainPtr data = content_bio(challenge);
    if (CMS_verify(cms, nullptr, nullptr, content ? nullptr : data.get(), nullptr, flags) == 1) return Failure::none;
    detail = take_errors();
    // Which part failed: the signature over the signed attributes (not the
    // signer's), or only the digest of the content (other bytes were signed).
    BioChainPtr again = content_bio(challenge);
    const bool attributes_hold =
        CMS_verify(cms, nullptr, nullptr, content ? nullptr : again.get(), nullptr, flags | CMS_NO_CONTENT_VERIFY) == 1;
    ERR_clear_error();
    return attributes_hold ? Failure::wrong_challenge : Failure::bad_signature;
}

Failure chain_failure(int err) {
    switch (err) {
        case X509_V_ERR_CERT_HAS_EXPIRED: return Failure::expired;
        case X509_V_ERR_CERT_NOT_YET_VALID: return Failure::not_yet_valid;
        case X509_V_ERR_CERT_REVOKED: return Failure::revoked;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        case X509_V_ERR_DIFFERENT_CRL_SCOPE: return Failure::revocation_unknown;
        default: return Failure::untrusted;
    }
}

}  // namespace

struct TrustStore::Impl {
    X509_STORE* store = X509_STORE_new();
    ~Impl() { X509_STORE_free(store); }
};

TrustStore::TrustStore() : impl_(std::make_unique<Impl>()) {}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

TrustStore::Added TrustStore::add(std::string_view input) {
    Added added;
    auto add_cert = [&](X509* cert) {
        // Only a CA is a trust anchor: an end-entity certificate dropped into
        // the folder must not make its own signatures "trusted".
        if (X509_check_ca(cert) < 1) {
            ++added.ignored;
            return;
        }
        if (X509_STORE_add_cert(impl_->store, cert) != 1) ERR_clear_error();  // a duplicate is fine
        ++added.authorities;
    };
    auto add_crl = [&](X509_CRL* crl) {
        if (X509_STORE_add_crl(impl_->store, crl) != 1) ERR_clear_error();
        ++added.crls;
    };
    if (!input.empty() && static_cast<unsigned char>(input[0]) == 0x30) {  // one DER object
        const auto* p = reinterpret_cast<const unsigned char*>(input.data());
        if (X509Ptr cert{d2i_X509(nullptr, &p, static_cast<long>(input.size()))}) {
            add_cert(cert.get());
        } else {
            p = reinterpret_cast<const unsigned char*>(input.data());
            CrlPtr crl{d2i_X509_CRL(nullptr, &p, static_cast<long>(input.size()))};
            if (!crl) throw std::invalid_argument("neither a DER certificate nor a DER CRL: " + take_errors());
            add_crl(crl.get());
        }
    } else {
        BioPtr bio = memory_bio(input);
        for (;;) {
            char* name = nullptr;
            char* header = nullptr;
            unsigned char* data = nullptr;
            long len = 0;
            if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
                ERR_clear_error();  // the end of the text
                break;
            }
            const std::string label = name;
            const unsigned char* p = data;
            X509Ptr cert;
            CrlPtr crl;
            if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE") cert.reset(d2i_X509(nullptr, &p, len));
            else if (label == "X509 CRL") crl.reset(d2i_X509_CRL(nullptr, &p, len));
            OPENSSL_free(name);
            OPENSSL_free(header);
            OPENSSL_free(data);
            if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE") {
                if (!cert) throw std::invalid_argument("a certificate does not parse: " + take_errors());
                add_cert(cert.get());
            } else if (label == "X509 CRL") {
                if (!crl) throw std::invalid_argument("a CRL does not parse: " + take_errors());
                add_crl(crl.get());
            }
        }
    }
    authorities_ += added.authorities;
    crls_ += added.crls;
    return added;
}

std::string_view to_string(Failure f) {
    switch (f) {
        case Failure::none: return "none";
        case Failure::empty: return "empty";
        case Failure::too_large: return "too_large";
        case Failure::not_a_signature: return "not_a_signature";
        case Failure::truncated: return "truncated";
        case Failure::no_certificate: return "no_certificate";
        case Failure::several_signers: return "several_signers";
        case Failure::unsupported_algorithm: return "unsupported_algorithm";
        case Failure::bad_signature: return "bad_signature";
        case Failure::wrong_challenge: return "wrong_challenge";
        case Failure::untrusted: return "untrusted";
        case Failure::not_yet_valid: return "not_yet_valid";
        case Failure::expired: return "expired";
        case Failure::revoked: return "revoked";
        case Failure::revocation_unknown: return "revocation_unknown";
        case Failure::key_usage: return "key_usage";
        case Failure::no_snils: return "no_snils";
    }
    return "unknown";
}

std::string to_der(std::string_view signature, const Limits& limits, Failure& failure) {
    failure = Failure::none;
    if (signature.size() > limits.max_bytes) {
        failure = Failure::too_large;
        return {};
    }
    std::size_t first = 0;
    while (first < signature.size() && is_space(signature[first])) ++first;
    if (first == signature.size()) {
        failure = Failure::empty;
        return {};
    }
    if (static_cast<unsigned char>(signature[0]) == 0x30) return std::string(signature);  // DER (BER) as is
    std::string label;
    std::optional<std::string> der;
    if (auto body = pem_body(signature, label)) {
        // `openssl cms -outform PEM` writes "CMS"; PKCS #7 tools write "PKCS7".
        if (label == "CMS" || label == "PKCS7" || label == "PKCS #7 SIGNED DATA") der = lenient_base64(*body);
    } else {
        der = lenient_base64(signature.substr(first));
    }
    if (!der || der->empty()) {
        failure = Failure::not_a_signature;
        return {};
    }
    return std::move(*der);
}

Verdict verify_detached(std::string_view challenge, std::string_view signature, const TrustStore& trust,
                        std::int64_t now, const Limits& limits) {
    Verdict v;
    ERR_clear_error();
    Failure why = Failure::none;
    const std::string der = to_der(signature, limits, why);
    if (why != Failure::none) return fail(v, why, "input");
    std::string detail;
    CmsPtr cms = parse_signed_data(der, why, detail);
    if (!cms) return fail(v, why, detail);

    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    const int count = signers ? sk_CMS_SignerInfo_num(signers) : 0;
    if (count == 0) return fail(v, Failure::not_a_signature, "no signer");
    if (count > 1) return fail(v, Failure::several_signers, std::to_string(count) + " signers");
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signers, 0);
    CMS_set1_signers_certs(cms.get(), nullptr, 0);  // matches the signer to the certificates carried
    ERR_clear_error();
    X509* signer = nullptr;
    X509_ALGOR* digest = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, &signer, &digest, nullptr);
    if (!signer) return fail(v, Failure::no_certificate, "the signer's certificate is not in the signature");
    v.has_certificate = true;
    v.signer = describe(signer, digest);

    const ASN1_OBJECT* digest_obj = nullptr;
    X509_ALGOR_get0(&digest_obj, nullptr, nullptr, digest);
    if (!EVP_get_digestbyobj(digest_obj) || !X509_get0_pubkey(signer))
        return fail(v, Failure::unsupported_algorithm, v.signer.key_algorithm + " / " + v.signer.digest_algorithm);
    if (Failure f = check_signature(cms.get(), challenge, detail); f != Failure::none) return fail(v, f, detail);

    // The signer's own dates first: OpenSSL may otherwise report a CRL not yet
    // valid at `now` before the certificate that is not valid either.
    if (now < v.signer.not_before) return fail(v, Failure::not_yet_valid, "certificate not yet valid");
    if (now > v.signer.not_after) return fail(v, Failure::expired, "certificate expired");

    CertsPtr carried(CMS_get1_certs(cms.get()));
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.impl().store, signer, carried.get()) != 1)
        throw std::runtime_error("X509_STORE_CTX_init failed: " + take_errors());
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        return fail(v, chain_failure(err), X509_verify_cert_error_string(err));
    }
    ERR_clear_error();

    // Qualified certificates always say what the key is for; one that does
    // not say "signing" proves nothing by a signature.
    const bool has_usage = (X509_get_extension_flags(signer) & EXFLAG_KUSAGE) != 0;
    if (!has_usage || (X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
        return fail(v, Failure::key_usage, "no digitalSignature or nonRepudiation");
    if (v.signer.subject.snils.size() != 11) return fail(v, Failure::no_snils, "no SNILS in the subject");
    return v;
}

namespace {

bool gost_digest_known() {
    const bool known = EVP_get_digestbyname("md_gost12_256") != nullptr;
    ERR_clear_error();
    return known;
}

bool load_gost_config() {
    // engine_id alone: OpenSSL finds gost.so in its own ENGINESDIR.
    static const char kConfig[] =
        "openssl_conf = openssl_def\n"
        "[openssl_def]\nengines = engine_section\n"
        "[engine_section]\ngost = gost_section\n"
        "[gost_section]\nengine_id = gost\ndefault_algorithms = ALL\n";
    CONF* conf = NCONF_new(nullptr);
    BioPtr bio = memory_bio(kConfig);
    long line = 0;
    bool ok = NCONF_load_bio(conf, bio.get(), &line) == 1 && CONF_modules_load(conf, nullptr, 0) == 1;
    NCONF_free(conf);
    ERR_clear_error();
    return ok;
}

}  // namespace

bool load_gost_engine() {
    static std::once_flag once;
    static bool available = false;
    std::call_once(once, [] { available = gost_digest_known() || (load_gost_config() && gost_digest_known()); });
    return available;
}

bool gost_available() { return gost_digest_known(); }

}  // namespace uslugi::core::cms
