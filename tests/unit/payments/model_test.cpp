#include <gtest/gtest.h>

#include "payments/model.hpp"

#include <set>

namespace uslugi::payments {
namespace {

using std::chrono::days;
using std::chrono::year;
Date ymd(int y, unsigned m, unsigned d) { return Date{year{y} / m / d}; }

TEST(Uin, SpecExample) {
    EXPECT_EQ(uin_control_digit("1881047718000123456"), '3');
    EXPECT_TRUE(uin_valid("18810477180001234563"));
    EXPECT_FALSE(uin_valid("18810477180001234564"));
    EXPECT_FALSE(uin_valid("1881047718000123456"));
}

TEST(Uin, EveryIssuedUinPassesItsControlDigit) {
    std::set<std::string> seen;
    for (std::uint64_t serial = 0; serial < 5000; serial += 7) {
        const std::string uin = make_uin("777", serial * 104729);
        ASSERT_EQ(uin.size(), 20u);
        EXPECT_TRUE(uin_valid(uin)) << uin;
        EXPECT_EQ(uin.substr(0, 3), "777");
        seen.insert(uin);
    }
    EXPECT_EQ(seen.size(), 715u);  // no two serials gave one UIN
    EXPECT_THROW(make_uin("12a", 1), std::invalid_argument);
}

TEST(Discount, TodaysRuleIs25PercentWithin30Days) {
    const DiscountRule rule = DiscountRule::standard();
    const Date decision = ymd(2026, 11, 1);
    const Discount d = fine_discount(rule, 100000, decision, ymd(2026, 12, 1), false);
    EXPECT_TRUE(d.eligible);
    EXPECT_TRUE(d.active);
    EXPECT_EQ(d.rate_percent, 25);
    EXPECT_EQ(*d.last_day, ymd(2026, 12, 1));
    EXPECT_EQ(d.amount_due, 75000);
    const Discount late = fine_discount(rule, 100000, decision, ymd(2026, 12, 2), false);
    EXPECT_FALSE(late.active);
    EXPECT_EQ(late.amount_due, 100000);
}

TEST(Discount, Before2026ItWas50PercentWithin20Days) {
    const Discount d = fine_discount(DiscountRule::standard(), 50000, ymd(2025, 12, 20), ymd(2026, 1, 9), false);
    EXPECT_EQ(d.rate_percent, 50);
    EXPECT_EQ(*d.last_day, ymd(2026, 1, 9));
    EXPECT_EQ(d.amount_due, 25000);
}

TEST(Discount, ExcludedOffencesPayInFull) {
    const Discount d = fine_discount(DiscountRule::standard(), 500000, ymd(2026, 11, 30), ymd(2026, 12, 1), true);
    EXPECT_FALSE(d.eligible);
    EXPECT_FALSE(d.active);
    EXPECT_EQ(d.amount_due, 500000);
}

TEST(Discount, RateAndPeriodAreConfiguration) {
    DiscountRule rule = DiscountRule::standard();
    rule.periods.back().rate_percent = 10;
    rule.periods.back().days = 5;
    const Discount d = fine_discount(rule, 80000, ymd(2026, 6, 1), ymd(2026, 6, 6), false);
    EXPECT_EQ(d.amount_due, 72000);
    EXPECT_FALSE(fine_discount(rule, 80000, ymd(2026, 6, 1), ymd(2026, 6, 7), false).active);
}

TEST(Money, Figures) {
    EXPECT_EQ(format_rubles(123456), "1\u00a0234,56\u00a0₽");
    EXPECT_EQ(format_rubles(5), "0,05\u00a0₽");
    EXPECT_EQ(format_rubles(100000000), "1\u00a0000\u00a0000,00\u00a0₽");
}

TEST(Money, Words) {
    EXPECT_EQ(amount_in_words(123456), "Одна тысяча двести тридцать четыре рубля 56 копеек");
    EXPECT_EQ(amount_in_words(75000), "Семьсот пятьдесят рублей 00 копеек");
    EXPECT_EQ(amount_in_words(101), "Один рубль 01 копейка");
    EXPECT_EQ(amount_in_words(1102), "Одиннадцать рублей 02 копейки");
    EXPECT_EQ(amount_in_words(0), "Ноль рублей 00 копеек");
    EXPECT_EQ(amount_in_words(2200000000), "Двадцать два миллиона рублей 00 копеек");
    EXPECT_EQ(amount_in_words(200200), "Две тысячи два рубля 00 копеек");
    EXPECT_EQ(amount_in_words(1108424000), "Одиннадцать миллионов восемьдесят четыре тысячи двести сорок рублей 00 копеек");
    EXPECT_THROW(amount_in_words(-1), std::invalid_argument);
}

Payee payee() {
    return {"УФК по Пермскому краю (ГУ МВД России по Пермскому краю)", "5904140498", "590401001",
            "03100643000000015600", "ОТДЕЛЕНИЕ ПЕРМЬ БАНКА РОССИИ//УФК по Пермскому краю г. Пермь", "015773997",
            "40102810145370000048", "18811601123010001140", "57701000"};
}

TEST(Qr, TextParsesBackToTheSameFields) {
    const std::string text = build_qr_text(payee(), 75000, "Штраф | по постановлению", "18810477180001234563",
                                           {"Кузнецов", "Пётр", "Алексеевич", ""});
    EXPECT_TRUE(text.starts_with("ST00012|Name=УФК по Пермскому краю"));
    const QrFields f = parse_qr_text(text);
    EXPECT_EQ(f.get("Name"), payee().name);
    EXPECT_EQ(f.get("PersonalAcc"), "03100643000000015600");
    EXPECT_EQ(f.get("BankName"), payee().bank_name);
    EXPECT_EQ(f.get("BIC"), "015773997");
    EXPECT_EQ(f.get("CorrespAcc"), "40102810145370000048");
    EXPECT_EQ(f.get("Sum"), "75000");
    EXPECT_EQ(f.get("Purpose"), "Штраф   по постановлению");  // a "|" would split the field
    EXPECT_EQ(f.get("PayeeINN"), "5904140498");
    EXPECT_EQ(f.get("KPP"), "590401001");
    EXPECT_EQ(f.get("CBC"), "18811601123010001140");
    EXPECT_EQ(f.get("OKTMO"), "57701000");
    EXPECT_EQ(f.get("UIN"), "18810477180001234563");
    EXPECT_EQ(f.get("LastName"), "Кузнецов");
    EXPECT_EQ(f.get("MiddleName"), "Алексеевич");
    EXPECT_EQ(f.get("PayerAddress"), "");  // empty fields are left out
}

TEST(Qr, RejectsOtherTextsAndMissingRequiredFields) {
    EXPECT_THROW(parse_qr_text("ST00011|Name=A"), std::invalid_argument);
    EXPECT_THROW(parse_qr_text("ST00012|Name=A|PersonalAcc=1|BankName=B|BIC=2"), std::invalid_argument);
    EXPECT_THROW(parse_qr_text("ST00012|Name=A|garbage"), std::invalid_argument);
    EXPECT_NO_THROW(parse_qr_text("ST00012|Name=A|PersonalAcc=1|BankName=B|BIC=2|CorrespAcc=3"));
}

TEST(StateMachine, AllowedTransitions) {
    using S = PaymentState;
    EXPECT_TRUE(can_transition(S::created, S::awaiting_confirmation));
    EXPECT_TRUE(can_transition(S::created, S::expired));
    EXPECT_TRUE(can_transition(S::awaiting_confirmation, S::succeeded));
    EXPECT_TRUE(can_transition(S::awaiting_confirmation, S::failed));
    EXPECT_TRUE(can_transition(S::awaiting_confirmation, S::expired));
    EXPECT_TRUE(can_transition(S::succeeded, S::refunded));
    EXPECT_FALSE(can_transition(S::succeeded, S::failed));
    EXPECT_FALSE(can_transition(S::failed, S::succeeded));
    EXPECT_FALSE(can_transition(S::expired, S::succeeded));
    EXPECT_FALSE(can_transition(S::awaiting_confirmation, S::created));
    for (S s : {S::created, S::awaiting_confirmation, S::succeeded, S::failed, S::cancelled, S::expired, S::refunded})
        EXPECT_EQ(payment_state_from_string(to_string(s)), s);
    EXPECT_THROW(payment_state_from_string("paid"), std::invalid_argument);
    EXPECT_TRUE(holds_charges(S::succeeded));
    EXPECT_FALSE(holds_charges(S::expired));
}

TEST(StateMachine, AcquirerWords) {
    EXPECT_EQ(state_after(acquirer_status_from_string("succeeded")), PaymentState::succeeded);
    EXPECT_EQ(state_after(acquirer_status_from_string("declined")), PaymentState::failed);
    EXPECT_EQ(state_after(acquirer_status_from_string("cancelled")), PaymentState::cancelled);
    EXPECT_FALSE(state_after(acquirer_status_from_string("requires_action")).has_value());
    EXPECT_FALSE(state_after(acquirer_status_from_string("pending")).has_value());
    EXPECT_FALSE(state_after(acquirer_status_from_string("???")).has_value());
}

TEST(Ledger, SeveralChargesInOnePaymentBalance) {
    const auto in = entries_for_success(125000, {{"18810477180001234563", 75000}, {"32216141908810000131", 50000}});
    ASSERT_EQ(in.size(), 3u);
    EXPECT_TRUE(balanced(in));
    EXPECT_EQ(in[0].account, "acquirer");
    EXPECT_EQ(in[1].amount, -75000);
    EXPECT_TRUE(balanced(entries_for_refund(125000, {{"a", 75000}, {"b", 50000}})));
    EXPECT_THROW(entries_for_success(125001, {{"a", 75000}, {"b", 50000}}), std::invalid_argument);
    EXPECT_FALSE(balanced({{"acquirer", 1}}));
    EXPECT_FALSE(balanced({}));
}

TEST(Method, EveryMethodRoundTripsAndOnlyTheReceiptBypassesTheAcquirer) {
    for (Method m : {Method::card, Method::bank_receipt, Method::mobile, Method::wallet}) {
        const auto back = method_from_string(to_string(m));
        ASSERT_TRUE(back.has_value()) << to_string(m);
        EXPECT_EQ(*back, m);
        EXPECT_EQ(through_acquirer(m), m != Method::bank_receipt) << to_string(m);
    }
    EXPECT_EQ(to_string(Method::mobile), "mobile");
    EXPECT_EQ(to_string(Method::wallet), "wallet");
    EXPECT_FALSE(method_from_string("cash").has_value());
}

}  // namespace
}  // namespace uslugi::payments
