#include "registries/model.hpp"

#include "core/time.hpp"
#include "core/validators.hpp"
#include "registries/json_fields.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace uslugi::registries {

namespace chr = std::chrono;

// ---- dates ---------------------------------------------------------------------------

std::optional<Date> parse_date(std::string_view t) {
    auto d = core::parse_iso_date(t);
    // The registries hold no one born, and no document issued, before 1800.
    if (!d || chr::year_month_day{*d}.year() < chr::year{1800}) return std::nullopt;
    return d;
}

std::string format_date(Date d) { return core::format_iso_date(d); }

Date today() { return core::today_utc(); }

int age_on(Date born, Date on) {
    const chr::year_month_day b{born}, o{on};
    int years = int(o.year()) - int(b.year());
    if (chr::month_day{o.month(), o.day()} < chr::month_day{b.month(), b.day()}) --years;
    return years;
}

Date add_years(Date d, int years) {
    chr::year_month_day ymd{d};
    chr::year_month_day moved{ymd.year() + chr::years{years}, ymd.month(), ymd.day()};
    if (!moved.ok()) moved = chr::year_month_day{moved.year(), moved.month(), chr::day{28}};
    return Date{moved};
}

std::optional<Date> passport_valid_until(Date born, Date issued) {
    const int age = age_on(born, issued);
    if (age < 20) return add_years(born, 20) + chr::days{90};
    if (age < 45) return add_years(born, 45) + chr::days{90};
    return std::nullopt;
}

std::string_view to_string(PassportStatus s) {
    switch (s) {
        case PassportStatus::valid: return "valid";
        case PassportStatus::expired: return "expired";
        case PassportStatus::lost: return "lost";
        case PassportStatus::not_found: return "not_found";
    }
    return "not_found";
}

// ---- fines -----------------------------------------------------------------------------

DiscountRule discount_rule_for(Date decision_date) {
    if (decision_date < Date{chr::year{2026} / chr::January / 1}) return {50, 20};
    return {25, 30};
}

DiscountState fine_discount(const Fine& fine, Date decision_date, Date today, bool paid) {
    DiscountState s;
    s.amount_due = paid ? 0 : fine.amount;
    s.eligible = !fine.discount_excluded;
    if (!s.eligible) return s;
    const DiscountRule rule = discount_rule_for(decision_date);
    s.rate_percent = rule.rate_percent;
    s.until = decision_date + chr::days{rule.days};
    s.active = !paid && today <= *s.until;
    if (s.active) s.amount_due = fine.amount - fine.amount * rule.rate_percent / 100;
    return s;
}

// ---- names -----------------------------------------------------------------------------

std::string fold_name(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < in.size();) {
        const unsigned char c = static_cast<unsigned char>(in[i]);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            pending_space = !out.empty();
            ++i;
            continue;
        }
        if (c == '-') {
            out += '-';
            pending_space = false;
            ++i;
            continue;
        }
        if (pending_space && !out.empty() && out.back() != '-') out += ' ';
        pending_space = false;
        if (c < 0x80) {
            out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            ++i;
            continue;
        }
        // Two-byte Cyrillic: А–Я (D0 90–D0 AF), Ё (D0 81), ё (D1 91).
        if (i + 1 < in.size()) {
            const unsigned char c2 = static_cast<unsigned char>(in[i + 1]);
            if (c == 0xD0 && c2 >= 0x90 && c2 <= 0x9F) {  // А–П → а–п
                out += char(0xD0), out += char(c2 + 0x20);
                i += 2;
                continue;
            }
            if (c == 0xD0 && c2 >= 0xA0 && c2 <= 0xAF) {  // Р–Я → р–я
                out += char(0xD1), out += char(c2 - 0x20);
                i += 2;
                continue;
            }
            if ((c == 0xD0 && c2 == 0x81) || (c == 0xD1 && c2 == 0x91)) {  // Ё, ё → е
                out += char(0xD0), out += char(0xB5);
                i += 2;
                continue;
            }
        }
        out += static_cast<char>(c);
        ++i;
    }
    return out;
}

bool same_name(std::string_view a, std::string_view b) { return fold_name(a) == fold_name(b); }

bool person_matches(const Person& p, const PersonQuery& q) {
    return same_name(p.surname, q.surname) && same_name(p.name, q.name) && same_name(p.patronymic, q.patronymic) &&
           p.birth_date == q.birth_date;
}

std::string Person::full_name() const {
    std::string s = surname + " " + name;
    if (!patronymic.empty()) s += " " + patronymic;
    return s;
}

// ---- cards and post --------------------------------------------------------------------

bool luhn_valid(std::string_view digits) {
    if (digits.size() < 12 || digits.size() > 19) return false;
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it < '0' || *it > '9') return false;
        int d = *it - '0';
        if (twice) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

std::string card_brand(std::string_view d) {
    if (d.starts_with("220")) return "mir";
    if (d.starts_with("4")) return "visa";
    if (d.size() >= 2 && ((d[0] == '5' && d[1] >= '1' && d[1] <= '5') || d.starts_with("222") || d.starts_with("27")))
        return "mastercard";
    return "card";
}

std::string post_tracking_number(std::string_view first13) {
    if (first13.size() != 13) return {};
    int sum = 0;
    for (std::size_t i = 0; i < 13; ++i) {
        if (first13[i] < '0' || first13[i] > '9') return {};
        sum += (first13[i] - '0') * (i % 2 == 0 ? 3 : 1);
    }
    return std::string(first13) + char('0' + (10 - sum % 10) % 10);
}

bool post_tracking_valid(std::string_view number) {
    return number.size() == 14 && post_tracking_number(number.substr(0, 13)) == number;
}

// ---- loading ----------------------------------------------------------------------------

namespace {

using nlohmann::json;

// A record of the sandbox's data files: anything wrong in it stops the start,
// naming the file and the record ("people.json p0042: missing \"snils\"").
struct Loader : JsonReader {
    explicit Loader(std::string where) : where(std::move(where)) {}
    std::string where;

    [[noreturn]] void fail(const std::string& what) const override { throw std::runtime_error(where + ": " + what); }

    std::string str(const json& j, const char* key, bool required = true) const {
        auto v = text(j, key);
        if (!v && required) fail(fmt::format("missing \"{}\"", key));
        return v.value_or("");
    }
    std::int64_t num(const json& j, const char* key) const { return integer(j, key); }
    bool flag(const json& j, const char* key) const { return boolean(j, key).value_or(false); }
    Date date(const json& j, const char* key) const { return date_of(str(j, key), key); }
    std::optional<Date> opt_date(const json& j, const char* key) const {
        if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
        return date(j, key);
    }
    std::string id(std::string_view kind, const std::string& value) const {
        auto r = core::validate(kind, value);
        if (!r.valid) fail(fmt::format("{} \"{}\": {}", kind, value, r.error_code));
        if (r.normalized != value && kind != "passport")
            fail(fmt::format("{} \"{}\" is not in its canonical spelling \"{}\"", kind, value, r.normalized));
        return r.normalized;
    }

    // For Fields: strings are required here; optional ones are read with str(…, false).
    void read(const json& j, const char* key, std::string& v) const { v = str(j, key); }
    void read(const json& j, const char* key, std::int64_t& v) const { v = num(j, key); }
    void read(const json& j, const char* key, int& v) const { v = int(num(j, key)); }
    void read(const json& j, const char* key, bool& v) const { v = flag(j, key); }
    void read(const json& j, const char* key, Date& v) const { v = date(j, key); }

    Passport passport(const json& j) const {
        Passport p;
        p.series = str(j, "series");
        p.number = str(j, "number");
        id("passport", p.series + p.number);
        p.issue_date = date(j, "issue_date");
        p.issuer = str(j, "issuer");
        p.department_code = id("department_code", str(j, "department_code"));
        p.valid_until = opt_date(j, "valid_until");
        if (auto it = j.find("lost"); it != j.end() && it->is_object()) p.lost_days_ago = int(num(*it, "reported_days_ago"));
        p.replaced_by_reason = str(j, "replaced_by_reason", false);
        return p;
    }
};

DriverLicence licence_from(const Loader& L, const json& j) {
    using D = DriverLicence;
    D d;
    d.number = L.id("driver_licence", L.str(j, "number"));
    Fields(L, j).into(d, field("issue_date", &D::issue_date), field("valid_until", &D::valid_until),
                      field("categories", &D::categories));
    d.issuer = L.str(j, "issuer", false);
    return d;
}

Vehicle vehicle_from(const Loader& L, const json& j) {
    using V = Vehicle;
    V x;
    Fields(L, j).into(x, field("make", &V::make), field("model", &V::model), field("year", &V::year),
                      field("vin", &V::vin), field("engine_hp", &V::engine_hp),
                      field("registered_date", &V::registered_date));
    x.colour = L.str(j, "colour", false);
    x.plate = L.id("plate", L.str(j, "plate"));
    x.certificate = L.id("vehicle_certificate", L.str(j, "certificate"));
    return x;
}

Fine fine_from(const Loader& L, const json& j) {
    using F = Fine;
    F x;
    x.uin = L.id("uin", L.str(j, "uin"));
    Fields(L, j).into(x, field("article", &F::article), field("description", &F::description),
                      field("amount", &F::amount), field("source", &F::source),
                      field("offence_days_ago", &F::offence_days_ago),
                      field("decision_days_ago", &F::decision_days_ago),
                      field("discount_excluded", &F::discount_excluded), field("paid", &F::paid), field("by", &F::by));
    x.place = L.str(j, "place", false);
    x.offence_time = L.str(j, "offence_time", false);
    if (j.contains("paid_days_ago")) x.paid_days_ago = int(L.num(j, "paid_days_ago"));
    if (x.by == "certificate") {
        x.certificate = L.id("vehicle_certificate", L.str(j, "certificate"));
        x.plate = L.id("plate", L.str(j, "plate"));
    } else if (x.by != "licence") {
        L.fail("fine " + x.uin + ": \"by\" is neither licence nor certificate");
    }
    return x;
}

CourtDebt court_debt_from(const Loader& L, const json& j) {
    using D = CourtDebt;
    D x;
    Fields(L, j).into(x, field("number", &D::number), field("opened_days_ago", &D::opened_days_ago),
                      field("subject", &D::subject), field("amount", &D::amount), field("remaining", &D::remaining),
                      field("department", &D::department));
    x.bailiff = L.str(j, "bailiff", false);
    x.phone = L.str(j, "phone", false);
    x.uin = L.id("uin", L.str(j, "uin"));
    return x;
}

TaxItem tax_from(const Loader& L, const json& j) {
    using T = TaxItem;
    T x;
    Fields(L, j).into(x, field("kind", &T::kind), field("name", &T::name), field("year_offset", &T::year_offset),
                      field("object", &T::object), field("amount", &T::amount), field("paid", &T::paid),
                      field("kbk", &T::kbk), field("oktmo", &T::oktmo));
    x.uin = L.id("uin", L.str(j, "uin"));
    return x;
}

// Who the person is: names, documents, contacts, address.
void read_identity(const Loader& L, const json& j, Person& p) {
    using P = Person;
    Fields(L, j).into(p, field("id", &P::id), field("surname", &P::surname), field("name", &P::name),
                      field("gender", &P::gender), field("birth_date", &P::birth_date),
                      field("birth_place", &P::birth_place));
    p.patronymic = L.str(j, "patronymic", false);
    if (p.gender != "male" && p.gender != "female") L.fail("gender is neither male nor female");
    p.citizenship = L.str(j, "citizenship", false);
    p.snils = L.id("snils", L.str(j, "snils"));
    p.inn = L.id("inn_person", L.str(j, "inn"));
    p.phone = L.id("mobile_phone", L.str(j, "phone"));
    p.email = L.str(j, "email");
    if (!j.contains("address") || !j["address"].is_object()) L.fail("missing address");
    p.address = j["address"];
    p.region_code = L.str(p.address, "region_code");
    if (!j.contains("passport") || !j["passport"].is_object()) L.fail("missing passport");
    p.passport = L.passport(j["passport"]);
    for (const json& pp : j.value("previous_passports", json::array())) p.previous_passports.push_back(L.passport(pp));
    p.oms = L.id("oms", L.str(j, "oms"));
}

Person person_from(const json& j) {
    const Loader L{"people.json " + (j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "?")};
    Person p;
    read_identity(L, j, p);
    p.bank_customer = L.flag(j, "bank_customer");
    if (auto it = j.find("driver_licence"); it != j.end() && it->is_object()) p.driver_licence = licence_from(L, *it);
    for (const json& v : j.value("vehicles", json::array())) p.vehicles.push_back(vehicle_from(L, v));
    for (const json& f : j.value("fines", json::array())) p.fines.push_back(fine_from(L, f));
    for (const json& d : j.value("court_debts", json::array())) p.court_debts.push_back(court_debt_from(L, d));
    p.property = j.value("property", json::object());
    for (const json& t : j.value("taxes", json::array())) p.taxes.push_back(tax_from(L, t));
    p.demo_note = L.str(j, "demo_note", false);
    return p;
}

Organisation organisation_from(const json& j) {
    Organisation o;
    Loader L{"organisations.json"};
    o.kind = L.str(j, "kind");
    if (o.kind == "legal") {
        o.ogrn = L.id("ogrn", L.str(j, "ogrn"));
        o.inn = L.id("inn_org", L.str(j, "inn"));
    } else if (o.kind == "entrepreneur") {
        o.ogrn = L.id("ogrnip", L.str(j, "ogrnip"));
        o.inn = L.id("inn_person", L.str(j, "inn"));
    } else {
        L.fail("kind is neither legal nor entrepreneur");
    }
    L.where += " " + o.ogrn;
    o.short_name = L.str(j, "short_name");
    o.record = j;
    return o;
}

}  // namespace

RegistryData RegistryData::from_json(const json& people, const json& organisations) {
    RegistryData data;
    if (!people.is_array()) throw std::runtime_error("people.json: \"people\" is not an array");
    for (const json& j : people) data.people_.push_back(person_from(j));
    if (!organisations.is_array()) throw std::runtime_error("organisations.json: \"organisations\" is not an array");
    for (const json& j : organisations) data.organisations_.push_back(organisation_from(j));
    data.index();
    return data;
}

namespace {
json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return json::parse(ss.str());
    } catch (const json::parse_error& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}
}  // namespace

RegistryData RegistryData::load(const std::string& dir) {
    const json people = read_json_file(dir + "/people.json");
    const json orgs = read_json_file(dir + "/organisations.json");
    return from_json(people.value("people", json()), orgs.value("organisations", json()));
}

void RegistryData::index() {
    auto put = [](auto& map, const std::string& key, auto value, const std::string& what) {
        if (key.empty()) return;
        if (!map.emplace(key, value).second) throw std::runtime_error("registries data: duplicate " + what + " " + key);
    };
    for (std::size_t i = 0; i < people_.size(); ++i) {
        const Person& p = people_[i];
        put(by_id_, p.id, i, "id");
        put(by_snils_, p.snils, i, "SNILS");
        put(by_inn_, p.inn, i, "INN");
        put(by_phone_, p.phone, i, "phone");
        if (p.driver_licence) put(by_licence_, p.driver_licence->number, i, "driver's licence");
        for (const Vehicle& v : p.vehicles) put(by_certificate_, v.certificate, i, "vehicle certificate");
        put(by_passport_, p.passport.key(), std::pair<std::size_t, int>{i, -1}, "passport");
        for (std::size_t k = 0; k < p.previous_passports.size(); ++k)
            put(by_passport_, p.previous_passports[k].key(), std::pair<std::size_t, int>{i, int(k)}, "passport");
        for (std::size_t k = 0; k < p.fines.size(); ++k) put(fines_, p.fines[k].uin, std::pair{i, k}, "UIN");
    }
    for (std::size_t i = 0; i < organisations_.size(); ++i) {
        put(orgs_, organisations_[i].ogrn, i, "OGRN");
        if (organisations_[i].kind == "legal") put(orgs_, organisations_[i].inn, i, "INN");
    }
}

namespace {
template <typename Map>
const Person* find_person(const Map& map, const std::vector<Person>& people, std::string_view key) {
    auto it = map.find(std::string(key));
    return it == map.end() ? nullptr : &people[it->second];
}
}  // namespace

const Person* RegistryData::by_id(std::string_view id) const { return find_person(by_id_, people_, id); }
const Person* RegistryData::by_snils(std::string_view s) const { return find_person(by_snils_, people_, s); }
const Person* RegistryData::by_inn(std::string_view s) const { return find_person(by_inn_, people_, s); }
const Person* RegistryData::by_phone(std::string_view s) const { return find_person(by_phone_, people_, s); }
const Person* RegistryData::by_licence(std::string_view s) const { return find_person(by_licence_, people_, s); }
const Person* RegistryData::by_certificate(std::string_view s) const {
    return find_person(by_certificate_, people_, s);
}

std::optional<PassportHit> RegistryData::by_passport(std::string_view key) const {
    auto it = by_passport_.find(std::string(key));
    if (it == by_passport_.end()) return std::nullopt;
    const Person& p = people_[it->second.first];
    const int k = it->second.second;
    return PassportHit{&p, k < 0 ? &p.passport : &p.previous_passports[std::size_t(k)], k < 0};
}

std::optional<FineHit> RegistryData::fine_by_uin(std::string_view uin) const {
    auto it = fines_.find(std::string(uin));
    if (it == fines_.end()) return std::nullopt;
    const Person& p = people_[it->second.first];
    return FineHit{&p, &p.fines[it->second.second]};
}

const Organisation* RegistryData::organisation(std::string_view key) const {
    auto it = orgs_.find(std::string(key));
    return it == orgs_.end() ? nullptr : &organisations_[it->second];
}

}  // namespace uslugi::registries
