#pragma once
// Durable jobs (the outbox): types and pure rules — the state machine of a
// job and the retry back-off. No I/O here; store.hpp holds the SQL and
// service.hpp the workers.
//
// Delivery is at-least-once: a job can run more than once (a worker dies after
// doing the work but before recording it; a handler outlives its lease and
// another worker takes the job). Every handler must therefore be idempotent —
// doing the same job twice must have the effect of doing it once (use the
// job's id or key as an idempotency key towards the outside world).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

namespace uslugi::jobs {

// queued ──lease──▶ running ──complete──▶ done
//   ▲                 │  ▲
//   └──fail, retry────┘  └── lease expired, taken by another worker
//                     │
//                     └──fail, no attempts left / permanent error──▶ dead
// dead ──operator's retry──▶ queued (attempts start again from 0)
enum class JobState { queued, running, done, dead };

std::string_view to_string(JobState s);
// Throws std::invalid_argument for an unknown name.
JobState job_state_from_string(std::string_view s);
// Whether the state machine allows `from` → `to`. running → running is the
// re-lease of a job whose worker vanished; done is terminal.
bool can_transition(JobState from, JobState to);

struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::string key;      // idempotency key of the enqueue; empty when none
    std::string payload;  // JSON
    JobState state = JobState::queued;
    int attempts = 0;     // leases taken so far, this one included
    int max_attempts = 0;
    std::int64_t run_at = 0;
    std::string lease_owner;      // empty unless running
    std::int64_t lease_until = 0;  // 0 unless running
    std::string last_error;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::int64_t finished_at = 0;  // 0 unless done or dead
};

// A handler throws this when retrying cannot help (bad payload, a refusal
// that will not change): the job goes dead at once instead of backing off.
class PermanentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Exponential back-off with "full jitter": after the n-th failed attempt the
// job waits a uniformly random time in [0, min(cap, base · 2^(n-1))]. The
// randomness spreads retries of many jobs that failed together (a registry
// was down) instead of hammering it again in lockstep.
struct BackoffPolicy {
    std::chrono::seconds base{2};
    std::chrono::seconds cap{3600};
};

// The upper bound of the wait after failed attempt `attempt` (1-based).
inline std::chrono::seconds backoff_ceiling(const BackoffPolicy& p, int attempt) {
    const std::int64_t base = std::max<std::int64_t>(0, p.base.count());
    const std::int64_t cap = std::max<std::int64_t>(0, p.cap.count());
    if (attempt < 1) attempt = 1;
    std::int64_t ceiling = base;
    for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;  // no overflow: stops at cap
    return std::chrono::seconds(std::min(ceiling, cap));
}

// The wait itself, drawn from `rng` (any UniformRandomBitGenerator; tests seed one).
template <class Rng>
std::chrono::seconds backoff_delay(const BackoffPolicy& p, int attempt, Rng& rng) {
    const std::int64_t ceiling = backoff_ceiling(p, attempt).count();
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling);
    return std::chrono::seconds(pick(rng));
}

// What happens to a job whose handler failed: back to the queue at `retry_at`,
// or dead (permanent error, or this was the last attempt allowed).
struct FailureDecision {
    std::optional<std::int64_t> retry_at;  // none: dead
};

template <class Rng>
FailureDecision decide_failure(const Job& job, bool permanent, std::int64_t now, const BackoffPolicy& p, Rng& rng) {
    if (permanent || job.attempts >= job.max_attempts) return {};
    return {now + backoff_delay(p, job.attempts, rng).count()};
}

// Error texts are kept for the operator, cut at a UTF-8 character boundary.
std::string clip_error(std::string_view text, std::size_t max_bytes = 2000);

}  // namespace uslugi::jobs
