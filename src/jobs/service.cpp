#include "jobs/service.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>

namespace uslugi::jobs {

namespace {

std::string default_owner_prefix() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "host");
    // The random part keeps owners distinct when a pid is reused after a restart.
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + core::to_hex(core::random_bytes(3));
}

std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    const std::string bytes = core::random_bytes(sizeof seed);
    std::memcpy(&seed, bytes.data(), sizeof seed);
    return seed;
}

}  // namespace

JobRunner::JobRunner(JobStore& store, RunnerOptions options)
    : store_(store), options_(std::move(options)),
      prefix_(options_.owner_prefix.empty() ? default_owner_prefix() : options_.owner_prefix) {
    if (options_.threads == 0) options_.threads = 1;
}

JobRunner::~JobRunner() { stop(); }

void JobRunner::handle(const std::string& kind, Handler handler) {
    std::lock_guard lock(mutex_);
    if (started_) throw std::logic_error("JobRunner::handle after start");
    if (!handlers_.emplace(kind, std::move(handler)).second)
        throw std::logic_error("two handlers for job kind '" + kind + "'");
    kinds_.push_back(kind);
}

void JobRunner::start() {
    {
        std::lock_guard lock(mutex_);
        if (started_) return;
        started_ = true;
        stopping_ = false;
    }
    if (handlers_.empty()) {
        // Leasing with no kinds would take every kind: never do that.
        core::app_log().warn("job runner has no handlers registered: not started");
        return;
    }
    for (unsigned i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { loop(i); });
    core::app_log().info("job runner {} started: {} threads, lease {} s, kinds: {}", prefix_, options_.threads,
                         options_.lease_seconds, fmt::join(kinds_, ", "));
}

void JobRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!started_ || stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (!threads_.empty() && busy() > 0)
        core::app_log().info("job runner {}: waiting for {} running job(s) to finish", prefix_, busy());
    for (auto& t : threads_) t.join();
    threads_.clear();
    core::app_log().info("job runner {} stopped ({} done, {} failed)", prefix_, completed(), failed());
}

void JobRunner::notify() {
    {
        std::lock_guard lock(mutex_);
        ++signals_;
    }
    wake_.notify_all();
}

void JobRunner::loop(unsigned index) {
    const std::string owner = prefix_ + "#" + std::to_string(index);
    std::mt19937_64 rng(random_seed());
    auto last_housekeeping = std::chrono::steady_clock::time_point{};
    auto last_error_log = std::chrono::steady_clock::time_point{};
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            seen = signals_;
        }
        std::vector<Job> jobs;
        try {
            jobs = store_.lease(owner, kinds_, 1, options_.lease_seconds);
        } catch (const std::exception& e) {
            // The database is down or busy: say so now and then, keep polling.
            const auto now = std::chrono::steady_clock::now();
            if (now - last_error_log > std::chrono::seconds(30)) {
                core::app_log().error("job runner {}: leasing failed: {}", owner, e.what());
                last_error_log = now;
            }
        }
        for (const Job& job : jobs) run_one(job, owner, rng);
        if (!jobs.empty()) continue;  // there may be more due right away

        if (index == 0 && std::chrono::steady_clock::now() - last_housekeeping > std::chrono::hours(1)) {
            last_housekeeping = std::chrono::steady_clock::now();
            housekeeping();
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.poll, [&] { return stopping_ || signals_ != seen; });
    }
}

void JobRunner::run_one(const Job& job, const std::string& owner, std::mt19937_64& rng) {
    busy_.fetch_add(1, std::memory_order_relaxed);
    const auto started = std::chrono::steady_clock::now();
    std::string error;
    bool ok = false, permanent = false;
    try {
        handlers_.at(job.kind)(job);
        ok = true;
    } catch (const PermanentError& e) {
        permanent = true;
        error = e.what();
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "unknown exception";
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

    // Recording the outcome is retried a little: if it still fails the job
    // stays leased and runs again after the lease (at-least-once).
    // nullopt: not recorded; otherwise whether the lease was still ours.
    auto record = [&](auto&& write) -> std::optional<bool> {
        for (int attempt = 1;; ++attempt) {
            try {
                return write();
            } catch (const std::exception& e) {
                if (attempt == 3) {
                    core::app_log().error("job {} ({}): could not record the outcome ({}): {}; it will run again "
                                          "after its lease",
                                          job.id, job.kind, ok ? "done" : error, e.what());
                    return std::nullopt;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
            }
        }
    };

    if (ok) {
        completed_.fetch_add(1, std::memory_order_relaxed);
        const auto held = record([&] { return store_.complete(job.id, owner); });
        if (!held) {
            // logged above
        } else if (*held)
            core::app_log().info("job {} ({}) done in {:.0f} ms, attempt {}", job.id, job.kind, ms, job.attempts);
        else
            core::app_log().warn("job {} ({}) finished after its lease passed to another worker ({:.0f} ms); "
                                 "it may run twice — handlers are idempotent",
                                 job.id, job.kind, ms);
    } else {
        failed_.fetch_add(1, std::memory_order_relaxed);
        const FailureDecision d = decide_failure(job, permanent, core::now_unix(), options_.backoff, rng);
        const auto held = record([&] { return store_.fail(job.id, owner, error, d.retry_at); });
        if (!held) {
            // logged above
        } else if (!*held)
            core::app_log().warn("job {} ({}) failed after its lease passed to another worker: {}", job.id,
                                 job.kind, error);
        else if (d.retry_at)
            core::app_log().warn("job {} ({}) failed, attempt {} of {}, retry in {} s: {}", job.id, job.kind,
                                 job.attempts, job.max_attempts, *d.retry_at - core::now_unix(), error);
        else
            core::app_log().error("job {} ({}) is dead after attempt {} of {}{}: {}", job.id, job.kind,
                                  job.attempts, job.max_attempts, permanent ? " (permanent error)" : "", error);
    }
    busy_.fetch_sub(1, std::memory_order_relaxed);
}

void JobRunner::housekeeping() {
    try {
        const auto keep = std::chrono::duration_cast<std::chrono::seconds>(options_.keep_done).count();
        if (int n = store_.purge_done(core::now_unix() - keep))
            core::app_log().info("purged {} done jobs older than {} h", n, keep / 3600);
    } catch (const std::exception& e) {
        core::app_log().warn("purge of done jobs failed: {}", e.what());
    }
}

JobMonitor::JobMonitor(JobStore& store, std::chrono::milliseconds interval) : store_(store), interval_(interval) {
    refresh();
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            lock.unlock();
            refresh();
            lock.lock();
        }
    });
}

JobMonitor::~JobMonitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void JobMonitor::refresh() {
    try {
        for (const auto& [state, n] : store_.counts())
            counts_[static_cast<int>(state)].store(n, std::memory_order_relaxed);
    } catch (const std::exception& e) {
        core::app_log().warn("counting jobs failed: {}", e.what());
    }
}

double JobMonitor::count(JobState s) const {
    return static_cast<double>(counts_[static_cast<int>(s)].load(std::memory_order_relaxed));
}

}  // namespace uslugi::jobs
