#pragma once
// Pages and /api/v1/ handlers of registration, sign-in, sign-out, the
// account's home and the "what you need for this" page (ID-1, ID-4, ID-5).
#include "core/config.hpp"
#include "http/app.hpp"
#include "http/rate_limiter.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"

namespace uslugi::identity {

// Signs the request's session in as `account_id` (a new session token) and
// records it; used after a password, a second step or a registration.
void complete_sign_in(http::Request& req, http::App& app, http::SessionStore& sessions, IdentityService& service,
                      const Context& ctx, std::int64_t account_id, bool remember, const std::string& method,
                      const Account* known = nullptr);

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                     http::SessionStore& sessions, IdentityService& service, http::RateLimiter& limiter,
                     const core::Config& config);

}  // namespace uslugi::identity
