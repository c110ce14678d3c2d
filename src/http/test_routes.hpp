#pragma once
#include "db/database.hpp"
#include "http/router.hpp"

namespace uslugi::http {

// Fault-injection and inspection routes for the integration tests (serve
// --test-routes): a slow handler (to hold a worker), a failing one (to see the
// 500 page), the number of stored sessions. Never registered unless asked for.
void register_test_routes(Router& router, db::Database& db);

}  // namespace uslugi::http
