#include "identity/foreign.hpp"

#include "core/text.hpp"
#include "core/validators.hpp"
#include "identity/profile.hpp"
#include "identity/service.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace uslugi::identity {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 11> kFields{"surname_latin", "name_latin", "surname_cyrillic", "name_cyrillic",
                                                   "birth_date", "citizenship", "document_number", "issue_date",
                                                   "expiry_date", "snils", "inn"};

const std::vector<std::string_view>& countries() {
    static const std::vector<std::string_view> list = [] {
        std::vector<std::string_view> out;
        for (auto c : citizenship_codes())
            if (c != "RU") out.push_back(c);
        return out;
    }();
    return list;
}

bool is_latin(char32_t c) { return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'); }
bool is_cyrillic(char32_t c) { return (c >= 0x0410 && c <= 0x044F) || c == 0x0401 || c == 0x0451; }

// A name part in one alphabet: check_name_part's rules, then every letter from that alphabet.
std::string check_script_name(const std::string& value, bool latin, std::string& out) {
    if (auto e = check_name_part(value, true); !e.empty()) return e;
    out = tidy_text(value);
    for (char32_t c : text::decode_utf8(out)) {
        if (c == U' ' || c == U'-' || c == U'\'' || c == U'’' || c == U'.') continue;
        if (latin ? !is_latin(c) : !is_cyrillic(c))
            return latin ? "identity_foreign.error.latin_only" : "identity_foreign.error.cyrillic_only";
    }
    return "";
}

std::string check_document_number(const std::string& value, std::string& out) {
    if (value.size() > 64) return "identity_foreign.error.document_format";
    for (char c : value) {
        if (c == ' ' || c == '-') continue;
        if (!std::isalnum(static_cast<unsigned char>(c))) return "identity_foreign.error.document_format";
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (out.empty()) return "profile.error.required";
    if (out.size() < 5 || out.size() > 20) return "identity_foreign.error.document_format";
    return "";
}

std::string get(const std::map<std::string, std::string>& raw, const char* name) {
    auto it = raw.find(name);
    return it == raw.end() ? std::string() : it->second;
}

// A required date; "" when fine, with the normalized value in `out`.
std::string check_date(const std::string& value, std::string& out) {
    if (tidy_text(value).empty()) return "profile.error.required";
    if (value.size() > 64) return "profile.error.date_format";
    auto d = parse_profile_date(value);
    if (!d) return "profile.error.date_format";
    out = format_iso(*d);
    return "";
}

void check_dates(ForeignParse& r, const std::map<std::string, std::string>& raw, chr::year_month_day today) {
    ForeignProfile& p = r.profile;
    const std::string today_iso = format_iso(today);
    for (auto [field, target] : {std::pair{"birth_date", &p.birth_date}, std::pair{"issue_date", &p.issue_date},
                                 std::pair{"expiry_date", &p.expiry_date}})
        if (auto e = check_date(get(raw, field), *target); !e.empty()) r.errors[field] = e;
    // ISO dates compare as text.
    if (!r.errors.count("birth_date") && p.birth_date >= today_iso) r.errors["birth_date"] = "identity_foreign.error.birth_future";
    if (!r.errors.count("issue_date") && p.issue_date > today_iso) r.errors["issue_date"] = "identity_foreign.error.issue_future";
    if (!r.errors.count("issue_date") && !r.errors.count("birth_date") && p.issue_date < p.birth_date)
        r.errors["issue_date"] = "identity_foreign.error.issue_before_birth";
    if (!r.errors.count("expiry_date") && !r.errors.count("issue_date") && p.expiry_date <= p.issue_date)
        r.errors["expiry_date"] = "identity_foreign.error.expiry_before_issue";
    else if (!r.errors.count("expiry_date") && p.expiry_date < today_iso)
        r.errors["expiry_date"] = "identity_foreign.error.expired";
}

void check_numbers(ForeignParse& r, const std::map<std::string, std::string>& raw) {
    if (const std::string s = get(raw, "snils"); !tidy_text(s).empty()) {
        auto v = core::validate_snils(s);
        if (v) r.profile.snils = v.normalized;
        else r.errors["snils"] = v.message_key();
    }
    if (const std::string s = get(raw, "inn"); !tidy_text(s).empty()) {
        auto v = core::validate_inn_person(s);
        if (v) r.profile.inn = v.normalized;
        else r.errors["inn"] = v.message_key();
    }
}

}  // namespace

std::span<const std::string_view> foreign_fields() { return kFields; }
std::span<const std::string_view> foreign_countries() { return countries(); }

std::string foreign_field(const ForeignProfile& p, std::string_view f) {
    if (f == "surname_latin") return p.surname_latin;
    if (f == "name_latin") return p.name_latin;
    if (f == "surname_cyrillic") return p.surname_cyrillic;
    if (f == "name_cyrillic") return p.name_cyrillic;
    if (f == "birth_date") return p.birth_date;
    if (f == "citizenship") return p.citizenship;
    if (f == "document_number") return p.document_number;
    if (f == "issue_date") return p.issue_date;
    if (f == "expiry_date") return p.expiry_date;
    if (f == "snils") return p.snils;
    if (f == "inn") return p.inn;
    return "";
}

ForeignParse parse_foreign_profile(const std::map<std::string, std::string>& raw, chr::year_month_day today) {
    ForeignParse r;
    ForeignProfile& p = r.profile;
    const std::pair<const char*, std::pair<std::string*, bool>> names[] = {
        {"surname_latin", {&p.surname_latin, true}}, {"name_latin", {&p.name_latin, true}},
        {"surname_cyrillic", {&p.surname_cyrillic, false}}, {"name_cyrillic", {&p.name_cyrillic, false}}};
    for (const auto& [field, target] : names)
        if (auto e = check_script_name(get(raw, field), target.second, *target.first); !e.empty()) r.errors[field] = e;
    const std::string country = get(raw, "citizenship");
    if (country.empty()) r.errors["citizenship"] = "profile.error.required";
    else if (std::find(countries().begin(), countries().end(), country) == countries().end())
        r.errors["citizenship"] = "identity_foreign.error.country";
    else p.citizenship = country;
    if (auto e = check_document_number(get(raw, "document_number"), p.document_number); !e.empty())
        r.errors["document_number"] = e;
    check_dates(r, raw, today);
    check_numbers(r, raw);
    return r;
}

std::string_view to_string(ForeignCheck c) {
    switch (c) {
        case ForeignCheck::not_checked: return "not_checked";
        case ForeignCheck::valid: return "valid";
        case ForeignCheck::expired: return "expired";
        case ForeignCheck::not_found: return "not_found";
        case ForeignCheck::mismatch: return "mismatch";
        case ForeignCheck::unavailable: return "unavailable";
    }
    return "not_checked";
}

ForeignCheck foreign_check_from_string(std::string_view s) {
    for (ForeignCheck c : {ForeignCheck::valid, ForeignCheck::expired, ForeignCheck::not_found, ForeignCheck::mismatch,
                           ForeignCheck::unavailable})
        if (to_string(c) == s) return c;
    return ForeignCheck::not_checked;
}

}  // namespace uslugi::identity
