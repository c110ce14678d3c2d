#pragma once
// "My details" (ID-2, CAB-5): the profile of the standard level, the status of
// its checks by the Pension Fund, the Interior Ministry and the tax service,
// and the form to fill it in ("Save and send for checking" / "Fill in
// later"); with their JSON twins under /api/v1/account/. Signed-in users
// only, and only their own data: every handler uses the session's account.
#include "core/config.hpp"
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "identity/service.hpp"
#include "jobs/store.hpp"

namespace uslugi::identity {

// Also registers the erasure of the profile for account deletion (ID-6).
void register_profile_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                             IdentityService& service, jobs::JobStore& jobs, const core::Config& config);

}  // namespace uslugi::identity
