#pragma once
// The SQL of the payments module (migrations/0350_payments.sql): charges,
// payments, their items, events and the ledger. Only this module reads them.
// State changes are conditional UPDATEs (… WHERE state = :from), so two
// workers that learn one outcome at once record it once.
#include "db/database.hpp"
#include "payments/model.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace uslugi::payments {

struct PaymentItem {
    std::string uin;
    Source source = Source::gibdd;
    std::int64_t amount = 0;
    std::string purpose;
    Payee payee;
    std::int64_t reported_at = 0;  // 0: the authority not told yet
};

// A refund of a payment (migrations/0411_payments_refunds.sql).
struct Refund {
    std::int64_t id = 0;
    std::string public_id;
    std::int64_t payment_id = 0;
    std::int64_t amount = 0;
    std::string reason;
    RefundState state = RefundState::pending;
    std::string acquirer_refund_id, failure, actor;
    int checks = 0;
    std::int64_t created_at = 0, finished_at = 0;
};

struct NewRefund {
    std::string public_id;
    std::int64_t payment_id = 0;
    std::string idempotency_key, request_hash;
    std::int64_t amount = 0;
    std::string reason, actor;
};

struct Payment {
    std::int64_t id = 0;
    std::string public_id;
    std::int64_t account_id = 0;
    Method method = Method::card;
    PaymentState state = PaymentState::created;
    std::int64_t amount = 0;
    std::string acquirer_id, action_url, failure, card_last4;
    int checks = 0;
    std::int64_t created_at = 0, updated_at = 0, expires_at = 0, finished_at = 0;
    std::vector<PaymentItem> items;
    std::int64_t refund_reserved = 0;  // refunded or being refunded
    std::int64_t refunded_amount = 0;  // refunded (the acquirer said yes)
    std::vector<Refund> refunds;       // oldest first
};

struct NewPayment {
    std::string public_id;
    std::int64_t account_id = 0;
    std::string idempotency_key, request_hash;
    Method method = Method::card;
    std::int64_t amount = 0;
    std::int64_t expires_at = 0;
    std::vector<PaymentItem> items;
};

// Another live payment holds one of the charges.
class ChargeHeld : public std::runtime_error {
public:
    explicit ChargeHeld(std::string uin) : std::runtime_error("charge held by another payment"), uin_(std::move(uin)) {}
    const std::string& uin() const { return uin_; }

private:
    std::string uin_;
};

// The idempotency key was used with another request.
class KeyConflict : public std::runtime_error {
public:
    KeyConflict() : std::runtime_error("idempotency key used with another request") {}
};

struct HistoryFilter {
    std::string state;     // "" for any
    std::int64_t from = 0;  // created_at ≥ from (0: any)
    std::int64_t to = 0;    // created_at < to (0: any)
    int limit = 50;
};

class PaymentStore {
public:
    explicit PaymentStore(db::Database& db) : db_(db) {}
    db::Database& database() { return db_; }

    // ---- charges ----
    void upsert_charge(soci::session& tx, const Charge& c, std::int64_t now);
    std::optional<Charge> find_charge(soci::session& s, const std::string& uin);
    std::optional<Charge> find_charge(const std::string& uin);
    std::int64_t charge_seen_at(soci::session& s, const std::string& uin);
    std::vector<Charge> charges_of_account(std::int64_t account_id);
    // Links a charge found for the account's own documents; true when it is new to the account.
    bool link_to_account(soci::session& tx, std::int64_t account_id, const std::string& uin, std::int64_t now);
    // The charges found for the account's own documents.
    std::vector<Charge> linked_to_account(std::int64_t account_id);
    // The payment that paid the charge, 0 when none.
    std::int64_t paid_by(const std::string& uin);

    // ---- payments ----
    // Inserts the payment and its items (each charge held), or finds the
    // payment of the same key: {payment, created}. KeyConflict when the key
    // was used with another request; ChargeHeld when a live payment holds a charge.
    std::pair<Payment, bool> create(soci::session& tx, const NewPayment& p, std::int64_t now);
    std::optional<Payment> find(soci::session& s, const std::string& public_id);
    // The payment of an attempt's key and the hash of the request it was made for.
    std::optional<std::pair<Payment, std::string>> find_by_key(soci::session& s, std::int64_t account_id,
                                                               const std::string& key);
    std::optional<Payment> find(const std::string& public_id);
    std::optional<Payment> find_by_id(soci::session& s, std::int64_t id);
    // `from` → `to` if the payment is still in `from`; records the event; false otherwise.
    bool transition(soci::session& tx, std::int64_t id, PaymentState from, PaymentState to, const std::string& actor,
                    const std::string& note, std::int64_t now);
    void set_acquirer(soci::session& tx, std::int64_t id, const std::string& acquirer_id, const std::string& action_url,
                      std::int64_t now);
    void set_outcome_details(soci::session& tx, std::int64_t id, const std::string& failure,
                             const std::string& card_last4);
    // Releases the charges of a payment that ended without money.
    void release_items(soci::session& tx, std::int64_t id);
    void count_check(soci::session& tx, std::int64_t id);
    void mark_charges_paid(soci::session& tx, const Payment& p);
    void mark_reported(std::int64_t payment_id, const std::string& uin, std::int64_t now);
    std::vector<Payment> history(std::int64_t account_id, const HistoryFilter& f);
    // Payments created in [from, to) in any state, for the operator's reconciliation.
    std::vector<Payment> created_between(std::int64_t from, std::int64_t to);
    // Ids of payments not yet final.
    std::vector<std::string> open_payments(int limit);

    // ---- refunds ----
    // The refund of an operator's attempt (by its key) and the hash of the request it was made for.
    std::optional<std::pair<Refund, std::string>> find_refund_by_key(soci::session& s, std::int64_t payment_id,
                                                                     const std::string& key);
    // Inserts a pending refund; false when a refund of the same key is there already.
    bool insert_refund(soci::session& tx, const NewRefund& r, std::int64_t now);
    // Reserves `amount` of a succeeded payment for a refund, if that much is left; false otherwise.
    bool reserve_refund(soci::session& tx, std::int64_t payment_id, std::int64_t amount);
    // pending → succeeded | failed if still pending; false otherwise (someone recorded it first).
    bool finish_refund(soci::session& tx, std::int64_t refund_id, RefundState to, const std::string& acquirer_refund_id,
                       const std::string& failure, std::int64_t now);
    // The acquirer refunded `amount`: the payment's refunded total grows.
    void add_refunded(soci::session& tx, std::int64_t payment_id, std::int64_t amount);
    // A refused refund gives its reservation back.
    void release_refund(soci::session& tx, std::int64_t payment_id, std::int64_t amount);
    void count_refund_check(soci::session& tx, std::int64_t refund_id);
    std::optional<Refund> find_refund(soci::session& s, const std::string& public_id);
    std::optional<Refund> find_refund(const std::string& public_id);
    std::vector<Refund> refunds_of(soci::session& s, std::int64_t payment_id);
    // Ids of refunds still waiting for the acquirer's answer.
    std::vector<std::string> pending_refunds(int limit);
    // An event without a change of state (a partial refund of a succeeded payment).
    void record_event(soci::session& tx, std::int64_t payment_id, PaymentState state, const std::string& actor,
                      const std::string& note, std::int64_t now);

    struct Event {
        std::string from, to, actor, note;
        std::int64_t at = 0;
    };
    std::vector<Event> events(std::int64_t payment_id);

    // ---- ledger ----
    void post(soci::session& tx, std::int64_t payment_id, const std::string& movement,
              const std::vector<LedgerEntry>& entries, std::int64_t now);
    // Σ of every entry (0 when the ledger balances) and the number of rows.
    std::pair<std::int64_t, std::int64_t> ledger_totals();

private:
    std::vector<PaymentItem> items_of(soci::session& s, std::int64_t payment_id);
    std::vector<Payment> select(soci::session& s, const std::string& where, const std::vector<std::string>& texts,
                                const std::vector<long long>& numbers, int limit);
    db::Database& db_;
};

// Payee as JSON and back (the charge and item rows keep it so).
std::string payee_json(const Payee& p);
Payee payee_from_json(const std::string& text);

}  // namespace uslugi::payments
