#include "jobs/test_routes.hpp"

#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "jobs/test_run_store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <thread>

namespace uslugi::jobs {

namespace {

long long now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void record_run(const TestRunStore& runs, const Job& job, const std::string& outcome, long long started_ms) {
    runs.record(job.id, job.attempts, job.lease_owner, outcome, started_ms, now_ms());
}

nlohmann::json job_json(const Job& j, const TestRuns& runs) {
    return {{"id", j.id},
            {"kind", j.kind},
            {"key", j.key},
            {"state", std::string(to_string(j.state))},
            {"attempts", j.attempts},
            {"max_attempts", j.max_attempts},
            {"last_error", j.last_error},
            {"lease_owner", j.lease_owner},
            {"runs", runs.ok},
            {"failures", runs.failed},
            {"owners", runs.owners}};
}

std::int64_t path_id(const http::Request& req) {
    try {
        return std::stoll(req.param("id"));
    } catch (const std::exception&) {
        throw http::BadRequest("id must be a number");
    }
}

}  // namespace

void ensure_test_table(db::Database& db) { TestRunStore(db).ensure_table(); }

void register_test_kind(JobRunner& runner, db::Database& db) {
    ensure_test_table(db);
    runner.handle(std::string(kTestKind), [runs = TestRunStore(db)](const Job& job) {
        const long long started = now_ms();
        nlohmann::json p;
        try {
            p = nlohmann::json::parse(job.payload);
        } catch (const std::exception& e) {
            throw PermanentError(std::string("bad payload: ") + e.what());
        }
        const int sleep_ms = p.value("sleep_ms", 0);
        const int sleep_attempts = p.value("sleep_attempts", 0);
        if (sleep_ms > 0 && (sleep_attempts == 0 || job.attempts <= sleep_attempts))
            std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
        if (p.value("permanent", false)) {
            record_run(runs, job, "failed", started);
            throw PermanentError("deliberate permanent failure");
        }
        const long long fail_times = p.value("fail_times", 0LL);
        const long long failed = runs.failures(job.id);
        if (failed < fail_times) {
            record_run(runs, job, "failed", started);
            throw std::runtime_error("deliberate failure " + std::to_string(failed + 1) + " of " +
                                     std::to_string(fail_times));
        }
        record_run(runs, job, "ok", started);
    });
}

void register_test_routes(http::Router& router, db::Database& db, JobStore& store, JobRunner* runner) {
    ensure_test_table(db);
    const http::RouteOptions options{.csrf = false, .load_session = false};

    router.post("/test/jobs", [&db, &store, runner](http::Request& req) {
        nlohmann::json body;
        try {
            body = req.body().empty() ? nlohmann::json::object() : nlohmann::json::parse(req.body());
        } catch (const std::exception&) {
            throw http::BadRequest("body must be JSON");
        }
        if (!body.is_object()) throw http::BadRequest("body must be a JSON object");
        const int count = body.value("count", 1);
        if (count < 1 || count > 1000) throw http::BadRequest("count must be 1…1000");
        nlohmann::json payload = nlohmann::json::object();
        for (const char* field : {"sleep_ms", "sleep_attempts", "fail_times", "permanent"})
            if (body.contains(field)) payload[field] = body[field];
        NewJob job;
        job.kind = std::string(kTestKind);
        job.payload = payload.dump();
        job.max_attempts = body.value("max_attempts", 10);
        if (const int delay = body.value("delay_s", 0); delay > 0) job.run_at = core::now_unix() + delay;
        const std::string key = body.value("key", "");
        nlohmann::json ids = nlohmann::json::array(), created = nlohmann::json::array();
        // All in one transaction: the jobs commit together or not at all.
        db::transact(db, [&](soci::session& s) {
            for (int i = 0; i < count; ++i) {
                job.key = key.empty() ? "" : (count == 1 ? key : key + "-" + std::to_string(i));
                const EnqueueResult r = store.enqueue(s, job);
                ids.push_back(r.id);
                created.push_back(r.created);
            }
        });
        if (runner) runner->notify();  // after the commit
        return http::Response::json({{"ids", ids}, {"created", created}}, http::Status::created);
    }, options);

    router.get("/test/jobs/{id}", [&db, &store](http::Request& req) {
        const auto job = store.find(path_id(req));
        if (!job) return http::Response::json_error(http::Status::not_found, "jobs.not_found", "no such job");
        auto runs = TestRunStore(db).all();
        return http::Response::json(job_json(*job, runs[job->id]));
    }, options);

    router.get("/test/jobs", [&db, &store](http::Request&) {
        nlohmann::json counts = nlohmann::json::object();
        for (const auto& [state, n] : store.counts()) counts[std::string(to_string(state))] = n;
        nlohmann::json list = nlohmann::json::array();
        const std::vector<std::int64_t> ids = store.ids_of_kind(std::string(kTestKind));
        auto runs = TestRunStore(db).all();
        for (const std::int64_t id : ids)
            if (auto j = store.find(id)) list.push_back(job_json(*j, runs[id]));
        return http::Response::json({{"counts", counts}, {"jobs", list}});
    }, options);
}

}  // namespace uslugi::jobs
