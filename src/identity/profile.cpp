#include "identity/profile.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"
#include "identity/service.hpp"

#include <array>
#include <stdexcept>

namespace uslugi::identity {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 13> kFields{
    "surname",     "name",    "patronymic",    "gender",     "birth_date", "birth_place",    "snils",
    "citizenship", "document_type", "passport", "issue_date", "issued_by", "department_code"};

constexpr std::array<std::string_view, 10> kCheckedFields{
    "surname", "name", "patronymic", "gender", "birth_date", "snils", "passport", "issue_date", "issued_by",
    "department_code"};

// Citizens of the Russian Federation first, then the neighbours whose citizens
// most often use the portal, then a few others.
constexpr std::array<std::string_view, 17> kCountries{"RU", "BY", "KZ", "KG", "AM", "AZ", "GE", "MD", "TJ",
                                                     "TM", "UZ", "UA", "CN", "DE", "FR", "TR", "US"};

// The Russian Federation began issuing its internal passports on 1 October 1997.
constexpr chr::year_month_day kFirstPassportDay{chr::year{1997}, chr::October, chr::day{1}};
constexpr int kPassportAge = 14;

std::string* field_ref(Profile& p, std::string_view f) {
    if (f == "surname") return &p.surname;
    if (f == "name") return &p.name;
    if (f == "patronymic") return &p.patronymic;
    if (f == "gender") return &p.gender;
    if (f == "birth_date") return &p.birth_date;
    if (f == "birth_place") return &p.birth_place;
    if (f == "snils") return &p.snils;
    if (f == "citizenship") return &p.citizenship;
    if (f == "document_type") return &p.document_type;
    if (f == "passport") return &p.passport;
    if (f == "issue_date") return &p.issue_date;
    if (f == "issued_by") return &p.issued_by;
    if (f == "department_code") return &p.department_code;
    return nullptr;
}

bool is_space_cp(char32_t cp) { return cp == U' ' || cp == U'\u00A0' || cp == U'\u2007' || cp == U'\u202F'; }

bool is_control_cp(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xFFFD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// Trims and collapses runs of spaces; control characters are kept (and then refused).
std::string squeeze(std::string_view raw) { return text::collapse_blanks(raw, is_space_cp); }

// Free text of a document (birth place, "issued by"): letters of any
// alphabet, digits, spaces and the punctuation such texts really use. Markup
// and control characters have no place in them.
bool allowed_text_char(char32_t cp) {
    if (text::is_word_char(cp) || cp == U' ') return true;
    static constexpr std::u32string_view punctuation = U".,-()№\"'/«»–—:;’";
    return punctuation.find(cp) != std::u32string_view::npos;
}

std::string check_free_text(const std::string& value, std::size_t max_chars, const char* too_long_key) {
    const std::u32string cps = text::decode_utf8(value);
    if (cps.size() > max_chars) return too_long_key;
    bool has_letter = false;
    for (char32_t cp : cps) {
        if (!allowed_text_char(cp) || is_control_cp(cp)) return "profile.error.text_chars";
        if (text::is_word_char(cp) && !(cp >= U'0' && cp <= U'9')) has_letter = true;
    }
    return has_letter ? "" : "profile.error.text_chars";
}

chr::year_month_day add_years(chr::year_month_day d, int years) {
    chr::year_month_day r{d.year() + chr::years{years}, d.month(), d.day()};
    if (!r.ok()) r = chr::year_month_day{r.year(), r.month(), chr::day{28}};  // 29 February
    return r;
}

struct Dates {
    std::optional<chr::year_month_day> birth, issue;
};

// One field's own rules; "" when fine. `value` is already squeezed.
std::string check_one(std::string_view field, std::string& value, chr::year_month_day today, Dates& dates) {
    if (field == "surname" || field == "name" || field == "patronymic") return check_name_part(value, false);
    if (field == "gender") return value == "male" || value == "female" ? "" : "profile.error.gender";
    if (field == "birth_date" || field == "issue_date") {
        const auto d = parse_profile_date(value);
        if (!d) return "profile.error.date_format";
        value = format_iso(*d);
        if (field == "birth_date") {
            if (d->year() < chr::year{1900}) return "profile.error.birth_too_early";
            if (chr::sys_days{*d} >= chr::sys_days{today}) return "profile.error.birth_future";
            if (chr::sys_days{add_years(*d, kPassportAge)} > chr::sys_days{today}) return "profile.error.too_young";
            dates.birth = d;
        } else {
            if (chr::sys_days{*d} > chr::sys_days{today}) return "profile.error.issue_future";
            if (chr::sys_days{*d} < chr::sys_days{kFirstPassportDay}) return "profile.error.issue_too_early";
            dates.issue = d;
        }
        return "";
    }
    if (field == "birth_place") return check_free_text(value, kMaxPlaceChars, "profile.error.place_too_long");
    if (field == "issued_by") return check_free_text(value, kMaxIssuerChars, "profile.error.issuer_too_long");
    if (field == "citizenship") {
        std::string code;
        for (char c : value) code.push_back(c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
        for (auto known : kCountries)
            if (known == code) {
                value = code;
                return "";
            }
        return "profile.error.citizenship";
    }
    if (field == "document_type") return value == "passport_rf" ? "" : "profile.error.document_type";
    core::ValidationResult v;
    if (field == "snils") v = core::validate_snils(value);
    else if (field == "passport") v = core::validate_passport_rf(value);
    else if (field == "department_code") v = core::validate_department_code(value);
    else return "";
    if (!v) return v.message_key();
    value = v.normalized;
    return "";
}

FieldErrors check_fields(Profile& p, SaveMode mode, chr::year_month_day today) {
    FieldErrors errors;
    Dates dates;
    if (p.document_type.empty() && (!p.passport.empty() || mode == SaveMode::submit)) p.document_type = "passport_rf";
    for (auto field : kFields) {
        std::string& value = *field_ref(p, field);
        if (value.size() > kMaxFieldBytes) {
            errors[std::string(field)] = "profile.error.too_long";
            value.clear();
            continue;
        }
        value = squeeze(value);
        if (value.empty()) {
            if (mode == SaveMode::submit && is_required_field(field))
                errors[std::string(field)] = "profile.error.required";
            continue;
        }
        if (auto e = check_one(field, value, today, dates); !e.empty()) errors[std::string(field)] = e;
    }
    // Rules across fields, once each side is valid on its own.
    if (dates.birth && dates.issue &&
        chr::sys_days{*dates.issue} < chr::sys_days{add_years(*dates.birth, kPassportAge)})
        errors.emplace("issue_date", "profile.error.issue_before_14");
    if (!errors.count("citizenship") && !p.citizenship.empty() && p.citizenship != "RU" &&
        p.document_type == "passport_rf" && !p.passport.empty())
        errors.emplace("citizenship", "profile.error.passport_needs_ru");
    return errors;
}

}  // namespace

std::span<const std::string_view> profile_fields() { return kFields; }

bool is_required_field(std::string_view field) { return field != "patronymic"; }

bool is_checked_field(std::string_view field) {
    for (auto f : kCheckedFields)
        if (f == field) return true;
    return false;
}

std::string field_value(const Profile& p, std::string_view field) {
    auto* ref = field_ref(const_cast<Profile&>(p), field);
    return ref ? *ref : std::string();
}

void set_field(Profile& p, std::string_view field, std::string value) {
    if (auto* ref = field_ref(p, field)) *ref = std::move(value);
}

std::span<const std::string_view> citizenship_codes() { return kCountries; }

std::optional<chr::year_month_day> parse_profile_date(std::string_view t) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    auto d = core::parse_iso_date(t);
    if (!d) d = core::parse_ru_date(t);
    if (!d) return std::nullopt;
    return chr::year_month_day{*d};
}

std::string format_iso(chr::year_month_day d) { return core::format_iso_date(chr::sys_days{d}); }

std::string format_ru(std::string_view iso) {
    // What is not a date is shown as it was typed.
    const auto d = core::parse_iso_date(iso);
    return d ? core::format_ru_date(*d) : std::string(iso);
}

std::string format_long(std::string_view iso, std::string_view lang) {
    const auto d = core::parse_iso_date(iso);
    return d ? core::format_long_date(*d, lang) : std::string(iso);
}

chr::year_month_day today_utc() { return chr::year_month_day{core::today_utc()}; }

ProfileParse parse_profile(const std::map<std::string, std::string>& raw, SaveMode mode, chr::year_month_day today) {
    ProfileParse out;
    for (auto field : kFields) {
        auto it = raw.find(std::string(field));
        if (it != raw.end()) set_field(out.profile, field, it->second);
    }
    out.errors = check_fields(out.profile, mode, today);
    // Nothing invalid is handed back as if it were normalized.
    for (const auto& [field, key] : out.errors) {
        (void)key;
        if (auto it = raw.find(field); it != raw.end() && it->second.size() <= kMaxFieldBytes)
            set_field(out.profile, field, it->second);
    }
    return out;
}

FieldErrors check_profile(const Profile& p, SaveMode mode, chr::year_month_day today) {
    Profile copy = p;
    return check_fields(copy, mode, today);
}

std::vector<std::string> changed_fields(const Profile& before, const Profile& after) {
    std::vector<std::string> out;
    for (auto field : kFields)
        if (field_value(before, field) != field_value(after, field)) out.emplace_back(field);
    return out;
}

bool checked_data_changed(const Profile& before, const Profile& after) {
    for (auto field : kCheckedFields)
        if (field_value(before, field) != field_value(after, field)) return true;
    return false;
}

// ---- state machines ---------------------------------------------------------------------

std::string_view to_string(VerificationState s) {
    switch (s) {
        case VerificationState::not_sent: return "not_sent";
        case VerificationState::checking: return "checking";
        case VerificationState::passed: return "passed";
        case VerificationState::failed: return "failed";
        case VerificationState::superseded: return "superseded";
    }
    return "not_sent";
}

VerificationState verification_state_from_string(std::string_view s) {
    for (auto v : {VerificationState::not_sent, VerificationState::checking, VerificationState::passed,
                   VerificationState::failed, VerificationState::superseded})
        if (to_string(v) == s) return v;
    throw std::invalid_argument("unknown verification state: " + std::string(s));
}

bool can_transition(VerificationState from, VerificationState to) {
    using V = VerificationState;
    switch (from) {
        case V::not_sent: return to == V::checking;
        case V::checking: return to == V::passed || to == V::failed || to == V::superseded;
        case V::passed: return to == V::superseded;
        case V::failed:
        case V::superseded: return false;
    }
    return false;
}

bool is_final(VerificationState s) { return s == VerificationState::failed || s == VerificationState::superseded; }

std::string_view to_string(StepState s) {
    switch (s) {
        case StepState::pending: return "pending";
        case StepState::running: return "running";
        case StepState::waiting: return "waiting";
        case StepState::passed: return "passed";
        case StepState::failed: return "failed";
        case StepState::cancelled: return "cancelled";
    }
    return "pending";
}

StepState step_state_from_string(std::string_view s) {
    for (auto v : {StepState::pending, StepState::running, StepState::waiting, StepState::passed, StepState::failed,
                   StepState::cancelled})
        if (to_string(v) == s) return v;
    throw std::invalid_argument("unknown step state: " + std::string(s));
}

bool can_transition(StepState from, StepState to) {
    using S = StepState;
    switch (from) {
        case S::pending: return to == S::running || to == S::cancelled;
        case S::running: return to == S::waiting || to == S::passed || to == S::failed || to == S::cancelled;
        case S::waiting: return to == S::passed || to == S::failed || to == S::cancelled;
        case S::passed:
        case S::failed:
        case S::cancelled: return false;
    }
    return false;
}

bool is_final(StepState s) { return s == StepState::passed || s == StepState::failed || s == StepState::cancelled; }

std::string_view to_string(Registry r) {
    switch (r) {
        case Registry::pfr: return "pfr";
        case Registry::mvd: return "mvd";
        case Registry::fns: return "fns";
    }
    return "pfr";
}

std::optional<Registry> registry_from_string(std::string_view s) {
    for (auto r : {Registry::pfr, Registry::mvd, Registry::fns})
        if (to_string(r) == s) return r;
    return std::nullopt;
}

}  // namespace uslugi::identity
