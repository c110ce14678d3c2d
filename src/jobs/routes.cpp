#include "jobs/routes.hpp"

#include "core/time.hpp"

#include <fmt/format.h>

namespace uslugi::jobs {

namespace {

// Operators read times in UTC (the database's zone) until operators have a profile.
std::string utc_time(std::int64_t t) { return core::format_utc_plain(t); }
std::string iso_time(std::int64_t t) { return core::format_utc(t); }

nlohmann::json job_json(const Job& j) {
    return {{"id", j.id},
            {"kind", j.kind},
            {"key", j.key},
            {"state", std::string(to_string(j.state))},
            {"attempts", j.attempts},
            {"max_attempts", j.max_attempts},
            {"last_error", j.last_error},
            {"failed_at", iso_time(j.updated_at)}};
}

std::int64_t path_id(const http::Request& req) {
    const std::string id = req.param("id");
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
        throw http::BadRequest("job id must be a number");
    return std::stoll(id);
}

}  // namespace

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer, JobStore& store,
                     JobRunner* runner, const http::OpsGuard& guard) {
    if (!guard.enabled()) return;

    router.get("/ops/jobs", [&app, &renderer, &store, &guard](http::Request& req) {
        if (!guard.allows(req)) return guard.challenge(req, renderer);
        const auto dead = store.list_dead(200);
        const auto counts = store.counts();
        if (req.wants_json()) {
            nlohmann::json list = nlohmann::json::array(), by_state = nlohmann::json::object();
            for (const Job& j : dead) list.push_back(job_json(j));
            for (const auto& [state, n] : counts) by_state[std::string(to_string(state))] = n;
            return http::Response::json({{"dead", list}, {"counts", by_state}});
        }
        app.ensure_csrf(req);  // the retry forms need a CSRF token
        http::Data jobs{http::Data::type::list};
        for (const Job& j : dead) {
            http::Data item;
            item.set("id", std::to_string(j.id));
            item.set("kind", j.kind);
            item.set("key", j.key);
            item.set("attempts", std::to_string(j.attempts));
            item.set("max_attempts", std::to_string(j.max_attempts));
            item.set("last_error", j.last_error);
            item.set("failed_at", utc_time(j.updated_at));
            item.set("failed_at_iso", iso_time(j.updated_at));
            jobs.push_back(item);
        }
        http::Data states{http::Data::type::list};
        for (const auto& [state, n] : counts) {
            http::Data item;
            item.set("label", renderer.locale(req).text("jobs.state." + std::string(to_string(state))));
            item.set("count", std::to_string(n));
            states.push_back(item);
        }
        http::Data d;
        d.set("jobs", jobs);
        d.set("has_jobs", !dead.empty());
        d.set("states", states);
        const std::string retried = req.query().get_or("retried", "");
        const std::string not_dead = req.query().get_or("not_dead", "");
        if (!retried.empty() && retried.find_first_not_of("0123456789") == std::string::npos) d.set("retried", retried);
        if (!not_dead.empty() && not_dead.find_first_not_of("0123456789") == std::string::npos)
            d.set("not_dead", not_dead);
        return renderer.page(req, "jobs/dead", d, renderer.locale(req).text("jobs.dead.title"));
    });

    router.post("/ops/jobs/{id}/retry", [&renderer, &store, runner, &guard](http::Request& req) {
        if (!guard.allows(req)) return guard.challenge(req, renderer);
        const std::int64_t id = path_id(req);
        const bool retried = store.retry_dead(id);
        if (retried && runner) runner->notify();
        if (req.wants_json()) {
            if (!retried)
                return http::Response::json_error(http::Status::conflict, "jobs.not_dead",
                                                  renderer.locale(req).text("jobs.dead.not_dead"));
            return http::Response::json({{"id", id}, {"state", "queued"}});
        }
        return http::Response::redirect(fmt::format("/ops/jobs?{}={}", retried ? "retried" : "not_dead", id));
    });
}

}  // namespace uslugi::jobs
