#pragma once
// The demo data of the registries sandbox (data/registries/*.json, made by
// scripts/gen-registries-data.py) and the pure rules the sandbox answers by:
// passport validity (the 20/45 rule), name matching, the traffic-fine
// discount, card numbers, Post tracking numbers. No I/O except load().
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace uslugi::registries {

using Date = std::chrono::sys_days;

// "YYYY-MM-DD" → date; nullopt for anything else (including 2023-02-30).
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date d);
// Today in UTC.
Date today();
// Whole years between `born` and `on` (birthday not yet reached → one less).
int age_on(Date born, Date on);
Date add_years(Date d, int years);  // 29 February → 28 February

// ---- people and their documents ------------------------------------------------

struct Passport {
    std::string series;  // 4 digits
    std::string number;  // 6 digits
    Date issue_date{};
    std::string issuer;
    std::string department_code;           // NNN-NNN
    std::optional<Date> valid_until;       // none: valid without limit (issued at 45 or later)
    std::optional<int> lost_days_ago;      // reported lost that many days before today
    std::string replaced_by_reason;        // previous passports: age_20, age_45, lost
    std::string key() const { return series + " " + number; }  // "4508 123456"
};

// The 20/45 rule: a passport issued before the 20th birthday is valid until that
// birthday plus 90 days, one issued before the 45th until the 45th birthday plus
// 90 days; one issued at 45 or later has no end.
std::optional<Date> passport_valid_until(Date born, Date issued);

enum class PassportStatus { valid, expired, lost, not_found };
std::string_view to_string(PassportStatus s);

struct DriverLicence {
    std::string number;  // "99 99 999999"
    Date issue_date{};
    Date valid_until{};
    std::string categories;
    std::string issuer;
};

struct Vehicle {
    std::string make, model;
    int year = 0;
    std::string vin, colour;
    int engine_hp = 0;
    std::string plate;        // "А123ВС77"
    std::string certificate;  // "77 УР 123456"
    Date registered_date{};
};

struct Fine {
    std::string uin;
    std::string article;
    std::string description;
    std::int64_t amount = 0;  // kopecks
    std::string source;       // camera | officer
    std::string place;
    int offence_days_ago = 0;
    int decision_days_ago = 0;
    std::string offence_time;  // "HH:MM"
    bool discount_excluded = false;
    bool paid = false;
    std::optional<int> paid_days_ago;
    std::string by;  // licence | certificate
    std::string certificate, plate;  // for fines by certificate
};

// Traffic fines: the discount for early payment (SPEC "Reference facts"):
// 50 % within 20 days for decisions before 2026, 25 % within 30 days from 2026.
struct DiscountRule {
    int rate_percent = 0;
    int days = 0;
};
DiscountRule discount_rule_for(Date decision_date);
struct DiscountState {
    bool eligible = false;  // the article allows a discount
    bool active = false;    // eligible, unpaid and still within the period
    int rate_percent = 0;
    std::optional<Date> until;  // last day of the discount
    std::int64_t amount_due = 0;
};
DiscountState fine_discount(const Fine& fine, Date decision_date, Date today, bool paid);

struct CourtDebt {
    std::string number;
    int opened_days_ago = 0;
    std::string subject;
    std::int64_t amount = 0, remaining = 0;  // kopecks
    std::string department, bailiff, phone, uin;
};

struct TaxItem {
    std::string kind, name;
    int year_offset = 1;  // tax year = this year - offset; due on 1 December of the next year
    std::string object;
    std::int64_t amount = 0, paid = 0;
    std::string kbk, oktmo, uin;
};

struct Person {
    std::string id;
    std::string surname, name, patronymic, gender;
    Date birth_date{};
    std::string birth_place, citizenship;
    std::string snils;  // "112-233-445 95"
    std::string inn;    // 12 digits
    std::string phone;  // E.164
    std::string email;
    nlohmann::json address;  // postcode, region_code, region, city, street, house, flat, text
    std::string region_code;
    Passport passport;
    std::vector<Passport> previous_passports;
    std::string oms;
    bool bank_customer = false;
    std::optional<DriverLicence> driver_licence;
    std::vector<Vehicle> vehicles;
    std::vector<Fine> fines;
    std::vector<CourtDebt> court_debts;
    nlohmann::json property;  // real_estate[], land[]
    std::vector<TaxItem> taxes;
    std::string demo_note;

    std::string full_name() const;
};

struct Organisation {
    std::string kind;  // legal | entrepreneur
    std::string ogrn;  // OGRN (13) or OGRNIP (15)
    std::string inn;
    std::string short_name;
    nlohmann::json record;  // everything from organisations.json
};

// Where a passport was found: the person and whether it is the current one.
struct PassportHit {
    const Person* person = nullptr;
    const Passport* passport = nullptr;
    bool current = false;
};

struct FineHit {
    const Person* person = nullptr;
    const Fine* fine = nullptr;
};

class RegistryData {
public:
    // Reads people.json and organisations.json from `dir`, checks every
    // identifier with the core validators and builds the indexes. Throws
    // std::runtime_error naming the file and the record on bad data.
    static RegistryData load(const std::string& dir);
    static RegistryData from_json(const nlohmann::json& people, const nlohmann::json& organisations);

    const std::vector<Person>& people() const { return people_; }
    const std::vector<Organisation>& organisations() const { return organisations_; }

    // Lookups by the validators' normalized spelling.
    const Person* by_id(std::string_view id) const;
    const Person* by_snils(std::string_view snils) const;
    const Person* by_inn(std::string_view inn) const;
    const Person* by_phone(std::string_view e164) const;
    const Person* by_licence(std::string_view licence) const;
    std::optional<PassportHit> by_passport(std::string_view series_number) const;
    // Owner of a vehicle with this registration certificate.
    const Person* by_certificate(std::string_view certificate) const;
    std::optional<FineHit> fine_by_uin(std::string_view uin) const;
    const Organisation* organisation(std::string_view ogrn_or_inn) const;

private:
    void index();

    std::vector<Person> people_;
    std::vector<Organisation> organisations_;
    std::unordered_map<std::string, std::size_t> by_id_, by_snils_, by_inn_, by_phone_, by_licence_, by_certificate_;
    std::unordered_map<std::string, std::pair<std::size_t, int>> by_passport_;  // -1: current, else previous index
    std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> fines_;
    std::unordered_map<std::string, std::size_t> orgs_;
};

// ---- matching people ------------------------------------------------------------

// Folds a name for comparison: trimmed, inner white space collapsed, lower case
// (Cyrillic and Latin), ё → е, "-" without spaces around it.
std::string fold_name(std::string_view name);
bool same_name(std::string_view a, std::string_view b);

struct PersonQuery {
    std::string surname, name, patronymic;
    Date birth_date{};
};
// Surname, name, patronymic (both empty counts as equal) and birth date.
bool person_matches(const Person& p, const PersonQuery& q);

// ---- cards and post ----------------------------------------------------------------

bool luhn_valid(std::string_view digits);
// visa, mastercard, mir or "card" by the first digits.
std::string card_brand(std::string_view digits);
// Russian Post 14-digit tracking number for its first 13 digits (odd positions
// weigh 3, even ones 1; the control completes the sum to a multiple of 10).
std::string post_tracking_number(std::string_view first13);
bool post_tracking_valid(std::string_view number);

}  // namespace uslugi::registries
