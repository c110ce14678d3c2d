#include "oidc/routes.hpp"

#include "oidc/route_kit.hpp"

namespace uslugi::oidc {

using http::Request;
using http::Response;
using http::Status;

Response token_response(const TokenAnswer& a) {
    Response r = Response::json(a.body, static_cast<Status>(a.status));
    if (a.basic_challenge && a.status == 401) r.set_header("WWW-Authenticate", "Basic realm=\"uslugi\"");
    if (a.status == 401 && !a.basic_challenge && a.body.value("error", "") == "invalid_token")
        r.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    r.set_header("Pragma", "no-cache");
    return r;
}

void allow_form_target(Response& r, const std::string& origin) {
    if (origin.empty()) return;
    r.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                 "connect-src 'self'; form-action 'self' " + origin +
                     "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
}

Response problem_page(const Kit& k, const Request& req, const std::string& key, Status status) {
    http::Data d;
    d.set("message", k->t(req, key));
    return k->renderer.page(req, "oidc/problem", d, k->t(req, "oidc.problem.title"), status);
}

void register_discovery_routes(const Kit& k) {
    http::RouteOptions o;
    o.load_session = false;
    k->router.get("/.well-known/openid-configuration", [k](Request&) {
        Response r = Response::json(k->service.discovery());
        r.set_header("Access-Control-Allow-Origin", "*");
        return r;
    }, o);
    k->router.get("/oidc/jwks", [k](Request&) {
        Response r = Response::json(k->service.keys().jwks());
        r.set_header("Access-Control-Allow-Origin", "*");
        return r;
    }, o);
}

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                     http::SessionStore& sessions, OidcService& service, identity::IdentityService& identity,
                     const core::Config& config) {
    auto kit = std::make_shared<const RouteKit>(
        RouteKit{router, app, renderer, sessions, service, identity, config.public_url});
    register_discovery_routes(kit);
    register_authorize_routes(kit);
    register_token_routes(kit);
    register_logout_routes(kit);
    register_sites_routes(kit);
    register_clients_routes(kit);
}

}  // namespace uslugi::oidc
