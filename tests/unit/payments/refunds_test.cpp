// The model additions of refunds and utilities invoices (payments/model.hpp).
#include <gtest/gtest.h>

#include "payments/model.hpp"

namespace uslugi::payments {
namespace {

TEST(Refund, StatesRoundTrip) {
    for (RefundState s : {RefundState::pending, RefundState::succeeded, RefundState::failed}) {
        const auto back = refund_state_from_string(to_string(s));
        ASSERT_TRUE(back.has_value()) << to_string(s);
        EXPECT_EQ(*back, s);
    }
    EXPECT_FALSE(refund_state_from_string("refunded").has_value());
}

TEST(Refund, OnlyASucceededPaymentAndNeverMoreThanIsLeft) {
    EXPECT_EQ(refund_refusal(PaymentState::succeeded, 100000, 0, 100000), "");
    EXPECT_EQ(refund_refusal(PaymentState::succeeded, 100000, 30000, 70000), "");
    EXPECT_EQ(refund_refusal(PaymentState::succeeded, 100000, 30000, 70001), "payments.refund_exceeds");
    EXPECT_EQ(refund_refusal(PaymentState::succeeded, 100000, 0, 0), "payments.refund_amount");
    EXPECT_EQ(refund_refusal(PaymentState::succeeded, 100000, 0, -5), "payments.refund_amount");
    for (PaymentState s : {PaymentState::created, PaymentState::awaiting_confirmation, PaymentState::failed,
                           PaymentState::cancelled, PaymentState::expired, PaymentState::refunded})
        EXPECT_EQ(refund_refusal(s, 100000, 0, 100), "payments.refund_state") << to_string(s);
}

TEST(Refund, PartStaysSucceededAllIsRefunded) {
    EXPECT_EQ(state_after_refunds(100000, 1), PaymentState::succeeded);
    EXPECT_EQ(state_after_refunds(100000, 99999), PaymentState::succeeded);
    EXPECT_EQ(state_after_refunds(100000, 100000), PaymentState::refunded);
    EXPECT_TRUE(can_transition(PaymentState::succeeded, PaymentState::refunded));
    EXPECT_FALSE(can_transition(PaymentState::refunded, PaymentState::succeeded));
}

TEST(Refund, AllocationTakesTheChargesInOrderAndTheLedgerBalances) {
    const std::vector<ChargeShare> shares = {{"a", 75000}, {"b", 50000}};
    auto first = refund_allocation(shares, 0, 30000);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].uin, "a");
    EXPECT_EQ(first[0].amount, 30000);
    // After 30 000 of a: 45 000 left of a, then b.
    auto second = refund_allocation(shares, 30000, 60000);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[0].amount, 45000);
    EXPECT_EQ(second[1].uin, "b");
    EXPECT_EQ(second[1].amount, 15000);
    const auto entries = entries_for_refund(60000, second);
    EXPECT_TRUE(balanced(entries));
    EXPECT_EQ(entries[0].account, "acquirer");
    EXPECT_EQ(entries[0].amount, -60000);
    EXPECT_EQ(entries[2].account, "payee:b");
    EXPECT_EQ(entries[2].amount, 15000);
    // Received then refunded in two parts: the payee accounts are back at zero.
    auto received = entries_for_success(125000, shares);
    auto last = refund_allocation(shares, 90000, 35000);
    std::int64_t sum = 0;
    for (const auto& set : {received, entries_for_refund(30000, first), entries, entries_for_refund(35000, last)})
        for (const auto& e : set) sum += e.amount;
    EXPECT_EQ(sum, 0);
    EXPECT_THROW(refund_allocation(shares, 90000, 35001), std::invalid_argument);
}

TEST(Refund, RublesAsAnOperatorTypesThem) {
    EXPECT_EQ(parse_rubles("150"), 15000);
    EXPECT_EQ(parse_rubles("150,5"), 15050);
    EXPECT_EQ(parse_rubles("150.05"), 15005);
    EXPECT_EQ(parse_rubles("1 234,56"), 123456);
    EXPECT_EQ(parse_rubles("1\u00a0234,56"), 123456);
    EXPECT_EQ(parse_rubles("0,01"), 1);
    EXPECT_FALSE(parse_rubles("").has_value());
    EXPECT_FALSE(parse_rubles("12,345").has_value());
    EXPECT_FALSE(parse_rubles("-5").has_value());
    EXPECT_FALSE(parse_rubles("1,2,3").has_value());
    EXPECT_FALSE(parse_rubles("5 руб").has_value());
    EXPECT_FALSE(parse_rubles("150,").has_value());
    EXPECT_FALSE(parse_rubles("9999999999999").has_value());
}

TEST(Utilities, SourceAndAccountNumber) {
    EXPECT_EQ(to_string(Source::utilities), "utilities");
    EXPECT_EQ(source_from_string("utilities"), Source::utilities);
    EXPECT_EQ(utilities_account("59 0123-4567"), "5901234567");
    EXPECT_EQ(utilities_account("123456"), "123456");
    EXPECT_FALSE(utilities_account("12345").has_value());
    EXPECT_FALSE(utilities_account("123456789012345678901").has_value());
    EXPECT_FALSE(utilities_account("59012345AB").has_value());
    EXPECT_FALSE(utilities_account("").has_value());
}

}  // namespace
}  // namespace uslugi::payments
