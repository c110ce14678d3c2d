#include "jobs/test_run_store.hpp"

#include "db/dialect.hpp"
#include "db/transaction.hpp"

namespace uslugi::jobs {

void TestRunStore::ensure_table() const {
    db::transact(db_, [](soci::session& s) {
        db::lock_for_transaction(s, 7345002);
        s << "CREATE TABLE IF NOT EXISTS job_test_runs ("
             "job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, owner TEXT NOT NULL, outcome TEXT NOT NULL, "
             "started_ms BIGINT NOT NULL, finished_ms BIGINT NOT NULL)";
    });
}

void TestRunStore::record(std::int64_t job_id, int attempt, const std::string& owner, const std::string& outcome,
                          long long started_ms, long long finished_ms) const {
    const long long id = job_id;
    db::Connection c(db_);
    *c << "INSERT INTO job_test_runs (job_id, attempt, owner, outcome, started_ms, finished_ms) "
          "VALUES (:id, :attempt, :owner, :outcome, :started, :finished)",
        soci::use(id), soci::use(attempt), soci::use(owner), soci::use(outcome), soci::use(started_ms),
        soci::use(finished_ms);
}

long long TestRunStore::failures(std::int64_t job_id) const {
    const long long id = job_id;
    long long failed = 0;
    db::Connection c(db_);
    *c << "SELECT COUNT(*) FROM job_test_runs WHERE job_id = :id AND outcome = 'failed'", soci::use(id),
        soci::into(failed);
    return failed;
}

std::map<long long, TestRuns> TestRunStore::all() const {
    std::map<long long, TestRuns> out;
    db::Connection c(db_);
    soci::rowset<soci::row> rows = (c->prepare << "SELECT job_id, outcome, owner FROM job_test_runs");
    for (const soci::row& r : rows) {
        // job_id is BIGINT on both databases.
        TestRuns& runs = out[r.get<long long>(0)];
        if (r.get<std::string>(1) == "ok") {
            ++runs.ok;
            runs.owners.insert(r.get<std::string>(2));
        } else {
            ++runs.failed;
        }
    }
    return out;
}

}  // namespace uslugi::jobs
