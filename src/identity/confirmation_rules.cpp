// The pure rules of confirmation.hpp: the postal address, the 30 days between
// letters, and which field of a bank's verified data differs from the profile.
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"
#include "identity/confirmation.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

namespace {

constexpr std::size_t kMaxAddressPartBytes = 200;

// Trimmed and tidied; an overlong part is refused rather than cut, so the
// envelope never carries an address the user did not type.
std::string address_part(const std::map<std::string, std::string>& raw, const std::string& field,
                         FieldErrors& errors, bool required) {
    auto it = raw.find(field);
    const std::string value = it == raw.end() ? "" : tidy_text(it->second);
    if (value.empty()) {
        if (required) errors[field] = "confirmation.error.required";
    } else if (value.size() > kMaxAddressPartBytes) {
        errors[field] = "confirmation.error.too_long";
    }
    return value;
}

// Lower case without accents and with ё→е, words joined by one space.
std::string folded_words(std::string_view s) {
    std::string out;
    for (const auto& t : text::tokenize(s)) out += (out.empty() ? "" : " ") + t.folded;
    return out;
}

std::string digits_of(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c >= '0' && c <= '9') out += c;
    return out;
}

}  // namespace

const std::vector<std::string>& address_fields() {
    static const std::vector<std::string> fields{"postcode", "region", "city", "street", "house", "flat"};
    return fields;
}

FieldErrors parse_address(const std::map<std::string, std::string>& raw, PostalAddress& out) {
    FieldErrors errors;
    const std::string postcode = address_part(raw, "postcode", errors, true);
    if (!postcode.empty() && !errors.count("postcode") &&
        (postcode.size() != 6 || postcode.find_first_not_of("0123456789") != std::string::npos))
        errors["postcode"] = "confirmation.error.postcode";
    out.postcode = postcode;
    out.region = address_part(raw, "region", errors, true);
    out.city = address_part(raw, "city", errors, true);
    out.street = address_part(raw, "street", errors, true);
    out.house = address_part(raw, "house", errors, true);
    out.flat = address_part(raw, "flat", errors, false);
    if (!out.house.empty() && out.house.size() > 20) errors["house"] = "confirmation.error.too_long";
    if (!out.flat.empty() && out.flat.size() > 20) errors["flat"] = "confirmation.error.too_long";
    return errors;
}

std::string address_line(const PostalAddress& a) {
    std::string s = a.postcode + ", " + a.region + ", " + a.city + ", " + a.street + ", " + a.house;
    if (!a.flat.empty()) s += ", " + a.flat;
    return s;
}

std::string address_to_json(const PostalAddress& a) {
    return nlohmann::json{{"postcode", a.postcode}, {"region", a.region}, {"city", a.city},
                          {"street", a.street},     {"house", a.house},   {"flat", a.flat}}
        .dump();
}

PostalAddress address_from_json(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    PostalAddress a;
    if (!j.is_object()) return a;
    a.postcode = j.value("postcode", "");
    a.region = j.value("region", "");
    a.city = j.value("city", "");
    a.street = j.value("street", "");
    a.house = j.value("house", "");
    a.flat = j.value("flat", "");
    return a;
}

std::int64_t next_letter_at(std::optional<std::int64_t> last_ordered_at, const LetterRules& rules) {
    return last_ordered_at ? *last_ordered_at + rules.reorder_after : 0;
}

std::string bank_difference(const Profile& profile, const registries::VerifiedPerson& bank) {
    if (folded_words(profile.surname) != folded_words(bank.surname)) return "surname";
    if (folded_words(profile.name) != folded_words(bank.name)) return "name";
    if (folded_words(profile.patronymic) != folded_words(bank.patronymic)) return "patronymic";
    if (profile.birth_date != core::format_iso_date(bank.birth_date)) return "birth_date";
    if (!bank.snils.empty()) return digits_of(profile.snils) == digits_of(bank.snils) ? "" : "snils";
    if (digits_of(profile.passport) != digits_of(bank.passport_series + bank.passport_number)) return "passport";
    return "";
}

}  // namespace uslugi::identity
