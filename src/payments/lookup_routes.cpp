// Look-ups of what is owed (PAY-1), open to anyone: traffic fines by driver's
// licence or vehicle registration certificate, tax debts by INN, court debts
// by region, full name and birth date, utilities invoices by personal account
// number (with the services, readings and rates behind each). Sent by POST, so the document numbers
// and names never land in URLs, logs or browser history.
#include "core/format.hpp"
#include "core/time.hpp"
#include "http/twin_routes.hpp"
#include "payments/route_kit.hpp"

namespace uslugi::payments {

using http::Data;
using http::Request;
using http::Response;
using nlohmann::json;

namespace {

struct LookupAnswer {
    std::string kind;  // fines | taxes | debts
    std::optional<Lookup> lookup;
    std::optional<PaymentError> error;
    std::map<std::string, std::string> values;  // the fields as typed, shown again
};

Lookup run(PaymentService& s, const std::string& kind, std::map<std::string, std::string>& v) {
    if (kind == "fines") {
        const std::string by = v["by"] == "certificate" ? "certificate" : "licence";
        v["by"] = by;
        return by == "licence" ? s.fines_by_licence(v["number"]) : s.fines_by_certificate(v["number"]);
    }
    if (kind == "taxes") return s.taxes(v["inn"]);
    if (kind == "utilities") return s.utilities(v["account"]);
    DebtorQuery q{v["region"], v["surname"], v["name"], v["patronymic"]};
    const auto birth = core::parse_iso_date(v["birth_date"]);
    if (!birth) throw PaymentError("payments.birth_date", "birth_date");
    q.birth_date = *birth;
    return s.court_debts(q);
}

const std::map<std::string, std::vector<std::string>> kFields = {
    {"fines", {"by", "number"}},
    {"taxes", {"inn"}},
    {"debts", {"region", "surname", "name", "patronymic", "birth_date"}},
    {"utilities", {"account"}}};

// The services of a utilities invoice, as the payee billed them.
Data invoice_data(const InvoiceDetails& inv, const std::string& lang) {
    Data d;
    d.set("period", inv.period_title);
    d.set("account", inv.account);
    d.set("address", inv.address);
    Data lines{Data::type::list};
    for (const InvoiceLine& l : inv.lines) {
        Data x;
        x.set("name", l.name);
        x.set("unit", l.unit);
        x.set("meter", l.meter.empty() ? Data(false) : Data(l.meter));
        x.set("metered", l.previous.has_value());
        x.set("previous", l.previous ? std::to_string(*l.previous) : "");
        x.set("current", l.current ? std::to_string(*l.current) : "");
        x.set("quantity", l.quantity);
        x.set("tariff", core::format_rubles(l.tariff, lang));
        x.set("amount", core::format_rubles(l.amount, lang));
        lines.push_back(x);
    }
    d.set("lines", lines);
    return d;
}

json invoice_json(const InvoiceDetails& inv) {
    json lines = json::array();
    for (const InvoiceLine& l : inv.lines) {
        json x = {{"name", l.name}, {"unit", l.unit}, {"quantity", l.quantity}, {"tariff", l.tariff}, {"amount", l.amount}};
        if (l.previous) x["previous"] = *l.previous;
        if (l.current) x["current"] = *l.current;
        if (!l.meter.empty()) x["meter"] = l.meter;
        lines.push_back(std::move(x));
    }
    return {{"account", inv.account}, {"period", inv.period}, {"period_title", inv.period_title},
            {"address", inv.address}, {"services", lines}};
}

LookupAnswer lookup(const Kit& kit, const std::string& kind, Request& req) {
    LookupAnswer a;
    a.kind = kind;
    for (const auto& f : kFields.at(kind)) a.values[f] = field(req, f).substr(0, 200);
    // The API names the document directly: {"licence": …} or {"certificate": …}.
    if (kind == "fines" && req.path().starts_with("/api/")) {
        const std::string cert = field(req, "certificate");
        a.values["by"] = cert.empty() ? "licence" : "certificate";
        a.values["number"] = cert.empty() ? field(req, "licence") : cert;
    }
    try {
        a.lookup = run(*kit->service, kind, a.values);
    } catch (const PaymentError& e) {
        a.error = e;
    }
    return a;
}

Data form_data(const Kit& kit, Request& req, const std::string& kind) {
    kit->app.ensure_csrf(req);  // the look-up form works without an account
    const core::Locale& t = kit->renderer.locale(req);
    Data d;
    d.set("kind_" + kind, true);
    d.set("action", "/payments/" + kind);
    d.set("signed_in", req.account != nullptr);
    d.set("attempt_key", new_attempt_key());
    d.set("signin_href", "/signin?next=" + http::url_encode("/payments/" + kind));
    d.set("by_licence", true);
    d.set("title", t.text("payments." + kind + ".title"));
    return d;
}

Response page_of(const Kit& kit, Request& req, const LookupAnswer& a) {
    const core::Locale& t = kit->renderer.locale(req);
    Data d = form_data(kit, req, a.kind);
    for (const auto& [k, v] : a.values) d.set("value_" + k, v);
    d.set("by_licence", a.values.count("by") == 0 || a.values.at("by") != "certificate");
    d.set("by_certificate", a.values.count("by") && a.values.at("by") == "certificate");
    if (a.error) {
        d.set("error", error_text(t, a.error->code()));
        d.set("error_field", a.error->field().empty() ? "number" : a.error->field());
        return kit->renderer.page(req, "payments/lookup", d, t.text("payments." + a.kind + ".title"),
                                  status_of(*a.error));
    }
    Data charges{Data::type::list};
    bool payable = false;
    for (const Charge& c : a.lookup->charges) {
        Data cd = charge_data(c, t, req.lang);
        const auto inv = a.lookup->invoices.find(c.uin);
        cd.set("invoice", inv == a.lookup->invoices.end() ? Data(false) : invoice_data(inv->second, req.lang));
        charges.push_back(cd);
        payable = payable || (!c.paid && c.amount_due > 0);
    }
    d.set("searched", true);
    d.set("charges", charges);
    d.set("none", a.lookup->charges.empty());
    d.set("not_found", !a.lookup->document_found);
    d.set("payable", payable);
    d.set("total", core::format_rubles(a.lookup->total_due, req.lang));
    return kit->renderer.page(req, "payments/lookup", d, t.text("payments." + a.kind + ".title"));
}

Response json_of(const Kit& kit, Request& req, const LookupAnswer& a) {
    if (a.error) return api_error(req, kit->renderer.locale(req), *a.error);
    json charges = json::array();
    for (const Charge& c : a.lookup->charges) {
        json j = charge_json(c);
        if (const auto inv = a.lookup->invoices.find(c.uin); inv != a.lookup->invoices.end())
            j["invoice"] = invoice_json(inv->second);
        charges.push_back(std::move(j));
    }
    return Response::json(
        {{"document_found", a.lookup->document_found}, {"charges", charges}, {"total_due", a.lookup->total_due}});
}

}  // namespace

void register_lookup_routes(const Kit& kit) {
    for (const std::string kind : {"fines", "taxes", "debts", "utilities"}) {
        kit->router.get("/payments/" + kind, [kit, kind](Request& req) {
            const core::Locale& t = kit->renderer.locale(req);
            return kit->renderer.page(req, "payments/lookup", form_data(kit, req, kind),
                                      t.text("payments." + kind + ".title"));
        });
        http::post_twins(
            kit->router, {"/payments/" + kind, "/api/v1/payments/" + kind},
            [kit, kind](Request& req) { return lookup(kit, kind, req); },
            [kit](Request& req, const LookupAnswer& a) { return page_of(kit, req, a); },
            [kit](Request& req, const LookupAnswer& a) { return json_of(kit, req, a); });
    }
}

}  // namespace uslugi::payments
