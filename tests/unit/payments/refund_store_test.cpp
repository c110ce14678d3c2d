// Refunds in the store: one refund per operator's key, reservations that never
// pass the payment's amount, an outcome recorded once; utilities charges stored.
#include <gtest/gtest.h>

#include "db/transaction.hpp"
#include "payments/store.hpp"
#include "store_fixture.hpp"

namespace uslugi::payments {
namespace {

class RefundStoreTest : public test_support::StoreTest {
protected:
    // A payment of 100 000 kopecks for a utilities invoice, succeeded.
    Payment paid(PaymentStore& store) {
        Charge c;
        c.uin = "30059012345672026113";
        c.source = Source::utilities;
        c.amount = c.amount_due = 100000;
        c.purpose = "ЖКУ";
        c.legal_basis = "ЖК РФ";
        c.payee = {"ЕРЦ", "5906123459", "590601001", "40702810049770012345", "Банк", "045773603",
                   "30101810900000000603", "", ""};
        NewPayment p;
        p.public_id = "pay-1";
        p.account_id = 7;
        p.idempotency_key = "key-1";
        p.request_hash = "h";
        p.amount = 100000;
        p.expires_at = 2000;
        p.items.push_back({c.uin, c.source, c.amount, c.purpose, c.payee, 0});
        return db::transact(db(), [&](soci::session& tx) {
            store.upsert_charge(tx, c, 1000);
            auto created = store.create(tx, p, 1000).first;
            store.transition(tx, created.id, PaymentState::created, PaymentState::succeeded, "acquirer", "", 1001);
            return *store.find_by_id(tx, created.id);
        });
    }
    NewRefund refund(const Payment& p, const std::string& key, std::int64_t amount) {
        return {"r-" + key, p.id, key, "hash-" + key, amount, "Ошибочная оплата", "operator:1"};
    }
};

TEST_P(RefundStoreTest, UtilitiesChargesAreStored) {
    PaymentStore store(db());
    const Payment p = paid(store);
    const auto c = store.find_charge(p.items.front().uin);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->source, Source::utilities);
    EXPECT_EQ(c->payee.account, "40702810049770012345");
}

TEST_P(RefundStoreTest, OneRefundPerKeyAndReservationsNeverPassTheAmount) {
    PaymentStore store(db());
    const Payment p = paid(store);
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(store.insert_refund(tx, refund(p, "k1", 60000), 1002));
        EXPECT_FALSE(store.insert_refund(tx, refund(p, "k1", 60000), 1002)) << "the same key again";
        EXPECT_TRUE(store.reserve_refund(tx, p.id, 60000));
        EXPECT_FALSE(store.reserve_refund(tx, p.id, 40001)) << "more than is left";
        EXPECT_TRUE(store.reserve_refund(tx, p.id, 40000));
        EXPECT_FALSE(store.reserve_refund(tx, p.id, 1)) << "nothing left";
    });
    const auto found = db::transact(db(), [&](soci::session& tx) { return store.find_refund_by_key(tx, p.id, "k1"); });
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->first.amount, 60000);
    EXPECT_EQ(found->second, "hash-k1");
    EXPECT_EQ(store.find(p.public_id)->refund_reserved, 100000);
}

TEST_P(RefundStoreTest, AnOutcomeIsRecordedOnceAndARefusalGivesTheReservationBack) {
    PaymentStore store(db());
    const Payment p = paid(store);
    db::transact(db(), [&](soci::session& tx) {
        store.insert_refund(tx, refund(p, "k1", 30000), 1002);
        store.insert_refund(tx, refund(p, "k2", 20000), 1002);
        store.reserve_refund(tx, p.id, 50000);
    });
    const Refund r1 = *store.find_refund("r-k1");
    const Refund r2 = *store.find_refund("r-k2");
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(store.finish_refund(tx, r1.id, RefundState::succeeded, "ref_1", "", 1003));
        EXPECT_FALSE(store.finish_refund(tx, r1.id, RefundState::failed, "", "late", 1004)) << "already recorded";
        store.add_refunded(tx, p.id, 30000);
        EXPECT_TRUE(store.finish_refund(tx, r2.id, RefundState::failed, "", "refund.amount_exceeds", 1004));
        store.release_refund(tx, p.id, 20000);
    });
    const Payment after = *store.find(p.public_id);
    EXPECT_EQ(after.refunded_amount, 30000);
    EXPECT_EQ(after.refund_reserved, 30000);
    ASSERT_EQ(after.refunds.size(), 2u);
    EXPECT_EQ(after.refunds[0].state, RefundState::succeeded);
    EXPECT_EQ(after.refunds[0].acquirer_refund_id, "ref_1");
    EXPECT_EQ(after.refunds[1].state, RefundState::failed);
    EXPECT_EQ(after.refunds[1].failure, "refund.amount_exceeds");
    EXPECT_TRUE(store.pending_refunds(10).empty());
}

USLUGI_STORE_TEST_SUITE(RefundStoreTest);

}  // namespace
}  // namespace uslugi::payments
