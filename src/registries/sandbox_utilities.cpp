// A utilities payee (a settlement centre, an energy retailer, a managing
// company) as the portal sees it: monthly invoices by personal account number
// with the services, meter readings or flat rates, the amount, the due date,
// the payee's bank details and a UIN; and the message that an invoice was paid
// through the portal (PAY-1, PAY-3). Demo accounts: data/registries/utilities.json.
//
// Faults apply as to every registry: /admin/faults/utilities.
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <memory>

namespace uslugi::registries::sandbox {

namespace chr = std::chrono;

namespace {

struct UtilityService {
    std::string name, unit, meter;
    std::optional<std::int64_t> previous, current;  // metered: readings
    double quantity = 0;                             // flat rate: m², residents, Gcal
    std::int64_t tariff = 0;                         // kopecks per unit
    bool metered() const { return previous && current; }
    std::int64_t amount() const {
        return metered() ? (*current - *previous) * tariff : std::llround(quantity * double(tariff));
    }
};

struct UtilityInvoice {
    int months_ago = 1;
    bool paid = false;
    std::vector<UtilityService> services;
};

struct UtilityAccount {
    std::string number, payee, holder, address;
    std::vector<UtilityInvoice> invoices;
};

struct UtilitiesData {
    std::map<std::string, json> payees;
    std::vector<UtilityAccount> accounts;
    const UtilityAccount* account(const std::string& number) const {
        for (const auto& a : accounts)
            if (a.number == number) return &a;
        return nullptr;
    }
};

UtilityService service_from(const json& j) {
    UtilityService s;
    s.name = j.at("name").get<std::string>();
    s.unit = j.value("unit", "");
    s.meter = j.value("meter", "");
    if (j.contains("previous")) s.previous = j.at("previous").get<std::int64_t>();
    if (j.contains("current")) s.current = j.at("current").get<std::int64_t>();
    s.quantity = j.value("quantity", 0.0);
    s.tariff = j.at("tariff").get<std::int64_t>();
    if (s.metered() && *s.current < *s.previous) throw std::runtime_error("a meter reading goes back: " + s.name);
    return s;
}

std::shared_ptr<const UtilitiesData> load(const std::string& file) {
    auto data = std::make_shared<UtilitiesData>();
    std::ifstream in(file);
    if (!in) return data;  // a data directory without utilities: every account unknown
    const json j = json::parse(in);
    for (const auto& [key, payee] : j.at("payees").items()) data->payees[key] = payee;
    for (const json& a : j.at("accounts")) {
        UtilityAccount acc{a.at("number").get<std::string>(), a.at("payee").get<std::string>(),
                           a.value("holder", ""), a.value("address", ""), {}};
        if (!data->payees.count(acc.payee)) throw std::runtime_error("utilities: unknown payee " + acc.payee);
        for (const json& i : a.at("invoices")) {
            UtilityInvoice inv{i.value("months_ago", 1), i.value("paid", false), {}};
            for (const json& s : i.at("services")) inv.services.push_back(service_from(s));
            acc.invoices.push_back(std::move(inv));
        }
        data->accounts.push_back(std::move(acc));
    }
    return data;
}

chr::year_month period_of(const UtilityInvoice& inv, Date now) {
    return chr::year_month_day{now}.year() / chr::year_month_day{now}.month() - chr::months{inv.months_ago};
}

// "30" + the account (11 digits) + YYYYMM, and the control digit: one UIN per account and month.
std::string invoice_uin(const std::string& account, chr::year_month period) {
    const std::string first19 = fmt::format("30{:0>11}{:04d}{:02d}", account.substr(0, 11), int(period.year()),
                                            unsigned(period.month()));
    return first19 + core::uin_control_digit(first19);
}

constexpr const char* kMonths[] = {"январь", "февраль", "март",     "апрель",  "май",    "июнь",
                                   "июль",   "август",  "сентябрь", "октябрь", "ноябрь", "декабрь"};

json invoice_json(const UtilitiesData& d, const UtilityAccount& a, const UtilityInvoice& inv, Date now,
                  const std::optional<ChargePayment>& portal_payment) {
    const auto period = period_of(inv, now);
    json services = json::array();
    std::int64_t total = 0;
    for (const auto& s : inv.services) {
        json j = {{"name", s.name}, {"unit", s.unit}, {"tariff", s.tariff}, {"amount", s.amount()},
                  {"kind", s.metered() ? "metered" : "flat"}};
        if (s.metered()) {
            j["previous"] = *s.previous;
            j["current"] = *s.current;
            j["quantity"] = fmt::format("{}", *s.current - *s.previous);
            if (!s.meter.empty()) j["meter"] = s.meter;
        } else {
            j["quantity"] = fmt::format("{:.2f}", s.quantity);
        }
        total += s.amount();
        services.push_back(std::move(j));
    }
    // Housing code art. 155: paid by the 10th of the month after the period.
    const Date due = Date{(period + chr::months{1}) / 10};
    const bool paid = inv.paid || portal_payment.has_value();
    json j = {{"uin", invoice_uin(a.number, period)},
              {"account", a.number},
              {"period", fmt::format("{:04d}-{:02d}", int(period.year()), unsigned(period.month()))},
              {"period_title", fmt::format("{} {} г.", kMonths[unsigned(period.month()) - 1], int(period.year()))},
              {"services", services},
              {"amount", total},
              {"due_date", format_date(due)},
              {"payee", d.payees.at(a.payee)},
              {"address", a.address},
              {"holder", a.holder},
              {"paid", paid}};
    if (portal_payment) j["paid_date"] = format_date(chr::floor<chr::days>(portal_payment->at));
    return j;
}

// A personal account number: 6 to 20 digits.
std::string account_number(std::string_view value) {
    std::string digits;
    for (char c : value)
        if (c != ' ' && c != '-') digits += c;
    if (digits.size() < 6 || digits.size() > 20 || digits.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(Status::unprocessable_entity, "utilities.account_format",
                       "a personal account number has 6 to 20 digits", "account");
    return digits;
}

Response list_invoices(Sandbox& s, const UtilitiesData& d, Request& req) {
    const auto given = req.query().get("account");
    if (!given) throw ApiError(Status::bad_request, "request.missing_field", "account is required", "account");
    const std::string number = account_number(*given);
    const bool include_paid = req.query().get_or("include_paid", "") == "1";
    const Date now = today();
    const UtilityAccount* a = d.account(number);
    json invoices = json::array();
    std::int64_t total_due = 0;
    if (a)
        for (const auto& inv : a->invoices) {
            json j = invoice_json(d, *a, inv, now, s.charge_payment(invoice_uin(a->number, period_of(inv, now))));
            if (j["paid"].get<bool>() && !include_paid) continue;
            if (!j["paid"].get<bool>()) total_due += j["amount"].get<std::int64_t>();
            invoices.push_back(std::move(j));
        }
    return Response::json(
        {{"account", number}, {"account_found", a != nullptr}, {"invoices", invoices}, {"total_due", total_due}});
}

// The invoice of `uin` with its account, or nothing.
std::optional<std::pair<const UtilityAccount*, const UtilityInvoice*>> find_invoice(const UtilitiesData& d,
                                                                                    const std::string& uin, Date now) {
    for (const auto& a : d.accounts)
        for (const auto& inv : a.invoices)
            if (invoice_uin(a.number, period_of(inv, now)) == uin) return std::make_pair(&a, &inv);
    return std::nullopt;
}

Response show_invoice(Sandbox& s, const UtilitiesData& d, Request& req) {
    const std::string uin = identifier(req.param("uin"), "uin", "uin");
    const Date now = today();
    const auto hit = find_invoice(d, uin, now);
    if (!hit) throw ApiError(Status::not_found, "utilities.invoice_not_found", "no invoice with this UIN");
    return Response::json(invoice_json(d, *hit->first, *hit->second, now, s.charge_payment(uin)));
}

// The portal says the invoice is paid: once per payment; another payment of a paid invoice is 409.
Response pay_invoice(Sandbox& s, const UtilitiesData& d, Request& req) {
    Body body(req);
    const std::string uin = identifier(req.param("uin"), "uin", "uin");
    const std::string payment_id = body.text("payment_id", 100);
    const std::int64_t amount = body.integer("amount", 1, 100'000'000'000);
    const Date now = today();
    const auto hit = find_invoice(d, uin, now);
    if (!hit) throw ApiError(Status::not_found, "utilities.charge_not_found", "no invoice with this UIN");
    if (hit->second->paid) throw ApiError(Status::conflict, "charge.already_paid", "this invoice is already paid");
    const std::int64_t due = invoice_json(d, *hit->first, *hit->second, now, std::nullopt)["amount"].get<std::int64_t>();
    std::lock_guard lock(s.mutex_);
    if (auto it = s.charges_paid_.find(uin); it != s.charges_paid_.end()) {
        if (it->second.payment_id != payment_id)
            throw ApiError(Status::conflict, "charge.already_paid", "this invoice is already paid by another payment");
        return Response::json({{"uin", uin}, {"status", "paid"}, {"payment_id", payment_id},
                               {"amount", it->second.amount}, {"paid_at", iso_time(it->second.at)}});
    }
    if (amount < due)
        throw ApiError(Status::unprocessable_entity, "charge.amount_insufficient",
                       fmt::format("the amount due is {} kopecks", due), "amount");
    const ChargePayment cp{payment_id, amount, Clock::now()};
    s.charges_paid_[uin] = cp;
    return Response::json({{"uin", uin}, {"status", "paid"}, {"payment_id", payment_id}, {"amount", amount},
                           {"paid_at", iso_time(cp.at)}});
}

}  // namespace

void Sandbox::register_utilities_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    std::shared_ptr<const UtilitiesData> data = load(options_.data_dir + "/utilities.json");
    router_.get("/utilities/invoices", [this, data](Request& req) { return list_invoices(*this, *data, req); }, opts);
    router_.get("/utilities/invoices/{uin}", [this, data](Request& req) { return show_invoice(*this, *data, req); },
                opts);
    router_.post("/utilities/invoices/{uin}/payment",
                 [this, data](Request& req) { return pay_invoice(*this, *data, req); }, opts);
}

}  // namespace uslugi::registries::sandbox
