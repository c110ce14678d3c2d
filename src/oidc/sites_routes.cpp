// "Sites that have access" (ID-6): each site the user let read data through
// single sign-on, what it may read, since when and when it last did; revoking
// removes the consent and ends the site's tokens at once. The page and its
// /api/v1/ twin share one handler each.
#include "core/time.hpp"
#include "http/time_zones.hpp"
#include "http/twin_routes.hpp"
#include "identity/web.hpp"
#include "oidc/route_kit.hpp"

namespace uslugi::oidc {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

std::string scope_words(const Kit& k, const Request& req, const ScopeSet& scopes) {
    std::string out;
    for (const auto& s : data_scopes(scopes)) {
        if (!out.empty()) out += ", ";
        out += k->t(req, "oidc.scope." + s + ".title");
    }
    return out.empty() ? k->t(req, "oidc.sites.only_sign_in") : out;
}

Data site_item(const Kit& k, const Request& req, const SiteAccess& s) {
    Data d;
    d.set("client_id", s.client.client_id);
    d.set("site_name", s.client.name);
    d.set("logo_url", s.client.logo_url);
    d.set("has_logo", !s.client.logo_url.empty());
    d.set("data", scope_words(k, req, parse_scopes(s.consent.scope).value_or(ScopeSet{})));
    d.set("since", http::local_time(req, s.consent.created_at));
    d.set("last_used", s.last_used_at ? http::local_time(req, s.last_used_at) : k->t(req, "oidc.sites.never"));
    return d;
}

nlohmann::json site_json(const SiteAccess& s) {
    const auto scopes = parse_scopes(s.consent.scope).value_or(ScopeSet{});
    return {{"client_id", s.client.client_id},
            {"name", s.client.name},
            {"logo_url", s.client.logo_url},
            {"scopes", data_scopes(scopes)},
            {"since", core::format_utc(s.consent.created_at)},
            {"last_used_at", s.last_used_at ? nlohmann::json(core::format_utc(s.last_used_at)) : nlohmann::json()}};
}

}  // namespace

void register_sites_routes(const Kit& k) {
    http::get_twins(
        k->router, {"/account/sites", "/api/v1/oidc/sites"},
        [k](Request& req) { return k->service.sites(req.account->id); },
        [k](Request& req, const std::vector<SiteAccess>& sites) {
            Data d;
            Data list{Data::type::list};
            for (const auto& s : sites) list.push_back(site_item(k, req, s));
            d.set("sites", list);
            d.set("has_sites", !sites.empty());
            d.set("revoked", req.query().get_or("done", "") == "revoked");
            return k->renderer.page(req, "oidc/sites", d, k->t(req, "oidc.sites.title"));
        },
        [](Request&, const std::vector<SiteAccess>& sites) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& s : sites) list.push_back(site_json(s));
            return Response::json({{"sites", list}});
        },
        http::for_signed_in());
    http::post_twins(
        k->router, {"/account/sites/revoke", "/api/v1/oidc/sites/revoke"},
        [k](Request& req) {
            const std::string client_id = identity::FormInput(req).get("client_id");
            return k->service.revoke_site(identity::context_of(req, k->public_url), req.account->id, client_id);
        },
        [k](Request& req, bool revoked) {
            if (!revoked) return k->renderer.error_page(req, Status::not_found);
            return Response::redirect("/account/sites?done=revoked");
        },
        [k](Request& req, bool revoked) {
            if (!revoked)
                return Response::json_error(Status::not_found, "oidc.no_such_site", k->t(req, "oidc.sites.no_such_site"));
            return Response::json({{"revoked", true}});
        },
        http::for_signed_in());
}

}  // namespace uslugi::oidc
