#pragma once
// The cabinet's documents and addresses (SPEC CAB-3, CAB-5) as pure rules: the
// kinds of document, what each holds, how typed text becomes a checked value
// (every field says which rule it failed), when a document counts as expiring
// and which catalog service replaces it. No I/O, no locale: safe from any thread.
#include "core/time.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::cabinet {

using core::Date;

// A document that expires within this many days is shown as "expiring" (CAB-3).
inline constexpr int kExpiryWarningDays = 60;

enum class DocumentKind { driver_licence, vehicle, oms, foreign_passport };
std::string_view to_string(DocumentKind k);
std::optional<DocumentKind> document_kind_from_string(std::string_view s);
const std::vector<DocumentKind>& document_kinds();

// One document of the account. `number` is in its canonical spelling
// (core/validators.hpp). Dates a kind does not have stay nullopt.
struct Document {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    DocumentKind kind = DocumentKind::driver_licence;
    std::string number;
    std::optional<Date> issued, valid_until;
    std::vector<std::string> categories;  // driver's licence
    std::string plate, make_model;        // vehicle registration certificate
    int year = 0;                         // vehicle: year of manufacture
    std::int64_t updated_at = 0;
};

// Typed text of a form or JSON body, by field name.
using Fields = std::map<std::string, std::string>;

// A field that failed: its name and the locale key of the message.
struct FieldError {
    std::string field;
    std::string key;
};

template <class T>
struct Checked {
    T value{};
    std::vector<FieldError> errors;
    bool ok() const { return errors.empty(); }
};

// The fields a kind's form has, in form order.
const std::vector<std::string>& document_fields(DocumentKind k);
// Driver's licence categories (Federal Law 196-FZ art. 25), in the licence's order.
const std::vector<std::string_view>& licence_categories();

// Checks typed text against the kind's rules as of `today`:
//   number       the kind's validator (validation.<kind>.<rule>);
//   issued       required for licence and foreign passport; a date, not in the future;
//   valid_until  required for licence and foreign passport, optional for OMS (the
//                unified policy has no end); after the issue date;
//   categories   licence: at least one, each from licence_categories();
//   plate        vehicle: validation.plate.*;  make_model  vehicle: 1–100 characters;
//   year         vehicle: 1900 … next year.
// Dates are "YYYY-MM-DD" or "DD.MM.YYYY". Categories are separated by spaces or commas.
Checked<Document> check_document(DocumentKind kind, const Fields& typed, Date today);

enum class Expiry { none, valid, expiring, expired };
std::string_view to_string(Expiry e);
// expired: valid until a day before today; expiring: within kExpiryWarningDays.
Expiry expiry_of(const Document& d, Date today);
// Days from today to the end of validity (negative once expired); 0 without an end.
int days_left(const Document& d, Date today);
// The catalog service that replaces an expired document of the kind ("" if none).
std::string_view replacement_service(DocumentKind k);

// ---- addresses ----------------------------------------------------------------------------------

enum class AddressKind { registration, actual, postal };
std::string_view to_string(AddressKind k);
std::optional<AddressKind> address_kind_from_string(std::string_view s);
const std::vector<AddressKind>& address_kinds();

struct Address {
    AddressKind kind = AddressKind::registration;
    std::string region;  // the catalog's region code ("59")
    std::string settlement, street, house, building, flat, postcode;
    std::int64_t updated_at = 0;
};

const std::vector<std::string>& address_fields();
// region: a code `region_known` accepts; settlement, house: required; street,
// building, flat: optional; postcode: 6 digits. Text fields at most 100
// characters (house, building, flat 20), no control characters.
Checked<Address> check_address(AddressKind kind, const Fields& typed,
                               const std::function<bool(std::string_view)>& region_known);
// "614000, Пермский край, Пермь, ул. Ленина, д. 1, корп. 2, кв. 3" with the
// region's name given; Russian abbreviations, as postal addresses are written.
std::string format_address(const Address& a, const std::string& region_name);

}  // namespace uslugi::cabinet
