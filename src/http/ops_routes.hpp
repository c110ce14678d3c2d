#pragma once
#include "db/database.hpp"
#include "http/metrics.hpp"
#include "http/ops_auth.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace uslugi::http {

// /healthz (database check, public), /metrics (Prometheus, operators only),
// /static/… and /favicon.ico.
void register_ops_routes(Router& router, const Renderer& renderer, const StaticFiles& statics, const Metrics& metrics,
                         db::Database& db, const OpsGuard& guard);

}  // namespace uslugi::http
