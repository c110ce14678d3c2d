#pragma once
// Workers of the durable job queue. `uslugi serve` runs a JobRunner in-process
// (unless --no-workers) and `uslugi worker` runs only a JobRunner; any number
// of them may share one database, coordinating only through the jobs table.
//
// The rules for handlers (read them before registering one):
//  - Delivery is AT-LEAST-ONCE. A handler can run twice for one job: when the
//    process dies after the work but before the job is marked done, or when
//    the handler outlives its lease and another worker takes the job. Make
//    every handler idempotent: use the job id or key as the idempotency key
//    towards the outside (a message id for SMTP, a request id for a
//    registry), or check in the database whether the effect already exists.
//  - A handler must finish within the lease (--job-lease, default 120 s);
//    leases are not renewed. A handler that may take longer must split its
//    work into several jobs, or at least be safe to run twice at once.
//  - Throw to fail: the job is retried with exponential back-off and full
//    jitter until max_attempts, then goes dead (the operator sees it on
//    /ops/jobs and may retry it). Throw PermanentError when a retry cannot help.
//  - Handlers run on the runner's threads; they may block on the database or
//    the network but should not keep a database connection across slow calls.
#include "db/database.hpp"
#include "jobs/model.hpp"
#include "jobs/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace uslugi::jobs {

using Handler = std::function<void(const Job&)>;

struct RunnerOptions {
    unsigned threads = 2;
    int lease_seconds = 120;
    std::chrono::milliseconds poll{1000};  // how often an idle thread looks for due jobs
    BackoffPolicy backoff;
    std::chrono::hours keep_done{24 * 7};  // done jobs older than this are purged
    std::string owner_prefix;              // "" → host:pid:random
};

class JobRunner {
public:
    JobRunner(JobStore& store, RunnerOptions options = {});
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    // Registers the handler of a kind; before start() only. A runner takes
    // only the kinds it has handlers for.
    void handle(const std::string& kind, Handler handler);
    void start();
    // Graceful: no new jobs are taken, jobs being run finish, threads join.
    void stop();
    // Wakes idle threads now: call after committing a transaction that
    // enqueued jobs, so they start without waiting for the next poll. Jobs
    // enqueued by other processes are found by polling.
    void notify();

    // Owner names look like "host:pid:3f9a1c#0" (one per thread).
    const std::string& owner_prefix() const { return prefix_; }
    std::uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
    std::uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
    unsigned busy() const { return busy_.load(std::memory_order_relaxed); }

private:
    void loop(unsigned index);
    void run_one(const Job& job, const std::string& owner, std::mt19937_64& rng);
    void housekeeping();

    JobStore& store_;
    RunnerOptions options_;
    std::string prefix_;
    std::map<std::string, Handler> handlers_;
    std::vector<std::string> kinds_;
    std::vector<std::thread> threads_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::uint64_t signals_ = 0;  // bumped by notify(); threads compare with what they saw
    bool stopping_ = false;
    bool started_ = false;

    std::atomic<std::uint64_t> completed_{0}, failed_{0};
    std::atomic<unsigned> busy_{0};
};

// Counts of jobs by state for /metrics, refreshed by a thread of its own every
// `interval` so a scrape never waits for the database.
class JobMonitor {
public:
    JobMonitor(JobStore& store, std::chrono::milliseconds interval = std::chrono::seconds(5));
    ~JobMonitor();
    JobMonitor(const JobMonitor&) = delete;
    JobMonitor& operator=(const JobMonitor&) = delete;
    // -1 until the first successful refresh.
    double count(JobState s) const;

private:
    void refresh();
    JobStore& store_;
    std::chrono::milliseconds interval_;
    std::atomic<std::int64_t> counts_[4] = {-1, -1, -1, -1};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace uslugi::jobs
