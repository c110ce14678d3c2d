#pragma once
// The SQL of the identity module (migrations/0007_identity.sql). Only this
// module reads or writes identity_* tables. Personal data goes in sealed and
// comes out opened through core::DataProtector; lookups by phone, e-mail or
// SNILS use blind indexes, never the plain value.
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/reseal.hpp"
#include "identity/model.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace uslugi::identity {

struct Account {
    std::int64_t id = 0;
    std::string kind = "citizen";
    Level level = Level::simplified;
    AccountStatus status = AccountStatus::active;
    std::string surname, name;
    std::string phone, email;  // "" when the account has none
    bool has_snils = false;
    std::string password_hash;
    std::int64_t password_changed_at = 0;
    std::string security_question;
    std::string security_answer_hash;
    std::string two_factor = "off";  // off | sms | totp
    std::string totp_secret;
    bool notify_signin = false;
    std::string lang = "ru";
    std::int64_t created_at = 0, updated_at = 0;
    std::vector<std::string> roles;    // staff roles (identity/staff.hpp), names only
    bool in_organisations = false;     // a hint set by the organisations module (migration 0335)
    std::string confirmed_method;      // how the level "confirmed" was reached (ConfirmMethod), "" before
    std::int64_t confirmed_at = 0;

    std::string display_name() const { return name.empty() ? surname : name + " " + surname; }
};

// A phone, e-mail or SNILS that already belongs to another account.
class ContactTaken : public std::runtime_error {
public:
    explicit ContactTaken(std::string what_kind) : std::runtime_error("taken: " + what_kind), kind(std::move(what_kind)) {}
    std::string kind;  // phone | email | snils
};

class AccountStore {
public:
    AccountStore(db::Database& db, const core::DataProtector& protector) : db_(db), protector_(protector) {}

    // In the caller's transaction; throws ContactTaken when the phone or e-mail is used.
    std::int64_t create(soci::session& tx, const Account& a, std::int64_t now);
    std::optional<Account> find(std::int64_t id);
    std::optional<Account> find(soci::session& s, std::int64_t id);
    // Only what every signed-in page needs (the header): names, level, status.
    std::optional<Account> find_brief(std::int64_t id);
    void mark_in_organisations(soci::session& tx, std::int64_t id);
    // An active account by its phone, e-mail or SNILS.
    std::optional<std::int64_t> find_by_login(const Login& login);
    // The same, loading the whole account in the one query (sign-in's hot path).
    std::optional<Account> find_account_by_login(const Login& login);
    bool contact_taken(soci::session& s, const Contact& c, std::int64_t except_account = 0);

    void set_password(soci::session& tx, std::int64_t id, const std::string& hash, std::int64_t now);
    void set_level(soci::session& tx, std::int64_t id, Level level, std::int64_t now);
    // Standard → confirmed in one conditional statement: false (nothing
    // written) when the account is not an active standard account right now.
    bool raise_to_confirmed(soci::session& tx, std::int64_t id, const std::string& method, std::int64_t now);
    // False (and nothing written) when another account holds this SNILS.
    bool set_snils(soci::session& tx, std::int64_t id, const std::string& normalized_snils, std::int64_t now);
    void clear_snils(soci::session& tx, std::int64_t id, std::int64_t now);
    // The same for a checked passport (normalized "4508 123456"), for recovery by passport.
    bool set_passport(soci::session& tx, std::int64_t id, const std::string& normalized_passport, std::int64_t now);
    void clear_passport(soci::session& tx, std::int64_t id, std::int64_t now);
    std::optional<std::int64_t> find_by_passport(const std::string& normalized_passport);
    void set_names(soci::session& tx, std::int64_t id, const std::string& surname, const std::string& name,
                   std::int64_t now);
    // Throws ContactTaken; an empty value removes the contact.
    void set_contact(soci::session& tx, std::int64_t id, ContactKind kind, const std::string& value, std::int64_t now);
    void set_security_question(soci::session& tx, std::int64_t id, const std::string& question,
                               const std::string& answer_hash, std::int64_t now);
    void set_two_factor(soci::session& tx, std::int64_t id, const std::string& mode, const std::string& totp_secret,
                        std::int64_t now);
    // Accepts an authenticator code's time step once: false when this step or
    // a later one was already used (a replayed code).
    bool use_totp_step(std::int64_t id, std::int64_t step);
    void set_notify_signin(soci::session& tx, std::int64_t id, bool on, std::int64_t now);
    void set_lang(soci::session& tx, std::int64_t id, const std::string& lang, std::int64_t now);
    // Deletion (ID-6): every personal field is erased, the row stays as a
    // pseudonymous tombstone the audit log still points to.
    void erase(soci::session& tx, std::int64_t id, std::int64_t now);

    std::string index(std::string_view kind, std::string_view value) const { return protector_.blind_index(kind, value); }
    const core::DataProtector& protector() const { return protector_; }
    // Converts the accounts' "v1." sealed values to "v2." (db/reseal.hpp).
    db::ResealResult reseal();

private:
    std::optional<Account> load(soci::session& s, const std::string& where, const std::string& key);
    db::Database& db_;
    const core::DataProtector& protector_;
};

// ---- Challenges: codes and links in flight -------------------------------------------------

struct Challenge {
    std::int64_t id = 0;
    std::string purpose;  // register | signin | recover | contact
    std::string session_hash;
    std::optional<std::int64_t> account_id;
    std::string channel;      // sms | email | totp
    std::string destination;  // opened
    std::string payload;      // opened (JSON text of what the purpose needs)
    std::string code_hash;
    std::int64_t code_expires_at = 0, code_sent_at = 0;
    int code_failures = 0, failures = 0, sends = 0;
    std::optional<std::int64_t> confirmed_at, used_at;
    std::int64_t created_at = 0, expires_at = 0;
};

enum class CodeCheck { ok, wrong, expired, no_tries_left, no_code };

class ChallengeStore {
public:
    ChallengeStore(db::Database& db, const core::DataProtector& protector) : db_(db), protector_(protector) {}

    // Ends the session's unfinished challenges of this purpose, then adds `c`.
    std::int64_t create(soci::session& tx, const Challenge& c, const std::string& link_hash = {});
    // The session's newest open (unused, unexpired) challenge of a purpose.
    std::optional<Challenge> current(const std::string& session_hash, const std::string& purpose, std::int64_t now);
    std::optional<Challenge> find_by_link(const std::string& link_hash, std::int64_t now);
    // A new code replaces the old one: it dies, its tries start again, the
    // challenge's total failures stay.
    void set_code(soci::session& tx, std::int64_t id, const std::string& code, std::int64_t expires_at,
                  std::int64_t now);
    // A new e-mail link replaces the old one the same way (the link's hash is stored).
    void set_link(soci::session& tx, std::int64_t id, const std::string& link_hash, std::int64_t expires_at,
                  std::int64_t now);
    // Checks a typed code atomically: a try is taken before comparing, so
    // parallel guesses cannot outrun the limits. On success the challenge is confirmed.
    CodeCheck check_code(std::int64_t id, const std::string& typed, const CodeRules& rules, std::int64_t now);
    // Takes one of the challenge's `max_failures` tries before a code is
    // compared (false: none left); a right code gives it back.
    bool take_try(std::int64_t id, int max_failures);
    void give_back_try(soci::session& tx, std::int64_t id);
    void confirm(soci::session& tx, std::int64_t id, const std::string& session_hash, std::int64_t now);
    void mark_used(soci::session& tx, std::int64_t id, std::int64_t now);
    void end_for_session(soci::session& tx, const std::string& session_hash, const std::string& purpose,
                         std::int64_t now);
    int purge(std::int64_t now);
    // Converts the challenges' "v1." sealed values to "v2." (db/reseal.hpp).
    db::ResealResult reseal();

    std::string code_hash(std::int64_t id, const std::string& code) const {
        return protector_.blind_index("code:" + std::to_string(id), code);
    }

private:
    std::optional<Challenge> load(soci::session& s, std::int64_t challenge_id, std::int64_t now);
    db::Database& db_;
    const core::DataProtector& protector_;
};

// ---- Brute-force counters -------------------------------------------------------------------

class ThrottleStore {
public:
    explicit ThrottleStore(db::Database& db) : db_(db) {}
    // Seconds until `key` may try again (0: now).
    std::int64_t wait(const std::string& key, std::int64_t now);
    // For several keys in one query: the keys that have a counter, with their wait.
    std::vector<std::pair<std::string, std::int64_t>> waits(const std::vector<std::string>& keys, std::int64_t now);
    std::int64_t longest_wait(const std::vector<std::string>& keys, std::int64_t now);
    // Counts a failure; returns the wait it causes.
    std::int64_t fail(const std::string& key, const ThrottlePolicy& policy, std::int64_t now);
    // Takes an attempt for every key at once, before the secret is checked:
    // the attempt is counted as a failure right away, so concurrent attempts
    // cannot all slip past a check-then-count (a compare-and-set on each
    // key's row, all keys in one transaction). Nothing is counted when any
    // key is still waiting.
    // One key's part of a reservation: what its counter held after the attempt was taken.
    struct Taken {
        std::string key;
        ThrottlePolicy policy;
        int failures = 0;     // 0: not known
        std::int64_t at = 0;  // the attempt's time (last_failure_at)
    };
    struct Reservation {
        std::int64_t refused_for = 0;    // > 0: no attempt now; seconds to wait
        std::int64_t wait_if_wrong = 0;  // the wait this attempt causes if it fails
        std::vector<Taken> taken;        // per key, in the order asked (empty when refused)
        bool granted() const { return refused_for == 0; }
    };
    Reservation reserve(const std::vector<std::pair<std::string, ThrottlePolicy>>& keys, std::int64_t now);
    // Gives back a reserved attempt that succeeded (for counters that are not cleared on success).
    void refund(const std::string& key, const ThrottlePolicy& policy);
    // Ends a reserved attempt in one transaction: the `cleared` counters are
    // deleted, the `refunded` ones get the attempt back (one statement each
    // unless another attempt counted on the key meanwhile).
    void settle(const std::vector<Taken>& cleared, const std::vector<Taken>& refunded);
    void clear(const std::string& key);
    int purge(std::int64_t older_than);

private:
    db::Database& db_;
};

// ---- Audit log --------------------------------------------------------------------------------

struct AuditEntry {
    std::int64_t id = 0;
    std::int64_t at = 0;
    std::int64_t account_id = 0;       // whose account or data
    std::string actor_kind = "self";   // self | officer | operator | site | system
    std::string actor_id, actor_name, organisation;
    std::string action;                // signin, signin_failed, password_changed, data_read …
    std::string fields;                // which data, comma-separated names
    std::string reason;                // why (for reads by others)
    std::string ip, device;
};

class AuditLog {
public:
    explicit AuditLog(db::Database& db) : db_(db) {}
    void record(soci::session& tx, const AuditEntry& e);
    void record(const AuditEntry& e);
    // Newest first. `by_others`: only what someone other than the owner did.
    std::vector<AuditEntry> list(std::int64_t account_id, bool by_others, int limit, int offset = 0);
    int count(std::int64_t account_id, bool by_others);
    // The owner's own entries and the system's: the account's activity page.
    std::vector<AuditEntry> list_own(std::int64_t account_id, int limit, int offset = 0);
    int count_own(std::int64_t account_id);
    // The one change the log allows: a deleted account's addresses and devices go.
    void erase_network_details(soci::session& tx, std::int64_t account_id);

private:
    db::Database& db_;
};

}  // namespace uslugi::identity
