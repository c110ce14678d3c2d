// The authorities' back-office (APP-3): an officer's queue with filters and
// pages, one application (every view recorded for the applicant's "Who
// accessed my data"), and the decisions. Officers see only the applications
// of the authorities they hold the role for; anything else is "not found".
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/pagination.hpp"

#include <algorithm>

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

const http::RouteOptions kOfficer{.access = http::with_role("officer")};

std::string office_path(std::int64_t id) { return "/office/applications/" + std::to_string(id); }

Actor officer_of(const Request& req) { return {"officer", req.account->id, req.account->display_name}; }

struct QueueQuery {
    QueueFilter filter;
    std::vector<std::string> problems;  // locale keys of filters that were not understood
    std::string status, service, from, to;
};

QueueQuery read_queue_query(const Request& req, std::vector<std::string> scopes) {
    QueueQuery q;
    q.filter.authorities = std::move(scopes);
    q.filter.now = core::now_unix();
    q.status = req.query().get_or("status", "");
    if (q.status.size() > 40) q.status.clear();
    if (!q.status.empty() && q.status != "open") {
        try {
            status_from_string(q.status);
        } catch (const std::invalid_argument&) {
            q.problems.push_back("applications.office.bad_status");
            q.status.clear();
        }
    }
    q.filter.status = q.status;
    q.service = req.query().get_or("service", "");
    if (q.service.size() > 100) q.service.clear();
    q.filter.service = q.service;
    q.from = req.query().get_or("from", "");
    q.to = req.query().get_or("to", "");
    auto day = [&](std::string& text, std::int64_t& out, std::int64_t shift) {
        if (text.empty()) return;
        const auto d = core::parse_iso_date(text);
        if (!d) {
            q.problems.push_back("applications.office.bad_date");
            text.clear();
            return;
        }
        out = std::chrono::duration_cast<std::chrono::seconds>(d->time_since_epoch()).count() + shift;
    };
    day(q.from, q.filter.from, 0);
    day(q.to, q.filter.to, 86400);  // "to" includes that whole day
    q.filter.overdue_only = req.query().get_or("overdue", "") == "1";
    return q;
}

Data status_options(const std::string& chosen, const core::Locale& t) {
    Data list{Data::type::list};
    auto add = [&](const std::string& value, const std::string& label) {
        Data o;
        o.set("value", value);
        o.set("label", label);
        o.set("selected", value == chosen);
        list.push_back(o);
    };
    add("", t.text("applications.office.any_status"));
    add("open", t.text("applications.office.open"));
    for (Status s : all_statuses())
        if (s != Status::draft) add(std::string(to_string(s)), t.text("applications.status." + std::string(to_string(s))));
    return list;
}

Data service_options(const std::string& chosen, const std::vector<std::string>& scopes, const catalog::Catalog& cat,
                     const std::string& lang, const core::Locale& t) {
    Data list{Data::type::list};
    Data any;
    any.set("value", std::string());
    any.set("label", t.text("applications.office.any_service"));
    any.set("selected", chosen.empty());
    list.push_back(any);
    for (const auto& s : cat.data().services)
        if (std::find(scopes.begin(), scopes.end(), s.authority) != scopes.end() && s.online_form) {
            Data o;
            o.set("value", s.id);
            o.set("label", s.title.in(lang));
            o.set("selected", s.id == chosen);
            list.push_back(o);
        }
    return list;
}

Response queue_page(const Kit& kit, Request& req) {
    const core::Locale& t = kit->locale(req);
    const auto scopes = kit->service.officer_scopes(req.account->id);
    QueueQuery q = read_queue_query(req, scopes);
    const std::size_t page = http::page_of(req);
    q.filter.offset = (page - 1) * http::kPageSize;
    q.filter.limit = http::kPageSize;
    auto& store = kit->service.store();
    const std::size_t total = store.count_queue(q.filter);
    const auto cat = kit->service.catalog().current();
    Data items{Data::type::list};
    for (const auto& a : store.queue(q.filter)) {
        Data d;
        d.set("href", office_path(a.id));
        d.set("number", a.number);
        if (const catalog::Service* s = cat->service(a.service_id)) catalog::set_text(d, "service", s->title, req.lang);
        add_status(d, a.status, t);
        d.set("submitted", when(req, a.submitted_at));
        d.set("due", when(req, a.due_at));
        d.set("overdue", is_overdue(a.status, a.due_at, q.filter.now));
        d.set("taken", a.officer_id != 0);
        items.push_back(d);
    }
    Data d;
    d.set("applications", items);
    d.set("has_applications", total > 0);
    d.set("total", std::to_string(total));
    d.set("statuses", status_options(q.status, t));
    d.set("services", service_options(q.service, scopes, *cat, req.lang, t));
    d.set("from", q.from);
    d.set("to", q.to);
    d.set("overdue", q.filter.overdue_only);
    Data problems{Data::type::list};
    for (const auto& p : q.problems) problems.push_back(Data(t.text(p)));
    d.set("problems", problems);
    d.set("has_problems", !q.problems.empty());
    Data authorities{Data::type::list};
    for (const auto& s : scopes)
        if (const catalog::Authority* au = cat->authority(s)) authorities.push_back(Data(au->name.in(req.lang)));
    d.set("authorities", authorities);
    d.set("pagination", http::pagination(kit->renderer, req, page, total));
    return kit->renderer.page(req, "applications/queue", d, t.text("applications.office.title"),
                              q.problems.empty() ? HttpStatus::ok : HttpStatus::unprocessable_entity);
}

// The decisions the status allows, each a small form.
Data actions_for(const Application& a, const FormDefinition* def, const core::Locale& t) {
    Data list{Data::type::list};
    auto add = [&](const std::string& action, bool text, bool text_required) {
        Data o;
        o.set("action", action);
        o.set("label", t.text("applications.office.action." + action));
        o.set("has_text", text);
        o.set("text_required", text_required);
        o.set("text_label", t.text("applications.office.text." + action));
        o.set("is_refuse", action == "refuse");
        if (action == "refuse" && def) {
            Data reasons{Data::type::list};
            for (const auto& r : def->refusal_reasons) {
                Data item;
                item.set("value", r);
                item.set("label", t.text("applications.refusal." + r));
                reasons.push_back(item);
            }
            o.set("reasons", reasons);
        }
        list.push_back(o);
    };
    const Status s = a.status;
    if (s == Status::sent) add("take", false, false);
    if (s == Status::received) add("accept", false, false);
    if (can_transition(s, Status::info_requested)) add("request_info", true, true);
    if (can_transition(s, Status::appointment)) add("invite", true, true);
    if (can_transition(s, Status::provided) && s != Status::document_ready && s != Status::document_issued) add("issue", true, true);
    if (can_transition(s, Status::refused)) add("refuse", true, true);
    if (s == Status::cancelling) add("confirm_cancel", false, false);
    return list;
}

}  // namespace

Response office_detail(const Kit& kit, Request& req, const Application& a, const FieldErrors& errors, HttpStatus status) {
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    const auto def = kit->service.form(a.service_id);
    Data d;
    d.set("number", a.number);
    if (const catalog::Service* s = cat->service(a.service_id)) catalog::set_text(d, "service", s->title, req.lang);
    add_status(d, a.status, t);
    d.set("applicant", kit->service.applicant_name(a.account_id));
    d.set("submitted", when(req, a.submitted_at));
    d.set("due", when(req, a.due_at));
    d.set("overdue", is_overdue(a.status, a.due_at, core::now_unix()));
    const auto files = kit->service.application_files(a);
    if (def) d.set("steps", answers_data(*def, a.values, req.lang, t, file_links(files, office_path(a.id) + "/files/")));
    d.set("files", file_list(files, office_path(a.id) + "/files/"));
    d.set("has_files", !files.empty());
    d.set("history", history_data(req, kit->service.history(a.id, true), t));
    add_assignment(kit, req, a, d);
    d.set("actions", actions_for(a, def.get(), t));
    d.set("action_url", office_path(a.id) + "/decide");
    d.set("request_text", a.request_text);
    d.set("result_text", a.result_text);
    d.set("done", req.query().has("done"));
    Data problems{Data::type::list};
    for (const auto& [field, key] : errors) problems.push_back(Data(t.text(key)));
    d.set("problems", problems);
    d.set("has_problems", !errors.empty());
    return kit->renderer.page(req, "applications/office_detail", d, t.text("applications.detail.title") + " " + a.number, status);
}

void register_office_routes(const Kit& kit) {
    kit->router.get("/office/applications", [kit](Request& req) { return queue_page(kit, req); }, kOfficer);

    kit->router.get("/office/applications/{id}", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        const auto a = id ? kit->service.for_officer(kit->ctx(req), officer_of(req), id) : std::nullopt;
        return a ? office_detail(kit, req, *a, {}, HttpStatus::ok) : kit->not_found(req);
    }, kOfficer);

    // A file is personal data too: its download is recorded like a view of the application.
    kit->router.get("/office/applications/{id}/files/{file}", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id"), file = id_param(req, "file");
        const auto a = id && file ? kit->service.for_officer(kit->ctx(req), officer_of(req), id) : std::nullopt;
        const auto f = a ? kit->service.application_file(*a, file) : std::nullopt;
        return f ? file_response(*f) : kit->not_found(req);
    }, kOfficer);

    kit->router.post("/office/applications/{id}/decide", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        if (!id) return kit->not_found(req);
        const Decision d{req.form().get_or("action", ""), req.form().get_or("text", ""), req.form().get_or("reason", "")};
        const DecisionResult r = kit->service.decide(kit->ctx(req), officer_of(req), id, d);
        if (r.outcome == Outcome::not_found) return kit->not_found(req);
        if (r.outcome == Outcome::ok) return Response::redirect(office_path(id) + "?done=" + d.action);
        const auto a = kit->service.for_officer(kit->ctx(req), officer_of(req), id);
        if (!a) return kit->not_found(req);
        FieldErrors errors = r.errors;
        if (r.outcome == Outcome::wrong_status) errors["status"] = "applications.error.wrong_status";
        return office_detail(kit, req, *a, errors,
                             r.outcome == Outcome::wrong_status ? HttpStatus::conflict : HttpStatus::unprocessable_entity);
    }, kOfficer);
}

}  // namespace uslugi::applications
