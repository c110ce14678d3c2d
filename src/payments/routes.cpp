#include "payments/routes.hpp"

#include "core/crypto.hpp"
#include "core/format.hpp"
#include "core/time.hpp"
#include "db/transaction.hpp"
#include "payments/route_kit.hpp"

namespace uslugi::payments {

using http::Data;
using http::Request;
using http::Response;
using http::Status;
using nlohmann::json;

std::string error_text(const core::Locale& t, const std::string& code) {
    const std::string key = code.starts_with("payments.") ? "payments.error." + code.substr(9) : "validation." + code;
    return t.has(key) ? t.text(key) : t.text("payments.error.rejected");
}

Status status_of(const PaymentError& e) {
    if (e.code() == "payments.registry_unavailable") return Status::service_unavailable;
    if (e.code() == "payments.charge_held" || e.code() == "payments.charge_paid" ||
        e.code() == "payments.idempotency_conflict" || e.code() == "payments.refund_exceeds" ||
        e.code() == "payments.refund_state")
        return Status::conflict;
    if (e.code() == "payments.charge_unknown" || e.code() == "payments.not_found") return Status::not_found;
    return Status::unprocessable_entity;
}

Response api_error(const Request& req, const core::Locale& t, const PaymentError& e) {
    json body = {{"error", {{"code", e.code()}, {"message", error_text(t, e.code())}}}};
    if (!e.field().empty()) body["error"]["field"] = e.field();
    if (!e.detail().empty()) body["error"]["detail"] = e.detail();
    Response r = Response::json(body, status_of(e));
    if (r.status == Status::service_unavailable) r.set_header("Retry-After", "30");
    return r;
}

namespace {
std::string iso(const std::optional<Date>& d) { return d ? core::format_iso_date(*d) : std::string(); }
}  // namespace

Data charge_data(const Charge& c, const core::Locale& t, const std::string& lang) {
    Data d;
    d.set("uin", c.uin);
    d.set("source", t.text("payments.source." + std::string(to_string(c.source))));
    d.set("purpose", c.purpose);
    d.set("legal_basis", c.legal_basis);
    d.set("amount", core::format_rubles(c.amount, lang));
    d.set("amount_due", core::format_rubles(c.amount_due, lang));
    d.set("discounted", c.discount.active && c.amount_due < c.amount);
    d.set("discount_percent", std::to_string(c.discount.rate_percent));
    d.set("discount_until", c.discount.last_day ? core::format_long_date(*c.discount.last_day, lang) : "");
    d.set("has_due_date", c.due_date.has_value());
    d.set("due_date", c.due_date ? core::format_long_date(*c.due_date, lang) : "");
    d.set("paid", c.paid);
    d.set("payable", !c.paid && c.amount_due > 0);
    d.set("payee_name", c.payee.name);
    d.set("payee_inn", c.payee.inn);
    d.set("payee_kpp", c.payee.kpp);
    d.set("payee_account", c.payee.account);
    d.set("payee_bank", c.payee.bank_name);
    d.set("payee_bic", c.payee.bic);
    d.set("payee_corr", c.payee.corr_account);
    d.set("kbk", c.payee.kbk);
    d.set("oktmo", c.payee.oktmo);
    d.set("receipt_href", "/payments/charges/" + c.uin + "/receipt.pdf");
    return d;
}

json charge_json(const Charge& c) {
    return {{"uin", c.uin},
            {"source", to_string(c.source)},
            {"amount", c.amount},
            {"amount_due", c.amount_due},
            {"purpose", c.purpose},
            {"legal_basis", c.legal_basis},
            {"due_date", c.due_date ? json(iso(c.due_date)) : json()},
            {"discount",
             {{"eligible", c.discount.eligible},
              {"active", c.discount.active},
              {"rate_percent", c.discount.rate_percent},
              {"last_day", c.discount.last_day ? json(iso(c.discount.last_day)) : json()}}},
            {"payee", json::parse(payee_json(c.payee))},
            {"paid", c.paid}};
}

bool has_receipt(const Payment& p) { return p.state == PaymentState::succeeded || p.state == PaymentState::refunded; }

namespace {

// The refunds of a payment as its owner and the operator see them.
void add_refunds(Data& d, const Payment& p, const core::Locale& t, const Request& req) {
    Data list{Data::type::list};
    for (const Refund& r : p.refunds) {
        const std::string state(to_string(r.state));
        Data x;
        x.set("id", r.public_id);
        x.set("amount", core::format_rubles(r.amount, req.lang));
        x.set("state_label", t.text("payments.refund.state." + state));
        x.set("state_css", r.state == RefundState::succeeded ? "ok" : r.state == RefundState::failed ? "failed" : "pending");
        x.set("created", core::format_local(r.created_at, req.time_zone, req.lang));
        x.set("reason", r.reason);
        list.push_back(x);
    }
    d.set("refunds", list);
    d.set("has_refunds", !p.refunds.empty());
    d.set("refunded_total", p.refunded_amount ? Data(core::format_rubles(p.refunded_amount, req.lang)) : Data(false));
    const std::int64_t left = p.amount - p.refund_reserved;
    d.set("refundable", p.state == PaymentState::succeeded && left > 0);
    d.set("refund_left", core::format_rubles(left, req.lang));
}

}  // namespace

json refund_json(const Refund& r) {
    return {{"id", r.public_id},
            {"amount", r.amount},
            {"state", to_string(r.state)},
            {"reason", r.reason},
            {"failure", r.failure.empty() ? json() : json(r.failure)},
            {"created_at", core::format_utc(r.created_at)},
            {"finished_at", r.finished_at ? json(core::format_utc(r.finished_at)) : json()}};
}

Data payment_data(const Payment& p, const core::Locale& t, const Request& req) {
    const std::string state(to_string(p.state));
    Data d;
    d.set("id", p.public_id);
    d.set("href", "/payments/" + p.public_id);
    d.set("state", state);
    d.set("state_label", t.text("payments.state." + state));
    d.set("state_css", p.state == PaymentState::succeeded ? "ok" : is_final(p.state) ? "failed" : "pending");
    d.set("amount", core::format_rubles(p.amount, req.lang));
    d.set("created", core::format_local(p.created_at, req.time_zone, req.lang));
    d.set("succeeded", p.state == PaymentState::succeeded);
    d.set("awaiting", p.state == PaymentState::awaiting_confirmation && !p.action_url.empty());
    d.set("created_state", p.state == PaymentState::created);
    d.set("open", !is_final(p.state));
    d.set("action_url", p.action_url);
    d.set("method_label", t.text("payments.method." + std::string(to_string(p.method))));
    // The card keeps the module's own words about the bank's page.
    const std::string lead = "payments.method_lead." + std::string(to_string(p.method));
    d.set("to_provider_lead", t.text(t.has(lead) ? lead : "payments.payment.to_bank_lead"));
    // Sections test a value: an empty text must be false, or its box shows empty.
    d.set("card_last4", p.card_last4.empty() ? Data(false) : Data(p.card_last4));
    d.set("failure", p.failure.empty() ? Data(false)
                                       : Data(t.text("payments.failure." +
                                                     (t.has("payments.failure." + p.failure) ? p.failure : "other"))));
    d.set("receipt_href", "/payments/" + p.public_id + "/receipt.pdf");
    d.set("has_receipt", has_receipt(p));
    add_refunds(d, p, t, req);
    Data items{Data::type::list};
    for (const auto& i : p.items) {
        Data item;
        item.set("uin", i.uin);
        item.set("purpose", i.purpose);
        item.set("amount", core::format_rubles(i.amount, req.lang));
        item.set("payee_name", i.payee.name);
        items.push_back(item);
    }
    d.set("items", items);
    d.set("count", std::to_string(p.items.size()));
    return d;
}

json payment_json(const Payment& p) {
    json items = json::array();
    for (const auto& i : p.items)
        items.push_back({{"uin", i.uin}, {"source", to_string(i.source)}, {"amount", i.amount}, {"purpose", i.purpose},
                         {"reported", i.reported_at != 0}});
    json refunds = json::array();
    for (const Refund& r : p.refunds) refunds.push_back(refund_json(r));
    return {{"id", p.public_id},
            {"state", to_string(p.state)},
            {"method", to_string(p.method)},
            {"amount", p.amount},
            {"items", items},
            {"action_url", p.action_url.empty() ? json() : json(p.action_url)},
            {"failure", p.failure.empty() ? json() : json(p.failure)},
            {"card_last4", p.card_last4.empty() ? json() : json(p.card_last4)},
            {"created_at", core::format_utc(p.created_at)},
            {"expires_at", core::format_utc(p.expires_at)},
            {"finished_at", p.finished_at ? json(core::format_utc(p.finished_at)) : json()},
            {"receipt_url", has_receipt(p) ? json("/payments/" + p.public_id + "/receipt.pdf") : json()},
            {"refunded_amount", p.refunded_amount},
            {"refunds", refunds}};
}

std::string field(Request& req, const std::string& name) {
    if (req.path().starts_with("/api/")) {
        if (req.body().empty()) return "";
        const json j = json::parse(req.body(), nullptr, false);
        if (!j.is_object() || !j.contains(name) || !j.at(name).is_string()) return "";
        return j.at(name).get<std::string>();
    }
    return req.form().get_or(name, "");
}

std::string new_attempt_key() { return core::random_token(16); }

namespace {

// A state fee for the signed-in account through the charge interface, as the
// applications module will create one (test servers only).
Response create_test_fee(const Kit& kit, Request& req) {
    const json body = json::parse(req.body().empty() ? "{}" : req.body(), nullptr, false);
    if (!body.is_object() || !body.contains("amount") || !body.at("amount").is_number_integer())
        return Response::json_error(Status::bad_request, "request.invalid_field", "amount (kopecks) is required");
    const Charge c = db::transact(kit->service->store().database(), [&](soci::session& tx) {
        return kit->service->create_charge(tx, req.account->id, body.at("amount").get<std::int64_t>(),
                                           body.value("purpose", std::string("Государственная пошлина")),
                                           "Налоговый кодекс РФ, ст. 333.33", body.value("reference", std::string()));
    });
    return Response::json(charge_json(c), Status::created);
}

}  // namespace

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer, std::shared_ptr<PaymentService> service,
                     const std::string& font_dir, bool test_routes) {
    auto kit = std::make_shared<const RouteKit>(RouteKit{router, app, renderer, std::move(service), font_dir});
    // Literal paths first: the router takes the first pattern that matches.
    register_lookup_routes(kit);
    register_operator_routes(kit);
    register_receipt_routes(kit);
    register_pay_routes(kit);
    if (test_routes) {
        router.post("/test/payments/fees", [kit](Request& req) { return create_test_fee(kit, req); },
                    http::for_signed_in());
        router.post("/test/payments/sweep", [kit](Request&) {
            kit->service->sweep_now();
            return Response::json({{"queued", true}}, Status::accepted);
        }, http::RouteOptions{.csrf = false, .load_session = false});
    }
}

}  // namespace uslugi::payments
