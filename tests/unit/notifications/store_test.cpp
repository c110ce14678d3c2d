#include <gtest/gtest.h>

#include "db/transaction.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "legacy_seal.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::notifications;

namespace {

class OutboxStoreTest : public test_support::StoreTest {
protected:
    static Message message(std::string event, ChannelKind channel = ChannelKind::email) {
        Message m;
        m.event_key = std::move(event);
        m.recipient = "account-7";
        m.channel = channel;
        m.address = channel == ChannelKind::email ? "ivan@example.ru" : "+79161234567";
        m.lang = "en";
        m.template_name = "account.signin_code";
        m.params = {{"code", "482913"}};
        return m;
    }
    long long count(const std::string& table) {
        long long n = 0;
        db::Connection c(db());
        *c << "SELECT COUNT(*) FROM " + table, soci::into(n);
        return n;
    }
};

}  // namespace

TEST_P(OutboxStoreTest, EnqueueWritesTheRowAndItsJob) {
    jobs::JobStore jobs(db());
    OutboxStore store(db(), jobs, [] { return 1'700'000'000; });
    const auto r = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("signin-1")); });
    EXPECT_TRUE(r.created);
    const auto m = store.find(r.id);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->event_key, "signin-1");
    EXPECT_EQ(m->recipient, "account-7");
    EXPECT_EQ(m->channel, ChannelKind::email);
    EXPECT_EQ(m->address, "ivan@example.ru");
    EXPECT_EQ(m->lang, "en");
    EXPECT_EQ(m->template_name, "account.signin_code");
    EXPECT_EQ(nlohmann::json::parse(m->params), (nlohmann::json{{"code", "482913"}}));
    EXPECT_EQ(m->status, OutboxStatus::queued);
    EXPECT_EQ(m->attempts, 0);
    EXPECT_EQ(m->created_at, 1'700'000'000);
    const auto job = jobs.find_by_key(job_key(r.id));
    ASSERT_TRUE(job);
    EXPECT_EQ(job->id, r.job_id);
    EXPECT_EQ(job->kind, kDeliverKind);
    EXPECT_EQ(nlohmann::json::parse(job->payload)["outbox_id"], r.id);
}

TEST_P(OutboxStoreTest, EnqueueIsIdempotentByEventRecipientAndChannel) {
    jobs::JobStore jobs(db());
    OutboxStore store(db(), jobs);
    const auto first = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("signin-1")); });
    auto changed = message("signin-1");
    changed.params = {{"code", "000000"}};
    const auto again = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, changed); });
    EXPECT_TRUE(first.created);
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.id, first.id);
    EXPECT_EQ(count("notifications_outbox"), 1);
    EXPECT_EQ(count("jobs"), 1);
    EXPECT_EQ(nlohmann::json::parse(store.find(first.id)->params)["code"], "482913") << "the second wrote nothing";

    // Another channel or another recipient of the same event is another message.
    const auto sms = db::transact(db(), [&](soci::session& s) {
        return store.enqueue(s, message("signin-1", ChannelKind::sms));
    });
    auto other = message("signin-1");
    other.recipient = "account-8";
    const auto other_r = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, other); });
    EXPECT_TRUE(sms.created && other_r.created);
    EXPECT_EQ(count("notifications_outbox"), 3);
    EXPECT_EQ(count("jobs"), 3);
    EXPECT_EQ(store.list_for_recipient("account-7").size(), 2u);
    EXPECT_EQ(store.list_for_recipient("account-8").size(), 1u);
    EXPECT_TRUE(store.list_for_recipient("nobody").empty());
}

TEST_P(OutboxStoreTest, EnqueueRollsBackWithTheCallersTransaction) {
    jobs::JobStore jobs(db());
    OutboxStore store(db(), jobs);
    EXPECT_THROW(db::transact(db(), [&](soci::session& s) {
                     store.enqueue(s, message("application-1-submitted"));
                     throw std::runtime_error("the event itself failed");
                 }),
                 std::runtime_error);
    EXPECT_EQ(count("notifications_outbox"), 0);
    EXPECT_EQ(count("jobs"), 0);
    // After the rollback the same event can be enqueued (nothing was left behind).
    const auto r = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("application-1-submitted")); });
    EXPECT_TRUE(r.created);
    EXPECT_EQ(count("jobs"), 1);
}

TEST_P(OutboxStoreTest, MarksRecordTheOutcome) {
    jobs::JobStore jobs(db());
    OutboxStore store(db(), jobs, [] { return 1'700'000'100; });
    const auto a = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("e-1")); });
    const auto b = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("e-2")); });
    store.mark_attempt(a.id);
    store.mark_retrying(a.id, "SMTP: connection refused");
    auto m = store.find(a.id);
    EXPECT_EQ(m->status, OutboxStatus::queued);
    EXPECT_EQ(m->attempts, 1);
    EXPECT_EQ(m->last_error, "SMTP: connection refused");
    store.mark_attempt(a.id);
    store.mark_sent(a.id, "<notify-1@uslugi.local>");
    m = store.find(a.id);
    EXPECT_EQ(m->status, OutboxStatus::sent);
    EXPECT_EQ(m->attempts, 2);
    EXPECT_EQ(m->provider_id, "<notify-1@uslugi.local>");
    EXPECT_EQ(m->sent_at, 1'700'000'100);
    EXPECT_TRUE(m->last_error.empty());
    store.mark_failed(a.id, "too late");
    EXPECT_EQ(store.find(a.id)->status, OutboxStatus::sent) << "a sent message never becomes failed";

    store.mark_failed(b.id, "SMTP refused the message: 550 no such user");
    m = store.find(b.id);
    EXPECT_EQ(m->status, OutboxStatus::failed);
    EXPECT_EQ(m->last_error, "SMTP refused the message: 550 no such user");
    EXPECT_FALSE(store.find(9999));

    EXPECT_TRUE(store.reopen(b.id));
    m = store.find(b.id);
    EXPECT_EQ(m->status, OutboxStatus::queued);
    EXPECT_EQ(m->last_error, "SMTP refused the message: 550 no such user") << "kept for reference";
    EXPECT_FALSE(store.reopen(b.id)) << "not failed any more";
    EXPECT_FALSE(store.reopen(a.id)) << "a sent message is never reopened";
}

TEST_P(OutboxStoreTest, RejectsIncompleteMessages) {
    jobs::JobStore jobs(db());
    OutboxStore store(db(), jobs);
    auto m = message("");
    EXPECT_THROW(db::transact(db(), [&](soci::session& s) { store.enqueue(s, m); }), std::invalid_argument);
    m = message("e");
    m.address.clear();
    EXPECT_THROW(db::transact(db(), [&](soci::session& s) { store.enqueue(s, m); }), std::invalid_argument);
}

TEST_P(OutboxStoreTest, WithAProtectorAddressesAndParamsAreSealedAtRest) {
    jobs::JobStore jobs(db());
    const core::DataProtector protector(std::string(32, 'k'));
    OutboxStore store(db(), jobs, {}, &protector);
    auto m = message("registration-1", ChannelKind::sms);
    m.recipient.clear();  // no account yet: the address identifies the recipient
    const auto r = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, m); });
    std::string address, params, recipient;
    {
        db::Connection c(db());
        const long long id = r.id;
        *c << "SELECT address, params, recipient FROM notifications_outbox WHERE id = :id", soci::use(id),
            soci::into(address), soci::into(params), soci::into(recipient);
    }
    EXPECT_EQ(address.find("79161234567"), std::string::npos) << address;
    EXPECT_EQ(params.find("482913"), std::string::npos) << "the code is not readable in the table";
    EXPECT_EQ(recipient.find("79161234567"), std::string::npos) << recipient;
    const auto loaded = store.find(r.id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->address, "+79161234567");
    EXPECT_EQ(nlohmann::json::parse(loaded->params)["code"], "482913");
    // The same event for the same address is still recognised (the blind index is stable).
    const auto again = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, m); });
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.id, r.id);
}

// Security review, defect 11: an address sealed for one message does not open
// in another message's row.
TEST_P(OutboxStoreTest, AnAddressCopiedToAnotherMessageIsUnreadableThere) {
    jobs::JobStore jobs(db());
    const core::DataProtector protector(std::string(32, 'k'));
    OutboxStore store(db(), jobs, {}, &protector);
    auto mine = message("signin-1", ChannelKind::sms);
    auto theirs = message("signin-2", ChannelKind::sms);
    theirs.recipient = "account-8";
    theirs.address = "+79035550101";
    const auto a = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, mine); });
    const auto b = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, theirs); });
    {
        db::Connection c(db());
        const long long from = b.id, to = a.id;
        *c << "UPDATE notifications_outbox SET address = (SELECT address FROM notifications_outbox WHERE id = :f) "
              "WHERE id = :t",
            soci::use(from), soci::use(to);
    }
    EXPECT_THROW(store.find(a.id), core::UnreadableValue) << "a code must never go to someone else's phone";
    EXPECT_EQ(store.find(b.id)->address, "+79035550101");
}

TEST_P(OutboxStoreTest, ResealConvertsLegacyRowsOnce) {
    jobs::JobStore jobs(db());
    const std::string key(32, 'k');
    const core::DataProtector protector(key);
    OutboxStore store(db(), jobs, {}, &protector);
    const auto r = db::transact(db(), [&](soci::session& s) { return store.enqueue(s, message("signin-1")); });
    auto raw = [&] {
        std::string address, params;
        db::Connection c(db());
        const long long id = r.id;
        *c << "SELECT address, params FROM notifications_outbox WHERE id = :id", soci::use(id), soci::into(address),
            soci::into(params);
        return address + "|" + params;
    };
    {
        const std::string address = test_support::legacy_seal_v1(key, "ivan@example.ru");
        const std::string params = test_support::legacy_seal_v1(key, R"({"code":"482913"})");
        db::Connection c(db());
        const long long id = r.id;
        *c << "UPDATE notifications_outbox SET address = :a, params = :p WHERE id = :id", soci::use(address),
            soci::use(params), soci::use(id);
    }
    EXPECT_EQ(store.reseal().converted, 2);
    const std::string after = raw();
    EXPECT_EQ(after.rfind("v2.", 0), 0u) << after;
    EXPECT_NE(after.find("|v2."), std::string::npos) << after;
    EXPECT_EQ(store.find(r.id)->address, "ivan@example.ru");
    EXPECT_EQ(nlohmann::json::parse(store.find(r.id)->params)["code"], "482913");
    EXPECT_EQ(store.reseal().converted, 0);
    EXPECT_EQ(raw(), after) << "a second run changes nothing";
    // Without a protector (plain values) there is nothing to re-seal.
    OutboxStore plain(db(), jobs);
    EXPECT_EQ(plain.reseal().converted, 0);
}

USLUGI_STORE_TEST_SUITE(OutboxStoreTest);
