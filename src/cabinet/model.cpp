#include "cabinet/model.hpp"

#include "core/text.hpp"
#include "core/validators.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

namespace uslugi::cabinet {

namespace chr = std::chrono;

namespace {

constexpr std::size_t kMaxTextChars = 100;
constexpr std::size_t kMaxShortChars = 20;
constexpr std::size_t kMaxRawBytes = 1000;

std::string typed_value(const Fields& typed, const std::string& name) {
    auto it = typed.find(name);
    return it == typed.end() ? std::string() : it->second;
}

// Trimmed text with inner runs of blanks collapsed; what we store and show.
std::string clean(std::string_view raw) { return text::collapse_blanks(raw, text::is_space); }

bool has_control(std::string_view s) {
    for (char32_t cp : text::decode_utf8(s))
        if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD || (cp >= 0x80 && cp < 0xA0)) return true;
    return false;
}

// A free-text field: "<field>.required" when empty and required, "<field>.too_long",
// "<field>.characters" for control characters or broken UTF-8.
std::optional<std::string> text_field(const Fields& typed, const std::string& field, bool required,
                                      std::size_t max_chars, std::vector<FieldError>& errors) {
    const std::string raw = typed_value(typed, field);
    if (raw.size() > kMaxRawBytes) {
        errors.push_back({field, "cabinet.error." + field + ".too_long"});
        return std::nullopt;
    }
    if (has_control(raw)) {
        errors.push_back({field, "cabinet.error.characters"});
        return std::nullopt;
    }
    std::string v = clean(raw);
    if (v.empty() && required) {
        errors.push_back({field, "cabinet.error." + field + ".required"});
        return std::nullopt;
    }
    if (text::decode_utf8(v).size() > max_chars) {
        errors.push_back({field, "cabinet.error." + field + ".too_long"});
        return std::nullopt;
    }
    return v;
}

// A date field: "cabinet.error.<field>.required" / ".format" / ".future".
std::optional<Date> date_field(const Fields& typed, const std::string& field, bool required, bool not_future,
                               Date today, std::vector<FieldError>& errors) {
    const std::string v = clean(typed_value(typed, field).substr(0, kMaxRawBytes));
    if (v.empty()) {
        if (required) errors.push_back({field, "cabinet.error." + field + ".required"});
        return std::nullopt;
    }
    auto d = core::parse_iso_date(v);
    if (!d) d = core::parse_ru_date(v);
    const auto year = d ? static_cast<int>(chr::year_month_day(*d).year()) : 0;
    if (!d || year < 1900 || year > 2200) {
        errors.push_back({field, "cabinet.error.date_format"});
        return std::nullopt;
    }
    if (not_future && *d > today) {
        errors.push_back({field, "cabinet.error." + field + ".future"});
        return std::nullopt;
    }
    return d;
}

// Validators of core/validators.hpp keep their own message keys (validation.<kind>.<rule>).
std::optional<std::string> identifier_field(const Fields& typed, const std::string& field, std::string_view kind,
                                            std::vector<FieldError>& errors) {
    const auto r = core::validate(kind, typed_value(typed, field));
    if (!r.valid) {
        errors.push_back({field, r.message_key()});
        return std::nullopt;
    }
    return r.normalized;
}

std::vector<std::string> split_categories(std::string_view raw) {
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(word);
        word.clear();
    };
    for (char c : raw) {
        if (c == ' ' || c == ',' || c == ';' || c == '\t' || c == '\n' || c == '\r') flush();
        else word += c;
    }
    flush();
    return out;
}

// Cyrillic А, В, С, Е, М look like the Latin letters licences print; both are accepted.
std::string latin_category(std::string word) {
    static const std::pair<std::string_view, char> kLookAlikes[] = {
        {"А", 'A'}, {"В", 'B'}, {"С", 'C'}, {"Е", 'E'}, {"М", 'M'}, {"а", 'A'}, {"в", 'B'},
        {"с", 'C'}, {"е", 'E'}, {"м", 'M'}, {"Т", 'T'}, {"т", 'T'}};
    std::string out;
    for (std::size_t i = 0; i < word.size();) {
        bool replaced = false;
        for (const auto& [cyr, lat] : kLookAlikes) {
            if (word.compare(i, cyr.size(), cyr) == 0) {
                out += lat;
                i += cyr.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) out += word[i++];
    }
    // Tm and Tb keep their small second letter; the rest is upper case.
    for (std::size_t i = 0; i < out.size(); ++i)
        if (!(i == 1 && out[0] == 'T')) out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
    if (out.size() == 2 && out[0] == 'T') out[1] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[1])));
    return out;
}

std::optional<std::vector<std::string>> categories_field(const Fields& typed, std::vector<FieldError>& errors) {
    const std::string raw = typed_value(typed, "categories");
    if (raw.size() > kMaxRawBytes) {
        errors.push_back({"categories", "cabinet.error.categories.unknown"});
        return std::nullopt;
    }
    std::vector<std::string> chosen;
    for (auto& word : split_categories(raw)) {
        const std::string c = latin_category(word);
        const auto& known = licence_categories();
        if (std::find(known.begin(), known.end(), c) == known.end()) {
            errors.push_back({"categories", "cabinet.error.categories.unknown"});
            return std::nullopt;
        }
        if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) chosen.push_back(c);
    }
    if (chosen.empty()) {
        errors.push_back({"categories", "cabinet.error.categories.required"});
        return std::nullopt;
    }
    // In the licence's order, whatever order they were typed in.
    std::vector<std::string> ordered;
    for (auto k : licence_categories())
        if (std::find(chosen.begin(), chosen.end(), k) != chosen.end()) ordered.emplace_back(k);
    return ordered;
}

std::optional<int> year_field(const Fields& typed, Date today, std::vector<FieldError>& errors) {
    const std::string v = clean(typed_value(typed, "year").substr(0, kMaxRawBytes));
    if (v.empty()) {
        errors.push_back({"year", "cabinet.error.year.required"});
        return std::nullopt;
    }
    int year = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), year);
    const int next = static_cast<int>(chr::year_month_day(today).year()) + 1;
    if (ec != std::errc{} || end != v.data() + v.size() || year < 1900 || year > next) {
        errors.push_back({"year", "cabinet.error.year.range"});
        return std::nullopt;
    }
    return year;
}

void check_period(Document& d, const Fields& typed, bool required, Date today, std::vector<FieldError>& errors) {
    const bool has_issue = d.kind != DocumentKind::oms;
    if (has_issue) {
        if (auto v = date_field(typed, "issued", required, true, today, errors)) d.issued = v;
    }
    if (auto v = date_field(typed, "valid_until", required, false, today, errors)) d.valid_until = v;
    if (d.issued && d.valid_until && *d.valid_until <= *d.issued)
        errors.push_back({"valid_until", "cabinet.error.valid_until.before_issue"});
}

}  // namespace

std::string_view to_string(DocumentKind k) {
    switch (k) {
        case DocumentKind::driver_licence: return "driver_licence";
        case DocumentKind::vehicle: return "vehicle";
        case DocumentKind::oms: return "oms";
        case DocumentKind::foreign_passport: return "foreign_passport";
    }
    return "driver_licence";
}

std::optional<DocumentKind> document_kind_from_string(std::string_view s) {
    for (auto k : document_kinds())
        if (to_string(k) == s) return k;
    return std::nullopt;
}

const std::vector<DocumentKind>& document_kinds() {
    static const std::vector<DocumentKind> kinds{DocumentKind::driver_licence, DocumentKind::vehicle,
                                                 DocumentKind::oms, DocumentKind::foreign_passport};
    return kinds;
}

const std::vector<std::string>& document_fields(DocumentKind k) {
    static const std::vector<std::string> licence{"number", "issued", "valid_until", "categories"};
    static const std::vector<std::string> vehicle{"number", "plate", "make_model", "year"};
    static const std::vector<std::string> oms{"number", "valid_until"};
    static const std::vector<std::string> passport{"number", "issued", "valid_until"};
    switch (k) {
        case DocumentKind::driver_licence: return licence;
        case DocumentKind::vehicle: return vehicle;
        case DocumentKind::oms: return oms;
        case DocumentKind::foreign_passport: return passport;
    }
    return licence;
}

const std::vector<std::string_view>& licence_categories() {
    static const std::vector<std::string_view> c{"A", "A1", "B", "B1", "BE", "C", "C1", "CE", "C1E",
                                                 "D", "D1", "DE", "D1E", "M", "Tm", "Tb"};
    return c;
}

Checked<Document> check_document(DocumentKind kind, const Fields& typed, Date today) {
    Checked<Document> out;
    Document& d = out.value;
    d.kind = kind;
    auto& errors = out.errors;
    switch (kind) {
        case DocumentKind::driver_licence:
            if (auto n = identifier_field(typed, "number", "driver_licence", errors)) d.number = *n;
            check_period(d, typed, true, today, errors);
            if (auto c = categories_field(typed, errors)) d.categories = *c;
            break;
        case DocumentKind::vehicle:
            if (auto n = identifier_field(typed, "number", "vehicle_certificate", errors)) d.number = *n;
            if (auto p = identifier_field(typed, "plate", "plate", errors)) d.plate = *p;
            if (auto m = text_field(typed, "make_model", true, kMaxTextChars, errors)) d.make_model = *m;
            if (auto y = year_field(typed, today, errors)) d.year = *y;
            break;
        case DocumentKind::oms:
            if (auto n = identifier_field(typed, "number", "oms", errors)) d.number = *n;
            check_period(d, typed, false, today, errors);
            break;
        case DocumentKind::foreign_passport:
            if (auto n = identifier_field(typed, "number", "foreign_passport", errors)) d.number = *n;
            check_period(d, typed, true, today, errors);
            break;
    }
    return out;
}

std::string_view to_string(Expiry e) {
    switch (e) {
        case Expiry::none: return "none";
        case Expiry::valid: return "valid";
        case Expiry::expiring: return "expiring";
        case Expiry::expired: return "expired";
    }
    return "none";
}

int days_left(const Document& d, Date today) {
    if (!d.valid_until) return 0;
    return static_cast<int>((*d.valid_until - today).count());
}

Expiry expiry_of(const Document& d, Date today) {
    if (!d.valid_until) return Expiry::none;
    // "Valid until 3 December" includes that day.
    const int left = days_left(d, today);
    if (left < 0) return Expiry::expired;
    if (left <= kExpiryWarningDays) return Expiry::expiring;
    return Expiry::valid;
}

std::string_view replacement_service(DocumentKind k) {
    switch (k) {
        case DocumentKind::driver_licence: return "driver-licence-replacement";
        case DocumentKind::foreign_passport: return "foreign-passport-chip";
        case DocumentKind::oms: return "oms-policy";
        case DocumentKind::vehicle: return "";  // a registration certificate does not expire
    }
    return "";
}

// ---- addresses ----------------------------------------------------------------------------------

std::string_view to_string(AddressKind k) {
    switch (k) {
        case AddressKind::registration: return "registration";
        case AddressKind::actual: return "actual";
        case AddressKind::postal: return "postal";
    }
    return "registration";
}

std::optional<AddressKind> address_kind_from_string(std::string_view s) {
    for (auto k : address_kinds())
        if (to_string(k) == s) return k;
    return std::nullopt;
}

const std::vector<AddressKind>& address_kinds() {
    static const std::vector<AddressKind> kinds{AddressKind::registration, AddressKind::actual, AddressKind::postal};
    return kinds;
}

const std::vector<std::string>& address_fields() {
    static const std::vector<std::string> f{"region", "settlement", "street", "house", "building", "flat", "postcode"};
    return f;
}

Checked<Address> check_address(AddressKind kind, const Fields& typed,
                               const std::function<bool(std::string_view)>& region_known) {
    Checked<Address> out;
    Address& a = out.value;
    a.kind = kind;
    auto& errors = out.errors;
    const std::string region = clean(typed_value(typed, "region").substr(0, kMaxRawBytes));
    if (region.empty()) errors.push_back({"region", "cabinet.error.region.required"});
    else if (!region_known(region)) errors.push_back({"region", "cabinet.error.region.unknown"});
    else a.region = region;
    if (auto v = text_field(typed, "settlement", true, kMaxTextChars, errors)) a.settlement = *v;
    if (auto v = text_field(typed, "street", false, kMaxTextChars, errors)) a.street = *v;
    if (auto v = text_field(typed, "house", true, kMaxShortChars, errors)) a.house = *v;
    if (auto v = text_field(typed, "building", false, kMaxShortChars, errors)) a.building = *v;
    if (auto v = text_field(typed, "flat", false, kMaxShortChars, errors)) a.flat = *v;
    if (auto v = identifier_field(typed, "postcode", "postcode", errors)) a.postcode = *v;
    return out;
}

std::string format_address(const Address& a, const std::string& region_name) {
    std::string out = a.postcode;
    auto add = [&out](const std::string& prefix, const std::string& v) {
        if (v.empty()) return;
        if (!out.empty()) out += ", ";
        out += prefix + v;
    };
    add("", region_name);
    add("", a.settlement);
    add("", a.street);
    add("д. ", a.house);
    add("корп. ", a.building);
    add("кв. ", a.flat);
    return out;
}

}  // namespace uslugi::cabinet
