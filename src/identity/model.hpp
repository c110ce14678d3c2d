#pragma once
// Identity rules with no I/O (ID-1, ID-4, ID-5, ID-6): levels and what each
// unlocks, password policy, brute-force waits, one-time code rules, and the
// short description of a browser for the lists of sessions and actions.
#include "core/validators.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::identity {

// The levels are the catalog's vocabulary too: every service declares its minimum.
enum class Level { simplified = 1, standard = 2, confirmed = 3 };
// Throws std::invalid_argument for a word that names no level.
Level parse_level(std::string_view s);
std::string_view to_string(Level level);

enum class AccountStatus { active, deleted };
std::string_view to_string(AccountStatus s);

// ---- Levels (ID-4) ---------------------------------------------------------------------

// One step that raises an account, in the order a user takes them.
enum class LevelStep { sign_in, fill_profile, wait_for_checks, confirm_identity };
std::string_view to_string(LevelStep s);

struct LevelGate {
    bool allowed = false;
    std::vector<LevelStep> missing;  // empty when allowed
};
// May an account at `have` (nullopt: nobody signed in) use something that needs
// `need`? If not, the steps that are missing. `checks_running`: the profile was
// sent for checking and the answer is awaited.
LevelGate gate(std::optional<Level> have, Level need, bool checks_running = false);

// ---- Passwords (ID-1) ---------------------------------------------------------------------

inline constexpr std::size_t kPasswordMinChars = 8;
inline constexpr std::size_t kPasswordMaxBytes = 1024;  // long passphrases welcome; Argon2 takes any length
inline constexpr int kPasswordMinScore = 3;

struct PasswordVerdict {
    int score = 0;          // 0–4, zxcvbn's entropy in bits mapped as zxcvbn.js does
    double entropy_bits = 0;
    std::string problem;    // "" or a stable code: too_short, too_long, too_weak, contains_name,
                            // contains_contact, mismatch
    bool acceptable() const { return problem.empty(); }
};
// Score alone (for the live meter): `user_inputs` are the person's name,
// surname, phone and e-mail, which make a password guessable.
PasswordVerdict rate_password(std::string_view password, const std::vector<std::string>& user_inputs);
// The server's decision on a new password typed twice.
PasswordVerdict check_new_password(std::string_view password, std::string_view repeated,
                                   const std::vector<std::string>& names, const std::vector<std::string>& contacts);

// ---- Brute force (ID-5) ------------------------------------------------------------------

// After the n-th failure in a row, how long until the next attempt is allowed
// (seconds; 0 = at once). Counters forget failures older than `forget_after`.
struct ThrottlePolicy {
    int free_failures = 3;        // failures before any wait
    std::int64_t first_wait = 2;  // doubled with each further failure …
    std::int64_t max_wait = 60;
    int lock_after = 10;          // … until this many failures lock for lock_seconds
    std::int64_t lock_seconds = 15 * 60;
    std::int64_t forget_after = 60 * 60;
};
std::int64_t wait_after_failures(const ThrottlePolicy& p, int failures);
// Per account or per phone/e-mail; per IP address the limits are wider (many
// people share one address behind a carrier's NAT).
ThrottlePolicy account_throttle();
ThrottlePolicy address_throttle();

// ---- One-time codes (ID-1, ID-5) ---------------------------------------------------------

struct CodeRules {
    int digits = 6;
    std::int64_t ttl = 300;           // a code lives 5 minutes
    int tries_per_code = 3;           // wrong entries before the code dies
    int max_failures = 9;             // wrong entries over all codes of one challenge
    int max_sends = 5;                // codes one challenge may send
    std::int64_t resend_after = 60;   // seconds before another code may be asked for
};
CodeRules sms_code_rules();
// A uniformly random code of `digits` digits from the CSPRNG.
std::string new_code(int digits);
// Keeps only digits; a code typed "123 456" is "123456".
std::string normalize_code(std::string_view typed);

// ---- Text fields ----------------------------------------------------------------------

// A typed value made tidy: invalid UTF-8 and control characters replaced,
// spaces of every kind (ASCII, no-break, thin, ideographic, zero-width) at both
// ends removed and runs inside folded to one. "   " becomes "".
std::string tidy_text(std::string_view typed);

// ---- Contacts ----------------------------------------------------------------------------

enum class ContactKind { phone, email };
struct Contact {
    ContactKind kind;
    std::string value;  // normalized: E.164 phone or e-mail with the domain in lower case
};
// The login a user typed: phone, e-mail or SNILS, normalized; nullopt if none of them.
enum class LoginKind { phone, email, snils };
struct Login {
    LoginKind kind;
    std::string value;
};
std::optional<Login> parse_login(std::string_view typed);
// An e-mail as an account knows it: core::validate_email, then all in lower
// case, so "Anna@Mail.ru" and "anna@mail.ru" are one login and one contact.
core::ValidationResult validate_account_email(std::string_view typed);
// A mobile phone or an e-mail as typed on a form (an "@" decides which);
// on failure `error_key` is the locale key of the field's message.
std::optional<Contact> parse_contact(std::string_view typed, std::string& error_key);
// "+7 926 ***-**-28", "an***@example.org": shown back to the user without revealing it all.
std::string mask_contact(const Contact& c);

// "Chrome on Windows", "Firefox on Android" … from a User-Agent header; "" if unknown.
std::string describe_device(std::string_view user_agent);

}  // namespace uslugi::identity
