#pragma once
#include "db/database.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace uslugi::http {

// /healthz (database check), /metrics (Prometheus), /static/… and /favicon.ico.
void register_ops_routes(Router& router, const StaticFiles& statics, const Metrics& metrics, db::Database& db);

}  // namespace uslugi::http
