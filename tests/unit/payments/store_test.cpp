#include <gtest/gtest.h>

#include "db/transaction.hpp"
#include "payments/store.hpp"
#include "store_fixture.hpp"

namespace uslugi::payments {
namespace {

class PaymentStoreTest : public test_support::StoreTest {
protected:
    Charge charge(const std::string& uin, std::int64_t due) {
        Charge c;
        c.uin = uin;
        c.source = Source::gibdd;
        c.amount = due;
        c.amount_due = due;
        c.purpose = "Штраф";
        c.legal_basis = "КоАП РФ";
        c.payee = {"УФК", "5904140498", "590401001", "031", "Банк", "015773997", "401", "188", "577"};
        return c;
    }
    NewPayment payment(const std::string& key, std::vector<Charge> charges, std::int64_t account = 7) {
        NewPayment p;
        p.public_id = "p-" + key + "-" + std::to_string(account);
        p.account_id = account;
        p.idempotency_key = key;
        p.request_hash = "hash-" + key;
        p.expires_at = 2000;
        for (const auto& c : charges) {
            p.amount += c.amount_due;
            p.items.push_back({c.uin, c.source, c.amount_due, c.purpose, c.payee, 0});
        }
        return p;
    }
};

TEST_P(PaymentStoreTest, OneKeyOnePaymentAndAChargeHeldOnce) {
    PaymentStore store(db());
    const Charge a = charge("18810477180001234563", 75000), b = charge("32216141908810000131", 50000);
    db::transact(db(), [&](soci::session& tx) {
        store.upsert_charge(tx, a, 1000);
        store.upsert_charge(tx, b, 1000);
    });
    auto [first, created] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k1", {a, b}), 1000); });
    EXPECT_TRUE(created);
    EXPECT_EQ(first.amount, 125000);
    EXPECT_EQ(first.items.size(), 2u);
    auto [again, created_again] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k1", {a, b}), 1001); });
    EXPECT_FALSE(created_again);
    EXPECT_EQ(again.id, first.id);
    NewPayment other = payment("k1", {a});
    other.request_hash = "another request";
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) { store.create(tx, other, 1002); }), KeyConflict);
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) { store.create(tx, payment("k2", {b}), 1003); }), ChargeHeld);
    // Another account's key of the same name is its own.
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) { store.create(tx, payment("k1", {b}, 8), 1003); }), ChargeHeld);
}

TEST_P(PaymentStoreTest, TransitionsAreConditionalAndReleaseCharges) {
    PaymentStore store(db());
    const Charge a = charge("18810477180001234563", 75000);
    db::transact(db(), [&](soci::session& tx) { store.upsert_charge(tx, a, 1000); });
    auto [p, created] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k1", {a}), 1000); });
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(store.transition(tx, p.id, PaymentState::created, PaymentState::awaiting_confirmation, "acquirer", "", 1001));
        EXPECT_FALSE(store.transition(tx, p.id, PaymentState::created, PaymentState::expired, "sweeper", "", 1002));
        EXPECT_TRUE(store.transition(tx, p.id, PaymentState::awaiting_confirmation, PaymentState::failed, "acquirer", "", 1003));
        store.release_items(tx, p.id);
    });
    EXPECT_EQ(store.find(p.public_id)->state, PaymentState::failed);
    EXPECT_EQ(store.find(p.public_id)->finished_at, 1003);
    auto [next, next_created] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k2", {a}), 1004); });
    EXPECT_TRUE(next_created);
    EXPECT_NE(next.id, p.id);
}

TEST_P(PaymentStoreTest, LedgerBalancesAndRefusesUnbalancedMovements) {
    PaymentStore store(db());
    const Charge a = charge("18810477180001234563", 75000), b = charge("32216141908810000131", 50000);
    db::transact(db(), [&](soci::session& tx) {
        store.upsert_charge(tx, a, 1000);
        store.upsert_charge(tx, b, 1000);
    });
    auto [p, created] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k1", {a, b}), 1000); });
    db::transact(db(), [&](soci::session& tx) {
        store.post(tx, p.id, "received", entries_for_success(125000, {{a.uin, 75000}, {b.uin, 50000}}), 1001);
        store.mark_charges_paid(tx, p);
    });
    EXPECT_EQ(store.ledger_totals(), std::make_pair(std::int64_t(0), std::int64_t(3)));
    EXPECT_EQ(store.paid_by(a.uin), p.id);
    EXPECT_TRUE(store.find_charge(b.uin)->paid);
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) { store.post(tx, p.id, "odd", {{"acquirer", 5}}, 1002); }),
                 std::logic_error);
    // The same movement cannot be posted twice.
    EXPECT_ANY_THROW(db::transact(db(), [&](soci::session& tx) {
        store.post(tx, p.id, "received", entries_for_success(125000, {{a.uin, 75000}, {b.uin, 50000}}), 1003);
    }));
    EXPECT_EQ(store.ledger_totals().second, 3);
}

TEST_P(PaymentStoreTest, HistoryFiltersByStateAndDates) {
    PaymentStore store(db());
    const Charge a = charge("18810477180001234563", 75000), b = charge("32216141908810000131", 50000);
    db::transact(db(), [&](soci::session& tx) {
        store.upsert_charge(tx, a, 1000);
        store.upsert_charge(tx, b, 1000);
    });
    auto [p1, c1] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k1", {a}), 1000); });
    auto [p2, c2] = db::transact(db(), [&](soci::session& tx) { return store.create(tx, payment("k2", {b}), 5000); });
    db::transact(db(), [&](soci::session& tx) {
        store.transition(tx, p2.id, PaymentState::created, PaymentState::succeeded, "acquirer", "", 5001);
    });
    EXPECT_EQ(store.history(7, {}).size(), 2u);
    EXPECT_EQ(store.history(7, {.state = "succeeded"}).size(), 1u);
    EXPECT_EQ(store.history(7, {.from = 2000}).front().public_id, p2.public_id);
    EXPECT_EQ(store.history(7, {.to = 2000}).front().public_id, p1.public_id);
    EXPECT_TRUE(store.history(8, {}).empty());
    EXPECT_EQ(store.open_payments(10).size(), 1u);
}

USLUGI_STORE_TEST_SUITE(PaymentStoreTest);

}  // namespace
}  // namespace uslugi::payments
