// Members of an organisation (ID-5): invitations and their answers, roles,
// removal. Whatever the account may not manage answers 404, as if absent.
#include "identity/web.hpp"
#include "organisations/routes.hpp"

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/twin_routes.hpp"

namespace uslugi::organisations {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

http::RouteOptions confirmed_only() {
    http::RouteOptions o;
    o.access = identity::at_least(identity::Level::confirmed);
    return o;
}

// The organisation's page again with the invitation form's failure on it.
Response view_with_failure(const Kit& kit, Request& req, std::int64_t org, const Done& failure) {
    auto v = kit->service.view(req.account->id, org);
    if (!v || failure.error == "not_found") return kit->renderer.error_page(req, Status::not_found);
    identity::FormInput in(req);
    const std::string path = "/organisations/" + std::to_string(org);
    Data page;
    page.set("invite_failed", true);
    page.set("invite_message", kit->t(req, failure.message_key));
    page.set("login_value", in.get("login"));
    page.set("login_error", failure.field == "login" ? kit->t(req, failure.message_key) : "");
    page.set("login_invalid", failure.field == "login");
    page.set("id", std::to_string(org));
    page.set("back", path);
    page.set("org_name", v->organisation.short_name);
    const std::string role = in.get("role");
    for (Role r : {Role::admin, Role::employee, Role::none}) page.set("role_" + std::string(to_string(r)), role == to_string(r));
    page.set("service_choices", service_choices(kit, req, chosen_services(req)));
    return kit->renderer.page(req, "organisations/invite_failed", page, kit->t(req, "organisations.invite.title"),
                              page_status(failure));
}

void register_invite(const Kit& kit) {
    http::post_twins(
        kit->router, {"/organisations/{id}/members", "/api/v1/organisations/{id}/members"},
        [kit](Request& req) {
            auto org = id_param(req, "id");
            if (!org) return std::make_pair(std::int64_t{0}, Done::fail("not_found"));
            identity::FormInput in(req);
            return std::make_pair(*org, kit->service.invite(req.account->id, *org, in.get("login"),
                                                             in.get("role"), catalog_services(kit, chosen_services(req))));
        },
        [kit](Request& req, const std::pair<std::int64_t, Done>& r) {
            if (!r.second.ok()) return view_with_failure(kit, req, r.first, r.second);
            return Response::redirect("/organisations/" + std::to_string(r.first) + "?invited=1");
        },
        [kit](Request& req, const std::pair<std::int64_t, Done>& r) {
            if (!r.second.ok()) return api_failure(req, kit, r.second);
            return Response::json({{"member_id", r.second.id}, {"status", "invited"}}, Status::created);
        },
        confirmed_only());
}

void register_answers(const Kit& kit) {
    for (const bool accept : {true, false}) {
        const std::string verb = accept ? "accept" : "decline";
        http::post_twins(
            kit->router,
            {"/organisations/invitations/{mid}/" + verb, "/api/v1/organisations/invitations/{mid}/" + verb},
            [kit, accept](Request& req) {
                auto mid = id_param(req, "mid");
                if (!mid) return Done::fail("not_found");
                return kit->service.answer_invitation(req.account->id, *mid, accept);
            },
            [kit, accept](Request& req, const Done& d) {
                if (!d.ok()) return kit->renderer.error_page(req, page_status(d));
                return Response::redirect(accept ? "/organisations/" + std::to_string(d.id) : "/organisations");
            },
            [kit, accept](Request& req, const Done& d) {
                if (!d.ok()) return api_failure(req, kit, d);
                return Response::json({{"organisation_id", d.id}, {"status", accept ? "active" : "declined"}});
            },
            http::for_signed_in());
    }
}

Response member_page(const Kit& kit, Request& req, std::int64_t org, std::int64_t mid) {
    auto v = kit->service.view(req.account->id, org);
    if (!v || !may_manage_members(v->viewer)) return kit->renderer.error_page(req, Status::not_found);
    for (const auto& row : v->members) {
        if (row.member.id != mid || !may_change_member(v->viewer, row.member)) continue;
        Data d;
        d.set("org_id", std::to_string(org));
        d.set("org_name", v->organisation.short_name);
        d.set("id", std::to_string(mid));
        d.set("name", row.name);
        for (Role r : {Role::admin, Role::employee, Role::none}) d.set("role_" + std::string(to_string(r)), row.member.role == r);
        d.set("service_choices", service_choices(kit, req, row.member.services));
        return kit->renderer.page(req, "organisations/member", d, row.name);
    }
    return kit->renderer.error_page(req, Status::not_found);
}

void register_member(const Kit& kit) {
    kit->router.get("/organisations/{id}/members/{mid}", [kit](Request& req) {
        auto org = id_param(req, "id");
        auto mid = id_param(req, "mid");
        if (!org || !mid) return kit->renderer.error_page(req, Status::not_found);
        return member_page(kit, req, *org, *mid);
    }, confirmed_only());
    http::post_twins(
        kit->router, {"/organisations/{id}/members/{mid}", "/api/v1/organisations/{id}/members/{mid}"},
        [kit](Request& req) {
            auto org = id_param(req, "id");
            auto mid = id_param(req, "mid");
            if (!org || !mid) return Done::fail("not_found");
            Done d = kit->service.set_role(req.account->id, *org, *mid, identity::FormInput(req).get("role"),
                                           catalog_services(kit, chosen_services(req)));
            if (d.ok()) d.id = *org;
            return d;
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return kit->renderer.error_page(req, page_status(d), d.message_key);
            return Response::redirect("/organisations/" + std::to_string(d.id) + "?changed=1");
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return api_failure(req, kit, d);
            return Response::json({{"changed", true}});
        },
        confirmed_only());
    http::post_twins(
        kit->router, {"/organisations/{id}/members/{mid}/remove", "/api/v1/organisations/{id}/members/{mid}/remove"},
        [kit](Request& req) {
            auto org = id_param(req, "id");
            auto mid = id_param(req, "mid");
            if (!org || !mid) return Done::fail("not_found");
            Done d = kit->service.remove(req.account->id, *org, *mid);
            if (d.ok()) d.id = *org;
            return d;
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return kit->renderer.error_page(req, page_status(d));
            return Response::redirect("/organisations/" + std::to_string(d.id) + "?changed=1");
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return api_failure(req, kit, d);
            return Response::json({{"removed", true}});
        },
        confirmed_only());
}

}  // namespace

void register_member_routes(const Kit& kit) {
    register_invite(kit);
    register_answers(kit);
    register_member(kit);
}

}  // namespace uslugi::organisations
