// Standalone pre-trial complaints (APP-4): against an official or an
// authority's action, not attached to an application; the applicant's list
// of complaints of either kind; and the officers' "take up for review".
// Viewing and answering are the attached kind's pages (complaint_routes.cpp).
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

Response new_page(const Kit& kit, Request& req, const std::string& problem, HttpStatus status = HttpStatus::ok) {
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    const std::string chosen = req.form().get_or("authority", req.query().get_or("authority", ""));
    const std::string subject = req.form().get_or("subject", "official");
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& a : cat->data().authorities) names.emplace_back(a.name.in(req.lang), a.id);
    std::sort(names.begin(), names.end());
    Data options{Data::type::list};
    for (const auto& [name, id] : names) {
        Data o;
        o.set("value", id);
        o.set("label", name);
        o.set("selected", id == chosen);
        options.push_back(o);
    }
    Data d;
    d.set("authorities", options);
    d.set("official", subject != "action");
    d.set("action_chosen", subject == "action");
    d.set("body", std::string(text::cut_utf8(req.form().get_or("body", ""), 8000)));
    d.set("error", problem.empty() ? std::string() : t.text(problem));
    d.set("has_error", !problem.empty());
    return kit->renderer.page(req, "applications/complaint_new", d, t.text("applications_more.complaint.new_title"), status);
}

Response list_page(const Kit& kit, Request& req) {
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    Data list{Data::type::list};
    for (const auto& c : kit->service.complaints_of(req.account->id)) {
        Data item;
        item.set("href", "/account/complaints/" + std::to_string(c.id));
        item.set("id", std::to_string(c.id));
        item.set("subject", t.text("applications.complaint.subject." + c.subject));
        item.set("status", t.text("applications.complaint.status." + c.status));
        item.set("status_class", c.status == "answered" ? "status-success" : "status-progress");
        item.set("created", when(req, c.created_at));
        if (const catalog::Authority* a = cat->authority(c.authority_id)) catalog::set_text(item, "authority", a->name, req.lang);
        list.push_back(item);
    }
    Data d;
    d.set("complaints", list);
    d.set("has_complaints", !list.list_value().empty());
    return kit->renderer.page(req, "applications/complaints_mine", d, t.text("applications_more.complaint.mine"));
}

}  // namespace

void register_standalone_complaint_routes(const Kit& kit) {
    kit->router.get("/account/complaints", [kit](Request& req) { return list_page(kit, req); }, http::for_signed_in());

    kit->router.get("/complaints/new", [kit](Request& req) { return new_page(kit, req, ""); }, http::for_signed_in());

    kit->router.post("/complaints/new", [kit](Request& req) {
        const auto r = kit->service.complain_about(req.account->id, req.form().get_or("authority", ""),
                                                   req.form().get_or("subject", ""), req.form().get_or("body", ""));
        if (r.outcome == Outcome::ok) return Response::redirect("/account/complaints/" + std::to_string(r.id));
        return new_page(kit, req, r.problem, HttpStatus::unprocessable_entity);
    }, http::for_signed_in());

    kit->router.post("/office/complaints/{id}/review", [kit](Request& req) {
        const std::int64_t id = id_param(req, "id");
        if (!id) return kit->not_found(req);
        const Actor officer{"officer", req.account->id, req.account->display_name};
        const Outcome o = kit->service.review_complaint(officer, id);
        if (o == Outcome::not_found) return kit->not_found(req);
        if (o == Outcome::wrong_status) {
            const auto c = kit->service.complaint_for_officer(req.account->id, id);
            if (!c) return kit->not_found(req);
            return office_complaint_page(kit, req, *c, "applications.error.wrong_status", HttpStatus::conflict);
        }
        return Response::redirect("/office/complaints/" + std::to_string(id));
    }, {.access = http::with_role("officer")});
}

}  // namespace uslugi::applications
