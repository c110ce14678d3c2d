// Traffic police fines, bailiffs' court debts, and the "charge paid" messages
// the portal sends to the authority after a payment (PAY-3).
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

namespace uslugi::registries::sandbox {

namespace chr = std::chrono;

namespace {

json fine_json(const Fine& f, Date now, const std::optional<ChargePayment>& portal_payment) {
    const Date decision = now - chr::days{f.decision_days_ago};
    const Date offence = now - chr::days{f.offence_days_ago};
    const bool paid = f.paid || portal_payment.has_value();
    const DiscountState d = fine_discount(f, decision, now, paid);
    json j = {{"uin", f.uin}, {"article", f.article}, {"description", f.description}, {"amount", f.amount},
              {"amount_due", d.amount_due}, {"offence_date", format_date(offence)}, {"offence_time", f.offence_time},
              {"decision_date", format_date(decision)}, {"place", f.place}, {"source", f.source}, {"paid", paid},
              {"discount", {{"eligible", d.eligible}, {"active", d.active}, {"rate_percent", d.rate_percent},
                            {"until", d.until ? json(format_date(*d.until)) : json(nullptr)}}}};
    if (!f.certificate.empty()) {
        j["certificate"] = f.certificate;
        j["plate"] = f.plate;
    }
    if (f.paid && f.paid_days_ago) j["paid_date"] = format_date(now - chr::days{*f.paid_days_ago});
    if (portal_payment) j["paid_date"] = format_date(chr::floor<chr::days>(portal_payment->at));
    return j;
}

json debt_json(const Person& p, const CourtDebt& d, Date now, const std::optional<ChargePayment>& portal_payment) {
    return {{"number", d.number}, {"opened_date", format_date(now - chr::days{d.opened_days_ago})},
            {"subject", d.subject}, {"amount", d.amount}, {"remaining", portal_payment ? 0 : d.remaining},
            {"department", d.department}, {"bailiff", d.bailiff}, {"phone", d.phone}, {"uin", d.uin},
            {"debtor", {{"name", p.full_name()}, {"birth_date", format_date(p.birth_date)},
                        {"region", p.region_code}}}};
}

bool truthy(std::string_view v) { return v == "1" || v == "true" || v == "yes"; }

// ---- Traffic police: fines by driver's licence or by vehicle registration certificate.

Response list_fines(Sandbox& s, Request& req) {
    const auto licence = req.query().get("licence");
    const auto certificate = req.query().get("certificate");
    if (!licence && !certificate)
        throw ApiError(Status::bad_request, "request.missing_field", "licence or certificate is required", "licence");
    if (licence && certificate)
        throw ApiError(Status::bad_request, "request.invalid_field", "give licence or certificate, not both", "certificate");
    const bool include_paid = truthy(req.query().get_or("include_paid", ""));
    const Date now = today();
    json fines = json::array();
    json document;
    const Person* owner = nullptr;
    std::int64_t total_due = 0;
    std::string number;
    if (licence) {
        number = identifier(*licence, "driver_licence", "licence");
        document = {{"type", "driver_licence"}, {"number", number}};
        owner = s.data().by_licence(number);
    } else {
        number = identifier(*certificate, "vehicle_certificate", "certificate");
        document = {{"type", "vehicle_certificate"}, {"number", number}};
        owner = s.data().by_certificate(number);
    }
    if (owner) {
        for (const Fine& f : owner->fines) {
            const bool mine = licence ? f.by == "licence" : (f.by == "certificate" && f.certificate == number);
            if (!mine) continue;
            json j = fine_json(f, now, s.charge_payment(f.uin));
            if (j["paid"].get<bool>() && !include_paid) continue;
            total_due += j["amount_due"].get<std::int64_t>();
            fines.push_back(std::move(j));
        }
    }
    return Response::json({{"document", document}, {"document_found", owner != nullptr}, {"fines", fines},
                           {"total_due", total_due}});
}

Response show_fine(Sandbox& s, Request& req) {
    const std::string uin = identifier(req.param("uin"), "uin", "uin");
    const auto hit = s.data().fine_by_uin(uin);
    if (!hit) throw ApiError(Status::not_found, "gibdd.fine_not_found", "no fine with this UIN");
    return Response::json(fine_json(*hit->fine, today(), s.charge_payment(uin)));
}

// ---- Bailiffs: court debts by region, full name and birth date (public by law).

Response search_debts(Sandbox& s, Request& req) {
    Body body(req);
    const std::string region = body.text("region", 8);
    if (region.size() < 2 || region.size() > 3 || region.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(Status::bad_request, "request.invalid_field", "region must be a region code of 2–3 digits", "region");
    const PersonQuery q = body.person();
    const Date now = today();
    json debts = json::array();
    std::int64_t total = 0;
    for (const Person& p : s.data().people()) {
        if (p.region_code != region || !person_matches(p, q)) continue;
        for (const CourtDebt& d : p.court_debts) {
            json j = debt_json(p, d, now, s.charge_payment(d.uin));
            total += j["remaining"].get<std::int64_t>();
            debts.push_back(std::move(j));
        }
    }
    return Response::json({{"region", region}, {"debts", debts}, {"total_remaining", total}});
}

// ---- The portal tells the authority that a charge is paid (fine, tax, court debt).

// What is due now on the charge `uin` of `registry`, or nothing when it has no such charge.
std::optional<std::int64_t> amount_due(const RegistryData& data, const std::string& registry, const std::string& uin) {
    const Date now = today();
    std::optional<std::int64_t> due;
    if (registry == "gibdd") {
        if (auto hit = data.fine_by_uin(uin)) {
            if (hit->fine->paid) throw ApiError(Status::conflict, "charge.already_paid", "this charge is already paid");
            due = fine_discount(*hit->fine, now - chr::days{hit->fine->decision_days_ago}, now, false).amount_due;
        }
        return due;
    }
    for (const Person& p : data.people()) {
        if (registry == "fns")
            for (const TaxItem& t : p.taxes)
                if (t.uin == uin) due = t.amount - t.paid;
        if (registry == "fssp")
            for (const CourtDebt& d : p.court_debts)
                if (d.uin == uin) due = d.remaining;
        if (due) break;
    }
    return due;
}

Response pay_charge(Sandbox& s, Request& req, const std::string& registry) {
    Body body(req);
    const std::string uin = identifier(req.param("uin"), "uin", "uin");
    const std::string payment_id = body.text("payment_id", 100);
    const std::int64_t amount = body.integer("amount", 1, 100'000'000'000);
    const std::optional<std::int64_t> due = amount_due(s.data(), registry, uin);
    if (!due) throw ApiError(Status::not_found, registry + ".charge_not_found", "no charge with this UIN");
    std::lock_guard lock(s.mutex_);
    if (auto it = s.charges_paid_.find(uin); it != s.charges_paid_.end()) {
        if (it->second.payment_id != payment_id)
            throw ApiError(Status::conflict, "charge.already_paid", "this charge is already paid by another payment");
        return Response::json({{"uin", uin}, {"status", "paid"}, {"payment_id", payment_id},
                               {"amount", it->second.amount}, {"paid_at", iso_time(it->second.at)}});
    }
    if (*due <= 0) throw ApiError(Status::conflict, "charge.already_paid", "nothing is owed on this charge");
    if (amount < *due)
        throw ApiError(Status::unprocessable_entity, "charge.amount_insufficient",
                       fmt::format("the amount due is {} kopecks", *due), "amount");
    const ChargePayment cp{payment_id, amount, Clock::now()};
    s.charges_paid_[uin] = cp;
    return Response::json({{"uin", uin}, {"status", "paid"}, {"payment_id", payment_id}, {"amount", amount},
                           {"paid_at", iso_time(cp.at)}});
}

}  // namespace

void Sandbox::register_debt_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.get("/gibdd/fines", bind(list_fines), opts);
    router_.get("/gibdd/fines/{uin}", bind(show_fine), opts);
    router_.post("/fssp/debts/search", bind(search_debts), opts);
    for (const char* registry : {"gibdd", "fns", "fssp"}) {
        router_.post(fmt::format("/{}/charges/{{uin}}/payment", registry),
                     [this, registry](Request& req) { return pay_charge(*this, req, registry); }, opts);
    }
}

}  // namespace uslugi::registries::sandbox
