#pragma once
// The SQL of profiles and their checks (migrations/0008_identity_profiles.sql).
// The profile is one sealed JSON document; the INN found by the tax service
// is sealed on its own. Every state change of a verification or of one of its
// steps goes through this store, which refuses transitions the state machines
// (profile.hpp) do not allow and records each one in
// identity_verification_events.
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/reseal.hpp"
#include "identity/profile.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::identity {

struct StoredProfile {
    std::int64_t account_id = 0;
    Profile data;
    std::string inn;  // "" until the tax service found one
    int version = 1;
    std::int64_t updated_at = 0;
    std::int64_t submitted_at = 0;  // 0: never sent for checking
};

struct StepStatus {
    StepState state = StepState::pending;
    std::string reason;  // a profile.hpp reason code, "" when none
    std::string detail;  // a date or a registry's error code, by reason
};

struct Verification {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    int profile_version = 0;
    VerificationState state = VerificationState::checking;
    std::string reason;  // why it failed: the failing step's reason
    StepStatus pfr, mvd, fns;
    std::int64_t created_at = 0, updated_at = 0, finished_at = 0;

    const StepStatus& step(Registry r) const { return r == Registry::pfr ? pfr : r == Registry::mvd ? mvd : fns; }
    StepStatus& step(Registry r) { return r == Registry::pfr ? pfr : r == Registry::mvd ? mvd : fns; }
    // Some step still has work to do (the page keeps polling).
    bool running() const;
};

struct VerificationEvent {
    std::int64_t id = 0;
    std::int64_t verification_id = 0;
    std::int64_t at = 0;
    std::string actor;    // system | user
    std::string subject;  // overall | pfr | mvd | fns
    std::string from, to, reason;
};

class ProfileStore {
public:
    ProfileStore(db::Database& db, const core::DataProtector& protector) : db_(db), protector_(protector) {}

    std::optional<StoredProfile> find(std::int64_t account_id);
    std::optional<StoredProfile> find(soci::session& s, std::int64_t account_id);
    // Inserts or replaces the account's profile with this version; `submitted`
    // sets submitted_at the first time.
    void save(soci::session& tx, std::int64_t account_id, const Profile& p, int version, bool submitted,
              std::int64_t now);
    void set_inn(soci::session& tx, std::int64_t account_id, const std::string& inn, std::int64_t now);
    // The profile, its verifications and their events go (account deletion, ID-6).
    void erase(soci::session& tx, std::int64_t account_id);
    // Converts the profiles' "v1." sealed values to "v2." (db/reseal.hpp).
    db::ResealResult reseal();

    // A new verification of `version` in state checking, its steps pending;
    // records not_sent → checking by `actor`.
    std::int64_t create_verification(soci::session& tx, std::int64_t account_id, int version,
                                     const std::string& actor, std::int64_t now);
    std::optional<Verification> verification(std::int64_t id);
    std::optional<Verification> verification(soci::session& s, std::int64_t id);
    // The account's newest verification.
    std::optional<Verification> latest(std::int64_t account_id);
    std::optional<Verification> latest(soci::session& s, std::int64_t account_id);
    // Takes the row's write lock for the rest of the transaction (PostgreSQL:
    // the row lock; SQLite: the one writer already holds it), so two steps
    // finishing at once see each other's results.
    void lock(soci::session& tx, std::int64_t id, std::int64_t now);

    // Moves the verification from its current state to `to`; false (nothing
    // written) when the row is no longer in `v.state`. Throws
    // std::logic_error for a transition the state machine forbids.
    bool set_state(soci::session& tx, const Verification& v, VerificationState to, const std::string& reason,
                   const std::string& actor, std::int64_t now);
    // The same for one step; `detail` is kept with the reason.
    bool set_step(soci::session& tx, const Verification& v, Registry r, StepState to, const std::string& reason,
                  const std::string& detail, const std::string& actor, std::int64_t now);
    std::vector<VerificationEvent> events(std::int64_t verification_id);

private:
    void record(soci::session& tx, std::int64_t verification_id, const std::string& actor, const std::string& subject,
                const std::string& from, const std::string& to, const std::string& reason, std::int64_t now);
    db::Database& db_;
    const core::DataProtector& protector_;
};

// The profile as the JSON sealed in data_enc, and back (unknown keys ignored).
std::string profile_to_json(const Profile& p);
Profile profile_from_json(const std::string& text);

}  // namespace uslugi::identity
