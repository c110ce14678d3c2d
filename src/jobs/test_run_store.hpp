#pragma once
// The table of the integration tests' job kind (jobs/test_routes.hpp):
// job_test_runs, one row per execution that reached its end. It exists only
// where --test-routes was given, so it is created here, not by a migration.
#include "db/database.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace uslugi::jobs {

struct TestRuns {
    long long ok = 0, failed = 0;
    std::set<std::string> owners;  // of the successful runs
};

class TestRunStore {
public:
    explicit TestRunStore(db::Database& db) : db_(db) {}
    // Safe when several processes start at once.
    void ensure_table() const;
    void record(std::int64_t job_id, int attempt, const std::string& owner, const std::string& outcome,
                long long started_ms, long long finished_ms) const;
    long long failures(std::int64_t job_id) const;
    std::map<long long, TestRuns> all() const;

private:
    db::Database& db_;
};

}  // namespace uslugi::jobs
