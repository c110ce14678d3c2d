#pragma once
// The confirmed level by a qualified electronic signature (SPEC ID-3c). The
// portal issues a one-time challenge (random bytes in a short text) bound to
// the account and the browser session; the user signs it with their
// qualified certificate as a detached CMS signature and uploads it; the
// signature is verified (core/cms.hpp) against the certification authorities
// the portal trusts, the certificate's SNILS (and INN, where both have one)
// must be the profile's, and then the account becomes confirmed
// (IdentityService::confirm_identity) in the transaction that spends the
// challenge. Only the SHA-256 of the challenge's token is stored; the bytes
// signed are rebuilt from it, the account number and the time of issue.
#include "core/cms.hpp"
#include "core/config.hpp"
#include "identity/profile_store.hpp"
#include "identity/service.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace uslugi::identity {

struct SignatureOptions {
    std::int64_t challenge_ttl = 30 * 60;  // seconds to download, sign and upload
    int tries_per_challenge = 5;           // failed uploads before a new challenge is needed
    int challenges_per_hour = 10;          // per account
    std::size_t max_signature_bytes = 64 * 1024;
};

// --qes-trust-dir on `serve` (Config::qes_trust_dir).
void add_signature_options(CLI::App& cmd, core::Config& cfg);

// `dir` (the option's value) as a path: relative ones are inside `root`.
std::string resolve_trust_dir(const std::string& root, const std::string& dir);

// Reads every *.pem, *.crt, *.cer, *.der and *.crl file of `dir` into a trust
// store; a missing folder gives an empty store (every signature is then
// "untrusted"). Loads the GOST engine first. Throws std::invalid_argument
// naming a file that does not parse.
core::cms::TrustStore load_trust_dir(const std::string& dir);

// The trust store of a folder, read again when its files change (an
// authority publishes a new CRL every day or so: dropping it into the folder
// is enough, no restart). A folder that no longer parses keeps the last good
// store (and says so in the log).
class TrustDir {
public:
    explicit TrustDir(std::string dir);  // throws like load_trust_dir
    std::shared_ptr<const core::cms::TrustStore> current();

private:
    std::string fingerprint() const;
    std::string dir_;
    std::mutex mutex_;
    std::string seen_;
    std::shared_ptr<const core::cms::TrustStore> store_;
};

struct IssuedChallenge {
    std::string token;  // goes back with the signature (form field or JSON)
    std::string text;   // the exact bytes to sign
    std::int64_t expires_at = 0;
};

// Stable codes of a refusal: "not_standard", "already_confirmed",
// "too_many_challenges", "no_challenge", "no_tries_left", "wrong_person",
// and every core::cms::Failure code ("untrusted", "expired" …).
struct SignatureResult {
    std::string code;           // "" when the account was confirmed
    std::string field;          // wrong_person: "snils" or "inn"
    std::int64_t retry_after = 0;
    std::optional<core::cms::SignerCertificate> signer;
    int tries_left = 0;         // of the challenge, after a failure
    bool ok() const { return code.empty(); }
};

class SignatureConfirmation {
public:
    // `trust_dir`: a folder path (resolve_trust_dir), read now and again when it changes.
    SignatureConfirmation(IdentityService& identity, const std::string& trust_dir, SignatureOptions options = {});

    // Why this way is closed to the account ("" when it is open):
    // "not_standard" or "already_confirmed".
    std::string refusal(std::int64_t account_id);
    // A new challenge for the session (the session's earlier ones end);
    // `refused` gets a code when none is issued.
    std::optional<IssuedChallenge> issue(const Context& ctx, std::int64_t account_id, SignatureResult& refused);
    // The text of the session's live challenge with this token, for downloading it again.
    std::optional<std::string> challenge_text(const Context& ctx, std::int64_t account_id, const std::string& token);
    // Verifies `signature` (DER, PEM or Base64) over the challenge of `token`
    // and confirms the account when everything holds.
    SignatureResult submit(const Context& ctx, std::int64_t account_id, const std::string& token,
                           const std::string& signature);

    const SignatureOptions& options() const { return options_; }
    std::shared_ptr<const core::cms::TrustStore> trust() { return trust_.current(); }
    IdentityService& identity() { return identity_; }

private:
    struct Stored;
    std::optional<Stored> find_live(soci::session& s, const Context& ctx, std::int64_t account_id,
                                    const std::string& token, std::int64_t now);
    SignatureResult count_failure(const Context& ctx, const Stored& c, SignatureResult r);
    SignatureResult check_person(std::int64_t account_id, const core::cms::SignerCertificate& signer);
    SignatureResult spend_and_confirm(const Context& ctx, std::int64_t account_id, const Stored& c,
                                      const core::cms::SignerCertificate& signer);

    IdentityService& identity_;
    ProfileStore profiles_;
    TrustDir trust_;
    SignatureOptions options_;
};

// The bytes a user signs for challenge `token` of `account_id` issued at `issued_at`.
std::string challenge_bytes(std::int64_t account_id, const std::string& token, std::int64_t issued_at);
// "088-391-325 03" → "08839132503": SNILS as a certificate carries it.
std::string snils_digits(const std::string& snils);

}  // namespace uslugi::identity
