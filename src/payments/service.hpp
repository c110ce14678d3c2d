#pragma once
// Use cases of payments: look up what is owed (PAY-1), pay it by card through
// the acquirer's hosted page with its 3-D Secure step (PAY-2), learn outcomes
// the browser never brought back (the sweeper job), tell the authority
// (outbox job), and the charge interface other modules use for state fees.
//
// Never charged twice: a payment is found again by its idempotency key (per
// account), a charge is held by one live payment at most (a unique index),
// the acquirer is called with an idempotency key derived from the payment, and
// every outcome is recorded by a conditional UPDATE of the state.
#include "cabinet/service.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "identity/profile_store.hpp"
#include "identity/store.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "payments/model.hpp"
#include "payments/store.hpp"
#include "registries/clients.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::payments {

struct PaymentOptions {
    std::int64_t expire_seconds = 20 * 60;    // an unfinished payment expires after this
    std::int64_t check_after_seconds = 60;    // the sweeper's first look at an open payment
    std::int64_t lookup_fresh_seconds = 3600;  // a charge must have been looked up this recently to be paid
    DiscountRule discount = DiscountRule::standard();
    std::string payees_file;  // default: <root>/data/payments/payees.json
    int sweep_hour_utc = 3;   // the daily look-up of fines (schedule_daily_sweep); -1: this process starts none
};
// The options as the command line set them (one set per process).
PaymentOptions& configured_options();
// --payment-expire-seconds, --payment-check-seconds, --fine-discount (RATE/DAYS, for decisions from today's law on),
// --fines-sweep-hour.
void add_options(CLI::App& cmd);

// A user-facing failure: a stable code ("payments.charge_held") and the field.
class PaymentError : public std::runtime_error {
public:
    PaymentError(std::string code, std::string field = {}, std::string detail = {})
        : std::runtime_error(code), code_(std::move(code)), field_(std::move(field)), detail_(std::move(detail)) {}
    const std::string& code() const { return code_; }
    const std::string& field() const { return field_; }
    const std::string& detail() const { return detail_; }  // e.g. the payment that holds a charge

private:
    std::string code_, field_, detail_;
};

// One line of a utilities invoice: a metered service (readings) or a flat rate.
struct InvoiceLine {
    std::string name, unit, meter, quantity;  // quantity as the payee writes it ("7", "54.30")
    std::optional<std::int64_t> previous, current;
    std::int64_t tariff = 0, amount = 0;  // kopecks per unit, kopecks
};
struct InvoiceDetails {
    std::string account, period, period_title, address, holder;
    std::vector<InvoiceLine> lines;
};

struct Lookup {
    bool document_found = true;
    std::vector<Charge> charges;
    std::int64_t total_due = 0;
    std::map<std::string, InvoiceDetails> invoices;  // utilities: the invoice behind each charge, by UIN
};

// A refund an operator asks for (amount in kopecks, the attempt's key).
struct RefundRequest {
    std::string payment_id;
    std::int64_t amount = 0;
    std::string reason, key;
    std::int64_t operator_id = 0;
};
struct RefundResult {
    Refund refund;
    Payment payment;
    bool created = false;
};

struct DebtorQuery {
    std::string region, surname, name, patronymic;
    Date birth_date{};
};

// How the start of a payment went.
struct Started {
    Payment payment;
    bool created = false;
    bool acquirer_unavailable = false;  // the payment exists; opening the bank's page must be retried
};

class PaymentService {
public:
    PaymentService(db::Database& db, registries::RegistryClients clients, jobs::JobStore& jobs,
                   notifications::OutboxStore& outbox, identity::AccountStore& accounts, jobs::JobRunner* runner,
                   std::map<Source, Payee> payees, PaymentOptions options, std::string public_url,
                   identity::ProfileStore* profiles = nullptr, cabinet::CabinetService* cabinet = nullptr);

    // ---- look-ups (PAY-1); PaymentError with a validation code for bad input ----
    Lookup fines_by_licence(const std::string& licence);
    Lookup fines_by_certificate(const std::string& certificate);
    Lookup taxes(const std::string& inn);
    Lookup court_debts(const DebtorQuery& q);
    // Utilities invoices by personal account number (public, like the fines look-up).
    Lookup utilities(const std::string& account);

    // ---- paying (PAY-2) ----
    Started start(std::int64_t account_id, const std::vector<std::string>& uins, Method method,
                  const std::string& idempotency_key);
    // Opens the acquirer's page of a created card payment (again, safely).
    Started open_checkout(Payment p);
    // Asks the acquirer and records what it says; RegistryUnavailable when it does not answer.
    Payment sync(const std::string& public_id, const std::string& actor);
    // The account's own payment; nullopt for anyone else's (pages answer 404).
    std::optional<Payment> payment_of(std::int64_t account_id, const std::string& public_id);
    std::vector<Payment> history(std::int64_t account_id, const HistoryFilter& f) { return store_.history(account_id, f); }

    // ---- the operator's reconciliation of a day with the acquirer's list (PAY-3) ----
    struct Difference {
        std::string kind;  // missing_at_bank | missing_here | amount_differs | state_differs
        std::string payment_id, acquirer_id, our_state;
        std::int64_t our_amount = 0, bank_amount = 0;
    };
    struct Reconciliation {
        Date day{};
        std::int64_t our_total = 0, bank_total = 0;
        int our_count = 0, bank_count = 0;
        std::vector<Difference> differences;
    };
    // RegistryUnavailable when the acquirer does not answer.
    Reconciliation reconcile(Date day);

    // ---- refunds (a payments operator; succeeded → refunded) ----
    // Reserves the amount, asks the acquirer with the refund's own key and records
    // its answer; a lost answer leaves the refund pending for the sweeper.
    // PaymentError: payments.not_found, refund_amount, refund_reason,
    // refund_state, refund_exceeds, idempotency_key, idempotency_conflict.
    RefundResult refund(const RefundRequest& r);
    void run_refund_check(const jobs::Job& job);  // "payments.refund"

    // ---- jobs ----
    void run_check(const jobs::Job& job);   // "payments.check"
    void run_report(const jobs::Job& job);  // "payments.report"

    // ---- the account's own charges (PAY-1): taxes by the INN the tax service found for it, and
    // traffic fines by the driver's licences and vehicle certificates in its cabinet ----
    // Asks for a look-up in the background, at most once an hour per account.
    void look_for_own_charges(std::int64_t account_id);
    void run_own_lookup(const jobs::Job& job);  // "payments.own"; a new charge → a notification
    // Every day at 03:00 UTC the portal looks fines up for every account with a
    // licence or a vehicle in its cabinet, without anyone opening a page (PAY-1):
    // a chain of "payments.own_sweep" jobs, each queueing the own look-up of a
    // batch of accounts and then the next batch; the last one queues the next
    // day's first. Idempotent (job keys name the day and the batch), so every
    // instance may call schedule_daily_sweep() when its job runner starts.
    void schedule_daily_sweep();
    void sweep_now();  // the first batch at once (test routes)
    void run_sweep(const jobs::Job& job);
    std::vector<Charge> own_charges(std::int64_t account_id) { return store_.linked_to_account(account_id); }

    // ---- the charge interface for other modules (state fees of applications) ----
    // A charge for `account_id` with a new UIN; in the caller's transaction.
    Charge create_charge(soci::session& tx, std::int64_t account_id, std::int64_t amount, const std::string& purpose,
                         const std::string& legal_basis, const std::string& reference);
    bool is_paid(const std::string& uin) { return store_.paid_by(uin) != 0; }
    std::optional<Charge> charge(const std::string& uin) { return store_.find_charge(uin); }
    std::vector<Charge> charges_of(std::int64_t account_id) { return store_.charges_of_account(account_id); }

    const Payee& payee(Source s) const;
    PaymentStore& store() { return store_; }
    const PaymentOptions& options() const { return options_; }

private:
    Lookup remember(Lookup l);
    // Every charge the registries know for the account's INN and cabinet documents.
    std::vector<Charge> own_lookups(std::int64_t account_id);
    Charge fine_charge(const registries::TrafficFine& f, Date today) const;
    std::vector<Charge> load_charges(soci::session& s, std::int64_t account_id, const std::vector<std::string>& uins,
                                     std::int64_t now);
    void apply(Payment p, const nlohmann::json& acquirer, const std::string& actor);
    void succeed(soci::session& tx, const Payment& p, const std::string& actor, std::int64_t now);
    void notify_result(soci::session& tx, const Payment& p);
    std::optional<nlohmann::json> acquirer_payment(const Payment& p);
    std::string payer_phone(std::int64_t account_id);  // "" when the account has none
    void schedule_check(soci::session& tx, const Payment& p, int n, std::int64_t now);
    Refund settle_refund(const Payment& p, const Refund& r);
    void record_refund(const Payment& p, const Refund& r, RefundState to, const std::string& acquirer_refund_id,
                       const std::string& failure, const std::string& actor);
    void notify_refund(soci::session& tx, const Payment& p, const Refund& r);
    void schedule_refund_check(soci::session& tx, const Refund& r, int n, std::int64_t now);
    void report_utilities(const Payment& p, const PaymentItem& item);
    void wake();

    PaymentStore store_;
    registries::RegistryClients clients_;
    jobs::JobStore& jobs_;
    notifications::OutboxStore& outbox_;
    identity::AccountStore& accounts_;
    jobs::JobRunner* runner_;
    std::map<Source, Payee> payees_;
    PaymentOptions options_;
    std::string public_url_;
    identity::ProfileStore* profiles_;
    cabinet::CabinetService* cabinet_;
};

std::map<Source, Payee> load_payees(const std::string& file);

// A service with everything it needs built from the configuration (clients
// of the registries, the outbox, the account store for contacts); for `serve`
// (pages) and for the job handlers of `serve` and `worker`.
std::shared_ptr<PaymentService> make_service(db::Database& db, const core::Config& cfg, const std::string& root,
                                             jobs::JobRunner* runner);
// "payments.check" and "payments.report".
void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root);

}  // namespace uslugi::payments
