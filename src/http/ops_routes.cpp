#include "http/ops_routes.hpp"

namespace uslugi::http {

void register_ops_routes(Router& router, const Renderer& renderer, const StaticFiles& statics, const Metrics& metrics,
                         db::Database& db, const OpsGuard& guard) {
    const RouteOptions io{.csrf = false, .load_session = false, .on_io_thread = true};
    const RouteOptions worker{.csrf = false, .load_session = false};

    router.get("/healthz", [&db](Request&) {
        const bool ok = db.ping();
        Response r = Response::json({{"status", ok ? "ok" : "unavailable"}, {"database", ok ? "ok" : "unavailable"}},
                                    ok ? Status::ok : Status::service_unavailable);
        return r;
    }, worker);

    // The counters move with what visitors do (a recovery sent to a real
    // account, for one), so they would tell outsiders which accounts exist:
    // only the operator reads them, and without an operator token there is no
    // /metrics at all (404), as with the /ops pages.
    if (guard.enabled()) {
        router.get("/metrics", [&metrics, &renderer, &guard](Request& req) {
            if (!guard.allows(req)) return guard.challenge(req, renderer);
            Response r = Response::text(metrics.render());
            r.content_type = "text/plain; version=0.0.4; charset=utf-8";
            return r;
        }, io);
    }

    router.get("/static/{path...}", [&statics](Request& req) { return statics.serve(req, req.param("path")); }, io);
    router.get("/favicon.ico", [&statics](Request& req) { return statics.serve(req, "img/favicon.svg"); }, io);
    router.get("/robots.txt", [&statics](Request& req) { return statics.serve(req, "robots.txt"); }, io);
}

}  // namespace uslugi::http
