#include "http/test_routes.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace uslugi::http {

void register_test_routes(Router& router, db::Database& db) {
    const RouteOptions options{.csrf = false, .load_session = false};
    router.get("/test/sleep", [](Request& req) {
        int ms = 0;
        try {
            ms = std::stoi(req.query().get_or("ms", "0"));
        } catch (const std::exception&) {
            throw BadRequest("ms must be a number");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp(ms, 0, 30000)));
        return Response::text("slept " + std::to_string(ms) + " ms\n");
    }, options);
    router.get("/test/fail", [](Request&) -> Response {
        throw std::runtime_error("deliberate failure for the 500 page test");
    }, options);
    router.get("/test/sessions", [&db](Request&) {
        int anonymous = 0, signed_in = 0;
        db::Connection c(db);
        *c << "SELECT COUNT(*) FROM http_sessions WHERE account_id IS NULL", soci::into(anonymous);
        *c << "SELECT COUNT(*) FROM http_sessions WHERE account_id IS NOT NULL", soci::into(signed_in);
        return Response::json({{"anonymous", anonymous}, {"signed_in", signed_in}});
    }, options);
    router.post("/test/upload", [](Request& req) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : req.files())
            files.push_back({{"field", f.field}, {"filename", f.filename}, {"size", f.data.size()}});
        nlohmann::json fields = nlohmann::json::object();
        for (const auto& [k, v] : req.form().items()) fields[k] = v;
        return Response::json({{"fields", fields}, {"files", files}});
    }, RouteOptions{.body_limit = 8 * 1024 * 1024, .csrf = false, .load_session = false});
}

}  // namespace uslugi::http
