// "My organisations", registering one, its page, and the switcher (ID-5).
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

nlohmann::json membership_json(const Membership& m) {
    return {{"member_id", m.member.id}, {"organisation_id", m.member.organisation_id},
            {"name", m.organisation_name}, {"role", to_string(m.member.role)},
            {"status", to_string(m.member.status)}};
}

Response list_page(const Kit& kit, Request& req) {
    const auto memberships = kit->service.memberships(req.account->id);
    Data orgs(Data::type::list), invitations(Data::type::list);
    for (const Membership& m : memberships) {
        Data item;
        item.set("id", std::to_string(m.member.organisation_id));
        item.set("member_id", std::to_string(m.member.id));
        item.set("name", m.organisation_name);
        item.set("role", kit->t(req, "organisations.role." + std::string(to_string(m.member.role))));
        item.set("visible", may_see_organisation(m.member));
        item.set("current", m.member.organisation_id == req.account->acting_for);
        (m.member.status == MemberStatus::invited ? invitations : orgs).push_back(item);
    }
    Data d;
    d.set("has_organisations", !orgs.is_empty_list());
    d.set("organisations", orgs);
    d.set("has_invitations", !invitations.is_empty_list());
    d.set("invitations", invitations);
    d.set("confirmed", req.account->level == "confirmed");
    d.set("entrepreneur", kit->service.entrepreneur(req.account->id).has_value());
    return kit->renderer.page(req, "organisations/list", d, kit->t(req, "organisations.list.title"));
}

Response new_page(const Kit& kit, Request& req, const std::string& typed, const Done* failure) {
    Data d;
    d.set("id_value", typed);
    if (failure) add_failure(d, req, kit, *failure);
    return kit->renderer.page(req, "organisations/new", d, kit->t(req, "organisations.new.title"),
                              failure ? page_status(*failure) : Status::ok);
}

Data requisites(const Organisation& o) {
    Data d;
    d.set("id", std::to_string(o.id));
    d.set("short_name", o.short_name);
    d.set("full_name", o.full_name);
    d.set("ogrn", o.ogrn);
    d.set("inn", o.inn);
    d.set("kpp", o.kpp);
    d.set("address", o.address);
    return d;
}

Data member_rows(const Kit& kit, Request& req, const OrganisationView& v) {
    Data rows(Data::type::list);
    for (const auto& row : v.members) {
        Data item;
        item.set("id", std::to_string(row.member.id));
        item.set("name", row.name);
        item.set("role", kit->t(req, "organisations.role." + std::string(to_string(row.member.role))));
        item.set("invited", row.member.status == MemberStatus::invited);
        item.set("changeable", may_change_member(v.viewer, row.member));
        Data services(Data::type::list);
        for (const auto& s : row.member.services) services.push_back(Data("title", service_title(kit, req, s)));
        item.set("services", services);
        rows.push_back(item);
    }
    return rows;
}

Data view_data(const Kit& kit, Request& req, const OrganisationView& v) {
    Data d = requisites(v.organisation);
    d.set("my_role", kit->t(req, "organisations.role." + std::string(to_string(v.viewer.role))));
    d.set("manager", may_manage_members(v.viewer));
    d.set("all_services", may_manage_members(v.viewer));
    Data mine(Data::type::list);
    for (const auto& s : v.viewer.services) mine.push_back(Data("title", service_title(kit, req, s)));
    d.set("my_services", mine);
    d.set("has_my_services", !v.viewer.services.empty());
    if (may_manage_members(v.viewer)) {
        d.set("members", member_rows(kit, req, v));
        d.set("service_choices", service_choices(kit, req, {}));
    }
    d.set("current", v.organisation.id == req.account->acting_for);
    d.set("org_id", std::to_string(v.organisation.id));
    return d;
}

nlohmann::json view_json(const OrganisationView& v) {
    const Organisation& o = v.organisation;
    nlohmann::json j{{"id", o.id}, {"ogrn", o.ogrn}, {"inn", o.inn}, {"kpp", o.kpp}, {"short_name", o.short_name},
                     {"full_name", o.full_name}, {"address", o.address}, {"role", to_string(v.viewer.role)},
                     {"services", v.viewer.services}, {"may_manage", may_manage_members(v.viewer)}};
    if (may_manage_members(v.viewer)) {
        nlohmann::json members = nlohmann::json::array();
        for (const auto& row : v.members)
            members.push_back({{"id", row.member.id}, {"name", row.name}, {"role", to_string(row.member.role)},
                               {"status", to_string(row.member.status)}, {"services", row.member.services}});
        j["members"] = members;
    }
    return j;
}

void register_list(const Kit& kit) {
    kit->router.get("/organisations", [kit](Request& req) { return list_page(kit, req); }, http::for_signed_in());
    kit->router.get("/api/v1/organisations", [kit](Request& req) {
        nlohmann::json items = nlohmann::json::array();
        for (const auto& m : kit->service.memberships(req.account->id)) items.push_back(membership_json(m));
        return Response::json({{"acting_for", req.account->acting_for}, {"memberships", items}});
    }, http::for_signed_in());
}

void register_create(const Kit& kit) {
    kit->router.get("/organisations/new", [kit](Request& req) { return new_page(kit, req, "", nullptr); },
                    confirmed_only());
    http::post_twins(
        kit->router, {"/organisations", "/api/v1/organisations"},
        [kit](Request& req) {
            const std::string typed = identity::FormInput(req).get("id");
            return std::make_pair(typed, kit->service.create(req.account->id, typed));
        },
        [kit](Request& req, const std::pair<std::string, Done>& r) {
            if (!r.second.ok()) return new_page(kit, req, r.first, &r.second);
            return Response::redirect("/organisations/" + std::to_string(r.second.id));
        },
        [kit](Request& req, const std::pair<std::string, Done>& r) {
            if (!r.second.ok()) return api_failure(req, kit, r.second);
            auto v = kit->service.view(req.account->id, r.second.id);
            return Response::json(view_json(*v), Status::created);
        },
        confirmed_only());
}

void register_view(const Kit& kit) {
    http::get_twins(
        kit->router, {"/organisations/{id}", "/api/v1/organisations/{id}"},
        [kit](Request& req) -> std::optional<OrganisationView> {
            auto id = id_param(req, "id");
            if (!id) return std::nullopt;
            return kit->service.view(req.account->id, *id);
        },
        [kit](Request& req, const std::optional<OrganisationView>& v) {
            if (!v) return kit->renderer.error_page(req, Status::not_found);
            Data d = view_data(kit, req, *v);
            if (req.query().get_or("invited", "") == "1") d.set("notice", kit->t(req, "organisations.view.invited"));
            if (req.query().get_or("changed", "") == "1") d.set("notice", kit->t(req, "organisations.view.changed"));
            return kit->renderer.page(req, "organisations/view", d, v->organisation.short_name);
        },
        [kit](Request& req, const std::optional<OrganisationView>& v) {
            if (!v) return api_failure(req, kit, Done::fail("not_found"));
            return Response::json(view_json(*v));
        },
        http::for_signed_in());
}

void register_switch(const Kit& kit) {
    http::post_twins(
        kit->router, {"/organisations/switch", "/api/v1/organisations/switch"},
        [kit](Request& req) {
            auto target = parse_switch_target(identity::FormInput(req).get("to"));
            if (!target) return Done::fail("not_found");
            return kit->service.switch_to(*req.session, req.account->id, *target);
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return kit->renderer.error_page(req, Status::not_found);
            return Response::redirect(d.id ? "/organisations/" + std::to_string(d.id) : "/account");
        },
        [kit](Request& req, const Done& d) {
            if (!d.ok()) return api_failure(req, kit, d);
            return Response::json({{"acting_for", d.id}});
        },
        http::for_signed_in());
}

}  // namespace

void register_organisation_routes(const Kit& kit) {
    register_list(kit);
    register_create(kit);
    register_switch(kit);  // before /organisations/{id}: a fixed path wins
    register_view(kit);
}

}  // namespace uslugi::organisations
