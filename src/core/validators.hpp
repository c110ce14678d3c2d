#pragma once
// Validators of Russian identifiers, phones and e-mail addresses (SPEC "Reference
// facts"). Pure functions: no I/O, no locale, no exceptions; safe from any thread.
//
// Each validator trims the input, drops the separators its format allows (spaces,
// dashes), checks the format and the control digits, and returns the value in one
// canonical spelling. A failure carries a stable error code "<kind>.<rule>", e.g.
// "snils.checksum"; its text is locales/validation/<lang>.json under
// "validation.<kind>.<rule>" (see ValidationResult::message_key()).
//
// Common rules, checked in this order for every kind:
//   <kind>.too_long  more than 64 bytes (254 for e-mail), before any parsing;
//   <kind>.empty     nothing but white space;
//   <kind>.format    wrong length, characters or shape;
//   <kind>.checksum  control digits do not match (where the format has them).
// Plus: plate.letters, phone/mobile_phone.invalid, mobile_phone.not_mobile,
// email.local_part, email.domain, and kind.unknown from validate().
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::core {

struct ValidationResult {
    bool valid = false;
    std::string normalized;  // canonical spelling when valid, else empty
    std::string error_code;  // "<kind>.<rule>" when invalid, else empty

    std::string message_key() const { return error_code.empty() ? std::string() : "validation." + error_code; }
    explicit operator bool() const { return valid; }
};

inline constexpr std::size_t kMaxIdentifierBytes = 64;
inline constexpr std::size_t kMaxEmailBytes = 254;

// SNILS, 11 digits; normalized "112-233-445 95". The control is checked only for
// numbers above 001-001-998.
ValidationResult validate_snils(std::string_view input);
// INN of a person (12 digits) or of an organisation (10 digits).
ValidationResult validate_inn(std::string_view input);
ValidationResult validate_inn_person(std::string_view input);
ValidationResult validate_inn_org(std::string_view input);
// OGRN, 13 digits; OGRNIP, 15 digits.
ValidationResult validate_ogrn(std::string_view input);
ValidationResult validate_ogrnip(std::string_view input);
// UIN of a charge, 20 digits with a control digit.
ValidationResult validate_uin(std::string_view input);
// The control digit ('0'…'9') for the first 19 digits of a UIN, or '\0' if the
// argument is not exactly 19 ASCII digits.
char uin_control_digit(std::string_view first19);
// The full 20-digit UIN for 19 digits, or "" if the argument is not 19 digits.
std::string complete_uin(std::string_view first19);
// Passport of the RF: series 4 digits + number 6 digits; normalized "4508 123456".
ValidationResult validate_passport_rf(std::string_view input);
// Code of the issuing department, NNN-NNN; normalized "770-001".
ValidationResult validate_department_code(std::string_view input);
// Driver's licence, 10 digits; normalized "99 99 999999".
ValidationResult validate_driver_licence(std::string_view input);
// Vehicle registration certificate: 2 digits, 2 digits or 2 Cyrillic letters,
// 6 digits; normalized "77 УР 123456" / "99 12 345678".
ValidationResult validate_vehicle_certificate(std::string_view input);
// Registration plate: letter, 3 digits, 2 letters, region of 2–3 digits; letters
// from АВЕКМНОРСТУХ (Latin look-alikes accepted); normalized "А123ВС77".
ValidationResult validate_plate(std::string_view input);
// OMS policy, 16-digit unified number (no control digit).
ValidationResult validate_oms(std::string_view input);
// Foreign passport of a citizen of the RF: series 2 digits + number 7 digits; normalized "75 1234567".
ValidationResult validate_foreign_passport(std::string_view input);
// Russian postal code, 6 digits; normalized "614000".
ValidationResult validate_postcode(std::string_view input);
// Any valid phone number (libphonenumber, default region RU); normalized E.164.
ValidationResult validate_phone(std::string_view input);
// As validate_phone, but the number must be able to receive SMS (mobile).
ValidationResult validate_mobile_phone(std::string_view input);
// E-mail address (practical subset of RFC 5322, Cyrillic domains as UTF-8);
// normalized with the domain in lower case.
ValidationResult validate_email(std::string_view input);

// Dispatch by kind: "snils", "inn", "inn_person", "inn_org", "ogrn", "ogrnip",
// "uin", "passport", "department_code", "driver_licence", "vehicle_certificate",
// "plate", "oms", "phone", "mobile_phone", "email". Unknown kind → "kind.unknown".
ValidationResult validate(std::string_view kind, std::string_view input);
// The kinds validate() knows, in the order above.
std::span<const std::string_view> validation_kinds();
// Every error code the validators can return (for message catalogues and docs).
std::vector<std::string> validation_error_codes();

}  // namespace uslugi::core
