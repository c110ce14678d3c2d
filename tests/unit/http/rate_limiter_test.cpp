#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/clock.hpp"
#include "http/rate_limiter.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

class RateLimiterTest : public test_support::StoreTest {};

TEST_P(RateLimiterTest, AllowsUpToTheLimitThenRefusesWithRetryAfter) {
    http::RateLimiter limiter(db());
    // A window of a day: the test cannot cross into the next one.
    for (int i = 1; i <= 5; ++i) {
        const auto d = limiter.hit("validate:198.51.100.7", 5, std::chrono::hours(24));
        EXPECT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.hits, i);
    }
    const auto refused = limiter.hit("validate:198.51.100.7", 5, std::chrono::hours(24));
    EXPECT_FALSE(refused.allowed);
    EXPECT_GT(refused.retry_after, 0);
    EXPECT_LE(refused.retry_after, 24 * 3600);
    EXPECT_TRUE(limiter.hit("validate:198.51.100.8", 5, std::chrono::hours(24)).allowed) << "keys are separate";
}

TEST_P(RateLimiterTest, ANewWindowStartsAgain) {
    http::RateLimiter limiter(db());
    limiter.hit("k", 1, std::chrono::hours(24));
    EXPECT_FALSE(limiter.hit("k", 1, std::chrono::hours(24)).allowed);
    {
        db::Connection c(db());
        *c << "UPDATE http_rate_limits SET window_start = window_start - 86400 WHERE key = 'k'";
    }
    EXPECT_TRUE(limiter.hit("k", 1, std::chrono::hours(24)).allowed);
    EXPECT_EQ(limiter.purge(core::now_unix() + 1), 1);
}

TEST_P(RateLimiterTest, ConcurrentHitsAreAllCounted) {
    http::RateLimiter limiter(db());
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i)
                if (limiter.hit("burst", 25, std::chrono::hours(24)).allowed) ++allowed;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(allowed.load(), 25) << "exactly the limit passes, whatever the interleaving";
}

USLUGI_STORE_TEST_SUITE(RateLimiterTest);
