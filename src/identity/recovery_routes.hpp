#pragma once
// Pages and /api/v1/ handlers of password recovery (ID-6): by phone or
// e-mail, or by SNILS or passport with the security question; then a new
// password and the browser signed in. Nothing here says whether an account exists.
#include "core/config.hpp"
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/recovery.hpp"
#include "identity/service.hpp"

namespace uslugi::identity {

void register_recovery_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                              http::SessionStore& sessions, IdentityService& identity, RecoveryService& recovery,
                              const core::Config& config);

}  // namespace uslugi::identity
