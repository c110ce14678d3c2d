// The payments operator's page (role "payments", PAY-3): find any payment by
// its number and see its history, and reconcile a day's payments with the
// acquirer's list, every difference shown; refund a succeeded payment in full
// or in part with a reason (the form and POST /api/v1/payments/operator/
// payments/{id}/refunds with an Idempotency-Key).
#include "core/format.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "payments/route_kit.hpp"

namespace uslugi::payments {

using http::Data;
using http::Request;
using http::Response;
using http::Status;
using nlohmann::json;

namespace {

void add_payment(const Kit& kit, Request& req, Data& d, const std::string& id) {
    const core::Locale& t = kit->renderer.locale(req);
    const auto p = id.size() <= 64 ? kit->service->store().find(id) : std::nullopt;
    d.set("searched", true);
    if (!p) {
        d.set("not_found", true);
        return;
    }
    Data pd = payment_data(*p, t, req);
    pd.set("account", std::to_string(p->account_id));
    pd.set("acquirer_id", p->acquirer_id);
    Data events{Data::type::list};
    for (const auto& e : kit->service->store().events(p->id)) {
        Data ev;
        ev.set("at", core::format_local(e.at, req.time_zone, req.lang));
        ev.set("to", t.text("payments.state." + e.to));
        ev.set("actor", e.actor);
        ev.set("note", e.note.empty() ? Data(false) : Data(e.note));
        events.push_back(ev);
    }
    pd.set("events", events);
    d.set("payment", pd);
}

Data difference_data(const PaymentService::Difference& x, const core::Locale& t, const std::string& lang) {
    Data d;
    d.set("kind", t.text("payments.operator.diff." + x.kind));
    d.set("payment_id", x.payment_id);
    d.set("acquirer_id", x.acquirer_id);
    d.set("our_state", x.our_state.empty() ? "—" : t.text("payments.state." + x.our_state));
    d.set("our_amount", core::format_rubles(x.our_amount, lang));
    d.set("bank_amount", core::format_rubles(x.bank_amount, lang));
    return d;
}

Data page_data(const Kit& kit, Request& req, const std::string& id) {
    const core::Locale& t = kit->renderer.locale(req);
    Data d;
    d.set("attempt_key", new_attempt_key());
    const std::string date = req.query().get_or("date", "");
    d.set("payment_query", id.substr(0, 64));
    d.set("date", date.substr(0, 10));
    if (!id.empty()) add_payment(kit, req, d, id);
    if (!date.empty()) {
        const auto day = core::parse_iso_date(date);
        if (!day) {
            d.set("date_error", t.text("payments.history.bad_date"));
        } else {
            try {
                const auto r = kit->service->reconcile(*day);
                Data diffs{Data::type::list};
                for (const auto& x : r.differences) diffs.push_back(difference_data(x, t, req.lang));
                d.set("reconciled", true);
                d.set("differences", diffs);
                d.set("all_match", r.differences.empty());
                d.set("our_total", core::format_rubles(r.our_total, req.lang));
                d.set("bank_total", core::format_rubles(r.bank_total, req.lang));
                d.set("our_count", std::to_string(r.our_count));
                d.set("bank_count", std::to_string(r.bank_count));
            } catch (const registries::RegistryUnavailable&) {
                d.set("date_error", t.text("payments.operator.bank_unavailable"));
            }
        }
    }
    return d;
}

Response page(const Kit& kit, Request& req) {
    const core::Locale& t = kit->renderer.locale(req);
    Data d = page_data(kit, req, req.query().get_or("payment", ""));
    // Back from the refund form: what became of the refund.
    const std::string refund_id = req.query().get_or("refund", "");
    if (const auto r = refund_id.size() <= 64 && !refund_id.empty() ? kit->service->store().find_refund(refund_id)
                                                                     : std::nullopt)
        d.set("refund_notice", t.text("payments.refund.notice." + std::string(to_string(r->state))));
    return kit->renderer.page(req, "payments/operator", d, t.text("payments.operator.title"));
}

// ---- refunds ----

RefundRequest refund_form(Request& req) {
    RefundRequest r;
    r.payment_id = req.form().get_or("payment", "").substr(0, 64);
    const auto amount = parse_rubles(req.form().get_or("amount", "").substr(0, 40));
    if (!amount) throw PaymentError("payments.refund_amount", "amount");
    r.amount = *amount;
    r.reason = req.form().get_or("reason", "").substr(0, 2000);
    r.key = req.form().get_or("idempotency_key", "").substr(0, 200);
    r.operator_id = req.account->id;
    return r;
}

Response refund_page(const Kit& kit, Request& req) {
    const core::Locale& t = kit->renderer.locale(req);
    const std::string id = req.form().get_or("payment", "").substr(0, 64);
    try {
        const RefundResult done = kit->service->refund(refund_form(req));
        return Response::redirect("/payments/operator?payment=" + http::url_encode(done.payment.public_id) +
                                  "&refund=" + http::url_encode(done.refund.public_id));
    } catch (const PaymentError& e) {
        Data d = page_data(kit, req, id);
        d.set("refund_error", error_text(t, e.code()));
        d.set("refund_error_field", e.field() == "reason" ? "refund-reason" : "refund-amount");
        d.set("value_amount", req.form().get_or("amount", "").substr(0, 40));
        d.set("value_reason", req.form().get_or("reason", "").substr(0, 2000));
        return kit->renderer.page(req, "payments/operator", d, t.text("payments.operator.title"), status_of(e));
    }
}

Response refund_api(const Kit& kit, Request& req) {
    const core::Locale& t = kit->renderer.locale(req);
    const json body = json::parse(req.body().empty() ? "{}" : req.body(), nullptr, false);
    RefundRequest r;
    r.payment_id = req.param("id");
    r.key = std::string(req.header("Idempotency-Key"));
    r.operator_id = req.account->id;
    if (body.is_object() && body.contains("amount") && body.at("amount").is_number_integer())
        r.amount = body.at("amount").get<std::int64_t>();
    if (body.is_object() && body.contains("reason") && body.at("reason").is_string())
        r.reason = body.at("reason").get<std::string>().substr(0, 2000);
    try {
        if (!body.is_object() || !body.contains("amount") || !body.at("amount").is_number_integer())
            throw PaymentError("payments.refund_amount", "amount");
        const RefundResult done = kit->service->refund(r);
        return Response::json({{"refund", refund_json(done.refund)}, {"payment", payment_json(done.payment)}},
                              done.created ? Status::created : Status::ok);
    } catch (const PaymentError& e) {
        return api_error(req, t, e);
    }
}

Response reconcile_json(const Kit& kit, Request& req) {
    const auto day = core::parse_iso_date(req.query().get_or("date", ""));
    if (!day)
        return Response::json_error(Status::unprocessable_entity, "payments.bad_date",
                                    kit->renderer.locale(req).text("payments.history.bad_date"));
    PaymentService::Reconciliation r;
    try {
        r = kit->service->reconcile(*day);
    } catch (const registries::RegistryUnavailable&) {
        return Response::json_error(Status::service_unavailable, "payments.registry_unavailable",
                                    kit->renderer.locale(req).text("payments.operator.bank_unavailable"));
    }
    json diffs = json::array();
    for (const auto& x : r.differences)
        diffs.push_back({{"kind", x.kind}, {"payment_id", x.payment_id}, {"acquirer_id", x.acquirer_id},
                         {"our_state", x.our_state}, {"our_amount", x.our_amount}, {"bank_amount", x.bank_amount}});
    return Response::json({{"date", core::format_iso_date(*day)}, {"our_total", r.our_total},
                           {"bank_total", r.bank_total}, {"our_count", r.our_count}, {"bank_count", r.bank_count},
                           {"differences", diffs}});
}

}  // namespace

void register_operator_routes(const Kit& kit) {
    http::RouteOptions staff;
    staff.access = http::with_role("payments");
    kit->router.get("/payments/operator", [kit](Request& req) { return page(kit, req); }, staff);
    kit->router.get("/api/v1/payments/operator/reconciliation", [kit](Request& req) { return reconcile_json(kit, req); },
                    staff);
    kit->router.post("/payments/operator/refund", [kit](Request& req) { return refund_page(kit, req); }, staff);
    kit->router.post("/api/v1/payments/operator/payments/{id}/refunds",
                     [kit](Request& req) { return refund_api(kit, req); }, staff);
}

}  // namespace uslugi::payments
