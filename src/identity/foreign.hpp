#pragma once
// The profile of a foreign citizen (ID-5): a foreign identity document
// instead of the Russian passport, names in Latin and Cyrillic letters, and
// an optional SNILS and INN. Pure rules, no I/O.
#include <chrono>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace uslugi::identity {

struct ForeignProfile {
    std::string surname_latin, name_latin;
    std::string surname_cyrillic, name_cyrillic;
    std::string birth_date;       // YYYY-MM-DD
    std::string citizenship;      // ISO 3166-1 alpha-2, never "RU"
    std::string document_number;  // upper case, letters and digits only
    std::string issue_date, expiry_date;
    std::string snils;            // "" or "112-233-445 95"
    std::string inn;              // "" or 12 digits
    bool operator==(const ForeignProfile&) const = default;
};

// Field names as forms, JSON and error maps spell them, in form order.
std::span<const std::string_view> foreign_fields();
std::string foreign_field(const ForeignProfile& p, std::string_view field);
// Countries the form offers: the profile's list without the Russian Federation.
std::span<const std::string_view> foreign_countries();

struct ForeignParse {
    ForeignProfile profile;
    std::map<std::string, std::string> errors;  // field → locale key
    bool ok() const { return errors.empty(); }
};
// Every field is required but SNILS and INN; `today` decides what is in the
// past (birth, issue) and what has expired (the document).
ForeignParse parse_foreign_profile(const std::map<std::string, std::string>& raw, std::chrono::year_month_day today);

// The Interior Ministry's verdict on a foreign document.
enum class ForeignCheck { not_checked, valid, expired, not_found, mismatch, unavailable };
std::string_view to_string(ForeignCheck c);
ForeignCheck foreign_check_from_string(std::string_view s);

}  // namespace uslugi::identity
