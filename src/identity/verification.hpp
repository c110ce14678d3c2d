#pragma once
// The "standard" level (ID-2): saving the profile, sending it for checking,
// and the background checks by the Social Fund of Russia (SNILS ↔ person), the
// Interior Ministry (the passport is valid, not lost, and this person's) and
// then the tax service (the INN).
//
// Sending for checking writes the profile, a new verification and its two
// jobs in one transaction. The jobs run in parallel on any worker; each
// records its step, and whichever finishes second decides the verification
// (under the verification's row lock). A registry that does not answer leaves
// its step "waiting" and the job retries with back-off for days, across
// restarts. Every handler is idempotent: it does nothing for a verification
// that ended, was superseded by newer data, or whose step is already decided.
#include "core/config.hpp"
#include "identity/profile.hpp"
#include "identity/profile_store.hpp"
#include "identity/service.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "registries/clients.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::identity {

inline constexpr std::string_view kVerifyPfrKind = "identity.verify.pfr";
inline constexpr std::string_view kVerifyMvdKind = "identity.verify.mvd";
inline constexpr std::string_view kVerifyFnsKind = "identity.verify.fns";
// With the back-off capped at an hour by default, this many attempts keep a
// check waiting for a registry for weeks.
inline constexpr int kVerifyMaxAttempts = 2000;

std::string_view job_kind(Registry r);
// "identity.verify.pfr:17": one job per step of one verification.
std::string verify_job_key(Registry r, std::int64_t verification_id);

struct SaveResult {
    FieldErrors errors;
    Profile profile;                   // normalized when saved; as typed when refused
    std::vector<std::string> changed;  // field names
    bool sent = false;                 // a new verification was started
    bool level_dropped = false;        // checked data changed after a check: back to simplified
    std::int64_t verification_id = 0;
    bool ok() const { return errors.empty(); }
};

struct ProfileView {
    bool saved = false;  // false: nothing stored yet (names come from the account)
    StoredProfile profile;
    std::optional<Verification> verification;
    Level level = Level::simplified;
    bool complete = false;  // every required field is there and valid: it can be sent
    // The stored data differ from what the latest verification checked.
    bool changed_since_check = false;
};

class ProfileService {
public:
    ProfileService(IdentityService& identity, jobs::JobStore& jobs);

    ProfileView view(std::int64_t account_id);
    // Validates `raw` (field name → value as typed) per `mode`, then in one
    // transaction: the profile, the end of a check of data that changed, a new
    // verification with its jobs when sent, the audit entries.
    SaveResult save(const Context& ctx, std::int64_t account_id, const std::map<std::string, std::string>& raw,
                    SaveMode mode);
    ProfileStore& store() { return store_; }

private:
    void supersede(soci::session& tx, const Verification& v, std::int64_t now);
    IdentityService& identity_;
    jobs::JobStore& jobs_;
    ProfileStore store_;
};

// Runs the jobs of the checks.
class VerificationRunner {
public:
    VerificationRunner(IdentityService& identity, jobs::JobStore& jobs, registries::PensionFundClient& pfr,
                       registries::InteriorClient& mvd, registries::TaxClient& fns);
    // The handler of job_kind(r). Throws registries::RegistryUnavailable (the
    // job retries) after recording that the step waits.
    void run(Registry r, const jobs::Job& job);

private:
    struct Answer {
        StepState state = StepState::passed;
        std::string reason, detail, inn;
    };
    Answer ask(Registry r, const Profile& p);
    bool has_work(const Verification& v, Registry r) const;
    void conclude(soci::session& tx, std::int64_t verification_id, std::int64_t now);
    void finish(soci::session& tx, const Verification& v, VerificationState to, const std::string& reason,
                std::int64_t now);

    IdentityService& identity_;
    jobs::JobStore& jobs_;
    ProfileStore store_;
    registries::PensionFundClient& pfr_;
    registries::InteriorClient& mvd_;
    registries::TaxClient& fns_;
};

// The registry's view of a profile (PersonIdentity of registries/clients.hpp).
registries::PersonIdentity person_of(const Profile& p);

// The check's job kinds for `uslugi serve` and `uslugi worker`: a data key,
// stores and registry clients of their own (cfg.registries_url).
void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root);

}  // namespace uslugi::identity
