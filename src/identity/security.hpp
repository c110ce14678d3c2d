#pragma once
// Account settings (ID-6): the owner changes the password, the security
// question, two-step sign-in (SMS or an authenticator app), e-mail on every
// sign-in and the phone or e-mail; looks at recent actions, active sessions
// and who read the data; and deletes the account. Pages and the JSON API
// (security_routes.cpp) call this with the signed-in account's id only.
//
// Every change that weakens or replaces a credential asks for the current
// password again; wrong passwords count against the account like sign-in
// failures do, so a stolen session cannot be used to guess the password.
//
// Two-step sign-in is changed (an app set up, SMS switched on, SMS ↔ app,
// switched off) only after a re-authentication in this very session: the
// password and, when two-step sign-in is on, its current code (the app's, or
// an SMS to the phone). It is a "reauth" challenge bound to the session and
// good for kReauthWindow. A change then tells the owner on every channel and
// ends every other session; the routes give this browser a new session token,
// so a stolen session cannot swap the second factor for its own.
#include "http/session_store.hpp"
#include "identity/service.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::identity {

// ---- Security questions ---------------------------------------------------------------------

// The fixed list (locale keys security.questions.<key>): recovery lets the
// person pick the question too, so it never shows which one an account has.
inline constexpr std::array<std::string_view, 7> kSecurityQuestions{
    "mother_maiden_name", "first_pet",   "first_teacher", "childhood_friend",
    "favourite_book",     "first_street", "parents_met_city"};
bool is_security_question(std::string_view key);

inline constexpr std::size_t kAnswerMinChars = 2;
inline constexpr std::size_t kAnswerMaxBytes = 200;
// The spelling an answer is compared in: words in lower case, ё as е, joined
// by single spaces; punctuation counts as a space ("  Санкт-Петербург " →
// "санкт петербург").
std::string normalize_answer(std::string_view typed);

// ---- QR codes ------------------------------------------------------------------------------

// `text` as a QR code (error correction M) in SVG markup for inlining in a
// page: one <path> of dark modules on a white square with a 4-module quiet
// zone, role="img" and `label` as its accessible name. Throws
// std::runtime_error when the text does not fit a QR code.
std::string qr_svg(std::string_view text, std::string_view label);

// ---- Use cases -----------------------------------------------------------------------------

// What an authenticator app is shown while two-step sign-in by app is being set up.
struct TotpSetup {
    std::string secret_base32;  // for typing by hand
    std::string uri;            // otpauth://… in the QR code
};

// One page of audit entries, newest first.
struct AuditPage {
    std::vector<AuditEntry> entries;
    int total = 0;
};

class SecurityService {
public:
    static constexpr int kPageSize = 20;
    static constexpr std::int64_t kReauthWindow = 10 * 60;

    SecurityService(IdentityService& identity, http::SessionStore& sessions) : identity_(identity), sessions_(sessions) {}

    // The current password, the new one twice (the registration policy).
    // Every other session of the account ends; the user is told on every channel.
    Result change_password(const Context& ctx, std::int64_t account_id, const std::string& current,
                           const std::string& password, const std::string& repeated);
    Result change_question(const Context& ctx, std::int64_t account_id, const std::string& password,
                           const std::string& question, const std::string& answer);

    // Re-authentication before a change of two-step sign-in: Outcome::ok when
    // the password was enough (two-step off), Outcome::second_factor when the
    // current code is needed next (an SMS is sent, or the app is asked for).
    Result start_reauth(const Context& ctx, std::int64_t account_id, const std::string& password);
    std::optional<ChallengeView> reauth(const Context& ctx, std::int64_t account_id);  // a code still due
    Result resend_reauth(const Context& ctx, std::int64_t account_id);
    Result confirm_reauth(const Context& ctx, std::int64_t account_id, const std::string& code);
    // True when this session re-authenticated within the window.
    bool reauthenticated(const Context& ctx, std::int64_t account_id);

    // Two-step sign-in by SMS (after start_reauth): a code to the account's
    // phone proves it works; the code is typed back to switch it on.
    Result start_sms_two_factor(const Context& ctx, std::int64_t account_id);
    Result resend_sms_two_factor(const Context& ctx, std::int64_t account_id);
    Result confirm_sms_two_factor(const Context& ctx, std::int64_t account_id, const std::string& code);
    // Two-step sign-in by an authenticator app (after start_reauth): a new
    // secret per setup (kept sealed in this session's challenge until a
    // correct code arrives); nullopt without a fresh re-authentication.
    std::optional<TotpSetup> totp_setup(const Context& ctx, std::int64_t account_id, const std::string& issuer);
    Result confirm_totp(const Context& ctx, std::int64_t account_id, const std::string& code);
    // After start_reauth.
    Result disable_two_factor(const Context& ctx, std::int64_t account_id);
    Result set_notify_signin(const Context& ctx, std::int64_t account_id, bool on);

    // A new phone or e-mail: a code (phone) or a link (e-mail) to it first.
    Result start_contact_change(const Context& ctx, std::int64_t account_id, const std::string& kind,
                                const std::string& value, const std::string& password);
    std::optional<ChallengeView> contact_change(const Context& ctx, std::int64_t account_id);
    Result resend_contact(const Context& ctx, std::int64_t account_id);
    Result confirm_contact_code(const Context& ctx, std::int64_t account_id, const std::string& code);
    Result confirm_contact_link(const Context& ctx, std::int64_t account_id, const std::string& token);

    std::vector<http::SessionInfo> sessions(const Context& ctx, std::int64_t account_id);
    int end_other_sessions(const Context& ctx, std::int64_t account_id);
    bool end_session(const Context& ctx, std::int64_t account_id, const std::string& handle);

    // The owner's own actions (sign-ins, failures, changes); page from 1.
    AuditPage activity(std::int64_t account_id, int page);
    // Reads of the account's data by others (officers, operators, sites).
    AuditPage access_log(std::int64_t account_id, int page);

    // Deletion: the password and an explicit confirmation; with two-step
    // sign-in on, Outcome::second_factor and a code (SMS or app) is needed.
    // Outcome::ok means the account is gone and every session of it ended.
    Result start_deletion(const Context& ctx, std::int64_t account_id, const std::string& password, bool confirmed);
    std::optional<ChallengeView> deletion(const Context& ctx, std::int64_t account_id);
    Result resend_deletion(const Context& ctx, std::int64_t account_id);
    Result confirm_deletion(const Context& ctx, std::int64_t account_id, const std::string& code);

    IdentityService& identity() { return identity_; }

private:
    std::optional<Account> active_account(std::int64_t account_id);
    // Checks a re-entered password with the account's brute-force counter.
    Result reauthenticate(const Context& ctx, const Account& a, const std::string& password,
                          const std::string& field);
    std::optional<Challenge> own_challenge(const Context& ctx, std::int64_t account_id, const std::string& purpose);
    std::optional<Challenge> fresh_reauth(const Context& ctx, std::int64_t account_id);
    // Writes the new mode, spends the setup and the re-authentication, tells
    // the owner and ends the account's other sessions.
    void change_two_factor(const Context& ctx, const Account& a, const std::string& mode, const std::string& secret,
                           std::optional<std::int64_t> setup_challenge);
    Result apply_contact(const Context& ctx, const Challenge& c);
    void erase(const Context& ctx, std::int64_t account_id);

    IdentityService& identity_;
    http::SessionStore& sessions_;
};

// Sends "<what>" notifications to every channel of the account (SMS to the
// phone, e-mail to the address) in the caller's transaction; shared with recovery.
void notify_owner(IdentityService& identity, soci::session& tx, const Account& a, const std::string& what,
                  const std::string& template_name, const Context& ctx, std::int64_t now);

}  // namespace uslugi::identity
