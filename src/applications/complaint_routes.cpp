// Pre-trial complaints (APP-4): the applicant complains about the decision on
// an application or an official's handling of it; the superior authority's
// officers see them in their own list and answer.
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

const http::RouteOptions kOfficer{.access = http::with_role("officer")};

Data complaint_data(const Request& req, const Complaint& c, const catalog::Catalog& cat, const core::Locale& t) {
    Data d;
    d.set("id", std::to_string(c.id));
    d.set("subject", t.text("applications.complaint.subject." + c.subject));
    d.set("body", c.body);
    d.set("status", t.text("applications.complaint.status." + c.status));
    d.set("status_class", c.status == "answered" ? "status-success" : "status-progress");
    d.set("answered", c.status == "answered");
    d.set("answer", c.answer);
    d.set("created", when(req, c.created_at));
    if (const catalog::Authority* a = cat.authority(c.authority_id)) catalog::set_text(d, "authority", a->name, req.lang);
    if (const catalog::Authority* h = cat.authority(c.handler_id)) catalog::set_text(d, "handler", h->name, req.lang);
    return d;
}

Response form_page(const Kit& kit, Request& req, const Application& a, const std::string& problem,
                   HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    Data d;
    d.set("number", a.number);
    d.set("action", "/account/applications/" + std::to_string(a.id) + "/complaints");
    d.set("back", "/account/applications/" + std::to_string(a.id));
    d.set("error", problem.empty() ? std::string() : t.text(problem));
    d.set("has_error", !problem.empty());
    return kit->renderer.page(req, "applications/complaint_form", d, t.text("applications.complaint.title"), status);
}

void register_applicant_side(const Kit& kit) {
    kit->router.get("/account/applications/{id}/complaints", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        const auto a = id ? kit->service.application_of(req.account->id, id) : std::nullopt;
        return a ? form_page(kit, req, *a, "") : kit->not_found(req);
    }, http::for_signed_in());

    kit->router.post("/account/applications/{id}/complaints", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        const auto a = id ? kit->service.application_of(req.account->id, id) : std::nullopt;
        if (!a) return kit->not_found(req);
        const auto r = kit->service.complain(req.account->id, a->id, req.form().get_or("subject", ""),
                                             req.form().get_or("body", ""));
        if (r.outcome == Outcome::ok) return Response::redirect("/account/complaints/" + std::to_string(r.id));
        return form_page(kit, req, *a, r.problem, HttpStatus::unprocessable_entity);
    }, http::for_signed_in());

    kit->router.get("/account/complaints/{id}", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        const auto c = id ? kit->service.complaint_of(req.account->id, id) : std::nullopt;
        if (!c) return kit->not_found(req);
        const core::Locale& t = kit->locale(req);
        Data d = complaint_data(req, *c, *kit->service.catalog().current(), t);
        d.set("has_application", c->application_id != 0);  // a standalone complaint has none
        d.set("application_href", "/account/applications/" + std::to_string(c->application_id));
        return kit->renderer.page(req, "applications/complaint", d, t.text("applications.complaint.title"));
    }, http::for_signed_in());
}

Response office_page(const Kit& kit, Request& req, const Complaint& c, const std::string& problem,
                     HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    Data d = complaint_data(req, c, *kit->service.catalog().current(), t);
    d.set("applicant", kit->service.applicant_name(c.account_id));
    d.set("action", "/office/complaints/" + std::to_string(c.id) + "/answer");
    d.set("may_review", c.status == "submitted");
    d.set("review_action", "/office/complaints/" + std::to_string(c.id) + "/review");
    d.set("error", problem.empty() ? std::string() : t.text(problem));
    d.set("has_error", !problem.empty());
    return kit->renderer.page(req, "applications/office_complaint", d, t.text("applications.complaint.title"), status);
}

void register_officer_side(const Kit& kit) {
    kit->router.get("/office/complaints", [kit](Request& req) {
        const core::Locale& t = kit->locale(req);
        const auto cat = kit->service.catalog().current();
        Data list{Data::type::list};
        for (const auto& c : kit->service.complaints_for_officer(req.account->id)) {
            Data item = complaint_data(req, c, *cat, t);
            item.set("href", "/office/complaints/" + std::to_string(c.id));
            list.push_back(item);
        }
        Data d;
        d.set("has_complaints", !list.list_value().empty());
        d.set("complaints", list);
        return kit->renderer.page(req, "applications/office_complaints", d, t.text("applications.complaint.office_title"));
    }, kOfficer);

    kit->router.get("/office/complaints/{id}", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        const auto c = id ? kit->service.complaint_for_officer(req.account->id, id) : std::nullopt;
        return c ? office_page(kit, req, *c, "") : kit->not_found(req);
    }, kOfficer);

    kit->router.post("/office/complaints/{id}/answer", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        if (!id) return kit->not_found(req);
        std::string problem;
        const Actor officer{"officer", req.account->id, req.account->display_name};
        const Outcome o = kit->service.answer_complaint(officer, id, req.form().get_or("text", ""), &problem);
        if (o == Outcome::not_found) return kit->not_found(req);
        if (o == Outcome::ok) return Response::redirect("/office/complaints/" + std::to_string(id));
        const auto c = kit->service.complaint_for_officer(req.account->id, id);
        if (o == Outcome::wrong_status) return office_page(kit, req, *c, "applications.error.wrong_status", HttpStatus::conflict);
        return office_page(kit, req, *c, problem, HttpStatus::unprocessable_entity);
    }, kOfficer);
}

}  // namespace

Response office_complaint_page(const Kit& kit, Request& req, const Complaint& c, const std::string& problem,
                               HttpStatus status) {
    return office_page(kit, req, c, problem, status);
}

void register_complaint_routes(const Kit& kit) {
    register_applicant_side(kit);
    register_officer_side(kit);
}

}  // namespace uslugi::applications
