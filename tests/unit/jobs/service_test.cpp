#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace std::chrono_literals;
using jobs::JobState;

namespace {

class JobRunnerTest : public test_support::StoreTest {
protected:
    static jobs::RunnerOptions fast(unsigned threads = 2) {
        jobs::RunnerOptions o;
        o.threads = threads;
        o.poll = 20ms;
        o.lease_seconds = 60;
        o.backoff = {0s, 0s};  // retry at once
        o.owner_prefix = "test";
        return o;
    }
    static jobs::NewJob job(std::string kind, int max_attempts = 10) {
        jobs::NewJob j;
        j.kind = std::move(kind);
        j.max_attempts = max_attempts;
        return j;
    }
    // Polls `done` until it holds or 10 s pass.
    template <class F>
    static bool eventually(F done, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(5ms);
        }
        return true;
    }
};

}  // namespace

TEST_P(JobRunnerTest, RunsEachJobOnceAndMarksItDone) {
    jobs::JobStore store(db());
    jobs::JobRunner runner(store, fast(3));
    std::mutex m;
    std::map<std::int64_t, int> runs;
    runner.handle("ok", [&](const jobs::Job& j) {
        std::lock_guard lock(m);
        ++runs[j.id];
    });
    runner.start();
    for (int i = 0; i < 20; ++i) store.enqueue(job("ok"));
    runner.notify();
    ASSERT_TRUE(eventually([&] { return store.counts()[JobState::done] == 20; }));
    runner.stop();
    std::lock_guard lock(m);
    EXPECT_EQ(runs.size(), 20u);
    for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << "job " << id;
    EXPECT_EQ(runner.completed(), 20u);
}

TEST_P(JobRunnerTest, AFailingJobIsRetriedThenDead) {
    jobs::JobStore store(db());
    jobs::JobRunner runner(store, fast());
    std::atomic<int> calls{0};
    runner.handle("flaky", [&](const jobs::Job& j) {
        ++calls;
        throw std::runtime_error("registry down, attempt " + std::to_string(j.attempts));
    });
    runner.start();
    const auto id = store.enqueue(job("flaky", 3)).id;
    runner.notify();
    ASSERT_TRUE(eventually([&] { return store.find(id)->state == JobState::dead; }));
    runner.stop();
    const auto j = store.find(id);
    EXPECT_EQ(j->attempts, 3);
    EXPECT_EQ(j->last_error, "registry down, attempt 3");
    EXPECT_EQ(calls.load(), 3);
    EXPECT_EQ(runner.failed(), 3u);
}

TEST_P(JobRunnerTest, APermanentErrorIsDeadAtOnceAndRetryRunsItAgain) {
    jobs::JobStore store(db());
    jobs::JobRunner runner(store, fast());
    std::atomic<int> calls{0};
    runner.handle("strict", [&](const jobs::Job&) {
        if (++calls == 1) throw jobs::PermanentError("payload refused");
    });
    runner.start();
    const auto id = store.enqueue(job("strict")).id;
    runner.notify();
    ASSERT_TRUE(eventually([&] { return store.find(id)->state == JobState::dead; }));
    EXPECT_EQ(store.find(id)->attempts, 1);
    ASSERT_TRUE(store.retry_dead(id));
    runner.notify();
    ASSERT_TRUE(eventually([&] { return store.find(id)->state == JobState::done; }));
    runner.stop();
    EXPECT_EQ(calls.load(), 2);
}

TEST_P(JobRunnerTest, NotifyWakesAnIdleRunnerBeforeThePoll) {
    jobs::JobStore store(db());
    auto options = fast(1);
    options.poll = 30s;
    jobs::JobRunner runner(store, options);
    std::atomic<int> calls{0};
    runner.handle("ok", [&](const jobs::Job&) { ++calls; });
    runner.start();
    std::this_thread::sleep_for(50ms);  // let the thread find the queue empty and go to sleep
    const auto started = std::chrono::steady_clock::now();
    store.enqueue(job("ok"));
    runner.notify();
    ASSERT_TRUE(eventually([&] { return calls.load() == 1; }, 5s)) << "woken by notify, not by the 30 s poll";
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    runner.stop();
}

TEST_P(JobRunnerTest, StopFinishesTheRunningJobAndLeavesTheRestQueued) {
    jobs::JobStore store(db());
    jobs::JobRunner runner(store, fast(1));
    std::atomic<int> started{0}, finished{0};
    runner.handle("slow", [&](const jobs::Job&) {
        ++started;
        std::this_thread::sleep_for(300ms);
        ++finished;
    });
    for (int i = 0; i < 4; ++i) store.enqueue(job("slow"));
    runner.start();
    ASSERT_TRUE(eventually([&] { return started.load() == 1; }));
    runner.stop();
    EXPECT_EQ(started.load(), 1) << "no new job after stop";
    EXPECT_EQ(finished.load(), 1) << "the job being run finished";
    const auto counts = store.counts();
    EXPECT_EQ(counts.at(JobState::done), 1);
    EXPECT_EQ(counts.at(JobState::queued), 3) << "nothing lost, nothing left running";
    EXPECT_EQ(counts.at(JobState::running), 0);
}

TEST_P(JobRunnerTest, TakesOnlyTheKindsItHasHandlersFor) {
    jobs::JobStore store(db());
    const auto other = store.enqueue(job("sms")).id;
    {
        jobs::JobRunner idle(store, fast());
        idle.start();  // no handlers: must not take anything
        std::this_thread::sleep_for(100ms);
    }
    jobs::JobRunner runner(store, fast());
    std::atomic<int> calls{0};
    runner.handle("mail", [&](const jobs::Job&) { ++calls; });
    runner.start();
    const auto mail = store.enqueue(job("mail")).id;
    runner.notify();
    ASSERT_TRUE(eventually([&] { return store.find(mail)->state == JobState::done; }));
    runner.stop();
    EXPECT_EQ(store.find(other)->state, JobState::queued);
    EXPECT_EQ(store.find(other)->attempts, 0);
}

USLUGI_STORE_TEST_SUITE(JobRunnerTest);
