#pragma once
// Pages and endpoints of the OpenID Connect provider, registered from main.cpp.
#include "core/config.hpp"
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"
#include "oidc/service.hpp"

namespace uslugi::oidc {

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                     http::SessionStore& sessions, OidcService& service, identity::IdentityService& identity,
                     const core::Config& config);

}  // namespace uslugi::oidc
