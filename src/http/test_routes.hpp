#pragma once
#include "http/router.hpp"

namespace uslugi::http {

// Fault-injection routes for the integration tests (serve --test-routes):
// a slow handler (to hold a worker) and a failing one (to see the 500 page).
// Never registered unless asked for.
void register_test_routes(Router& router);

}  // namespace uslugi::http
