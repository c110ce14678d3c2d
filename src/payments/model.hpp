#pragma once
// Payments (PAY-1 … PAY-3): types and pure rules — UIN control digit, the
// traffic-fine discount, the payment QR text (GOST R 56042-2014), the payment
// state machine, the ledger's balanced entries, money in kopecks and in words.
// No I/O here; store.hpp holds the SQL and service.hpp the use cases.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::payments {

using Date = std::chrono::sys_days;

// ---- UIN (the charge's unique accrual identifier) ------------------------------------------------

// The 20th digit of a UIN from its first 19 (SPEC "Reference facts"): Σ digit ×
// weights 1,2,…,10,1,… mod 11; 10 → again with weights from 3; 10 again → 0.
char uin_control_digit(std::string_view first19);
bool uin_valid(std::string_view uin);
// A new UIN: prefix (an authority's code, e.g. "188" for the traffic police,
// "777" for the portal's state fees) + digits from `serial`, control digit last.
std::string make_uin(std::string_view prefix, std::uint64_t serial);

// ---- traffic fines: discount for early payment -----------------------------------------------------

// From `since` on, decisions get `rate_percent` off within `days` days.
struct DiscountPeriod {
    Date since;
    int rate_percent = 0;
    int days = 0;
};
// Configuration; the default is today's law (25 % within 30 days from 2026,
// 50 % within 20 days before).
struct DiscountRule {
    std::vector<DiscountPeriod> periods;
    static DiscountRule standard();
    // The period that applies to a decision of `decision`; nullopt before the first.
    std::optional<DiscountPeriod> for_decision(Date decision) const;
};
struct Discount {
    bool eligible = false;   // the offence allows it
    bool active = false;     // eligible and still within the period
    int rate_percent = 0;
    std::optional<Date> last_day;
    std::int64_t amount_due = 0;  // kopecks
};
// `excluded`: drunk driving, repeated red light, repeated oncoming lane, injury.
Discount fine_discount(const DiscountRule& rule, std::int64_t amount, Date decision, Date today, bool excluded);

// ---- money ---------------------------------------------------------------------------------------------

// "1 234,56 ₽" (a no-break space between thousands).
std::string format_rubles(std::int64_t kopecks);
// "Одна тысяча двести тридцать четыре рубля 56 копеек" (Russian, as a receipt says it).
std::string amount_in_words(std::int64_t kopecks);

// ---- payee and the payment QR code ---------------------------------------------------------------------

struct Payee {
    std::string name, inn, kpp, account, bank_name, bic, corr_account, kbk, oktmo;
};

// The fields of a GOST R 56042-2014 payment text, in the order they are written.
struct QrFields {
    std::vector<std::pair<std::string, std::string>> items;
    std::string get(std::string_view key) const;
};
struct QrPayer {
    std::string last_name, first_name, middle_name, address;
};
// "ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…|Sum=…|…". A "|"
// inside a value would split it: it is written as a space.
std::string build_qr_text(const Payee& payee, std::int64_t kopecks, const std::string& purpose, const std::string& uin,
                          const QrPayer& payer = {});
// Throws std::invalid_argument when the text is not ST00012 or misses a required field.
QrFields parse_qr_text(std::string_view text);

// ---- the payment state machine ---------------------------------------------------------------------

// created ──acquirer session──▶ awaiting_confirmation ──▶ succeeded ──▶ refunded
//    │                                │  └──▶ failed | cancelled | expired
//    └──▶ failed | cancelled | expired
enum class PaymentState { created, awaiting_confirmation, succeeded, failed, cancelled, expired, refunded };
std::string_view to_string(PaymentState s);
// Throws std::invalid_argument for an unknown name.
PaymentState payment_state_from_string(std::string_view s);
bool can_transition(PaymentState from, PaymentState to);
bool is_final(PaymentState s);        // nothing more will happen (refunded aside)
bool holds_charges(PaymentState s);   // its charges cannot be paid by another payment

// card, mobile and wallet go through the acquirer (its page, its confirmation
// step, its status); bank_receipt is paid at a bank branch by the printed receipt.
enum class Method { card, bank_receipt, mobile, wallet };
// Paid through the acquirer, with a page the payer confirms at.
bool through_acquirer(Method m);
std::string_view to_string(Method m);
std::optional<Method> method_from_string(std::string_view s);

// What the acquirer says about a payment.
enum class AcquirerStatus { pending, succeeded, declined, cancelled, unknown };
AcquirerStatus acquirer_status_from_string(std::string_view s);
// The state a payment moves to on the acquirer's word; nullopt: stay.
std::optional<PaymentState> state_after(AcquirerStatus s);

// ---- the ledger: every movement is a set of entries summing to zero -------------------------------------

struct LedgerEntry {
    std::string account;  // "acquirer", "payee:<uin>", "refunds"
    std::int64_t amount = 0;  // + debit, − credit (kopecks)
};
struct ChargeShare {
    std::string uin;
    std::int64_t amount = 0;
};
// Money received from the acquirer owed to each charge's payee.
std::vector<LedgerEntry> entries_for_success(std::int64_t total, const std::vector<ChargeShare>& shares);
// The reverse of entries_for_success, for a full refund.
std::vector<LedgerEntry> entries_for_refund(std::int64_t total, const std::vector<ChargeShare>& shares);
bool balanced(const std::vector<LedgerEntry>& entries);

// ---- charges ----------------------------------------------------------------------------------------------

// Where a charge comes from; the authority told about its payment.
// utilities: an invoice of a utilities payee (a settlement centre, an energy
// retailer, a managing company), looked up by personal account number.
enum class Source { gibdd, fns, fssp, fee, utilities };
std::string_view to_string(Source s);
std::optional<Source> source_from_string(std::string_view s);

struct Charge {
    std::string uin;
    Source source = Source::gibdd;
    std::int64_t amount = 0;      // as charged
    std::int64_t amount_due = 0;  // what to pay now (after a discount)
    std::string purpose, legal_basis;
    std::optional<Date> due_date;
    Discount discount;
    Payee payee;
    std::int64_t account_id = 0;  // the account it was created for (fees, own charges), 0 for none
    bool paid = false;
};

// A personal account number of a utilities payee as typed ("59 0123-4567"):
// its digits (6 to 20), or nullopt.
std::optional<std::string> utilities_account(std::string_view input);

// ---- refunds (succeeded → refunded) ---------------------------------------------------------------------

// A refund of a succeeded payment, in full or in part, asked for by a
// payments operator. pending: asked of the acquirer, its answer not yet known.
enum class RefundState { pending, succeeded, failed };
std::string_view to_string(RefundState s);
std::optional<RefundState> refund_state_from_string(std::string_view s);
// Why `requested` kopecks cannot be refunded of a payment of `paid` kopecks of
// which `reserved` are already refunded or being refunded; "" when they can.
// Codes: payments.refund_state, payments.refund_amount, payments.refund_exceeds.
std::string refund_refusal(PaymentState state, std::int64_t paid, std::int64_t reserved, std::int64_t requested);
// A payment stays succeeded while part of it is refunded; refunded when all of it is.
PaymentState state_after_refunds(std::int64_t paid, std::int64_t refunded);
// The charges a refund of `amount` takes its money back from, after `already`
// was refunded: in the payment's order of charges, each at most what is left of it.
std::vector<ChargeShare> refund_allocation(const std::vector<ChargeShare>& shares, std::int64_t already,
                                           std::int64_t amount);
// "150", "150,5", "1 234,56", "1234.56" (rubles) → kopecks; nullopt for anything else.
std::optional<std::int64_t> parse_rubles(std::string_view text);

}  // namespace uslugi::payments
