#pragma once
// What the oidc route families share (discovery_routes.cpp, authorize_routes.cpp,
// token_routes.cpp, logout_routes.cpp, sites_routes.cpp).
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"
#include "oidc/service.hpp"

#include <memory>
#include <string>

namespace uslugi::oidc {

struct RouteKit {
    http::Router& router;
    http::App& app;
    const http::Renderer& renderer;
    http::SessionStore& sessions;
    OidcService& service;
    identity::IdentityService& identity;
    std::string public_url;

    std::string t(const http::Request& req, const std::string& key) const { return renderer.locale(req).text(key); }
};
using Kit = std::shared_ptr<const RouteKit>;

// The JSON (or error) answer of the token, userinfo, revocation and introspection endpoints.
http::Response token_response(const TokenAnswer& a);
// The portal's Content-Security-Policy (http/app.cpp) with form-action widened
// to `origin`: a form on the page (consent, logout) ends in a redirect to
// that site, which browsers check against form-action.
void allow_form_target(http::Response& r, const std::string& origin);
// A page saying the request cannot go on (unknown site, bad redirect URI, bad logout request).
http::Response problem_page(const Kit& k, const http::Request& req, const std::string& key, http::Status status);

void register_discovery_routes(const Kit& k);
void register_authorize_routes(const Kit& k);
void register_token_routes(const Kit& k);
void register_logout_routes(const Kit& k);
void register_sites_routes(const Kit& k);
// The operator's page of relying parties (clients_routes.cpp).
void register_clients_routes(const Kit& k);

}  // namespace uslugi::oidc
