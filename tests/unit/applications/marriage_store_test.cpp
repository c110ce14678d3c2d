// applications/marriage_store.hpp and the hold's expiry with a real database,
// on SQLite and on PostgreSQL: a slot is held by one booking at a time, even
// when 200 attempts come at once over many connections; a freed slot can be
// held again; expiry is conditional and idempotent.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "applications/marriage.hpp"
#include "applications/store.hpp"
#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "identity/service.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::applications;
using namespace uslugi::applications::marriage;

namespace {

struct Rollback {};

class MarriageStoreTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        protector_ = std::make_unique<core::DataProtector>(std::string(32, '\x31'));
        jobs_ = std::make_unique<jobs::JobStore>(db());
        outbox_ = std::make_unique<notifications::OutboxStore>(db(), *jobs_, notifications::OutboxStore::Clock{},
                                                               protector_.get());
        limiter_ = std::make_unique<http::RateLimiter>(db());
        identity_ = std::make_unique<identity::IdentityService>(db(), *protector_, *jobs_, *outbox_, *limiter_, nullptr);
        apps_ = std::make_unique<ApplicationStore>(db(), *protector_);
        store_ = std::make_unique<MarriageStore>(db());
        anna_ = account("+79161110001");
        boris_ = account("+79161110002");
    }
    void TearDown() override {
        identity_.reset();
        StoreTest::TearDown();
    }

    std::int64_t account(const std::string& phone) {
        identity::Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = phone;
        return db::transact(db(), [&](soci::session& tx) { return identity_->accounts().create(tx, a, core::now_unix()); });
    }

    std::int64_t application(soci::session& tx, std::int64_t applicant) {
        Application a;
        a.account_id = applicant;
        a.service_id = kServiceId;
        a.authority_id = "moscow-zags";
        a.status = Status::registered;
        a.submit_key = core::random_token(18);
        a.submitted_at = a.due_at = core::now_unix();
        return apps_->insert(tx, a, 2026);
    }

    Booking booking(const std::string& slot, std::int64_t expires_at) {
        Booking b;
        b.office_id = "moscow-zags";
        b.slot = slot;
        b.applicant_id = anna_;
        b.spouse_id = boris_;
        b.created_at = core::now_unix();
        b.expires_at = expires_at;
        return b;
    }

    // The service's hold in miniature: the application and the booking in one
    // transaction, rolled back whole when the slot is taken.
    bool hold(db::Database& database, Booking& b) {
        try {
            db::transact(database, [&](soci::session& tx) {
                b.application_id = application(tx, anna_);
                if (!store().hold(tx, b)) throw Rollback{};
            });
            return true;
        } catch (const Rollback&) {
            return false;
        }
    }

    long long count(const std::string& sql) {
        db::Connection c(db());
        long long n = 0;
        *c << sql, soci::into(n);
        return n;
    }

    MarriageStore& store() { return *store_; }

    std::unique_ptr<core::DataProtector> protector_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<notifications::OutboxStore> outbox_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<identity::IdentityService> identity_;
    std::unique_ptr<ApplicationStore> apps_;
    std::unique_ptr<MarriageStore> store_;
    std::int64_t anna_ = 0, boris_ = 0;
};

TEST_P(MarriageStoreTest, ASlotIsHeldOnceAndFreeAgainWhenReleased) {
    Booking first = booking("2027-03-12T11:30", core::now_unix() + 3600);
    ASSERT_TRUE(hold(db(), first));
    EXPECT_GT(first.id, 0);
    Booking second = booking("2027-03-12T11:30", core::now_unix() + 3600);
    EXPECT_FALSE(hold(db(), second));
    EXPECT_EQ(second.id, 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM marriage_bookings"), 1);  // the loser left nothing behind
    Booking other_time = booking("2027-03-12T12:00", core::now_unix() + 3600);
    EXPECT_TRUE(hold(db(), other_time));
    EXPECT_EQ(store().taken("moscow-zags", "2027-03-12T00:00", "2027-03-12T23:59"),
              (std::set<std::string>{"2027-03-12T11:30", "2027-03-12T12:00"}));
    EXPECT_TRUE(store().taken("spb-zags", "2027-03-12T00:00", "2027-03-12T23:59").empty());

    db::transact(db(), [&](soci::session& tx) {
        ASSERT_TRUE(store().settle(tx, first.id, "declined", core::now_unix()));
        store().release(tx, first.id);
    });
    EXPECT_EQ(store().find(first.id)->state, "declined");
    Booking again = booking("2027-03-12T11:30", core::now_unix() + 3600);
    EXPECT_TRUE(hold(db(), again));
}

TEST_P(MarriageStoreTest, SettlingIsConditionalOnTheHoldAndExpiryOnItsTime) {
    const std::int64_t now = core::now_unix();
    Booking b = booking("2027-03-13T10:00", now + 3600);
    ASSERT_TRUE(hold(db(), b));
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_FALSE(store().settle(tx, b.id, "expired", now));  // its time is not up
        EXPECT_TRUE(store().settle(tx, b.id, "confirmed", now));
        EXPECT_FALSE(store().settle(tx, b.id, "declined", now));  // settled already
        EXPECT_FALSE(store().settle(tx, b.id, "expired", now + 7200));
    });
    EXPECT_EQ(store().find(b.id)->state, "confirmed");
    EXPECT_EQ(store().of_account(boris_).size(), 1u);
    EXPECT_EQ(store().of_account(anna_).size(), 1u);
    EXPECT_TRUE(store().of_account(anna_ + boris_ + 100).empty());
}

TEST_P(MarriageStoreTest, ExpiryFreesTheSlotCancelsTheApplicationAndRunsOnce) {
    const std::int64_t now = core::now_unix();
    Booking b = booking("2027-03-13T10:30", now + 60);
    ASSERT_TRUE(hold(db(), b));
    Expiry expiry{db(), store(), *apps_, *identity_};
    EXPECT_FALSE(expiry.run(b.id, now));  // too early: nothing changes
    EXPECT_EQ(store().find(b.id)->state, "held");
    EXPECT_TRUE(expiry.run(b.id, now + 61));
    EXPECT_EQ(store().find(b.id)->state, "expired");
    EXPECT_EQ(apps_->find(b.application_id)->status, Status::cancelled);
    EXPECT_TRUE(store().taken("moscow-zags", "2027-03-13T00:00", "2027-03-13T23:59").empty());
    EXPECT_FALSE(expiry.run(b.id, now + 120));  // a second delivery of the job changes nothing
    EXPECT_EQ(count("SELECT COUNT(*) FROM applications_history WHERE status = 'cancelled'"), 1);
    Booking next = booking("2027-03-13T10:30", now + 3600);
    EXPECT_TRUE(hold(db(), next));
}

TEST_P(MarriageStoreTest, AHoldPastItsTimeOrWithdrawnGivesTheSlotWay) {
    const std::int64_t now = core::now_unix();
    Booking stale = booking("2027-03-17T10:00", now - 1);  // its expiry job has not run yet
    ASSERT_TRUE(hold(db(), stale));
    Booking live = booking("2027-03-17T10:00", now + 3600);
    ASSERT_TRUE(hold(db(), live));
    EXPECT_EQ(count("SELECT booking_id FROM marriage_slots WHERE slot = '2027-03-17T10:00'"), live.id);
    // The late job settles the stale hold without touching the new holder's slot.
    Expiry expiry{db(), store(), *apps_, *identity_};
    EXPECT_TRUE(expiry.run(stale.id, now));
    EXPECT_EQ(count("SELECT booking_id FROM marriage_slots WHERE slot = '2027-03-17T10:00'"), live.id);

    Booking blocked = booking("2027-03-17T10:00", now + 3600);
    EXPECT_FALSE(hold(db(), blocked));  // a live hold is respected
    db::transact(db(), [&](soci::session& tx) {
        ASSERT_TRUE(apps_->move(tx, live.application_id, Status::registered, Status::cancelled, {}, now));
    });
    Booking after_withdrawal = booking("2027-03-17T10:00", now + 3600);
    EXPECT_TRUE(hold(db(), after_withdrawal));  // the applicant withdrew: the slot is free
}

// 200 couples try one slot at the same moment over many connections: exactly one holds it.
TEST_P(MarriageStoreTest, TwoHundredSimultaneousAttemptsMakeExactlyOneBooking) {
    db::Database wide(url(), 32, std::chrono::seconds(60));  // many connections, each thread its own transaction
    constexpr int kAttempts = 200;
    std::latch start(kAttempts);
    std::atomic<int> held{0}, lost{0}, failed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kAttempts; ++i)
        threads.emplace_back([&] {
            Booking b = booking("2027-04-16T14:00", core::now_unix() + 3600);
            start.arrive_and_wait();
            try {
                (hold(wide, b) ? held : lost)++;
            } catch (const std::exception& e) {
                failed++;
                ADD_FAILURE() << e.what();
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(held.load(), 1);
    EXPECT_EQ(lost.load(), kAttempts - 1);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM marriage_slots WHERE office_id = 'moscow-zags' AND slot = '2027-04-16T14:00'"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM marriage_bookings WHERE slot = '2027-04-16T14:00'"), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM applications"), 1);  // every loser rolled back whole
}

USLUGI_STORE_TEST_SUITE(MarriageStoreTest);

}  // namespace
