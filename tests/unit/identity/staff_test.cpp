// identity/staff.hpp and IdentityService::confirm_identity with a real
// database: roles with their scopes, the names every request reads with the
// account, and the one step from standard to confirmed (ID-3).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "identity/service.hpp"
#include "identity/staff.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

class StaffTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        protector_ = std::make_unique<core::DataProtector>(std::string(32, '\x31'));
        jobs_ = std::make_unique<jobs::JobStore>(db());
        outbox_ = std::make_unique<notifications::OutboxStore>(db(), *jobs_, notifications::OutboxStore::Clock{},
                                                               protector_.get());
        limiter_ = std::make_unique<http::RateLimiter>(db());
        service_ = std::make_unique<IdentityService>(db(), *protector_, *jobs_, *outbox_, *limiter_, nullptr);
    }
    void TearDown() override {
        service_.reset();
        StoreTest::TearDown();
    }

    std::int64_t account(const std::string& phone, Level level) {
        Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = phone;
        a.email = "anna" + phone.substr(phone.size() - 4) + "@example.org";
        return db::transact(db(), [&](soci::session& tx) {
            const auto id = service_->accounts().create(tx, a, core::now_unix());
            service_->accounts().set_level(tx, id, level, core::now_unix());
            return id;
        });
    }
    IdentityService::ConfirmOutcome confirm(std::int64_t id, const std::string& method = "bank") {
        Context ctx;
        ctx.ip = "203.0.113.9";
        return db::transact(db(), [&](soci::session& tx) { return service_->confirm_identity(tx, ctx, id, method); });
    }

    std::unique_ptr<core::DataProtector> protector_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<notifications::OutboxStore> outbox_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<IdentityService> service_;
};

TEST_P(StaffTest, RolesReachTheBriefAndScopesAreChecked) {
    const auto id = account("+79260000001", Level::simplified);
    StaffStore& staff = service_->staff();
    db::transact(db(), [&](soci::session& tx) {
        staff.grant(tx, id, kRoleOperator, "mfc-moscow-1", "test", 1);
        staff.grant(tx, id, kRoleOperator, "mfc-moscow-1", "test", 2);  // held already: nothing changes
        staff.grant(tx, id, kRoleOfficer, "mvd", "test", 3);
    });
    EXPECT_EQ(service_->brief(id)->roles, (std::vector<std::string>{"officer", "operator"}));
    EXPECT_TRUE(staff.has(id, kRoleOperator, "mfc-moscow-1"));
    EXPECT_FALSE(staff.has(id, kRoleOperator, "mfc-tula-1"));
    EXPECT_EQ(staff.scopes(id, kRoleOfficer), std::vector<std::string>{"mvd"});
    EXPECT_EQ(staff.of(id).size(), 2u);

    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(staff.revoke(tx, id, kRoleOfficer, "mvd"));
        EXPECT_FALSE(staff.revoke(tx, id, kRoleOfficer, "mvd"));
    });
    EXPECT_EQ(service_->brief(id)->roles, std::vector<std::string>{"operator"});
}

TEST_P(StaffTest, UnknownRolesAndMissingScopesAreRefused) {
    const auto id = account("+79260000002", Level::simplified);
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_THROW(service_->staff().grant(tx, id, "root", "", "test", 1), std::invalid_argument);
        EXPECT_THROW(service_->staff().grant(tx, id, kRoleOfficer, "", "test", 1), std::invalid_argument);
        EXPECT_THROW(service_->staff().grant(tx, id, kRoleSso, "mvd", "test", 1), std::invalid_argument);
    });
    EXPECT_TRUE(service_->brief(id)->roles.empty());
}

TEST_P(StaffTest, ConfirmRaisesOnlyAStandardAccountOnceAndTellsTheUser) {
    const auto simplified = account("+79260000003", Level::simplified);
    EXPECT_EQ(confirm(simplified), IdentityService::ConfirmOutcome::not_standard);
    EXPECT_EQ(service_->accounts().find(simplified)->level, Level::simplified);

    const auto id = account("+79260000004", Level::standard);
    EXPECT_EQ(confirm(id, "qualified_signature"), IdentityService::ConfirmOutcome::confirmed);
    const auto a = service_->accounts().find(id);
    EXPECT_EQ(a->level, Level::confirmed);
    EXPECT_EQ(a->confirmed_method, "qualified_signature");
    EXPECT_GT(a->confirmed_at, 0);
    EXPECT_EQ(confirm(id), IdentityService::ConfirmOutcome::already_confirmed);
    EXPECT_EQ(service_->accounts().find(id)->confirmed_method, "qualified_signature");

    const auto messages = outbox_->list_for_recipient(std::to_string(id));
    ASSERT_EQ(messages.size(), 2u);  // SMS and e-mail, once
    for (const auto& m : messages) EXPECT_EQ(m.template_name, "identity.confirmed");
    const auto own = service_->audit().list_own(id, 10, 0);
    ASSERT_FALSE(own.empty());
    EXPECT_EQ(own.front().action, "level_changed");
    EXPECT_EQ(own.front().fields, "confirmed");
    EXPECT_EQ(own.front().reason, "qualified_signature");
    EXPECT_THROW(confirm(simplified, "telepathy"), std::invalid_argument);
}

TEST_P(StaffTest, ADroppedLevelForgetsHowItWasConfirmed) {
    const auto id = account("+79260000005", Level::standard);
    ASSERT_EQ(confirm(id), IdentityService::ConfirmOutcome::confirmed);
    db::transact(db(), [&](soci::session& tx) {
        service_->accounts().set_level(tx, id, Level::simplified, core::now_unix());
    });
    const auto a = service_->accounts().find(id);
    EXPECT_EQ(a->level, Level::simplified);
    EXPECT_EQ(a->confirmed_method, "");
    EXPECT_EQ(a->confirmed_at, 0);
}

TEST_P(StaffTest, TwoWaysFinishingAtOnceConfirmOnce) {
    const auto id = account("+79260000006", Level::standard);
    std::atomic<int> confirmed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (;;) {
                try {
                    if (confirm(id) == IdentityService::ConfirmOutcome::confirmed) ++confirmed;
                    return;
                } catch (const soci::soci_error&) {
                    // SQLite's one writer: a busy database is retried, as the pages do.
                }
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(confirmed.load(), 1);
    EXPECT_EQ(outbox_->list_for_recipient(std::to_string(id)).size(), 2u);
}

TEST_P(StaffTest, ADeletedAccountLosesItsRoles) {
    const auto id = account("+79260000007", Level::standard);
    db::transact(db(), [&](soci::session& tx) { service_->staff().grant(tx, id, kRolePayments, "", "test", 1); });
    db::transact(db(), [&](soci::session& tx) { service_->accounts().erase(tx, id, core::now_unix()); });
    EXPECT_TRUE(service_->staff().of(id).empty());
    EXPECT_EQ(service_->brief(id), nullptr);  // nobody signs in as a deleted account
    EXPECT_TRUE(service_->accounts().find(id)->roles.empty());
}

USLUGI_STORE_TEST_SUITE(StaffTest);

}  // namespace
