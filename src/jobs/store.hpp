#pragma once
// The SQL of the jobs module: the `jobs` table (migrations/0002_jobs.sql).
// Only this module reads or writes it; other modules enqueue through
// JobStore::enqueue inside their own transaction, so a job exists if and only
// if the change that needs it was committed.
//
// Leases: a worker takes a job by writing its owner name and a lease deadline.
// A job whose lease has passed is free again, so a worker that dies (SIGKILL,
// power loss) loses nothing: its jobs run again elsewhere once their leases
// end. PostgreSQL takes jobs with `FOR UPDATE SKIP LOCKED`, so workers never
// wait for each other nor take the same job; SQLite has one writer at a time
// (`BEGIN IMMEDIATE`), which serialises leasing just as well.
#include "db/database.hpp"
#include "jobs/model.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::jobs {

struct NewJob {
    std::string kind;
    std::string key;             // optional idempotency key: a second enqueue with it is a no-op
    std::string payload = "{}";  // JSON
    std::int64_t run_at = 0;     // 0: now
    int max_attempts = 10;
};

struct EnqueueResult {
    std::int64_t id = 0;
    bool created = false;  // false: a job with this key existed already
};

class JobStore {
public:
    using Clock = std::function<std::int64_t()>;  // UTC seconds; tests move time
    explicit JobStore(db::Database& db, Clock clock = {});

    // Inside the caller's transaction (`db::transact`): the job commits or rolls
    // back with the change that needs it. Idempotent by key: when a job with
    // the key exists (in any state) nothing is written and its id is returned.
    EnqueueResult enqueue(soci::session& s, const NewJob& job);
    // The same in a transaction of its own.
    EnqueueResult enqueue(const NewJob& job);

    // Takes up to `n` jobs that are due — queued with run_at ≤ now, or running
    // with a lease that has passed — of the given kinds (all kinds when empty),
    // oldest run_at first; marks them running for `owner` until now +
    // lease_seconds and counts the attempt. Running jobs whose lease has passed
    // with no attempts left go dead here instead of being taken.
    std::vector<Job> lease(const std::string& owner, const std::vector<std::string>& kinds, int n,
                           int lease_seconds);
    // Marks the job done, only if `owner` still holds it; false otherwise (the
    // lease passed and another worker took the job).
    bool complete(std::int64_t id, const std::string& owner);
    // Records a failure, only if `owner` still holds the job: back to the queue
    // at `retry_at`, or dead when there is none. False when the lease was lost.
    bool fail(std::int64_t id, const std::string& owner, const std::string& error,
              std::optional<std::int64_t> retry_at);

    std::optional<Job> find(std::int64_t id);
    std::optional<Job> find_by_key(const std::string& key);
    // Dead jobs, most recently failed first.
    std::vector<Job> list_dead(int limit = 200);
    // Oldest first.
    std::vector<std::int64_t> ids_of_kind(const std::string& kind, int limit = 10000);
    // An operator's retry: a dead job goes back to the queue, due now, with its
    // attempts counted from 0 again (the last error stays for reference).
    // False when the job is not dead.
    bool retry_dead(std::int64_t id);
    // Jobs by state (every state present, 0 when none), for metrics.
    std::map<JobState, std::int64_t> counts();
    // Deletes done jobs finished before `before`; returns how many.
    int purge_done(std::int64_t before);

private:
    std::int64_t now() const;
    std::optional<Job> load(soci::session& s, std::int64_t id);

    db::Database& db_;
    Clock clock_;
};

}  // namespace uslugi::jobs
