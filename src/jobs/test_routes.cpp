#include "jobs/test_routes.hpp"

#include "core/clock.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"

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

void record_run(db::Database& db, const Job& job, const std::string& outcome, long long started_ms) {
    const long long id = job.id, finished = now_ms();
    const int attempt = job.attempts;
    db::Connection c(db);
    *c << "INSERT INTO job_test_runs (job_id, attempt, owner, outcome, started_ms, finished_ms) "
          "VALUES (:id, :attempt, :owner, :outcome, :started, :finished)",
        soci::use(id), soci::use(attempt), soci::use(job.lease_owner), soci::use(outcome), soci::use(started_ms),
        soci::use(finished);
}

struct Runs {
    long long ok = 0, failed = 0;
    std::set<std::string> owners;  // of the successful runs
};

std::map<long long, Runs> runs_of(soci::session& s) {
    std::map<long long, Runs> out;
    soci::rowset<soci::row> rows = (s.prepare << "SELECT job_id, outcome, owner FROM job_test_runs");
    for (const soci::row& r : rows) {
        // job_id is BIGINT on both databases.
        Runs& runs = out[r.get<long long>(0)];
        if (r.get<std::string>(1) == "ok") {
            ++runs.ok;
            runs.owners.insert(r.get<std::string>(2));
        } else {
            ++runs.failed;
        }
    }
    return out;
}

nlohmann::json job_json(const Job& j, const Runs& runs) {
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

void ensure_test_table(db::Database& db) {
    db::transact(db, [&](soci::session& s) {
        db::lock_for_transaction(s, 7345002);
        s << "CREATE TABLE IF NOT EXISTS job_test_runs ("
             "job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, owner TEXT NOT NULL, outcome TEXT NOT NULL, "
             "started_ms BIGINT NOT NULL, finished_ms BIGINT NOT NULL)";
    });
}

void register_test_kind(JobRunner& runner, db::Database& db) {
    ensure_test_table(db);
    runner.handle(std::string(kTestKind), [&db](const Job& job) {
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
            record_run(db, job, "failed", started);
            throw PermanentError("deliberate permanent failure");
        }
        const long long fail_times = p.value("fail_times", 0LL);
        long long failed = 0;
        {
            const long long id = job.id;
            db::Connection c(db);
            *c << "SELECT COUNT(*) FROM job_test_runs WHERE job_id = :id AND outcome = 'failed'", soci::use(id),
                soci::into(failed);
        }
        if (failed < fail_times) {
            record_run(db, job, "failed", started);
            throw std::runtime_error("deliberate failure " + std::to_string(failed + 1) + " of " +
                                     std::to_string(fail_times));
        }
        record_run(db, job, "ok", started);
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
        db::Connection c(db);
        auto runs = runs_of(*c);
        return http::Response::json(job_json(*job, runs[job->id]));
    }, options);

    router.get("/test/jobs", [&db, &store](http::Request&) {
        nlohmann::json counts = nlohmann::json::object();
        for (const auto& [state, n] : store.counts()) counts[std::string(to_string(state))] = n;
        nlohmann::json list = nlohmann::json::array();
        std::vector<long long> ids(10000);
        std::map<long long, Runs> runs;
        {
            db::Connection c(db);
            const std::string kind(kTestKind);
            *c << "SELECT id FROM jobs WHERE kind = :kind ORDER BY id", soci::use(kind), soci::into(ids);
            runs = runs_of(*c);
        }
        for (const long long id : ids)
            if (auto j = store.find(id)) list.push_back(job_json(*j, runs[id]));
        return http::Response::json({{"counts", counts}, {"jobs", list}});
    }, options);
}

}  // namespace uslugi::jobs
