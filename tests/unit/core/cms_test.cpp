// The verifier of detached CMS signatures (core/cms.hpp) against a demo CA
// that scripts/demo-qes.sh issues into a temporary folder with the openssl
// command line and Debian's GOST engine: every failure code with a real
// certificate or signature that causes it, and GOST, RSA and ECDSA signers.
#include <gtest/gtest.h>

#include "core/cms.hpp"
#include "core/crypto.hpp"
#include "temp_dir.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

using namespace uslugi::core;
using uslugi::test_support::TempDir;

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void run(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

const std::string kChallenge = "uslugi: challenge 42\nnonce: 3q2-7w_Zx\n";

class CmsVerify : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ASSERT_TRUE(cms::load_gost_engine()) << "libengine-gost-openssl is needed (scripts/install-deps.sh)";
        dir_ = std::make_unique<TempDir>("uslugi-cms-");
        run(script() + " issue " + dir().string() + " >/dev/null");
        dir_->write("challenge.txt", kChallenge);
        dir_->write("other.txt", "uslugi: challenge 43\nnonce: something else\n");
        trust_ = std::make_unique<cms::TrustStore>();
        trust_->add(read_file(dir() / "trust/ca.pem"));
        trust_->add(read_file(dir() / "trust/crl.pem"));
    }
    static void TearDownTestSuite() {
        trust_.reset();
        dir_.reset();
    }

    static std::string script() { return std::string(USLUGI_SOURCE_DIR) + "/scripts/demo-qes.sh"; }
    static const std::filesystem::path& dir() { return dir_->path(); }

    // A detached signature of `file` by certificate `name`, as DER or PEM.
    static std::string sign(const std::string& name, const std::string& file = "challenge.txt",
                            const std::string& form = "der") {
        const auto out = dir() / (name + "-" + file + "." + form);
        run(script() + " sign " + dir().string() + " " + name + " " + (dir() / file).string() + " " + out.string() +
            " " + form);
        return read_file(out);
    }
    // openssl cms with the demo folder's GOST configuration, for forms the script does not make.
    static std::string openssl_cms(const std::string& args, const std::string& out_name) {
        const auto out = dir() / out_name;
        run("cd " + dir().string() + " && OPENSSL_CONF=" + (dir() / "openssl.cnf").string() + " openssl cms " + args +
            " -out " + out.string());
        return read_file(out);
    }

    static cms::Verdict verify(const std::string& signature, std::int64_t now = std::time(nullptr)) {
        return cms::verify_detached(kChallenge, signature, *trust_, now);
    }

    static std::unique_ptr<TempDir> dir_;
    static std::unique_ptr<cms::TrustStore> trust_;
};

std::unique_ptr<TempDir> CmsVerify::dir_;
std::unique_ptr<cms::TrustStore> CmsVerify::trust_;

TEST_F(CmsVerify, GostSignatureOfTheDemoPersonHolds) {
    const auto v = verify(sign("person"));
    ASSERT_TRUE(v.ok()) << cms::to_string(v.failure) << ": " << v.detail;
    EXPECT_EQ(v.signer.subject.snils, "08839132503");
    EXPECT_EQ(v.signer.subject.inn, "590600644706");
    EXPECT_EQ(v.signer.subject.surname, "Смирнова");
    EXPECT_EQ(v.signer.subject.given_name, "Анна Сергеевна");
    EXPECT_EQ(v.signer.subject.common_name, "Смирнова Анна Сергеевна");
    EXPECT_EQ(v.signer.digest_algorithm, "md_gost12_256");
    EXPECT_NE(v.signer.key_algorithm.find("GOST R 34.10-2012"), std::string::npos) << v.signer.key_algorithm;
    EXPECT_NE(v.signer.issuer.find("Демонстрационный"), std::string::npos) << v.signer.issuer;
    EXPECT_LT(v.signer.not_before, std::time(nullptr) + 1);
    EXPECT_GT(v.signer.not_after, std::time(nullptr) + 700 * 86400);
}

TEST_F(CmsVerify, RsaAndEcdsaSignersHoldToo) {
    for (const char* name : {"rsa", "ec"}) {
        const auto v = verify(sign(name));
        EXPECT_TRUE(v.ok()) << name << ": " << cms::to_string(v.failure) << " " << v.detail;
        EXPECT_EQ(v.signer.subject.snils, "08839132503") << name;
        EXPECT_EQ(v.signer.digest_algorithm, "SHA256") << name;
    }
}

TEST_F(CmsVerify, PemAndBareBase64WithLineBreaksAreAccepted) {
    const std::string pem = sign("person", "challenge.txt", "pem");
    ASSERT_EQ(pem.rfind("-----BEGIN CMS-----", 0), 0u) << pem.substr(0, 40);
    EXPECT_TRUE(verify(pem).ok());
    // The Base64 inside, as someone pastes it from another tool (CRLF line breaks, no armour).
    std::string body = pem.substr(pem.find('\n') + 1);
    body = body.substr(0, body.find("-----END"));
    std::string crlf;
    for (char c : body) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const auto v = verify("  " + crlf);
    EXPECT_TRUE(v.ok()) << cms::to_string(v.failure) << " " << v.detail;
}

TEST_F(CmsVerify, AnEmbeddedCopyOfTheChallengeHoldsAndOfOtherBytesDoesNot) {
    const std::string same = openssl_cms("-sign -binary -nodetach -md md_gost12_256 -in challenge.txt -signer person.pem "
                                         "-inkey person.key -outform DER", "embedded-same.der");
    EXPECT_TRUE(verify(same).ok());
    const std::string other = openssl_cms("-sign -binary -nodetach -md md_gost12_256 -in other.txt -signer person.pem "
                                          "-inkey person.key -outform DER", "embedded-other.der");
    EXPECT_EQ(verify(other).failure, cms::Failure::wrong_challenge);
}

TEST_F(CmsVerify, ASignatureOverAnotherChallengeIsWrongChallenge) {
    const auto v = verify(sign("person", "other.txt"));
    EXPECT_EQ(v.failure, cms::Failure::wrong_challenge) << v.detail;
    EXPECT_TRUE(v.has_certificate);
}

TEST_F(CmsVerify, AnAlteredSignatureValueIsBadSignature) {
    std::string der = sign("person");
    der[der.size() - 3] ^= 0x5a;  // inside the signature value, the last field of the SignerInfo
    EXPECT_EQ(verify(der).failure, cms::Failure::bad_signature);
}

TEST_F(CmsVerify, CertificateFailures) {
    EXPECT_EQ(verify(sign("untrusted")).failure, cms::Failure::untrusted);
    EXPECT_EQ(verify(sign("expired")).failure, cms::Failure::expired);
    EXPECT_EQ(verify(sign("revoked")).failure, cms::Failure::revoked);
    EXPECT_EQ(verify(sign("nokeyusage")).failure, cms::Failure::key_usage);
    const auto nosnils = verify(sign("nosnils"));
    EXPECT_EQ(nosnils.failure, cms::Failure::no_snils);
    EXPECT_EQ(nosnils.signer.subject.inn, "590600644706");
    // Another person's valid certificate is fine for the verifier: whether it
    // is the account holder's is the identity module's question.
    const auto other = verify(sign("other"));
    EXPECT_TRUE(other.ok());
    EXPECT_EQ(other.signer.subject.snils, "14155819863");
}

TEST_F(CmsVerify, ValidityIsJudgedAtTheGivenTime) {
    const std::string sig = sign("person");
    EXPECT_EQ(verify(sig, std::time(nullptr) + 800LL * 86400).failure, cms::Failure::expired);
    EXPECT_EQ(verify(sig, 946684800 /* 2000-01-01 */).failure, cms::Failure::not_yet_valid);
}

TEST_F(CmsVerify, WithoutTheAuthoritysCrlRevocationIsUnknown) {
    cms::TrustStore no_crl;
    EXPECT_EQ(no_crl.add(read_file(dir() / "trust/ca.pem")).authorities, 1);
    const auto v = cms::verify_detached(kChallenge, sign("person"), no_crl, std::time(nullptr));
    EXPECT_EQ(v.failure, cms::Failure::revocation_unknown) << v.detail;
}

TEST_F(CmsVerify, InputThatIsNoSignature) {
    EXPECT_EQ(verify("").failure, cms::Failure::empty);
    EXPECT_EQ(verify(" \r\n ").failure, cms::Failure::empty);
    EXPECT_EQ(verify(std::string(10 * 1024 * 1024, 'A')).failure, cms::Failure::too_large);
    EXPECT_EQ(verify("hello, this is not a signature").failure, cms::Failure::not_a_signature);
    EXPECT_EQ(verify(read_file(dir() / "person.pem")).failure, cms::Failure::not_a_signature);  // a PEM certificate
    run("cd " + dir().string() + " && OPENSSL_CONF=openssl.cnf openssl x509 -in person.pem -outform DER -out person.der");
    EXPECT_EQ(verify(read_file(dir() / "person.der")).failure, cms::Failure::not_a_signature);  // a DER certificate
    // A CMS that is no SignedData (plain "data").
    const std::string data = openssl_cms("-data_create -binary -in challenge.txt -outform DER", "data.der");
    EXPECT_EQ(verify(data).failure, cms::Failure::not_a_signature);
}

TEST_F(CmsVerify, ACutSignatureIsTruncated) {
    const std::string der = sign("person");
    EXPECT_EQ(verify(der.substr(0, der.size() / 2)).failure, cms::Failure::truncated);
    EXPECT_EQ(verify(der.substr(0, der.size() - 1)).failure, cms::Failure::truncated);
    // The same pasted as Base64 and cut off mid-way.
    const std::string pem = sign("person", "challenge.txt", "pem");
    const std::string cut = pem.substr(0, pem.size() / 2);
    EXPECT_EQ(verify(cut.substr(cut.find('\n') + 1)).failure, cms::Failure::truncated);
}

TEST_F(CmsVerify, SignerCertificateMissingOrSeveralSigners) {
    const std::string nocerts = openssl_cms("-sign -binary -nocerts -md md_gost12_256 -in challenge.txt -signer person.pem "
                                            "-inkey person.key -outform DER", "nocerts.der");
    EXPECT_EQ(verify(nocerts).failure, cms::Failure::no_certificate);
    const std::string two = openssl_cms("-sign -binary -md md_gost12_256 -in challenge.txt -signer person.pem "
                                        "-inkey person.key -signer other.pem -inkey other.key -outform DER", "two.der");
    EXPECT_EQ(verify(two).failure, cms::Failure::several_signers);
}

TEST_F(CmsVerify, TrustStoreTakesOnlyAuthorities) {
    cms::TrustStore store;
    const auto added = store.add(read_file(dir() / "ca.pem") + read_file(dir() / "person.pem") +
                                 read_file(dir() / "crl.pem"));
    EXPECT_EQ(added.authorities, 1);
    EXPECT_EQ(added.ignored, 1);
    EXPECT_EQ(added.crls, 1);
    // The person's own certificate in the store does not make it trusted without its CA.
    cms::TrustStore only_person;
    only_person.add(read_file(dir() / "person.pem"));
    EXPECT_EQ(cms::verify_detached(kChallenge, sign("person"), only_person, std::time(nullptr)).failure,
              cms::Failure::untrusted);
    EXPECT_THROW(store.add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), std::invalid_argument);
}

TEST_F(CmsVerify, EveryCutOfASignatureIsRefusedAsInput) {
    const std::string der = sign("person");
    for (std::size_t len = 1; len < der.size(); len += 3) {
        const auto f = verify(der.substr(0, len)).failure;
        EXPECT_TRUE(f == cms::Failure::truncated || f == cms::Failure::not_a_signature)
            << len << " bytes: " << cms::to_string(f);
    }
}

TEST_F(CmsVerify, AlteredBytesNeverProveAnotherIdentity) {
    const std::string der = sign("person");
    std::uint32_t seed = 20261203;
    int refused = 0;
    for (int i = 0; i < 300; ++i) {
        std::string bent = der;
        seed = seed * 1664525u + 1013904223u;  // a fixed sequence: the same bytes every run
        bent[seed % bent.size()] ^= static_cast<char>(1 + (seed >> 24) % 255);
        const auto v = verify(bent);
        if (!v.ok()) {
            ++refused;
            EXPECT_NE(cms::to_string(v.failure), "unknown");
        } else {  // a byte outside what is signed (a version, a length form): still the same person
            EXPECT_EQ(v.signer.subject.snils, "08839132503") << "flip at " << seed % bent.size();
        }
    }
    EXPECT_GT(refused, 250);
}

TEST(CmsCodes, EveryFailureHasItsOwnCode) {
    std::set<std::string> seen;
    for (int i = 0; i <= static_cast<int>(cms::Failure::no_snils); ++i)
        EXPECT_TRUE(seen.insert(std::string(cms::to_string(static_cast<cms::Failure>(i)))).second) << i;
    EXPECT_EQ(cms::to_string(cms::Failure::wrong_challenge), "wrong_challenge");
}

}  // namespace
