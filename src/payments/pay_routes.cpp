// Paying (PAY-2) and the payments of the signed-in account (PAY-3): start a
// payment of the chosen charges, go to the acquirer's page, come back, see the
// state, and the history with filters. Another account's payment is a 404.
#include "core/log.hpp"
#include "core/format.hpp"
#include "core/time.hpp"
#include "http/twin_routes.hpp"
#include "payments/route_kit.hpp"

namespace uslugi::payments {

using http::Data;
using http::Request;
using http::Response;
using http::Status;
using nlohmann::json;

namespace {

struct PayAnswer {
    std::optional<Started> started;
    std::optional<PaymentError> error;
};

// The charges and the attempt's key: the form's uin fields and hidden key, or
// the API's {"uins": […]} with the Idempotency-Key header.
struct PayRequest {
    std::vector<std::string> uins;
    std::string key;
    std::string method = "card";  // the card when the request names none
};

PayRequest pay_request(Request& req) {
    PayRequest r;
    if (!req.path().starts_with("/api/")) {
        for (auto u : req.form().all("uin")) r.uins.emplace_back(u.substr(0, 40));
        r.key = req.form().get_or("idempotency_key", "");
        r.method = req.form().get_or("method", "card").substr(0, 20);
        return r;
    }
    const json j = json::parse(req.body().empty() ? "{}" : req.body(), nullptr, false);
    if (j.is_object() && j.contains("uins") && j.at("uins").is_array())
        for (const auto& u : j.at("uins"))
            if (u.is_string()) r.uins.push_back(u.get<std::string>().substr(0, 40));
    if (j.is_object() && j.contains("method")) r.method = j.at("method").is_string() ? j.at("method").get<std::string>().substr(0, 20) : "";
    r.key = std::string(req.header("Idempotency-Key"));
    return r;
}

PayAnswer pay(const Kit& kit, Request& req) {
    PayAnswer a;
    const PayRequest r = pay_request(req);
    try {
        // The printed receipt is not paid here: only the acquirer's methods start a payment.
        const auto method = method_from_string(r.method);
        if (!method || !through_acquirer(*method)) throw PaymentError("payments.method", "method");
        a.started = kit->service->start(req.account->id, r.uins, *method, r.key);
    } catch (const PaymentError& e) {
        a.error = e;
    }
    return a;
}

Response message_page(const Kit& kit, Request& req, const std::string& text, Status status) {
    const core::Locale& t = kit->renderer.locale(req);
    Data d;
    d.set("message", text);
    return kit->renderer.page(req, "payments/message", d, t.text("payments.error.title"), status);
}

Response pay_page(const Kit& kit, Request& req, const PayAnswer& a) {
    if (a.error) return message_page(kit, req, error_text(kit->renderer.locale(req), a.error->code()), status_of(*a.error));
    // Our own page first, with the way on to the bank: the form's page may
    // send its forms only to the portal (CSP form-action 'self'), redirects included.
    return Response::redirect("/payments/" + a.started->payment.public_id);
}

Response pay_json(const Kit& kit, Request& req, const PayAnswer& a) {
    if (a.error) return api_error(req, kit->renderer.locale(req), *a.error);
    json j = payment_json(a.started->payment);
    j["acquirer_unavailable"] = a.started->acquirer_unavailable;
    return Response::json(j, a.started->created ? Status::created : Status::ok);
}

std::optional<Payment> own(const Kit& kit, const Request& req) {
    return kit->service->payment_of(req.account->id, req.param("id"));
}

Response not_found(const Kit& kit, Request& req) {
    if (req.wants_json())
        return Response::json_error(Status::not_found, "payments.not_found",
                                    kit->renderer.locale(req).text("payments.error.not_found"));
    return kit->renderer.error_page(req, Status::not_found);
}

Response show(const Kit& kit, Request& req) {
    const auto p = own(kit, req);
    if (!p) return not_found(kit, req);
    if (req.wants_json()) return Response::json(payment_json(*p));
    const core::Locale& t = kit->renderer.locale(req);
    return kit->renderer.page(req, "payments/payment", payment_data(*p, t, req), t.text("payments.payment.title"));
}

// Asks the acquirer now; a bank that does not answer leaves the payment as it
// was (the sweeper asks again later).
Payment refreshed(const Kit& kit, const Payment& p) {
    try {
        return kit->service->sync(p.public_id, "account:" + std::to_string(p.account_id));
    } catch (const registries::RegistryUnavailable& e) {
        core::app_log().warn("payments: the acquirer did not say how payment {} went: {}", p.public_id, e.what());
        return p;
    } catch (const registries::RegistryRejected& e) {
        core::app_log().warn("payments: the acquirer refused to say how payment {} went: {}", p.public_id, e.code());
        return p;
    }
}

Response come_back(const Kit& kit, Request& req) {
    const auto p = own(kit, req);
    if (!p) return not_found(kit, req);
    refreshed(kit, *p);  // the query string says nothing we believe
    return Response::redirect("/payments/" + p->public_id);
}

Response check(const Kit& kit, Request& req) {
    const auto p = own(kit, req);
    if (!p) return not_found(kit, req);
    const Payment now = refreshed(kit, *p);
    if (req.wants_json()) return Response::json(payment_json(now));
    return Response::redirect("/payments/" + p->public_id);
}

Response go_on(const Kit& kit, Request& req) {
    const auto p = own(kit, req);
    if (!p) return not_found(kit, req);
    kit->service->open_checkout(*p);
    return Response::redirect("/payments/" + p->public_id);
}

// ---- the hub and the history -----------------------------------------------------------------------

constexpr const char* kFilterStates[] = {"",          "awaiting_confirmation", "succeeded", "failed",
                                        "cancelled", "expired",               "refunded"};

HistoryFilter filter_of(const Request& req, std::string& problem) {
    HistoryFilter f;
    const std::string state = req.query().get_or("state", "");
    for (const char* s : kFilterStates)
        if (state == s) f.state = state;
    const std::string from = req.query().get_or("from", ""), to = req.query().get_or("to", "");
    if (!from.empty()) {
        if (auto d = core::parse_iso_date(from)) f.from = std::chrono::system_clock::to_time_t(*d);
        else problem = "from";
    }
    if (!to.empty()) {
        if (auto d = core::parse_iso_date(to)) f.to = std::chrono::system_clock::to_time_t(*d + std::chrono::days{1});
        else problem = "to";
    }
    return f;
}

Response hub(const Kit& kit, Request& req) {
    kit->app.ensure_csrf(req);
    const core::Locale& t = kit->renderer.locale(req);
    Data d;
    d.set("signed_in", req.account != nullptr);
    if (req.account) {
        std::string problem;
        const HistoryFilter f = filter_of(req, problem);
        Data list{Data::type::list};
        for (const Payment& p : kit->service->history(req.account->id, f)) list.push_back(payment_data(p, t, req));
        d.set("payments", list);
        d.set("no_payments", list.is_empty_list());
        d.set("from", req.query().get_or("from", "").substr(0, 10));
        d.set("to", req.query().get_or("to", "").substr(0, 10));
        d.set("filter_error", problem.empty() ? Data(false) : Data(t.text("payments.history.bad_date")));
        Data states{Data::type::list};
        for (const char* s : kFilterStates) {
            Data o;
            o.set("value", std::string(s));
            o.set("label", t.text(std::string("payments.filter.") + (*s ? s : "any")));
            o.set("selected", f.state == s);
            states.push_back(o);
        }
        d.set("states", states);
        kit->service->look_for_own_charges(req.account->id);
        Data fees{Data::type::list};
        for (const Charge& c : kit->service->charges_of(req.account->id))
            if (!c.paid) fees.push_back(charge_data(c, t, req.lang));
        for (const Charge& c : kit->service->own_charges(req.account->id))
            if (!c.paid) fees.push_back(charge_data(c, t, req.lang));
        d.set("fees", fees);
        d.set("has_fees", !fees.is_empty_list());
        d.set("attempt_key", new_attempt_key());
    }
    return kit->renderer.page(req, "payments/home", d, t.text("payments.home.title"));
}

Response history_json(const Kit& kit, Request& req) {
    std::string problem;
    const HistoryFilter f = filter_of(req, problem);
    if (!problem.empty())
        return Response::json_error(Status::unprocessable_entity, "payments.bad_date",
                                    kit->renderer.locale(req).text("payments.history.bad_date"));
    json list = json::array();
    for (const Payment& p : kit->service->history(req.account->id, f)) list.push_back(payment_json(p));
    kit->service->look_for_own_charges(req.account->id);
    json own = json::array();
    for (const Charge& c : kit->service->own_charges(req.account->id)) own.push_back(charge_json(c));
    for (const Charge& c : kit->service->charges_of(req.account->id)) own.push_back(charge_json(c));
    return Response::json({{"payments", list}, {"charges", own}});
}

}  // namespace

void register_pay_routes(const Kit& kit) {
    const http::RouteOptions signed_in = http::for_signed_in();
    kit->router.get("/payments", [kit](Request& req) { return hub(kit, req); });
    kit->router.get("/api/v1/payments", [kit](Request& req) { return history_json(kit, req); }, signed_in);
    http::post_twins(
        kit->router, {"/payments/pay", "/api/v1/payments"}, [kit](Request& req) { return pay(kit, req); },
        [kit](Request& req, const PayAnswer& a) { return pay_page(kit, req, a); },
        [kit](Request& req, const PayAnswer& a) { return pay_json(kit, req, a); }, signed_in);
    kit->router.get("/payments/{id}", [kit](Request& req) { return show(kit, req); }, signed_in);
    kit->router.get("/api/v1/payments/{id}", [kit](Request& req) { return show(kit, req); }, signed_in);
    kit->router.get("/payments/{id}/return", [kit](Request& req) { return come_back(kit, req); }, signed_in);
    kit->router.post("/payments/{id}/check", [kit](Request& req) { return check(kit, req); }, signed_in);
    kit->router.post("/api/v1/payments/{id}/check", [kit](Request& req) { return check(kit, req); }, signed_in);
    kit->router.post("/payments/{id}/continue", [kit](Request& req) { return go_on(kit, req); }, signed_in);
}

}  // namespace uslugi::payments
