// The handler pool: every accepted job runs exactly once, never more at once
// than there are threads, a full queue refuses (the server turns that into a
// 503), and shutdown finishes what was accepted. Jobs block on gates the test
// opens, so nothing depends on how fast the machine is.
#include <gtest/gtest.h>

#include "http/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace uslugi::http;
using namespace std::chrono_literals;

namespace {

// Holds `count` jobs in the pool's threads until open(); wait_started()
// returns once all of them are running. The jobs share its state, and it opens
// itself when it goes out of scope, so a failed ASSERT cannot leave the pool
// joining a thread that waits forever.
class Gate {
public:
    explicit Gate(std::ptrdiff_t count) : state_(std::make_shared<State>(count)) {}
    ~Gate() { open(); }
    std::function<void()> job() {
        return [state = state_] {
            state->started.count_down();
            state->opened.wait();
        };
    }
    void wait_started() { state_->started.wait(); }
    void open() {
        if (!state_->is_open.exchange(true)) state_->opening.set_value();
    }

private:
    struct State {
        explicit State(std::ptrdiff_t count) : started(count), opened(opening.get_future().share()) {}
        std::latch started;
        std::promise<void> opening;
        std::shared_future<void> opened;
        std::atomic<bool> is_open{false};
    };
    std::shared_ptr<State> state_;
};

}  // namespace

TEST(WorkerPool, RunsEveryAcceptedJobExactlyOnce) {
    constexpr int kJobs = 2000;
    std::vector<std::atomic<int>> runs(kJobs);
    WorkerPool pool(4, kJobs);
    for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(pool.try_submit([&runs, i] { runs[i].fetch_add(1); })) << i;
    pool.shutdown();
    for (int i = 0; i < kJobs; ++i) EXPECT_EQ(runs[i].load(), 1) << "job " << i;
    EXPECT_EQ(pool.queue_depth(), 0u);
    EXPECT_EQ(pool.busy(), 0u);
}

TEST(WorkerPool, NeverRunsMoreJobsAtOnceThanItHasThreads) {
    constexpr std::size_t kThreads = 3;
    std::atomic<int> running{0}, most{0}, done{0};
    WorkerPool pool(kThreads, 100);
    EXPECT_EQ(pool.threads(), kThreads);
    Gate gate(kThreads);
    for (std::size_t i = 0; i < kThreads; ++i) ASSERT_TRUE(pool.try_submit(gate.job()));
    gate.wait_started();
    EXPECT_EQ(pool.busy(), kThreads);

    // Every thread is held: whatever comes now must wait in the queue.
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(pool.try_submit([&] {
            const int now = running.fetch_add(1) + 1;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            running.fetch_sub(1);
            done.fetch_add(1);
        }));
    }
    EXPECT_EQ(pool.queue_depth(), 10u);
    EXPECT_EQ(done.load(), 0);

    gate.open();
    pool.shutdown();
    EXPECT_EQ(done.load(), 10);
    EXPECT_LE(most.load(), int(kThreads));
}

TEST(WorkerPool, RefusesWhenItsQueueIsFull) {
    std::atomic<int> ran{0};
    WorkerPool pool(1, 2);
    EXPECT_EQ(pool.capacity(), 2u);
    Gate gate(1);
    ASSERT_TRUE(pool.try_submit(gate.job()));
    gate.wait_started();

    auto count = [&ran] { ran.fetch_add(1); };
    // The running job does not take a place in the queue.
    EXPECT_TRUE(pool.try_submit(count));
    EXPECT_TRUE(pool.try_submit(count));
    EXPECT_FALSE(pool.try_submit([&ran] { ran.fetch_add(100); })) << "a third waiting job is over capacity";
    EXPECT_EQ(pool.queue_depth(), 2u);

    gate.open();
    pool.shutdown();
    EXPECT_EQ(ran.load(), 2) << "the refused job never runs";
}

TEST(WorkerPool, AcceptsAgainOnceTheQueueHasRoom) {
    WorkerPool pool(1, 1);
    Gate first(1);
    ASSERT_TRUE(pool.try_submit(first.job()));
    first.wait_started();
    Gate second(1);
    ASSERT_TRUE(pool.try_submit(second.job()));
    ASSERT_FALSE(pool.try_submit([] {}));

    first.open();
    second.wait_started();  // the queued job has been taken: its place is free
    EXPECT_EQ(pool.queue_depth(), 0u);
    EXPECT_TRUE(pool.try_submit([] {}));
    second.open();
    pool.shutdown();
}

TEST(WorkerPool, ShutdownFinishesQueuedWorkAndThenRefuses) {
    WorkerPool pool(1, 1'000'000);
    std::atomic<int> ran{0};
    std::future<void> stopped;  // declared before the gate: the gate opens first on the way out
    Gate gate(1);
    ASSERT_TRUE(pool.try_submit(gate.job()));
    gate.wait_started();

    stopped = std::async(std::launch::async, [&pool] { pool.shutdown(); });
    // Submit until the pool refuses: with room for a million waiting jobs, a
    // refusal means shutdown has begun, and everything accepted before it
    // must still run.
    int accepted = 0;
    while (pool.try_submit([&ran] { ran.fetch_add(1); })) {
        ++accepted;
        std::this_thread::yield();
    }
    ASSERT_LT(pool.queue_depth(), pool.capacity()) << "refused because it is stopping, not because it is full";
    EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout) << "shutdown waits for the running job";

    gate.open();
    stopped.get();
    EXPECT_EQ(ran.load(), accepted);
    EXPECT_EQ(pool.queue_depth(), 0u);
    EXPECT_FALSE(pool.try_submit([] {}));
}

TEST(WorkerPool, ShutdownTwiceAndThenTheDestructorAreHarmless) {
    std::atomic<int> ran{0};
    {
        WorkerPool pool(2, 10);
        ASSERT_TRUE(pool.try_submit([&ran] { ran.fetch_add(1); }));
        pool.shutdown();
        pool.shutdown();
        EXPECT_EQ(ran.load(), 1);
    }
    EXPECT_EQ(ran.load(), 1);
}

TEST(WorkerPool, TheDestructorRunsWhatIsQueued) {
    std::atomic<int> ran{0};
    {
        WorkerPool pool(1, 10);
        Gate gate(1);
        ASSERT_TRUE(pool.try_submit(gate.job()));
        gate.wait_started();
        for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.try_submit([&ran] { ran.fetch_add(1); }));
        gate.open();
    }
    EXPECT_EQ(ran.load(), 5);
}

TEST(WorkerPool, AThrowingJobDoesNotCostAThread) {
    WorkerPool pool(1, 10);
    ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("handler bug"); }));
    std::promise<void> after;
    ASSERT_TRUE(pool.try_submit([&after] { after.set_value(); }));
    auto done = after.get_future();
    done.get();  // run by the same, only thread after the exception
    pool.shutdown();
    EXPECT_EQ(pool.busy(), 0u);
}
