// Pension Fund (SNILS ↔ person), Interior Ministry (passports) and the tax
// service (INN, taxes, property, organisations) of the sandbox.
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

#include <fstream>
#include <memory>

namespace uslugi::registries::sandbox {

namespace chr = std::chrono;

namespace {

json owner_json(const Person& p) {
    return {{"surname", p.surname}, {"name", p.name}, {"patronymic", p.patronymic},
            {"birth_date", format_date(p.birth_date)}};
}

// The passport from {"series","number"} or {"passport": "4508 123456"}.
std::string passport_key(const Body& body, const char* series_field = "series", const char* number_field = "number",
                         const char* combined_field = "passport") {
    if (body.has(combined_field)) return body.identifier(combined_field, "passport");
    const std::string series = body.text(series_field, 64);
    const std::string number = body.text(number_field, 64);
    return identifier(series + number, "passport", std::string(series_field) + "+" + number_field);
}

struct PassportVerdict {
    PassportStatus status = PassportStatus::not_found;
    std::string reason;
    std::optional<Date> lost_date;
};

PassportVerdict judge(const PassportHit& hit, Date today) {
    PassportVerdict v;
    const Passport& p = *hit.passport;
    if (p.lost_days_ago) {
        v.status = PassportStatus::lost;
        v.reason = "reported_lost";
        v.lost_date = today - chr::days{*p.lost_days_ago};
    } else if (!hit.current) {
        v.status = PassportStatus::expired;
        v.reason = "replaced";
    } else if (p.valid_until && today > *p.valid_until) {
        v.status = PassportStatus::expired;
        v.reason = "age_limit";
    } else {
        v.status = PassportStatus::valid;
    }
    return v;
}

json tax_item_json(const TaxItem& t, Date today, const std::optional<ChargePayment>& portal_payment) {
    const int this_year = int(chr::year_month_day{today}.year());
    const int year = this_year - t.year_offset;
    const Date due{chr::year{year + 1} / chr::December / 1};
    std::int64_t paid = t.paid;
    if (portal_payment) paid = t.amount;
    const std::int64_t owed = t.amount - paid;
    return {{"uin", t.uin}, {"kind", t.kind}, {"name", t.name}, {"year", year}, {"object", t.object},
            {"amount", t.amount}, {"paid", paid}, {"owed", owed}, {"due_date", format_date(due)},
            {"overdue", owed > 0 && today > due}, {"kbk", t.kbk}, {"oktmo", t.oktmo}};
}

// Identity documents of foreign citizens (ID-5), from foreign_documents.json
// next to people.json; without the file the ministry knows none.
std::shared_ptr<const json> load_foreign_documents(const std::string& dir) {
    std::ifstream in(dir + "/foreign_documents.json", std::ios::binary);
    if (!in) return std::make_shared<const json>(json::array());
    return std::make_shared<const json>(json::parse(in).value("documents", json::array()));
}

std::string upper_ascii(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

void Sandbox::register_identity_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};

    // ---- Pension Fund: does this SNILS belong to this person?
    router_.post("/pfr/snils/check", [this](Request& req) {
        Body body(req);
        const std::string snils = body.identifier("snils", "snils");
        const PersonQuery q = body.person();
        const auto gender = body.optional_text("gender", 16);
        if (gender && *gender != "male" && *gender != "female")
            throw ApiError(Status::bad_request, "request.invalid_field", "gender must be male or female", "gender");
        const Person* p = data_.by_snils(snils);
        std::string result = "not_found";
        if (p) result = person_matches(*p, q) && (!gender || *gender == p->gender) ? "match" : "mismatch";
        return Response::json({{"snils", snils}, {"result", result}});
    }, opts);

    // ---- Interior Ministry: is this passport valid, expired or lost, and whose is it?
    router_.post("/mvd/passport/check", [this](Request& req) {
        Body body(req);
        const std::string key = passport_key(body);
        const auto hit = data_.by_passport(key);
        json out = {{"series", key.substr(0, 4)}, {"number", key.substr(5)}};
        if (!hit) {
            out["status"] = "not_found";
            return Response::json(out);
        }
        const Date now = today();
        const PassportVerdict v = judge(*hit, now);
        const Passport& p = *hit->passport;
        out["status"] = to_string(v.status);
        if (!v.reason.empty()) out["reason"] = v.reason;
        out["issue_date"] = format_date(p.issue_date);
        out["department_code"] = p.department_code;
        out["valid_until"] = p.valid_until ? json(format_date(*p.valid_until)) : json(nullptr);
        if (v.lost_date) out["lost_date"] = format_date(*v.lost_date);
        out["owner"] = owner_json(*hit->person);
        // When the caller says whose it should be, say whether that is so.
        if (body.has("surname") || body.has("name") || body.has("birth_date")) {
            const PersonQuery q = body.person();
            bool matches = person_matches(*hit->person, q);
            if (auto issued = body.has("issue_date") ? std::optional<Date>(body.date("issue_date")) : std::nullopt)
                matches = matches && *issued == p.issue_date;
            if (auto code = body.optional_text("department_code", 64))
                matches = matches && identifier(*code, "department_code", "department_code") == p.department_code;
            out["owner_matches"] = matches;
        }
        return Response::json(out);
    }, opts);

    // ---- Interior Ministry: is this foreign citizen's document known and valid, and whose is it?
    router_.post("/mvd/foreign-documents/check", [docs = load_foreign_documents(options().data_dir)](Request& req) {
        Body body(req);
        const std::string country = upper_ascii(body.text("country", 2));
        const std::string number = upper_ascii(body.text("number", 64));
        json out = {{"country", country}, {"number", number}, {"status", "not_found"}};
        for (const json& d : *docs) {
            if (d.value("country", "") != country || d.value("number", "") != number) continue;
            const std::string expiry = d.value("expiry_date", "");
            out["status"] = expiry < format_date(today()) ? "expired" : "valid";
            out["expiry_date"] = expiry;
            out["owner_matches"] = upper_ascii(body.text("surname_latin", 100)) == d.value("surname_latin", "") &&
                                   upper_ascii(body.text("name_latin", 100)) == d.value("name_latin", "") &&
                                   body.text("birth_date", 10) == d.value("birth_date", "");
        }
        return Response::json(out);
    }, opts);

    // ---- Tax service: the INN of a person (full name, birth date and passport).
    router_.post("/fns/inn/find", [this](Request& req) {
        Body body(req);
        const PersonQuery q = body.person();
        const std::string key = passport_key(body, "passport_series", "passport_number", "passport");
        const auto hit = data_.by_passport(key);
        if (hit && person_matches(*hit->person, q))
            return Response::json({{"result", "found"}, {"inn", hit->person->inn}});
        return Response::json({{"result", "not_found"}});
    }, opts);

    router_.get("/fns/taxpayers/{inn}/taxes", [this](Request& req) {
        const std::string inn = identifier(req.param("inn"), "inn_person", "inn");
        const Person* p = data_.by_inn(inn);
        if (!p) throw ApiError(Status::not_found, "fns.taxpayer_not_found", "no taxpayer with this INN");
        const Date now = today();
        json items = json::array();
        std::int64_t accrued = 0, paid = 0, owed = 0, overdue = 0;
        for (const TaxItem& t : p->taxes) {
            json item = tax_item_json(t, now, charge_payment(t.uin));
            accrued += t.amount;
            paid += item["paid"].get<std::int64_t>();
            owed += item["owed"].get<std::int64_t>();
            if (item["overdue"].get<bool>()) overdue += item["owed"].get<std::int64_t>();
            items.push_back(std::move(item));
        }
        return Response::json({{"inn", inn}, {"accrued", accrued}, {"paid", paid}, {"owed", owed},
                               {"overdue", overdue}, {"items", items}});
    }, opts);

    router_.get("/fns/taxpayers/{inn}/property", [this](Request& req) {
        const std::string inn = identifier(req.param("inn"), "inn_person", "inn");
        const Person* p = data_.by_inn(inn);
        if (!p) throw ApiError(Status::not_found, "fns.taxpayer_not_found", "no taxpayer with this INN");
        json vehicles = json::array();
        for (const Vehicle& v : p->vehicles)
            vehicles.push_back({{"make", v.make}, {"model", v.model}, {"year", v.year}, {"vin", v.vin},
                                {"plate", v.plate}, {"engine_hp", v.engine_hp},
                                {"registered_date", format_date(v.registered_date)}});
        return Response::json({{"inn", inn},
                               {"real_estate", p->property.value("real_estate", json::array())},
                               {"land", p->property.value("land", json::array())},
                               {"vehicles", vehicles}});
    }, opts);

    // EGRUL / EGRIP extract by OGRN, OGRNIP or the INN of an organisation.
    router_.get("/fns/organisations/{id}", [this](Request& req) {
        const std::string raw = req.param("id");
        std::string digits;
        for (char c : raw)
            if (c != ' ' && c != '-') digits += c;
        std::string_view kind = digits.size() == 13 ? "ogrn" : digits.size() == 15 ? "ogrnip"
                                : digits.size() == 12 ? "inn_person" : "inn_org";
        const std::string id = identifier(raw, kind, "id");
        const Organisation* o = data_.organisation(id);
        if (!o && kind == "inn_person") {
            for (const Organisation& x : data_.organisations())
                if (x.kind == "entrepreneur" && x.inn == id) o = &x;
        }
        if (!o) throw ApiError(Status::not_found, "fns.organisation_not_found", "no organisation with this number");
        return Response::json(o->record);
    }, opts);
}

}  // namespace uslugi::registries::sandbox
