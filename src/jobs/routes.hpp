#pragma once
// The operator page of the job queue: GET /ops/jobs lists dead jobs (kind,
// key, attempts, last error, time) with a retry button each; POST
// /ops/jobs/{id}/retry puts a dead job back in the queue. Both answer JSON
// too (Accept: application/json). Guarded by http::OpsGuard (see
// ops_auth.hpp: the temporary operator-token rule); not registered at all
// without an operator token, so /ops/jobs is then a 404.
#include "http/app.hpp"
#include "http/ops_auth.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"

namespace uslugi::jobs {

// `runner` may be null (serve --no-workers): a retried job then waits for a worker's poll.
void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer, JobStore& store,
                     JobRunner* runner, const http::OpsGuard& guard);

}  // namespace uslugi::jobs
