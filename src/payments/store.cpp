#include "payments/store.hpp"

#include "core/time.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::payments {

namespace chr = std::chrono;

namespace {

// Integer columns come back as int or long long depending on the backend and
// the declared type; NULL as 0.
long long i64(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) == soci::i_null) return 0;
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_integer: return r.get<int>(i);
        case soci::dt_long_long: return r.get<long long>(i);
        case soci::dt_unsigned_long_long: return static_cast<long long>(r.get<unsigned long long>(i));
        case soci::dt_double: return static_cast<long long>(r.get<double>(i));
        default: return std::stoll(r.get<std::string>(i));
    }
}

std::string str(const soci::row& r, std::size_t i) {
    return r.get_indicator(i) == soci::i_null ? std::string() : r.get<std::string>(i);
}

std::string date_text(const std::optional<Date>& d) { return d ? core::format_iso_date(*d) : std::string(); }

std::optional<Date> date_of(const std::string& text) {
    if (text.empty()) return std::nullopt;
    return core::parse_iso_date(text);
}

constexpr const char* kChargeColumns =
    "SELECT uin, source, account_id, amount, amount_due, discount_percent, discount_until, due_date, purpose, "
    "legal_basis, payee, paid_by FROM payments_charges ";

Charge charge_from(const soci::row& r) {
    Charge c;
    c.uin = str(r, 0);
    c.source = source_from_string(str(r, 1)).value_or(Source::fee);
    c.account_id = i64(r, 2);
    c.amount = i64(r, 3);
    c.amount_due = i64(r, 4);
    c.discount.rate_percent = int(i64(r, 5));
    c.discount.last_day = date_of(str(r, 6));
    c.discount.eligible = c.discount.rate_percent > 0;
    c.discount.active = c.discount.eligible && c.amount_due < c.amount;
    c.discount.amount_due = c.amount_due;
    c.due_date = date_of(str(r, 7));
    c.purpose = str(r, 8);
    c.legal_basis = str(r, 9);
    c.payee = payee_from_json(str(r, 10));
    c.paid = i64(r, 11) != 0;
    return c;
}

constexpr const char* kPaymentColumns =
    "SELECT id, public_id, account_id, method, state, amount, acquirer_id, action_url, failure, card_last4, checks, "
    "created_at, updated_at, expires_at, finished_at, refund_reserved, refunded_amount FROM payments ";

Payment payment_from(const soci::row& r) {
    Payment p;
    p.id = i64(r, 0);
    p.public_id = str(r, 1);
    p.account_id = i64(r, 2);
    p.method = method_from_string(str(r, 3)).value_or(Method::card);
    p.state = payment_state_from_string(str(r, 4));
    p.amount = i64(r, 5);
    p.acquirer_id = str(r, 6);
    p.action_url = str(r, 7);
    p.failure = str(r, 8);
    p.card_last4 = str(r, 9);
    p.checks = int(i64(r, 10));
    p.created_at = i64(r, 11);
    p.updated_at = i64(r, 12);
    p.expires_at = i64(r, 13);
    p.finished_at = i64(r, 14);
    p.refund_reserved = i64(r, 15);
    p.refunded_amount = i64(r, 16);
    return p;
}

constexpr const char* kRefundColumns =
    "SELECT id, public_id, payment_id, amount, reason, state, acquirer_refund_id, failure, actor, checks, created_at, "
    "finished_at FROM payments_refunds ";

Refund refund_from(const soci::row& r) {
    Refund x;
    x.id = i64(r, 0);
    x.public_id = str(r, 1);
    x.payment_id = i64(r, 2);
    x.amount = i64(r, 3);
    x.reason = str(r, 4);
    x.state = refund_state_from_string(str(r, 5)).value_or(RefundState::pending);
    x.acquirer_refund_id = str(r, 6);
    x.failure = str(r, 7);
    x.actor = str(r, 8);
    x.checks = int(i64(r, 9));
    x.created_at = i64(r, 10);
    x.finished_at = i64(r, 11);
    return x;
}

}  // namespace

std::string payee_json(const Payee& p) {
    return nlohmann::json{{"name", p.name}, {"inn", p.inn}, {"kpp", p.kpp}, {"account", p.account},
                          {"bank_name", p.bank_name}, {"bic", p.bic}, {"corr_account", p.corr_account},
                          {"kbk", p.kbk}, {"oktmo", p.oktmo}}
        .dump();
}

Payee payee_from_json(const std::string& text) {
    const auto j = nlohmann::json::parse(text.empty() ? "{}" : text);
    auto s = [&j](const char* k) { return j.contains(k) ? j.at(k).get<std::string>() : std::string(); };
    return {s("name"), s("inn"), s("kpp"), s("account"), s("bank_name"), s("bic"), s("corr_account"), s("kbk"),
            s("oktmo")};
}

// ---- charges ------------------------------------------------------------------------------------------

void PaymentStore::upsert_charge(soci::session& tx, const Charge& c, std::int64_t now) {
    const std::string source(to_string(c.source));
    const std::string until = date_text(c.discount.active ? c.discount.last_day : std::nullopt);
    const std::string due = date_text(c.due_date);
    const std::string payee = payee_json(c.payee);
    const long long amount = c.amount, amount_due = c.amount_due, now_s = now;
    const int percent = c.discount.active ? c.discount.rate_percent : 0;
    soci::indicator until_ind = until.empty() ? soci::i_null : soci::i_ok;
    soci::indicator due_ind = due.empty() ? soci::i_null : soci::i_ok;
    const long long account = c.account_id;
    soci::indicator account_ind = c.account_id ? soci::i_ok : soci::i_null;
    // What the authority says now replaces what it said before; the owner and
    // the payment that paid it stay.
    tx << "INSERT INTO payments_charges (uin, source, account_id, amount, amount_due, discount_percent, "
          "discount_until, due_date, purpose, legal_basis, payee, seen_at, created_at) "
          "VALUES (:uin, :source, :account, :amount, :due_amount, :percent, :until, :due, :purpose, :basis, :payee, "
          ":seen, :created) ON CONFLICT (uin) DO UPDATE SET amount = excluded.amount, "
          "amount_due = excluded.amount_due, discount_percent = excluded.discount_percent, "
          "discount_until = excluded.discount_until, due_date = excluded.due_date, purpose = excluded.purpose, "
          "legal_basis = excluded.legal_basis, payee = excluded.payee, seen_at = excluded.seen_at",
        soci::use(c.uin), soci::use(source), soci::use(account, account_ind), soci::use(amount),
        soci::use(amount_due), soci::use(percent), soci::use(until, until_ind), soci::use(due, due_ind),
        soci::use(c.purpose), soci::use(c.legal_basis), soci::use(payee), soci::use(now_s), soci::use(now_s);
}

std::optional<Charge> PaymentStore::find_charge(soci::session& s, const std::string& uin) {
    soci::rowset<soci::row> rows = (s.prepare << std::string(kChargeColumns) + "WHERE uin = :uin", soci::use(uin));
    for (const soci::row& r : rows) return charge_from(r);
    return std::nullopt;
}

std::optional<Charge> PaymentStore::find_charge(const std::string& uin) {
    db::Connection c(db_);
    return find_charge(*c, uin);
}

std::int64_t PaymentStore::charge_seen_at(soci::session& s, const std::string& uin) {
    long long seen = 0;
    soci::indicator ind = soci::i_null;
    s << "SELECT seen_at FROM payments_charges WHERE uin = :uin", soci::use(uin), soci::into(seen, ind);
    return s.got_data() && ind == soci::i_ok ? seen : 0;
}

std::vector<Charge> PaymentStore::charges_of_account(std::int64_t account_id) {
    db::Connection c(db_);
    const long long id = account_id;
    std::vector<Charge> out;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string(kChargeColumns) + "WHERE account_id = :a ORDER BY created_at DESC", soci::use(id));
    for (const soci::row& r : rows) out.push_back(charge_from(r));
    return out;
}

bool PaymentStore::link_to_account(soci::session& tx, std::int64_t account_id, const std::string& uin,
                                   std::int64_t now) {
    const long long account = account_id, now_s = now;
    std::string linked;
    soci::indicator ind = soci::i_null;
    tx << "INSERT INTO payments_account_charges (account_id, uin, found_at) VALUES (:a, :u, :t) "
          "ON CONFLICT (account_id, uin) DO NOTHING RETURNING uin",
        soci::use(account), soci::use(uin), soci::use(now_s), soci::into(linked, ind);
    return tx.got_data() && ind == soci::i_ok;
}

std::vector<Charge> PaymentStore::linked_to_account(std::int64_t account_id) {
    db::Connection c(db_);
    const long long id = account_id;
    std::vector<Charge> out;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string(kChargeColumns) +
                           "WHERE uin IN (SELECT uin FROM payments_account_charges WHERE account_id = :a) ORDER BY uin",
         soci::use(id));
    for (const soci::row& r : rows) out.push_back(charge_from(r));
    return out;
}

std::int64_t PaymentStore::paid_by(const std::string& uin) {
    db::Connection c(db_);
    long long id = 0;
    soci::indicator ind = soci::i_null;
    *c << "SELECT paid_by FROM payments_charges WHERE uin = :uin", soci::use(uin), soci::into(id, ind);
    return c->got_data() && ind == soci::i_ok ? id : 0;
}

// ---- payments -------------------------------------------------------------------------------------------

std::pair<Payment, bool> PaymentStore::create(soci::session& tx, const NewPayment& p, std::int64_t now) {
    const std::string method(to_string(p.method));
    const long long account = p.account_id, amount = p.amount, expires = p.expires_at, now_s = now;
    long long id = 0;
    soci::indicator id_ind = soci::i_null;
    // A concurrent insert with the same key waits for ours, then writes nothing.
    tx << "INSERT INTO payments (public_id, account_id, idempotency_key, request_hash, method, state, amount, "
          "created_at, updated_at, expires_at) VALUES (:pid, :account, :key, :hash, :method, 'created', :amount, "
          ":c, :u, :e) ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id",
        soci::use(p.public_id), soci::use(account), soci::use(p.idempotency_key), soci::use(p.request_hash),
        soci::use(method), soci::use(amount), soci::use(now_s), soci::use(now_s), soci::use(expires),
        soci::into(id, id_ind);
    if (!tx.got_data() || id_ind != soci::i_ok) {
        std::string hash, public_id;
        tx << "SELECT request_hash, public_id FROM payments WHERE account_id = :a AND idempotency_key = :k",
            soci::use(account), soci::use(p.idempotency_key), soci::into(hash), soci::into(public_id);
        if (!tx.got_data()) throw std::runtime_error("payment neither inserted nor found");
        if (hash != p.request_hash) throw KeyConflict();
        return {*find(tx, public_id), false};
    }
    for (const PaymentItem& item : p.items) {
        const std::string source(to_string(item.source));
        const std::string payee = payee_json(item.payee);
        const long long item_amount = item.amount;
        try {
            tx << "INSERT INTO payments_items (payment_id, uin, source, amount, purpose, payee, active) "
                  "VALUES (:p, :uin, :source, :amount, :purpose, :payee, 1)",
                soci::use(id), soci::use(item.uin), soci::use(source), soci::use(item_amount), soci::use(item.purpose),
                soci::use(payee);
        } catch (const std::exception& e) {
            if (db::is_unique_violation(e)) throw ChargeHeld(item.uin);
            throw;
        }
    }
    // soci binds by reference and runs the statement when the full expression ends: a temporary bound
    // here would already be destroyed by then.
    const std::string actor = "account:" + std::to_string(account);
    tx << "INSERT INTO payments_events (payment_id, from_state, to_state, actor, note, at) "
          "VALUES (:p, NULL, 'created', :actor, :note, :at)",
        soci::use(id), soci::use(actor), soci::use(method), soci::use(now_s);
    return {*find_by_id(tx, id), true};
}

std::vector<PaymentItem> PaymentStore::items_of(soci::session& s, std::int64_t payment_id) {
    const long long id = payment_id;
    std::vector<PaymentItem> out;
    soci::rowset<soci::row> rows = (s.prepare << "SELECT uin, source, amount, purpose, payee, reported_at FROM "
                                                 "payments_items WHERE payment_id = :p ORDER BY uin",
                                    soci::use(id));
    for (const soci::row& r : rows) {
        PaymentItem i;
        i.uin = str(r, 0);
        i.source = source_from_string(str(r, 1)).value_or(Source::fee);
        i.amount = i64(r, 2);
        i.purpose = str(r, 3);
        i.payee = payee_from_json(str(r, 4));
        i.reported_at = i64(r, 5);
        out.push_back(std::move(i));
    }
    return out;
}

std::vector<Payment> PaymentStore::select(soci::session& s, const std::string& where,
                                          const std::vector<std::string>& texts, const std::vector<long long>& numbers,
                                          int limit) {
    soci::details::prepare_temp_type prep =
        (s.prepare << std::string(kPaymentColumns) + where + " LIMIT " + std::to_string(std::max(1, limit)));
    for (const auto& t : texts) prep, soci::use(t);
    for (const auto& n : numbers) prep, soci::use(n);
    soci::rowset<soci::row> rows(prep);
    std::vector<Payment> out;
    for (const soci::row& r : rows) out.push_back(payment_from(r));
    for (Payment& p : out) {
        p.items = items_of(s, p.id);
        if (p.refund_reserved) p.refunds = refunds_of(s, p.id);
    }
    return out;
}

std::optional<Payment> PaymentStore::find(soci::session& s, const std::string& public_id) {
    auto found = select(s, "WHERE public_id = :pid", {public_id}, {}, 1);
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::optional<std::pair<Payment, std::string>> PaymentStore::find_by_key(soci::session& s, std::int64_t account_id,
                                                                         const std::string& key) {
    const long long account = account_id;
    std::string hash, public_id;
    s << "SELECT request_hash, public_id FROM payments WHERE account_id = :a AND idempotency_key = :k",
        soci::use(account), soci::use(key), soci::into(hash), soci::into(public_id);
    if (!s.got_data()) return std::nullopt;
    return std::make_pair(*find(s, public_id), hash);
}

std::optional<Payment> PaymentStore::find(const std::string& public_id) {
    db::Connection c(db_);
    return find(*c, public_id);
}

std::optional<Payment> PaymentStore::find_by_id(soci::session& s, std::int64_t id) {
    auto found = select(s, "WHERE id = :id", {}, {static_cast<long long>(id)}, 1);
    if (found.empty()) return std::nullopt;
    return found.front();
}

bool PaymentStore::transition(soci::session& tx, std::int64_t id, PaymentState from, PaymentState to,
                              const std::string& actor, const std::string& note, std::int64_t now) {
    if (!can_transition(from, to)) return false;
    const std::string f(to_string(from)), t(to_string(to));
    const long long pid = id, now_s = now;
    const long long finished = is_final(to) ? now : 0;
    soci::indicator finished_ind = is_final(to) ? soci::i_ok : soci::i_null;
    soci::statement st = (tx.prepare << "UPDATE payments SET state = :to, updated_at = :u, "
                                        "finished_at = COALESCE(:fin, finished_at) WHERE id = :id AND state = :from",
                          soci::use(t), soci::use(now_s), soci::use(finished, finished_ind), soci::use(pid),
                          soci::use(f));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    tx << "INSERT INTO payments_events (payment_id, from_state, to_state, actor, note, at) "
          "VALUES (:p, :f, :t, :actor, :note, :at)",
        soci::use(pid), soci::use(f), soci::use(t), soci::use(actor), soci::use(note), soci::use(now_s);
    return true;
}

void PaymentStore::set_acquirer(soci::session& tx, std::int64_t id, const std::string& acquirer_id,
                                const std::string& action_url, std::int64_t now) {
    const long long pid = id, now_s = now;
    tx << "UPDATE payments SET acquirer_id = :a, action_url = :url, updated_at = :u WHERE id = :id",
        soci::use(acquirer_id), soci::use(action_url), soci::use(now_s), soci::use(pid);
}

void PaymentStore::set_outcome_details(soci::session& tx, std::int64_t id, const std::string& failure,
                                       const std::string& card_last4) {
    const long long pid = id;
    soci::indicator fi = failure.empty() ? soci::i_null : soci::i_ok;
    soci::indicator ci = card_last4.empty() ? soci::i_null : soci::i_ok;
    tx << "UPDATE payments SET failure = COALESCE(:f, failure), card_last4 = COALESCE(:c, card_last4) WHERE id = :id",
        soci::use(failure, fi), soci::use(card_last4, ci), soci::use(pid);
}

void PaymentStore::release_items(soci::session& tx, std::int64_t id) {
    const long long pid = id;
    tx << "UPDATE payments_items SET active = NULL WHERE payment_id = :p", soci::use(pid);
}

void PaymentStore::count_check(soci::session& tx, std::int64_t id) {
    const long long pid = id;
    tx << "UPDATE payments SET checks = checks + 1 WHERE id = :p", soci::use(pid);
}

void PaymentStore::mark_charges_paid(soci::session& tx, const Payment& p) {
    const long long pid = p.id;
    for (const PaymentItem& i : p.items)
        tx << "UPDATE payments_charges SET paid_by = :p WHERE uin = :uin AND paid_by IS NULL", soci::use(pid),
            soci::use(i.uin);
}

void PaymentStore::mark_reported(std::int64_t payment_id, const std::string& uin, std::int64_t now) {
    db::transact(db_, [&](soci::session& tx) {
        const long long pid = payment_id, now_s = now;
        tx << "UPDATE payments_items SET reported_at = :t WHERE payment_id = :p AND uin = :uin AND reported_at IS NULL",
            soci::use(now_s), soci::use(pid), soci::use(uin);
    });
}

std::vector<Payment> PaymentStore::history(std::int64_t account_id, const HistoryFilter& f) {
    db::Connection c(db_);
    std::string where = "WHERE account_id = :a";
    std::vector<std::string> texts;
    std::vector<long long> numbers;
    // Text parameters are bound first (select() binds texts, then numbers).
    if (!f.state.empty()) {
        where = "WHERE state = :s AND account_id = :a";
        texts.push_back(f.state);
    }
    numbers.push_back(account_id);
    if (f.from) {
        where += " AND created_at >= :from";
        numbers.push_back(f.from);
    }
    if (f.to) {
        where += " AND created_at < :to";
        numbers.push_back(f.to);
    }
    return select(*c, where + " ORDER BY created_at DESC, id DESC", texts, numbers, f.limit);
}

std::vector<Payment> PaymentStore::created_between(std::int64_t from, std::int64_t to) {
    db::Connection c(db_);
    return select(*c, "WHERE created_at >= :from AND created_at < :to ORDER BY created_at, id", {},
                  {static_cast<long long>(from), static_cast<long long>(to)}, 10000);
}

std::vector<std::string> PaymentStore::open_payments(int limit) {
    db::Connection c(db_);
    std::vector<std::string> out;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT public_id FROM payments WHERE state IN ('created', 'awaiting_confirmation') "
                       "ORDER BY created_at LIMIT " + std::to_string(std::max(1, limit)));
    for (const soci::row& r : rows) out.push_back(str(r, 0));
    return out;
}

std::vector<PaymentStore::Event> PaymentStore::events(std::int64_t payment_id) {
    db::Connection c(db_);
    const long long id = payment_id;
    std::vector<Event> out;
    soci::rowset<soci::row> rows = (c->prepare << "SELECT from_state, to_state, actor, note, at FROM payments_events "
                                                  "WHERE payment_id = :p ORDER BY id",
                                    soci::use(id));
    for (const soci::row& r : rows) out.push_back({str(r, 0), str(r, 1), str(r, 2), str(r, 3), i64(r, 4)});
    return out;
}

// ---- refunds --------------------------------------------------------------------------------------------------

std::optional<std::pair<Refund, std::string>> PaymentStore::find_refund_by_key(soci::session& s,
                                                                               std::int64_t payment_id,
                                                                               const std::string& key) {
    const long long pid = payment_id;
    std::string hash, public_id;
    s << "SELECT request_hash, public_id FROM payments_refunds WHERE payment_id = :p AND idempotency_key = :k",
        soci::use(pid), soci::use(key), soci::into(hash), soci::into(public_id);
    if (!s.got_data()) return std::nullopt;
    return std::make_pair(*find_refund(s, public_id), hash);
}

bool PaymentStore::insert_refund(soci::session& tx, const NewRefund& r, std::int64_t now) {
    const long long pid = r.payment_id, amount = r.amount, now_s = now;
    long long id = 0;
    soci::indicator ind = soci::i_null;
    // A concurrent insert with the same key waits for ours, then writes nothing.
    tx << "INSERT INTO payments_refunds (public_id, payment_id, idempotency_key, request_hash, amount, reason, state, "
          "actor, created_at) VALUES (:pid, :p, :k, :h, :a, :reason, 'pending', :actor, :c) "
          "ON CONFLICT (payment_id, idempotency_key) DO NOTHING RETURNING id",
        soci::use(r.public_id), soci::use(pid), soci::use(r.idempotency_key), soci::use(r.request_hash),
        soci::use(amount), soci::use(r.reason), soci::use(r.actor), soci::use(now_s), soci::into(id, ind);
    return tx.got_data() && ind == soci::i_ok;
}

bool PaymentStore::reserve_refund(soci::session& tx, std::int64_t payment_id, std::int64_t amount) {
    const long long pid = payment_id, a = amount, a2 = amount;
    // The guard is in the UPDATE itself: of two operators at once, the second finds the first's reservation.
    soci::statement st = (tx.prepare << "UPDATE payments SET refund_reserved = refund_reserved + :a "
                                        "WHERE id = :id AND state = 'succeeded' AND refund_reserved + :a2 <= amount",
                          soci::use(a), soci::use(pid), soci::use(a2));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool PaymentStore::finish_refund(soci::session& tx, std::int64_t refund_id, RefundState to,
                                 const std::string& acquirer_refund_id, const std::string& failure, std::int64_t now) {
    const std::string state(to_string(to));
    const long long id = refund_id, now_s = now;
    soci::indicator ai = acquirer_refund_id.empty() ? soci::i_null : soci::i_ok;
    soci::indicator fi = failure.empty() ? soci::i_null : soci::i_ok;
    soci::statement st = (tx.prepare << "UPDATE payments_refunds SET state = :s, acquirer_refund_id = :a, failure = :f, "
                                        "finished_at = :t WHERE id = :id AND state = 'pending'",
                          soci::use(state), soci::use(acquirer_refund_id, ai), soci::use(failure, fi),
                          soci::use(now_s), soci::use(id));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

void PaymentStore::add_refunded(soci::session& tx, std::int64_t payment_id, std::int64_t amount) {
    const long long pid = payment_id, a = amount;
    tx << "UPDATE payments SET refunded_amount = refunded_amount + :a WHERE id = :id", soci::use(a), soci::use(pid);
}

void PaymentStore::release_refund(soci::session& tx, std::int64_t payment_id, std::int64_t amount) {
    const long long pid = payment_id, a = amount;
    tx << "UPDATE payments SET refund_reserved = refund_reserved - :a WHERE id = :id", soci::use(a), soci::use(pid);
}

void PaymentStore::count_refund_check(soci::session& tx, std::int64_t refund_id) {
    const long long id = refund_id;
    tx << "UPDATE payments_refunds SET checks = checks + 1 WHERE id = :id", soci::use(id);
}

std::optional<Refund> PaymentStore::find_refund(soci::session& s, const std::string& public_id) {
    soci::rowset<soci::row> rows =
        (s.prepare << std::string(kRefundColumns) + "WHERE public_id = :pid", soci::use(public_id));
    for (const soci::row& r : rows) return refund_from(r);
    return std::nullopt;
}

std::optional<Refund> PaymentStore::find_refund(const std::string& public_id) {
    db::Connection c(db_);
    return find_refund(*c, public_id);
}

std::vector<Refund> PaymentStore::refunds_of(soci::session& s, std::int64_t payment_id) {
    const long long id = payment_id;
    std::vector<Refund> out;
    soci::rowset<soci::row> rows =
        (s.prepare << std::string(kRefundColumns) + "WHERE payment_id = :p ORDER BY id", soci::use(id));
    for (const soci::row& r : rows) out.push_back(refund_from(r));
    return out;
}

std::vector<std::string> PaymentStore::pending_refunds(int limit) {
    db::Connection c(db_);
    std::vector<std::string> out;
    soci::rowset<soci::row> rows = (c->prepare << "SELECT public_id FROM payments_refunds WHERE state = 'pending' "
                                                  "ORDER BY id LIMIT " + std::to_string(std::max(1, limit)));
    for (const soci::row& r : rows) out.push_back(str(r, 0));
    return out;
}

void PaymentStore::record_event(soci::session& tx, std::int64_t payment_id, PaymentState state,
                                const std::string& actor, const std::string& note, std::int64_t now) {
    const std::string st(to_string(state));
    const long long pid = payment_id, now_s = now;
    tx << "INSERT INTO payments_events (payment_id, from_state, to_state, actor, note, at) "
          "VALUES (:p, :f, :t, :actor, :note, :at)",
        soci::use(pid), soci::use(st), soci::use(st), soci::use(actor), soci::use(note), soci::use(now_s);
}

// ---- ledger ---------------------------------------------------------------------------------------------------

void PaymentStore::post(soci::session& tx, std::int64_t payment_id, const std::string& movement,
                        const std::vector<LedgerEntry>& entries, std::int64_t now) {
    if (!balanced(entries)) throw std::logic_error("an unbalanced ledger movement");
    const long long pid = payment_id, now_s = now;
    for (const LedgerEntry& e : entries) {
        const long long amount = e.amount;
        tx << "INSERT INTO payments_ledger (payment_id, movement, account, amount, at) VALUES (:p, :m, :a, :x, :t)",
            soci::use(pid), soci::use(movement), soci::use(e.account), soci::use(amount), soci::use(now_s);
    }
}

std::pair<std::int64_t, std::int64_t> PaymentStore::ledger_totals() {
    db::Connection c(db_);
    soci::rowset<soci::row> rows = (c->prepare << "SELECT COALESCE(SUM(amount), 0), COUNT(*) FROM payments_ledger");
    for (const soci::row& r : rows) return {i64(r, 0), i64(r, 1)};
    return {0, 0};
}

}  // namespace uslugi::payments
