#pragma once
// Only with `serve --test-routes`: raises a standard account to confirmed, as
// an operator of a service centre would, so the tests of organisation
// accounts need not depend on the ways to the confirmed level (ID-3).
#include "http/router.hpp"
#include "identity/service.hpp"

namespace uslugi::organisations {

void register_test_routes(http::Router& router, identity::IdentityService& identity);

}  // namespace uslugi::organisations
