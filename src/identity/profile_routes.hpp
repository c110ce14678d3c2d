#pragma once
// "My details" (ID-2, CAB-5): the profile of the standard level, the status of
// its checks by the Social Fund of Russia, the Interior Ministry and the tax service,
// and the form to fill it in ("Save and send for checking" / "Fill in
// later"); with their JSON twins under /api/v1/account/. Signed-in users
// only, and only their own data: every handler uses the session's account.
#include "core/config.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "identity/verification.hpp"
#include "identity/service.hpp"

#include <functional>

namespace uslugi::identity {

// Tells the identity service what it needs of the profiles: whether an
// account's checks are running, and the erasure of a profile with its
// account (ID-6).
void connect_profiles(IdentityService& identity, ProfileService& profiles);
// What other parts of the module add to "My details" (the confirmation of identity).
using DetailsExtra = std::function<void(http::Data& d, const http::Request& req)>;
void register_profile_routes(http::Router& router, const http::Renderer& renderer, ProfileService& profiles,
                             const core::Config& config, DetailsExtra extra = {});

}  // namespace uslugi::identity
