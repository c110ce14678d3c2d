#include "registries/model.hpp"

#include "core/time.hpp"
#include "core/validators.hpp"

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

struct Loader {
    std::string where;  // "people.json p0042"

    [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(where + ": " + what); }

    std::string str(const json& j, const char* key, bool required = true) const {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) {
            if (required) fail(fmt::format("missing \"{}\"", key));
            return {};
        }
        if (!it->is_string()) fail(fmt::format("\"{}\" is not a string", key));
        return it->get<std::string>();
    }
    std::int64_t num(const json& j, const char* key) const {
        auto it = j.find(key);
        if (it == j.end() || !it->is_number_integer()) fail(fmt::format("\"{}\" is not an integer", key));
        return it->get<std::int64_t>();
    }
    bool flag(const json& j, const char* key) const {
        auto it = j.find(key);
        if (it == j.end() || it->is_null()) return false;
        if (!it->is_boolean()) fail(fmt::format("\"{}\" is not a boolean", key));
        return it->get<bool>();
    }
    Date date(const json& j, const char* key) const {
        auto d = parse_date(str(j, key));
        if (!d) fail(fmt::format("\"{}\" is not a date", key));
        return *d;
    }
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

}  // namespace

RegistryData RegistryData::from_json(const json& people, const json& organisations) {
    RegistryData data;
    if (!people.is_array()) throw std::runtime_error("people.json: \"people\" is not an array");
    for (const json& j : people) {
        Loader L{"people.json " + (j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "?")};
        Person p;
        p.id = L.str(j, "id");
        p.surname = L.str(j, "surname");
        p.name = L.str(j, "name");
        p.patronymic = L.str(j, "patronymic", false);
        p.gender = L.str(j, "gender");
        if (p.gender != "male" && p.gender != "female") L.fail("gender is neither male nor female");
        p.birth_date = L.date(j, "birth_date");
        p.birth_place = L.str(j, "birth_place");
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
        p.bank_customer = L.flag(j, "bank_customer");
        if (auto it = j.find("driver_licence"); it != j.end() && it->is_object()) {
            DriverLicence d;
            d.number = L.id("driver_licence", L.str(*it, "number"));
            d.issue_date = L.date(*it, "issue_date");
            d.valid_until = L.date(*it, "valid_until");
            d.categories = L.str(*it, "categories");
            d.issuer = L.str(*it, "issuer", false);
            p.driver_licence = std::move(d);
        }
        for (const json& v : j.value("vehicles", json::array())) {
            Vehicle x;
            x.make = L.str(v, "make");
            x.model = L.str(v, "model");
            x.year = int(L.num(v, "year"));
            x.vin = L.str(v, "vin");
            x.colour = L.str(v, "colour", false);
            x.engine_hp = int(L.num(v, "engine_hp"));
            x.plate = L.id("plate", L.str(v, "plate"));
            x.certificate = L.id("vehicle_certificate", L.str(v, "certificate"));
            x.registered_date = L.date(v, "registered_date");
            p.vehicles.push_back(std::move(x));
        }
        for (const json& f : j.value("fines", json::array())) {
            Fine x;
            x.uin = L.id("uin", L.str(f, "uin"));
            x.article = L.str(f, "article");
            x.description = L.str(f, "description");
            x.amount = L.num(f, "amount");
            x.source = L.str(f, "source");
            x.place = L.str(f, "place", false);
            x.offence_days_ago = int(L.num(f, "offence_days_ago"));
            x.decision_days_ago = int(L.num(f, "decision_days_ago"));
            x.offence_time = L.str(f, "offence_time", false);
            x.discount_excluded = L.flag(f, "discount_excluded");
            x.paid = L.flag(f, "paid");
            if (f.contains("paid_days_ago")) x.paid_days_ago = int(L.num(f, "paid_days_ago"));
            x.by = L.str(f, "by");
            if (x.by == "certificate") {
                x.certificate = L.id("vehicle_certificate", L.str(f, "certificate"));
                x.plate = L.id("plate", L.str(f, "plate"));
            } else if (x.by != "licence") {
                L.fail("fine " + x.uin + ": \"by\" is neither licence nor certificate");
            }
            p.fines.push_back(std::move(x));
        }
        for (const json& d : j.value("court_debts", json::array())) {
            CourtDebt x;
            x.number = L.str(d, "number");
            x.opened_days_ago = int(L.num(d, "opened_days_ago"));
            x.subject = L.str(d, "subject");
            x.amount = L.num(d, "amount");
            x.remaining = L.num(d, "remaining");
            x.department = L.str(d, "department");
            x.bailiff = L.str(d, "bailiff", false);
            x.phone = L.str(d, "phone", false);
            x.uin = L.id("uin", L.str(d, "uin"));
            p.court_debts.push_back(std::move(x));
        }
        p.property = j.value("property", json::object());
        for (const json& t : j.value("taxes", json::array())) {
            TaxItem x;
            x.kind = L.str(t, "kind");
            x.name = L.str(t, "name");
            x.year_offset = int(L.num(t, "year_offset"));
            x.object = L.str(t, "object");
            x.amount = L.num(t, "amount");
            x.paid = L.num(t, "paid");
            x.kbk = L.str(t, "kbk");
            x.oktmo = L.str(t, "oktmo");
            x.uin = L.id("uin", L.str(t, "uin"));
            p.taxes.push_back(std::move(x));
        }
        p.demo_note = L.str(j, "demo_note", false);
        data.people_.push_back(std::move(p));
    }
    if (!organisations.is_array()) throw std::runtime_error("organisations.json: \"organisations\" is not an array");
    for (const json& j : organisations) {
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
        data.organisations_.push_back(std::move(o));
    }
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
