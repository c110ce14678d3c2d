#pragma once
// Use cases of the identity module: registration (ID-1), sign-in with a
// second step (ID-5), the one-time codes and links behind them, and the audit
// of what happens to an account. Pages and the JSON API (routes.cpp) call
// this; other modules use brief(), gate() and the audit log through it.
//
// Every code or link travels through the notifications outbox in the same
// transaction that creates it (NOTE-1). Codes are bound to the browser
// session that asked for them and limited three ways: tries per code, total
// failures per challenge, and growing waits per account, destination and
// address (ThrottleStore).
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "http/rate_limiter.hpp"
#include "http/account_brief.hpp"
#include "identity/model.hpp"
#include "identity/staff.hpp"
#include "identity/store.hpp"
#include "jobs/service.hpp"
#include "notifications/store.hpp"

#include <cstdint>
#include <functional>
#include <vector>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace uslugi::identity {

// Who is asking and from where.
struct Context {
    std::string session_hash;
    std::string ip;
    std::string device;      // describe_device(User-Agent)
    std::string lang = "ru";
    std::string time_zone = "Europe/Moscow";  // IANA: times in messages are shown in it
    std::string base_url;    // "https://host" for links in e-mails
};

// Field name → locale key of its message ("identity.error.name_chars", "validation.email.format").
using FieldErrors = std::map<std::string, std::string>;

// What a page that asks for a code shows.
struct ChallengeView {
    std::string purpose;
    std::string channel;             // sms | email | totp
    std::string destination;         // masked: "+7 926 ***-**-28"
    bool confirmed = false;          // the code or link was accepted
    std::int64_t code_expires_in = 0;
    std::int64_t resend_in = 0;      // seconds until another code may be sent
    bool can_resend = false;         // false also when the send limit is reached
    int tries_left = 0;
};

enum class Outcome {
    ok,
    invalid,              // errors say which fields
    wrong_code,
    code_expired,         // ask for a new code
    no_tries_left,        // this code is dead: ask for a new one
    blocked,              // too many failures: retry_after seconds
    no_challenge,         // nothing in flight for this session (or it ended)
    resend_too_early,     // retry_after seconds
    send_limit,           // no more codes for this challenge
    wrong_credentials,    // login or password (never says which)
    second_factor,        // password accepted; a code is needed
    contact_taken,        // phone or e-mail belongs to another account
    reauth_required,      // a change that first needs the password (and second factor) again
};
std::string_view to_string(Outcome o);

struct Result {
    Outcome outcome = Outcome::ok;
    FieldErrors errors;
    std::string message_key;         // the page's general message, if any
    std::int64_t retry_after = 0;
    std::int64_t account_id = 0;
    bool remember = false;
    std::optional<ChallengeView> challenge;
    PasswordVerdict password;
    std::shared_ptr<const Account> account;  // sign-in: the account just proven (saves reading it again)
    bool ok() const { return outcome == Outcome::ok; }

    // A failure (or an answer without data) with its page message and wait.
    static Result of(Outcome o, std::string message_key = {}, std::int64_t retry_after = 0) {
        Result r;
        r.outcome = o;
        r.message_key = std::move(message_key);
        r.retry_after = retry_after;
        return r;
    }
};

struct IdentityOptions {
    CodeRules sms = sms_code_rules();
    std::int64_t email_link_ttl = 24 * 3600;
    // A recovery link signs the holder in: it lives minutes, not a day.
    std::int64_t recovery_link_ttl = 15 * 60;
    std::int64_t registration_ttl = 3600;  // a registration by phone must finish within an hour
    int sends_per_destination_hour = 6;    // codes and links to one phone or e-mail
    int sends_per_address_hour = 30;       // … asked for from one IP address
    // Registrations started from one IP address, counted before the contact
    // is looked up, so "already registered" cannot be probed without limit.
    int registrations_per_address_hour = 30;
};

class IdentityService {
public:
    IdentityService(db::Database& db, const core::DataProtector& protector, jobs::JobStore& jobs,
                    notifications::OutboxStore& outbox, http::RateLimiter& limiter, jobs::JobRunner* runner,
                    IdentityOptions options = {});

    // ---- registration (ID-1) ----
    Result start_registration(const Context& ctx, const std::string& surname, const std::string& name,
                              const std::string& contact);
    std::optional<ChallengeView> registration(const Context& ctx);
    Result resend_registration(const Context& ctx);
    Result confirm_registration_code(const Context& ctx, const std::string& code);
    Result confirm_registration_link(const Context& ctx, const std::string& token);
    // Creates the account (simplified level); the caller signs the session in.
    Result finish_registration(const Context& ctx, const std::string& password, const std::string& repeated);

    // ---- sign-in (ID-5) ----
    Result sign_in(const Context& ctx, const std::string& login, const std::string& password, bool remember);
    std::optional<ChallengeView> second_factor(const Context& ctx);
    Result confirm_second_factor(const Context& ctx, const std::string& code);
    Result resend_second_factor(const Context& ctx);
    // Audit (and the e-mail the user may have asked for) after a session was
    // signed in. `rotate`, when given, writes the new session in the same
    // transaction (SessionStore::sign_in on the transaction it is given).
    void signed_in(const Context& ctx, std::int64_t account_id, const std::string& method,
                   const Account* known = nullptr, const std::function<void(soci::session&)>& rotate = {});
    void signed_out(const Context& ctx, std::int64_t account_id);

    // ---- passwords ----
    PasswordVerdict rate_password(const std::string& password, const std::vector<std::string>& inputs) const;
    // Checks a new password for an existing account (its names and contacts count).
    PasswordVerdict check_password_for(const Account& a, const std::string& password, const std::string& repeated) const;
    // Argon2id against the stored hash, in constant time whether or not the account exists.
    bool verify_password(const std::optional<Account>& a, const std::string& password) const;

    // The hourly limits on codes and links sent to one destination and asked
    // for from one address; recovery applies them to contacts without an
    // account too, so both get the very same answer.
    Result check_send_limits(const Context& ctx, const std::string& destination);

    // ---- brute-force counters ----
    // Every attempt at a secret (password, answer, code) is reserved on all
    // its counters before the secret is checked (ThrottleStore::reserve).
    // Keys starting with "ip:" count per address, with wider limits; the
    // others per login, account or destination.
    ThrottleStore::Reservation begin_attempt(const std::vector<std::string>& keys);
    enum class AttemptEnd {
        proved,       // the secret was right: per-account counters start again, per-address ones get the try back
        not_a_guess,  // nothing was guessed (an expired code …): every counter gets the try back
    };
    // A wrong guess needs no call: the reservation already counted it.
    void end_attempt(const std::vector<std::string>& keys, AttemptEnd how);
    // The same for the reservation begin_attempt returned: one transaction, and
    // the counts it knows spare reading them again.
    void end_attempt(const ThrottleStore::Reservation& attempt, AttemptEnd how);

    // ---- codes for other flows (recovery, a new contact, SMS second step) ----
    // Creates a challenge bound to ctx's session and sends its first code (sms)
    // or link (email) through the outbox in the same transaction.
    // `template_name` is a notifications template with {{code}} or {{link}}.
    Result open_challenge(const Context& ctx, Challenge c, const std::string& template_name,
                          const std::string& link_path = "");
    Result resend(const Context& ctx, const std::string& purpose, const std::string& template_name,
                  const std::string& link_path = "");
    // Checks a typed code for the session's challenge of `purpose` with every limit.
    Result check_code(const Context& ctx, const std::string& purpose, const std::string& code);
    // What a link from a message would confirm, without confirming it: a GET
    // of the link only shows this, and the user's POST confirms (a mail
    // scanner that follows links confirms nothing). nullopt: no such live link
    // for `purpose` (or, with `account_id`, not that account's).
    std::optional<ChallengeView> peek_link(const std::string& token, const std::string& purpose,
                                           std::optional<std::int64_t> account_id = std::nullopt);
    std::optional<Challenge> current(const Context& ctx, const std::string& purpose);
    ChallengeView view(const Challenge& c) const;

    // ---- accounts ----
    std::shared_ptr<const http::AccountBrief> brief(std::int64_t account_id);
    static std::shared_ptr<const http::AccountBrief> brief_of(const Account& a);
    // The organisations module calls this in the transaction that gives the
    // person a place in an organisation: AccountBrief::in_organisations.
    void mark_in_organisations(soci::session& tx, std::int64_t account_id);
    // Parts of the module that keep more personal data of an account (the
    // profile, documents …) register how to erase it; erase_account runs them
    // all in one transaction with the account's own erasure (ID-6).
    using Eraser = std::function<void(soci::session& tx, std::int64_t account_id)>;
    void on_erase(Eraser eraser) { erasers_.push_back(std::move(eraser)); }
    // Parts that gave out sign-ins of their own (single sign-on to other
    // sites) end them when the portal session signs out: signed_out() runs
    // these with its Context (whose session_hash names the session ending).
    using SignOutHook = std::function<void(const Context& ctx, std::int64_t account_id)>;
    void on_sign_out(SignOutHook hook) { sign_out_hooks_.push_back(std::move(hook)); }
    // Whether the account's profile is being checked right now (set by the
    // profile part; "what you need" then says "wait for the checks").
    using ChecksRunning = std::function<bool(std::int64_t account_id)>;
    void set_checks_running(ChecksRunning f) { checks_running_ = std::move(f); }
    bool checks_running(std::int64_t account_id) const { return checks_running_ && checks_running_(account_id); }
    // Deletes an account: personal data erased, the audit keeps a pseudonymous
    // trace (the account number and what happened, no addresses or devices).
    // The owner is told on every contact (flows.account_deleted) in the same
    // transaction. The caller ends the account's sessions.
    void erase_account(const Context& ctx, std::int64_t account_id);
    // ---- the confirmed level (ID-3) ----
    enum class ConfirmOutcome { confirmed, already_confirmed, not_standard, not_active };
    // Raises a standard account to "confirmed" in the caller's transaction:
    // the level and `method` (service_centre | registered_mail |
    // qualified_signature | bank | uec) in one conditional statement, the
    // audit entry the user sees in recent actions, and the notification to
    // every contact. `actor` names who confirmed it for the audit ("" for the
    // user's own proof, "operator:<id>" for a service centre). wake() after commit.
    ConfirmOutcome confirm_identity(soci::session& tx, const Context& ctx, std::int64_t account_id,
                                    std::string_view method, const std::string& actor = "");
    StaffStore& staff() { return staff_; }

    // A read of the account's personal data by someone other than its owner
    // (an officer, an operator, a site): shown on "Who accessed my data".
    void record_access(const AuditEntry& entry);
    void record_access(soci::session& tx, const AuditEntry& entry);
    // Audit entry by the owner.
    void audit_self(const Context& ctx, std::int64_t account_id, const std::string& action,
                    const std::string& fields = "");
    void audit_self(soci::session& tx, const Context& ctx, std::int64_t account_id, const std::string& action,
                    const std::string& fields = "");

    AccountStore& accounts() { return accounts_; }
    ChallengeStore& challenges() { return challenges_; }
    ThrottleStore& throttles() { return throttles_; }
    AuditLog& audit() { return audit_; }
    db::Database& database() { return db_; }
    const core::DataProtector& protector() const { return protector_; }
    const IdentityOptions& options() const { return options_; }
    // How long an e-mailed link of `purpose` lives.
    std::int64_t link_ttl(const std::string& purpose) const;
    // Writes a notification in the caller's transaction; wake() after commit.
    void notify(soci::session& tx, const std::string& event_key, const std::string& recipient,
                const std::string& channel, const std::string& address, const std::string& lang,
                const std::string& template_name, const nlohmann::json& params);
    void wake();
    // Housekeeping: ended challenges and old throttle counters.
    void purge();

private:
    void confirm_deletion_to(soci::session& tx, const Context& ctx, const Account& a, std::int64_t now);
    std::string destination_key(const std::string& destination) const;
    CodeCheck check_app_code(const Challenge& c, const std::string& code, std::int64_t now);
    void queue_signin_notice(soci::session& tx, const Context& ctx, const Account& account);
    Result send_code(const Context& ctx, soci::session& tx, const Challenge& c, const std::string& template_name,
                     const std::string& link_path, std::int64_t now);

    db::Database& db_;
    const core::DataProtector& protector_;
    notifications::OutboxStore& outbox_;
    http::RateLimiter& limiter_;
    jobs::JobRunner* runner_;
    IdentityOptions options_;
    AccountStore accounts_;
    ChallengeStore challenges_;
    ThrottleStore throttles_;
    AuditLog audit_;
    StaffStore staff_;
    std::string dummy_hash_;
    std::vector<Eraser> erasers_;
    std::vector<SignOutHook> sign_out_hooks_;
    ChecksRunning checks_running_;  // verified when no account matches, so timing says nothing
};

// Validation of a person's name part (surname, name, patronymic): letters of
// any alphabet, spaces, hyphens and apostrophes; "" when fine, else a locale key.
std::string check_name_part(const std::string& value, bool required);

}  // namespace uslugi::identity
