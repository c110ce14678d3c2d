// The demo acquirer's hosted payment page: the portal opens a checkout (amount,
// order, where to come back) without any card data, sends the payer's browser
// to the bank's own page, and the card number is typed there only — it never
// passes through the portal (PAY-2). After the card (and, for the 3-D Secure
// test card, the code) the bank sends the browser back to return_url; the
// portal then asks the bank for the outcome and never trusts the query string.
// A checkout nobody finishes can be cancelled by the portal (it expired).
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

namespace uslugi::registries::sandbox {

namespace {

std::string checkout_base(const Request& req) {
    std::string host(req.header(http::bhttp::field::host));
    if (host.empty() || host.find_first_of(" \r\n/\\@") != std::string::npos) host = "127.0.0.1";
    return "http://" + host;
}

bool http_url(std::string_view uri) {
    if (!(uri.starts_with("http://") || uri.starts_with("https://")) || uri.size() > 2000) return false;
    for (unsigned char c : uri)
        if (c < 0x21 || c == '"' || c == '<' || c == '>' || c == '\\') return false;
    return true;
}

std::string back_to(const Payment& p) {
    std::string url = p.return_url;
    url += url.find('?') == std::string::npos ? '?' : '&';
    return url + "payment_id=" + http::url_encode(p.id) + "&status=" + http::url_encode(p.status);
}

json checkout_json(const Payment& p, const std::string& base) {
    json j = {{"id", p.id}, {"status", p.status}, {"amount", p.amount}, {"currency", p.currency},
              {"description", p.description}, {"order_id", p.order_id}, {"url", base + "/bank/checkout/" + p.id},
              {"created_at", iso_time(p.created)}};
    if (!p.decline_reason.empty()) j["decline_reason"] = p.decline_reason;
    if (!p.card_last4.empty()) j["card"] = {{"last4", p.card_last4}, {"brand", p.card_brand}};
    return j;
}

Response create_checkout(Sandbox& s, Request& req) {
    const std::string key(req.header("Idempotency-Key"));
    if (key.empty())
        throw ApiError(Status::bad_request, "idempotency.missing_key", "the Idempotency-Key header is required",
                       "Idempotency-Key");
    Body body(req);
    const std::string base = checkout_base(req);
    return s.idempotent("bank/checkouts", key, body.raw().dump(), [&] {
        Payment p;
        p.id = random_id("pay_");
        p.amount = body.integer("amount", 1, 100'000'000'000);
        p.description = body.optional_text("description", 500).value_or("");
        p.order_id = body.text("order_id", 100);
        p.return_url = body.text("return_url", 2000);
        if (!http_url(p.return_url))
            throw ApiError(Status::bad_request, "request.invalid_field", "return_url must be an http(s) URL", "return_url");
        p.status = "pending";
        p.created = Clock::now();
        std::lock_guard lock(s.mutex_);
        s.payments_[p.id] = p;
        return Response::json(checkout_json(p, base), Status::created);
    });
}

// A copy of the checkout `id`; 404 when there is none.
Payment checkout_of(Sandbox& s, const std::string& id) {
    std::lock_guard lock(s.mutex_);
    auto it = s.payments_.find(id);
    if (it == s.payments_.end()) throw ApiError(Status::not_found, "payment.not_found", "no payment with this id");
    return it->second;
}

http::Data form_data(const Payment& p) {
    http::Data d;
    d.set("id", p.id);
    d.set("amount", fmt::format("{},{:02d} ₽", p.amount / 100, p.amount % 100));
    d.set("description", p.description);
    d.set("pending", p.status == "pending");
    d.set("status", p.status);
    return d;
}

Response show_checkout(Sandbox& s, Request& req) {
    const Payment p = checkout_of(s, req.param("id"));
    return s.page("bank_checkout", form_data(p), "Оплата картой");
}

// The card's problem in words for the form, or "" when it is fine.
std::string card_problem(const std::string& digits, const std::string& expiry, const std::string& cvc) {
    if (digits.size() < 12 || digits.find_first_not_of("0123456789") != std::string::npos || !luhn_valid(digits))
        return "Номер карты указан неверно.";
    unsigned month = 0, year = 0;
    if (expiry.size() != 5 || expiry[2] != '/' || std::sscanf(expiry.c_str(), "%2u/%2u", &month, &year) != 2 ||
        month < 1 || month > 12)
        return "Срок действия — в виде ММ/ГГ.";
    const std::chrono::year_month_day now{today()};
    const int y = 2000 + int(year);
    if (y < int(now.year()) || (y == int(now.year()) && month < unsigned(now.month()))) return "Срок действия карты истёк.";
    if (cvc.size() != 3 || cvc.find_first_not_of("0123456789") != std::string::npos) return "CVC — три цифры.";
    return "";
}

Response submit_checkout(Sandbox& s, Request& req) {
    const auto& form = req.form();
    std::string digits;
    for (char c : form.get_or("number", ""))
        if (c != ' ' && c != '-') digits += c;
    const std::string problem = card_problem(digits, form.get_or("expiry", ""), form.get_or("cvc", ""));
    Payment p;
    {
        std::lock_guard lock(s.mutex_);
        auto it = s.payments_.find(req.param("id"));
        if (it == s.payments_.end()) throw ApiError(Status::not_found, "payment.not_found", "no payment with this id");
        if (problem.empty() && it->second.status == "pending") {
            Payment& live = it->second;
            live.card_last4 = digits.substr(digits.size() - 4);
            live.card_brand = card_brand(digits);
            if (digits == "4000000000000002") {
                live.status = "declined";
                live.decline_reason = "insufficient_funds";
            } else {
                live.status = digits == "4000000000003220" ? "requires_action" : "succeeded";
            }
        }
        p = it->second;
    }
    if (!problem.empty() && p.status == "pending") {
        http::Data d = form_data(p);
        d.set("error", problem);
        return s.page("bank_checkout", d, "Оплата картой", Status::unprocessable_entity);
    }
    if (p.status == "requires_action") return Response::redirect("/bank/3ds/" + p.id);
    return Response::redirect(back_to(p));
}

// The portal gives up on a checkout nobody finished; a paid one stays paid (409).
Response cancel_checkout(Sandbox& s, Request& req) {
    std::lock_guard lock(s.mutex_);
    auto it = s.payments_.find(req.param("id"));
    if (it == s.payments_.end()) throw ApiError(Status::not_found, "payment.not_found", "no payment with this id");
    Payment& p = it->second;
    if (p.status == "pending" || p.status == "requires_action") p.status = "cancelled";
    if (p.status != "cancelled")
        throw ApiError(Status::conflict, "payment.invalid_state", "the payment is " + p.status + ", not pending");
    return Response::json(checkout_json(p, checkout_base(req)));
}

// The acquirer's list of the day's payments (UTC date), for reconciliation.
Response day_list(Sandbox& s, Request& req) {
    const std::string day = req.query().get_or("date", "");
    json list = json::array();
    std::int64_t total = 0;
    std::lock_guard lock(s.mutex_);
    for (const auto& [id, p] : s.payments_) {
        if (p.status != "succeeded" || iso_time(p.created).substr(0, 10) != day) continue;
        json j = checkout_json(p, checkout_base(req));
        j["refunded_amount"] = p.refunded();
        total += p.amount - p.refunded();
        list.push_back(std::move(j));
    }
    return Response::json({{"date", day}, {"payments", list}, {"total", total}});
}

}  // namespace

void Sandbox::register_checkout_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.post("/bank/checkouts", bind(create_checkout), opts);
    router_.get("/bank/checkout/{id}", bind(show_checkout), opts);
    router_.post("/bank/checkout/{id}", bind(submit_checkout), opts);
    router_.post("/bank/payments/{id}/cancel", bind(cancel_checkout), opts);
    router_.get("/bank/registry", bind(day_list), opts);
}

}  // namespace uslugi::registries::sandbox
