#pragma once
// Routes for the integration tests only (serve --test-routes):
//   POST /test/notify      {event_key, recipient?, channel, address, lang, template, params, max_attempts?}
//                          → 201 {id, created}: enqueued in one transaction, as a module would
//   GET  /test/notify/{id} → status, attempts, last_error, provider_id …
#include "db/database.hpp"
#include "http/router.hpp"
#include "jobs/service.hpp"
#include "notifications/store.hpp"

namespace uslugi::notifications {

// `runner` may be null (serve --no-workers).
void register_test_routes(http::Router& router, db::Database& db, OutboxStore& store, jobs::JobRunner* runner);

}  // namespace uslugi::notifications
