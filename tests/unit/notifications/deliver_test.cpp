// The notify.deliver handler with fake channels, on both databases.
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "db/transaction.hpp"
#include "jobs/store.hpp"
#include "notifications/service.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::notifications;

namespace {

// Fails as told, then records what it delivered.
class FakeChannel : public Channel {
public:
    std::deque<std::function<void()>> failures;
    std::vector<std::pair<std::int64_t, Rendered>> delivered;
    std::string deliver(const OutboxMessage& m, const Rendered& content) override {
        if (!failures.empty()) {
            auto f = failures.front();
            failures.pop_front();
            f();
        }
        delivered.emplace_back(m.id, content);
        return "fake-" + std::to_string(m.id);
    }
};

class DelivererTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        locales_.load(test_support::source_dir() + "/locales");
        jobs_ = std::make_unique<jobs::JobStore>(db());
        store_ = std::make_unique<OutboxStore>(db(), *jobs_);
        deliverer_ = std::make_unique<Deliverer>(*store_, locales_, email_, sms_, push_);
    }
    // Enqueues and returns the job as the runner would hand it over on `attempt`.
    jobs::Job enqueue(const std::string& event, ChannelKind channel, int attempt = 1, int max_attempts = 3) {
        Message m;
        m.event_key = event;
        m.channel = channel;
        m.address = channel == ChannelKind::email ? "ivan@example.ru" : "+79161234567";
        m.lang = "de";
        m.template_name = "account.signin_code";
        m.params = {{"code", "123456"}};
        const auto r = db::transact(db(), [&](soci::session& s) { return store_->enqueue(s, m, max_attempts); });
        auto job = *jobs_->find_by_key(job_key(r.id));
        job.attempts = attempt;
        return job;
    }
    static std::int64_t outbox_id(const jobs::Job& j) { return nlohmann::json::parse(j.payload)["outbox_id"]; }

    core::Locales locales_;
    FakeChannel email_, sms_, push_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<OutboxStore> store_;
    std::unique_ptr<Deliverer> deliverer_;
};

}  // namespace

TEST_P(DelivererTest, DeliversThroughTheChannelInTheLanguageAndMarksSent) {
    const auto job = enqueue("e-1", ChannelKind::sms);
    deliverer_->deliver(job);
    ASSERT_EQ(sms_.delivered.size(), 1u);
    EXPECT_TRUE(email_.delivered.empty() && push_.delivered.empty());
    EXPECT_EQ(sms_.delivered[0].second.sms, "Uslugi-Anmeldecode: 123456. Geben Sie ihn niemandem weiter.");
    const auto m = store_->find(outbox_id(job));
    EXPECT_EQ(m->status, OutboxStatus::sent);
    EXPECT_EQ(m->provider_id, "fake-" + std::to_string(m->id));
    EXPECT_EQ(m->attempts, 1);
    // The job runs again (at-least-once): nothing is sent twice.
    deliverer_->deliver(job);
    EXPECT_EQ(sms_.delivered.size(), 1u);
}

TEST_P(DelivererTest, TransientFailureKeepsTheRowQueuedAndLastAttemptFailsIt) {
    email_.failures = {[] { throw Retryable("SMTP: connection refused"); },
                       [] { throw Retryable("SMTP: connection refused again"); }};
    const auto first = enqueue("e-2", ChannelKind::email, 1, 2);
    EXPECT_THROW(deliverer_->deliver(first), Retryable);
    auto m = store_->find(outbox_id(first));
    EXPECT_EQ(m->status, OutboxStatus::queued);
    EXPECT_EQ(m->last_error, "SMTP: connection refused");
    auto last = first;
    last.attempts = 2;
    EXPECT_THROW(deliverer_->deliver(last), Retryable);
    m = store_->find(outbox_id(first));
    EXPECT_EQ(m->status, OutboxStatus::failed);
    EXPECT_EQ(m->last_error, "no attempts left: SMTP: connection refused again");
    EXPECT_EQ(m->attempts, 2);
    EXPECT_TRUE(email_.delivered.empty());

    // An operator retries the dead job: the row is queued again and delivered.
    auto retried = first;
    retried.attempts = 1;
    deliverer_->deliver(retried);
    EXPECT_EQ(store_->find(outbox_id(first))->status, OutboxStatus::sent);
    EXPECT_EQ(email_.delivered.size(), 1u);
}

TEST_P(DelivererTest, PermanentFailureFailsAtOnce) {
    push_.failures = {[] { throw jobs::PermanentError("push gateway refused the message: push.no_device"); }};
    const auto job = enqueue("e-3", ChannelKind::push);
    EXPECT_THROW(deliverer_->deliver(job), jobs::PermanentError);
    const auto m = store_->find(outbox_id(job));
    EXPECT_EQ(m->status, OutboxStatus::failed);
    EXPECT_EQ(m->last_error, "push gateway refused the message: push.no_device");
}

TEST_P(DelivererTest, BadPayloadIsPermanent) {
    jobs::Job job;
    job.payload = "{}";
    EXPECT_THROW(deliverer_->deliver(job), jobs::PermanentError);
    job.payload = R"({"outbox_id": 424242})";
    EXPECT_THROW(deliverer_->deliver(job), jobs::PermanentError);
}

USLUGI_STORE_TEST_SUITE(DelivererTest);
