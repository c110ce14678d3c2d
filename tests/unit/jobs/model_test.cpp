#include <gtest/gtest.h>

#include <random>
#include <set>

#include "jobs/model.hpp"

using namespace uslugi;
using jobs::JobState;

TEST(JobState, NamesRoundTrip) {
    for (JobState s : {JobState::queued, JobState::running, JobState::done, JobState::dead})
        EXPECT_EQ(jobs::job_state_from_string(jobs::to_string(s)), s);
    EXPECT_THROW(jobs::job_state_from_string("finished"), std::invalid_argument);
}

TEST(JobState, AllowedTransitions) {
    using S = JobState;
    const std::set<std::pair<S, S>> allowed{
        {S::queued, S::running},                               // lease
        {S::running, S::done},                                 // complete
        {S::running, S::queued},                               // fail, retry later
        {S::running, S::dead},                                 // fail, no attempts left / permanent
        {S::running, S::running},                              // lease expired, another worker takes it
        {S::dead, S::queued},                                  // operator's retry
    };
    for (S from : {S::queued, S::running, S::done, S::dead})
        for (S to : {S::queued, S::running, S::done, S::dead})
            EXPECT_EQ(jobs::can_transition(from, to), allowed.count({from, to}) == 1)
                << jobs::to_string(from) << " → " << jobs::to_string(to);
}

TEST(Backoff, CeilingDoublesFromBaseUpToCap) {
    const jobs::BackoffPolicy p{std::chrono::seconds(2), std::chrono::seconds(60)};
    EXPECT_EQ(jobs::backoff_ceiling(p, 1).count(), 2);
    EXPECT_EQ(jobs::backoff_ceiling(p, 2).count(), 4);
    EXPECT_EQ(jobs::backoff_ceiling(p, 3).count(), 8);
    EXPECT_EQ(jobs::backoff_ceiling(p, 5).count(), 32);
    EXPECT_EQ(jobs::backoff_ceiling(p, 6).count(), 60);
    EXPECT_EQ(jobs::backoff_ceiling(p, 7).count(), 60);
    EXPECT_EQ(jobs::backoff_ceiling(p, 0).count(), 2) << "attempt counts from 1";
    EXPECT_EQ(jobs::backoff_ceiling(p, 1000000).count(), 60) << "no overflow for huge attempt numbers";
    const jobs::BackoffPolicy zero{std::chrono::seconds(0), std::chrono::seconds(60)};
    EXPECT_EQ(jobs::backoff_ceiling(zero, 10).count(), 0);
    const jobs::BackoffPolicy big{std::chrono::seconds(1000), std::chrono::seconds(10)};
    EXPECT_EQ(jobs::backoff_ceiling(big, 1).count(), 10) << "the cap bounds even the first wait";
}

TEST(Backoff, FullJitterStaysWithinZeroAndTheCeiling) {
    const jobs::BackoffPolicy p{std::chrono::seconds(3), std::chrono::seconds(100)};
    std::mt19937_64 rng(42);
    for (int attempt = 1; attempt <= 12; ++attempt) {
        const auto ceiling = jobs::backoff_ceiling(p, attempt).count();
        std::int64_t lo = ceiling, hi = 0;
        double sum = 0;
        const int n = 4000;
        for (int i = 0; i < n; ++i) {
            const auto d = jobs::backoff_delay(p, attempt, rng).count();
            ASSERT_GE(d, 0);
            ASSERT_LE(d, ceiling);
            lo = std::min(lo, d);
            hi = std::max(hi, d);
            sum += double(d);
        }
        // Full jitter: the whole range [0, ceiling] is used, centred on half of it.
        EXPECT_EQ(lo, 0) << "attempt " << attempt;
        EXPECT_EQ(hi, ceiling) << "attempt " << attempt;
        EXPECT_NEAR(sum / n, ceiling / 2.0, ceiling * 0.05 + 0.1) << "attempt " << attempt;
    }
}

TEST(Backoff, SameSeedSameDelays) {
    const jobs::BackoffPolicy p{};
    std::mt19937_64 a(7), b(7), c(8);
    std::vector<std::int64_t> da, db, dc;
    for (int attempt = 1; attempt <= 10; ++attempt) {
        da.push_back(jobs::backoff_delay(p, attempt, a).count());
        db.push_back(jobs::backoff_delay(p, attempt, b).count());
        dc.push_back(jobs::backoff_delay(p, attempt, c).count());
    }
    EXPECT_EQ(da, db);
    EXPECT_NE(da, dc);
}

TEST(FailureDecision, RetriesUntilTheLastAttemptThenDead) {
    const jobs::BackoffPolicy p{std::chrono::seconds(10), std::chrono::seconds(1000)};
    std::mt19937_64 rng(1);
    jobs::Job job;
    job.max_attempts = 3;
    for (int attempt = 1; attempt <= 2; ++attempt) {
        job.attempts = attempt;
        const auto d = jobs::decide_failure(job, false, 5000, p, rng);
        ASSERT_TRUE(d.retry_at) << "attempt " << attempt;
        EXPECT_GE(*d.retry_at, 5000);
        EXPECT_LE(*d.retry_at, 5000 + jobs::backoff_ceiling(p, attempt).count());
    }
    job.attempts = 3;
    EXPECT_FALSE(jobs::decide_failure(job, false, 5000, p, rng).retry_at) << "no attempts left";
    job.attempts = 1;
    EXPECT_FALSE(jobs::decide_failure(job, true, 5000, p, rng).retry_at) << "a permanent error is dead at once";
}

TEST(ClipError, CutsAtACharacterBoundary) {
    EXPECT_EQ(jobs::clip_error("short", 10), "short");
    const std::string cyr = "ошибка";  // 2 bytes per letter
    const std::string clipped = jobs::clip_error(cyr, 5);
    EXPECT_EQ(clipped, "ош…");
    EXPECT_EQ(jobs::clip_error(std::string(5000, 'x')).size(), 2000u + std::string("…").size());
}
