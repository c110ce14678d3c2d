#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "db/transaction.hpp"
#include "jobs/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using jobs::JobState;

namespace {

class JobStoreTest : public test_support::StoreTest {
protected:
    // A clock the test moves by hand, so leases and back-off need no sleeping.
    std::shared_ptr<std::atomic<std::int64_t>> clock_ = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000);
    jobs::JobStore store() {
        return jobs::JobStore(db(), [c = clock_] { return c->load(); });
    }
    void advance(std::int64_t seconds) { *clock_ += seconds; }
    std::int64_t now() const { return clock_->load(); }
    static jobs::NewJob job(std::string kind, std::string key = "", std::string payload = "{}") {
        jobs::NewJob j;
        j.kind = std::move(kind);
        j.key = std::move(key);
        j.payload = std::move(payload);
        return j;
    }
};

}  // namespace

TEST_P(JobStoreTest, EnqueueIsIdempotentByKey) {
    auto s = store();
    const auto first = s.enqueue(job("mail", "application-17-sent", R"({"to":"a"})"));
    EXPECT_TRUE(first.created);
    EXPECT_GT(first.id, 0);
    const auto again = s.enqueue(job("mail", "application-17-sent", R"({"to":"b"})"));
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.id, first.id);
    const auto found = s.find(first.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->payload, R"({"to":"a"})") << "the second enqueue wrote nothing";
    EXPECT_EQ(found->key, "application-17-sent");
    EXPECT_EQ(found->state, JobState::queued);
    EXPECT_EQ(found->attempts, 0);
    EXPECT_EQ(found->run_at, now());
    EXPECT_EQ(s.find_by_key("application-17-sent")->id, first.id);

    // Without a key every enqueue is a new job.
    const auto a = s.enqueue(job("mail"));
    const auto b = s.enqueue(job("mail"));
    EXPECT_TRUE(a.created && b.created);
    EXPECT_NE(a.id, b.id);
    EXPECT_TRUE(s.find(a.id)->key.empty());

    // Still a no-op once the keyed job is done.
    auto leased = s.lease("w", {}, 10, 60);
    for (const auto& j : leased) s.complete(j.id, "w");
    EXPECT_EQ(s.enqueue(job("mail", "application-17-sent")).id, first.id);
    EXPECT_EQ(s.counts()[JobState::queued], 0);
}

TEST_P(JobStoreTest, EnqueueCommitsOrRollsBackWithTheCallersTransaction) {
    auto s = store();
    std::int64_t kept = 0;
    db::transact(db(), [&](soci::session& session) { kept = s.enqueue(session, job("mail", "kept")).id; });
    EXPECT_THROW(db::transact(db(), [&](soci::session& session) {
                     s.enqueue(session, job("mail", "lost"));
                     throw std::runtime_error("the change failed");
                 }),
                 std::runtime_error);
    EXPECT_TRUE(s.find(kept));
    EXPECT_FALSE(s.find_by_key("lost")) << "a job exists only if the change that needs it committed";
    EXPECT_TRUE(s.enqueue(job("mail", "lost")).created);
}

TEST_P(JobStoreTest, LeaseTakesDueJobsOfTheGivenKindsOldestFirst) {
    auto s = store();
    const auto later = s.enqueue([&] { auto j = job("mail"); j.run_at = now() + 100; return j; }());
    const auto sms = s.enqueue(job("sms"));
    advance(1);
    const auto mail = s.enqueue(job("mail"));

    EXPECT_TRUE(s.lease("w1", {"push"}, 5, 60).empty()) << "no job of that kind";
    const auto got = s.lease("w1", {"mail", "sms"}, 5, 60);
    ASSERT_EQ(got.size(), 2u) << "the job due later is not taken";
    EXPECT_EQ(got[0].id, sms.id) << "oldest run_at first";
    EXPECT_EQ(got[1].id, mail.id);
    for (const auto& j : got) {
        EXPECT_EQ(j.state, JobState::running);
        EXPECT_EQ(j.lease_owner, "w1");
        EXPECT_EQ(j.lease_until, now() + 60);
        EXPECT_EQ(j.attempts, 1);
        EXPECT_TRUE(s.complete(j.id, "w1"));
    }
    advance(100);
    const auto due = s.lease("w1", {"mail"}, 5, 60);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].id, later.id);
}

TEST_P(JobStoreTest, LeaseRespectsTheLimitAndSkipsLeasedJobs) {
    auto s = store();
    for (int i = 0; i < 5; ++i) s.enqueue(job("mail"));
    EXPECT_EQ(s.lease("w1", {}, 2, 60).size(), 2u);
    EXPECT_EQ(s.lease("w2", {}, 10, 60).size(), 3u) << "the two leased by w1 are skipped";
    EXPECT_TRUE(s.lease("w3", {}, 10, 60).empty());
    advance(59);
    EXPECT_TRUE(s.lease("w3", {}, 10, 60).empty()) << "leases still hold";
    const auto c = s.counts();
    EXPECT_EQ(c.at(JobState::running), 5);
    EXPECT_EQ(c.at(JobState::queued), 0);
}

TEST_P(JobStoreTest, AnExpiredLeaseIsTakenAgainAndTheOldOwnerCannotFinish) {
    auto s = store();
    const auto id = s.enqueue(job("mail")).id;
    ASSERT_EQ(s.lease("w1", {}, 1, 30).size(), 1u);
    advance(30);
    const auto retaken = s.lease("w2", {}, 1, 30);
    ASSERT_EQ(retaken.size(), 1u) << "the lease has passed: the job is free again";
    EXPECT_EQ(retaken[0].id, id);
    EXPECT_EQ(retaken[0].lease_owner, "w2");
    EXPECT_EQ(retaken[0].attempts, 2);

    EXPECT_FALSE(s.complete(id, "w1")) << "w1's lease was stolen";
    EXPECT_FALSE(s.fail(id, "w1", "late failure", now() + 5));
    EXPECT_EQ(s.find(id)->state, JobState::running);
    EXPECT_TRUE(s.complete(id, "w2"));
    const auto done = s.find(id);
    EXPECT_EQ(done->state, JobState::done);
    EXPECT_EQ(done->finished_at, now());
    EXPECT_TRUE(done->lease_owner.empty());
    EXPECT_FALSE(s.complete(id, "w2")) << "done only once";
    EXPECT_TRUE(s.lease("w3", {}, 1, 30).empty());
}

TEST_P(JobStoreTest, FailureRetriesAtTheGivenTimeThenGoesDead) {
    auto s = store();
    const auto id = s.enqueue([&] { auto j = job("registry"); j.max_attempts = 2; return j; }()).id;
    ASSERT_EQ(s.lease("w1", {}, 1, 60).size(), 1u);
    EXPECT_TRUE(s.fail(id, "w1", "registry answered 503", now() + 10));
    auto j = s.find(id);
    EXPECT_EQ(j->state, JobState::queued);
    EXPECT_EQ(j->run_at, now() + 10);
    EXPECT_EQ(j->last_error, "registry answered 503");
    EXPECT_TRUE(j->lease_owner.empty());
    EXPECT_TRUE(s.lease("w1", {}, 1, 60).empty()) << "backing off";
    advance(10);
    const auto again = s.lease("w1", {}, 1, 60);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].attempts, 2);
    EXPECT_TRUE(s.fail(id, "w1", "registry answered 503 again", std::nullopt));
    j = s.find(id);
    EXPECT_EQ(j->state, JobState::dead);
    EXPECT_EQ(j->finished_at, now());
    advance(1000);
    EXPECT_TRUE(s.lease("w1", {}, 1, 60).empty()) << "dead jobs are not taken";
    const auto dead = s.list_dead();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].id, id);
    EXPECT_EQ(dead[0].last_error, "registry answered 503 again");
    EXPECT_EQ(s.counts().at(JobState::dead), 1);
}

TEST_P(JobStoreTest, ALostLeaseOnTheLastAttemptMakesTheJobDead) {
    auto s = store();
    const auto id = s.enqueue([&] { auto j = job("mail"); j.max_attempts = 1; return j; }()).id;
    ASSERT_EQ(s.lease("w1", {}, 1, 30).size(), 1u);
    advance(31);
    EXPECT_TRUE(s.lease("w2", {}, 1, 30).empty()) << "no attempts left: not taken again";
    const auto j = s.find(id);
    EXPECT_EQ(j->state, JobState::dead);
    EXPECT_NE(j->last_error.find("lease expired"), std::string::npos) << j->last_error;
}

TEST_P(JobStoreTest, RetryDeadPutsTheJobBackWithAttemptsReset) {
    auto s = store();
    const auto id = s.enqueue([&] { auto j = job("mail", "k1"); j.max_attempts = 1; return j; }()).id;
    EXPECT_FALSE(s.retry_dead(id)) << "not dead";
    s.lease("w1", {}, 1, 60);
    EXPECT_FALSE(s.retry_dead(id)) << "running, not dead";
    s.fail(id, "w1", "boom", std::nullopt);
    advance(5);
    EXPECT_TRUE(s.retry_dead(id));
    auto j = s.find(id);
    EXPECT_EQ(j->state, JobState::queued);
    EXPECT_EQ(j->attempts, 0);
    EXPECT_EQ(j->run_at, now());
    EXPECT_EQ(j->finished_at, 0);
    EXPECT_EQ(j->last_error, "boom") << "kept for reference";
    EXPECT_FALSE(s.retry_dead(id)) << "only once";
    EXPECT_TRUE(s.list_dead().empty());
    const auto again = s.lease("w1", {}, 1, 60);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].attempts, 1);
    EXPECT_FALSE(s.retry_dead(987654)) << "no such job";
}

TEST_P(JobStoreTest, PurgeRemovesOldDoneJobsOnly) {
    auto s = store();
    const auto old_done = s.enqueue(job("mail")).id;
    s.lease("w", {}, 1, 60);
    s.complete(old_done, "w");
    advance(100);
    const auto new_done = s.enqueue(job("mail")).id;
    s.lease("w", {}, 1, 60);
    s.complete(new_done, "w");
    const auto queued = s.enqueue(job("mail")).id;
    EXPECT_EQ(s.purge_done(now() - 50), 1);
    EXPECT_FALSE(s.find(old_done));
    EXPECT_TRUE(s.find(new_done));
    EXPECT_TRUE(s.find(queued));
}

TEST_P(JobStoreTest, ConcurrentWorkersNeverTakeTheSameJob) {
    // Two "processes" (two Database objects, each with its own pool) with two
    // threads each lease and complete 120 jobs as fast as they can.
    jobs::JobStore seed(db());
    const int total = 120;
    for (int i = 0; i < total; ++i) seed.enqueue(job("mail", "k" + std::to_string(i)));

    db::Database other(url(), 4);
    std::mutex m;
    std::map<std::int64_t, std::vector<std::string>> taken;
    std::atomic<int> lost_completions{0};
    auto worker = [&](db::Database& database, std::string owner) {
        jobs::JobStore s(database);
        for (;;) {
            const auto got = s.lease(owner, {"mail"}, 3, 300);
            if (got.empty()) return;
            for (const auto& j : got) {
                {
                    std::lock_guard lock(m);
                    taken[j.id].push_back(owner);
                }
                if (!s.complete(j.id, owner)) ++lost_completions;
            }
        }
    };
    std::vector<std::thread> threads;
    threads.emplace_back(worker, std::ref(db()), "a#0");
    threads.emplace_back(worker, std::ref(db()), "a#1");
    threads.emplace_back(worker, std::ref(other), "b#0");
    threads.emplace_back(worker, std::ref(other), "b#1");
    for (auto& t : threads) t.join();

    EXPECT_EQ(taken.size(), std::size_t(total));
    for (const auto& [id, owners] : taken) EXPECT_EQ(owners.size(), 1u) << "job " << id << " taken twice";
    EXPECT_EQ(lost_completions.load(), 0);
    EXPECT_EQ(seed.counts().at(JobState::done), total);
}

USLUGI_STORE_TEST_SUITE(JobStoreTest);
