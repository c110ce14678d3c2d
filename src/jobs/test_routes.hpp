#pragma once
// A job kind and routes for the integration tests only (serve --test-routes,
// worker --test-routes); never registered otherwise.
//
// Kind "test.sleep", payload {"sleep_ms", "sleep_attempts", "fail_times",
// "permanent"}: sleeps (on every attempt, or only on the first
// `sleep_attempts`), then fails while fewer than `fail_times` failures are
// recorded (or at once, permanently), else succeeds. Every execution that
// reaches its end writes a row to job_test_runs (outcome ok or failed), so a
// test can check that a job was done exactly once, and by which worker.
//
//   POST /test/jobs       {"key", "count", "max_attempts", "delay_s", …payload} → {"ids", "created"}
//   GET  /test/jobs/{id}  state, attempts, last error, runs and failures
//   GET  /test/jobs       counts by state and every test job with its runs
#include "db/database.hpp"
#include "http/router.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"

#include <string_view>

namespace uslugi::jobs {

inline constexpr std::string_view kTestKind = "test.sleep";

// Creates job_test_runs if missing (safe when several processes start at once).
void ensure_test_table(db::Database& db);
void register_test_kind(JobRunner& runner, db::Database& db);
// `runner` may be null (serve --no-workers): jobs then wait for a worker's poll.
void register_test_routes(http::Router& router, db::Database& db, JobStore& store, JobRunner* runner);

}  // namespace uslugi::jobs
