#pragma once
// The profile of the "standard" level (ID-2) and the state machines of its
// automatic checks. Pure rules, no I/O: parsing and validation of every field
// with stable error codes, what counts as checked data, and which transitions
// a verification and its registry steps may take.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::identity {

// Field name → locale key of its message (the same alias as service.hpp, so
// this header stays free of I/O).
using FieldErrors = std::map<std::string, std::string>;

// Every value normalized ("" = not given): names trimmed with single spaces,
// dates "YYYY-MM-DD", SNILS "112-233-445 95", passport "4508 123456",
// department code "770-001".
struct Profile {
    std::string surname, name, patronymic;
    std::string gender;        // male | female
    std::string birth_date;
    std::string birth_place;
    std::string snils;
    std::string citizenship;   // ISO 3166-1 alpha-2, "RU" for the Russian Federation
    std::string document_type; // passport_rf (the only document the registries check)
    std::string passport;      // series and number
    std::string issue_date;
    std::string issued_by;
    std::string department_code;

    std::string passport_series() const { return passport.size() == 11 ? passport.substr(0, 4) : ""; }
    std::string passport_number() const { return passport.size() == 11 ? passport.substr(5) : ""; }
    bool operator==(const Profile&) const = default;
};

// Field names as forms, JSON and error maps spell them, in form order.
std::span<const std::string_view> profile_fields();
// Fields a profile sent for checking must have (all but the patronymic).
bool is_required_field(std::string_view field);
// Fields the registries check: a change sends the profile for checking again.
bool is_checked_field(std::string_view field);
std::string field_value(const Profile& p, std::string_view field);
void set_field(Profile& p, std::string_view field, std::string value);

// Citizenships the form offers (ISO codes; names are locale texts "profile.country.<code>").
std::span<const std::string_view> citizenship_codes();

inline constexpr std::size_t kMaxPlaceChars = 200;    // birth place
inline constexpr std::size_t kMaxIssuerChars = 250;   // "issued by"
inline constexpr std::size_t kMaxFieldBytes = 1000;   // anything longer is refused before parsing

// "YYYY-MM-DD" (a date input) or "DD.MM.YYYY" (typed); nullopt unless a real calendar date.
std::optional<std::chrono::year_month_day> parse_profile_date(std::string_view text);
std::string format_iso(std::chrono::year_month_day d);
// "12.04.1990"
std::string format_ru(std::string_view iso_date);
// "15 марта 1985", "15 March 1985", "15. März 1985", "15 mars 1985": a date as a page in `lang` writes it.
std::string format_long(std::string_view iso_date, std::string_view lang);

enum class SaveMode {
    draft,   // "fill in later": only the fields given are checked
    submit,  // "send for checking": every required field is needed
};

struct ProfileParse {
    Profile profile;
    FieldErrors errors;  // field → locale key ("profile.error.required", "validation.snils.checksum" …)
    bool ok() const { return errors.empty(); }
};
// Reads raw values (form or JSON, by field name) into a normalized profile,
// checking each field; `today` decides what is in the future.
ProfileParse parse_profile(const std::map<std::string, std::string>& raw, SaveMode mode,
                           std::chrono::year_month_day today);
// The same rules on an already normalized profile (is it complete and valid to send?).
FieldErrors check_profile(const Profile& p, SaveMode mode, std::chrono::year_month_day today);
// Field names whose values differ, in form order.
std::vector<std::string> changed_fields(const Profile& before, const Profile& after);
bool checked_data_changed(const Profile& before, const Profile& after);

// Today in UTC.
std::chrono::year_month_day today_utc();

// ---- Verification (ID-2) ----------------------------------------------------------------
//
// Overall:  not_sent ──submit──▶ checking ──▶ passed | failed
//           checking, passed ──checked data changed──▶ superseded
// "not_sent" is a profile with no verification; a verification row starts in
// "checking". failed and superseded are final: a new attempt is a new row.
enum class VerificationState { not_sent, checking, passed, failed, superseded };
std::string_view to_string(VerificationState s);
// Throws std::invalid_argument for an unknown name.
VerificationState verification_state_from_string(std::string_view s);
bool can_transition(VerificationState from, VerificationState to);
bool is_final(VerificationState s);

// One registry's part:
//   pending ──▶ running ──▶ passed | failed(reason)
//               running ──registry unavailable──▶ waiting ──▶ passed | failed
//   pending, running, waiting ──the verification ended or was superseded──▶ cancelled
// A retry while waiting stays waiting (no event per attempt: a check may wait days).
enum class StepState { pending, running, waiting, passed, failed, cancelled };
std::string_view to_string(StepState s);
StepState step_state_from_string(std::string_view s);
bool can_transition(StepState from, StepState to);
bool is_final(StepState s);

enum class Registry { pfr, mvd, fns };
std::string_view to_string(Registry r);
std::optional<Registry> registry_from_string(std::string_view s);

// Stable reason codes of failed steps (locale texts "profile.reason.<code>.text" and ".fix").
namespace reason {
inline constexpr std::string_view snils_mismatch = "snils_mismatch";      // SNILS is someone else's, or the person's data differ
inline constexpr std::string_view snils_not_found = "snils_not_found";
inline constexpr std::string_view snils_taken = "snils_taken";            // another account holds this SNILS
inline constexpr std::string_view passport_lost = "passport_lost";        // detail: the date it was reported lost
inline constexpr std::string_view passport_expired = "passport_expired";  // detail: valid until
inline constexpr std::string_view passport_replaced = "passport_replaced";  // a newer passport was issued
inline constexpr std::string_view passport_not_found = "passport_not_found";
inline constexpr std::string_view passport_not_owner = "passport_not_owner";  // issued to someone else, or issue data differ
inline constexpr std::string_view passport_taken = "passport_taken";
inline constexpr std::string_view registry_rejected = "registry_rejected";  // detail: the registry's error code
inline constexpr std::string_view registry_unavailable = "registry_unavailable";  // while waiting
inline constexpr std::string_view inn_not_found = "inn_not_found";          // not a failure
}  // namespace reason

}  // namespace uslugi::identity
