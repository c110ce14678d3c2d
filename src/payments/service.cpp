#include "payments/service.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"
#include "db/transaction.hpp"
#include "registries/command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace uslugi::payments {

namespace chr = std::chrono;
using nlohmann::json;

constexpr const char* kCheckKind = "payments.check";
constexpr const char* kReportKind = "payments.report";
constexpr const char* kOwnKind = "payments.own";
constexpr const char* kSweepKind = "payments.own_sweep";
constexpr const char* kRefundKind = "payments.refund";

PaymentOptions& configured_options() {
    static PaymentOptions options;
    return options;
}

void add_options(CLI::App& cmd) {
    PaymentOptions& o = configured_options();
    cmd.add_option("--payment-expire-seconds", o.expire_seconds,
                   "seconds an unfinished payment waits for the payer before it expires")
        ->envname("USLUGI_PAYMENT_EXPIRE_SECONDS")->check(CLI::Range(1, 7 * 86400))->capture_default_str();
    cmd.add_option("--payment-check-seconds", o.check_after_seconds,
                   "seconds before the sweeper first asks the acquirer about an unfinished payment")
        ->envname("USLUGI_PAYMENT_CHECK_SECONDS")->check(CLI::Range(1, 86400))->capture_default_str();
    cmd.add_option_function<std::string>(
           "--fine-discount",
           [&o](const std::string& v) {
               int rate = 0, days = 0;
               if (std::sscanf(v.c_str(), "%d/%d", &rate, &days) != 2 || rate < 0 || rate > 100 || days < 0)
                   throw CLI::ValidationError("--fine-discount", "RATE/DAYS, e.g. 25/30");
               o.discount.periods.back().rate_percent = rate;
               o.discount.periods.back().days = days;
           },
           "traffic fines: percent off and days it lasts for decisions under today's law (default 25/30)")
        ->envname("USLUGI_FINE_DISCOUNT");
    cmd.add_option("--fines-sweep-hour", o.sweep_hour_utc,
                   "UTC hour of the daily look-up of fines for the licences and vehicles in accounts' documents; "
                   "-1: this process does not start the daily chain (another instance or worker does)")
        ->envname("USLUGI_FINES_SWEEP_HOUR")->check(CLI::Range(-1, 23))->capture_default_str();
}

std::map<Source, Payee> load_payees(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read the payees file " + file);
    const json j = json::parse(in);
    std::map<Source, Payee> out;
    for (const auto& [key, v] : j.at("payees").items()) {
        const auto source = source_from_string(key);
        if (!source) throw std::runtime_error("unknown payee source in " + file + ": " + key);
        out[*source] = payee_from_json(v.dump());
    }
    for (Source s : {Source::gibdd, Source::fns, Source::fssp, Source::fee})
        if (!out.count(s)) throw std::runtime_error("no payee for " + std::string(to_string(s)) + " in " + file);
    return out;
}

PaymentService::PaymentService(db::Database& db, registries::RegistryClients clients, jobs::JobStore& jobs,
                               notifications::OutboxStore& outbox, identity::AccountStore& accounts,
                               jobs::JobRunner* runner, std::map<Source, Payee> payees, PaymentOptions options,
                               std::string public_url, identity::ProfileStore* profiles,
                               cabinet::CabinetService* cabinet)
    : store_(db),
      clients_(std::move(clients)),
      jobs_(jobs),
      outbox_(outbox),
      accounts_(accounts),
      runner_(runner),
      payees_(std::move(payees)),
      options_(std::move(options)),
      public_url_(std::move(public_url)),
      profiles_(profiles),
      cabinet_(cabinet) {}

const Payee& PaymentService::payee(Source s) const { return payees_.at(s); }

void PaymentService::wake() {
    if (runner_) runner_->notify();
}

// ---- look-ups ----------------------------------------------------------------------------------------------

namespace {

std::string checked(std::string_view kind, const std::string& input, const std::string& field) {
    const auto r = core::validate(kind, input);
    if (!r.valid) throw PaymentError(r.error_code, field);
    return r.normalized;
}

// A refusal of the registry about the request itself is the user's input.
template <class F>
auto ask(const std::string& field, F&& call) {
    try {
        return call();
    } catch (const registries::RegistryRejected& e) {
        if (e.code().ends_with("_not_found")) throw PaymentError("payments.not_found_document", field);
        throw PaymentError(e.code().find('.') != std::string::npos ? e.code() : "payments.rejected", field);
    } catch (const registries::RegistryUnavailable&) {
        throw PaymentError("payments.registry_unavailable");
    }
}

std::string tax_basis(const std::string& kind) {
    if (kind == "transport") return "Налоговый кодекс РФ, глава 28 «Транспортный налог»";
    if (kind == "property") return "Налоговый кодекс РФ, глава 32 «Налог на имущество физических лиц»";
    if (kind == "land") return "Налоговый кодекс РФ, глава 31 «Земельный налог»";
    return "Налоговый кодекс РФ";
}

}  // namespace

Charge PaymentService::fine_charge(const registries::TrafficFine& f, Date today) const {
    Charge c;
    c.uin = f.uin;
    c.source = Source::gibdd;
    c.amount = f.amount;
    c.discount = fine_discount(options_.discount, f.amount, f.decision_date, today, !f.discount_eligible);
    // The authority's figure is what the payment must match; our rule only
    // explains it (and says when the discount ends).
    if (c.discount.amount_due != f.amount_due)
        core::app_log().warn("payments: fine {} due {} by the traffic police, {} by our discount rule", f.uin,
                             f.amount_due, c.discount.amount_due);
    c.amount_due = f.amount_due;
    c.purpose = fmt::format("Административный штраф по постановлению от {} (УИН {})",
                            core::format_ru_date(f.decision_date), f.uin);
    c.legal_basis = fmt::format("КоАП РФ, ст. {} — {}", f.article, f.description);
    // The decision takes effect in 10 days; then 60 days to pay (КоАП РФ, ст. 32.2).
    c.due_date = f.decision_date + chr::days{70};
    c.payee = payee(Source::gibdd);
    c.paid = f.paid;
    return c;
}

Lookup PaymentService::remember(Lookup l) {
    const std::int64_t now = core::now_unix();
    db::transact(store_.database(), [&](soci::session& tx) {
        for (const Charge& c : l.charges)
            if (!c.paid && c.amount_due > 0) store_.upsert_charge(tx, c, now);
    });
    // What the portal knows: a charge paid through us shows as paid even before the authority says so.
    l.total_due = 0;
    for (Charge& c : l.charges) {
        if (store_.paid_by(c.uin)) c.paid = true;
        if (!c.paid) l.total_due += c.amount_due;
    }
    return l;
}

Lookup PaymentService::fines_by_licence(const std::string& licence) {
    const std::string number = checked("driver_licence", licence, "licence");
    const auto list = ask("licence", [&] { return clients_.traffic_police->fines_by_licence(number); });
    Lookup l;
    l.document_found = list.document_found;
    const Date today = core::today_utc();
    for (const auto& f : list.fines) l.charges.push_back(fine_charge(f, today));
    return remember(std::move(l));
}

Lookup PaymentService::fines_by_certificate(const std::string& certificate) {
    const std::string number = checked("vehicle_certificate", certificate, "certificate");
    const auto list = ask("certificate", [&] { return clients_.traffic_police->fines_by_certificate(number); });
    Lookup l;
    l.document_found = list.document_found;
    const Date today = core::today_utc();
    for (const auto& f : list.fines) l.charges.push_back(fine_charge(f, today));
    return remember(std::move(l));
}

Lookup PaymentService::taxes(const std::string& inn_input) {
    const std::string inn = checked("inn_person", inn_input, "inn");
    Lookup l;
    registries::TaxSummary summary;
    try {
        summary = ask("inn", [&] { return clients_.tax->taxes(inn); });
    } catch (const PaymentError& e) {
        if (e.code() != "payments.not_found_document") throw;
        l.document_found = false;
        return l;
    }
    for (const auto& t : summary.charges) {
        if (t.owed <= 0) continue;
        Charge c;
        c.uin = t.uin;
        c.source = Source::fns;
        c.amount = t.amount;
        c.amount_due = t.owed;
        c.purpose = fmt::format("{} за {} год{}", t.name, t.year, t.object.empty() ? "" : " (" + t.object + ")");
        c.legal_basis = tax_basis(t.kind);
        c.due_date = t.due_date;
        c.payee = payee(Source::fns);
        if (!t.kbk.empty()) c.payee.kbk = t.kbk;
        if (!t.oktmo.empty()) c.payee.oktmo = t.oktmo;
        l.charges.push_back(std::move(c));
    }
    return remember(std::move(l));
}

Lookup PaymentService::court_debts(const DebtorQuery& q) {
    if (q.region.size() < 2 || q.region.size() > 3 || q.region.find_first_not_of("0123456789") != std::string::npos)
        throw PaymentError("payments.region", "region");
    if (q.surname.empty()) throw PaymentError("payments.surname", "surname");
    if (q.name.empty()) throw PaymentError("payments.name", "name");
    registries::PersonIdentity person;
    person.surname = q.surname;
    person.name = q.name;
    person.patronymic = q.patronymic;
    person.birth_date = q.birth_date;
    const auto debts = ask("surname", [&] { return clients_.bailiffs->debts(q.region, person); });
    Lookup l;
    for (const auto& d : debts) {
        if (d.remaining <= 0) continue;
        Charge c;
        c.uin = d.uin;
        c.source = Source::fssp;
        c.amount = d.amount;
        c.amount_due = d.remaining;
        c.purpose = fmt::format("Задолженность по исполнительному производству № {}: {}", d.number, d.subject);
        c.legal_basis = fmt::format("Федеральный закон № 229-ФЗ «Об исполнительном производстве»; {}", d.department);
        c.payee = payee(Source::fssp);
        l.charges.push_back(std::move(c));
    }
    return remember(std::move(l));
}

namespace {

InvoiceDetails invoice_details(const json& inv) {
    InvoiceDetails d;
    d.account = inv.value("account", "");
    d.period = inv.value("period", "");
    d.period_title = inv.value("period_title", "");
    d.address = inv.value("address", "");
    d.holder = inv.value("holder", "");
    for (const json& s : inv.value("services", json::array())) {
        InvoiceLine l;
        l.name = s.value("name", "");
        l.unit = s.value("unit", "");
        l.meter = s.value("meter", "");
        l.quantity = s.value("quantity", "");
        if (s.contains("previous")) l.previous = s.at("previous").get<std::int64_t>();
        if (s.contains("current")) l.current = s.at("current").get<std::int64_t>();
        l.tariff = s.value("tariff", std::int64_t(0));
        l.amount = s.value("amount", std::int64_t(0));
        d.lines.push_back(std::move(l));
    }
    return d;
}

}  // namespace

Lookup PaymentService::utilities(const std::string& input) {
    const auto account = utilities_account(input);
    if (!account) throw PaymentError(input.empty() ? "payments.utilities_account_empty" : "payments.utilities_account",
                                     "account");
    const json answer = ask("account", [&] {
        return clients_.transport->call("utilities", "GET", "/utilities/invoices?account=" + *account);
    });
    Lookup l;
    l.document_found = answer.value("account_found", false);
    for (const json& inv : answer.value("invoices", json::array())) {
        Charge c;
        c.uin = inv.value("uin", "");
        // Only what can be paid safely: an invoice whose UIN fails its control digit is not offered.
        if (!uin_valid(c.uin)) {
            core::app_log().warn("payments: the utilities payee sent an invoice with a bad UIN {}", c.uin);
            continue;
        }
        c.source = Source::utilities;
        c.amount = c.amount_due = inv.value("amount", std::int64_t(0));
        c.purpose = fmt::format("Оплата жилищно-коммунальных услуг за {}, лицевой счёт {}",
                                inv.value("period_title", ""), *account);
        c.legal_basis = "Жилищный кодекс РФ, ст. 153–155 (плата за жилое помещение и коммунальные услуги)";
        c.due_date = core::parse_iso_date(inv.value("due_date", ""));
        c.payee = payee_from_json(inv.value("payee", json::object()).dump());
        c.paid = inv.value("paid", false);
        l.invoices[c.uin] = invoice_details(inv);
        l.charges.push_back(std::move(c));
    }
    return remember(std::move(l));
}

// ---- paying -------------------------------------------------------------------------------------------------

std::vector<Charge> PaymentService::load_charges(soci::session& s, std::int64_t account_id,
                                                 const std::vector<std::string>& uins, std::int64_t now) {
    std::vector<Charge> out;
    for (const std::string& uin : uins) {
        auto c = store_.find_charge(s, uin);
        // A fee of someone else's application is as unknown as no charge at all.
        if (!c || (c->source == Source::fee && c->account_id != account_id))
            throw PaymentError("payments.charge_unknown", "uin", uin);
        if (c->paid) throw PaymentError("payments.charge_paid", "uin", uin);
        if (c->source != Source::fee && now - store_.charge_seen_at(s, uin) > options_.lookup_fresh_seconds)
            throw PaymentError("payments.lookup_again", "uin", uin);
        out.push_back(std::move(*c));
    }
    return out;
}

Started PaymentService::start(std::int64_t account_id, const std::vector<std::string>& given_uins, Method method,
                              const std::string& key) {
    if (key.size() < 8 || key.size() > 100) throw PaymentError("payments.idempotency_key", "idempotency_key");
    std::vector<std::string> uins(given_uins);
    std::sort(uins.begin(), uins.end());
    uins.erase(std::unique(uins.begin(), uins.end()), uins.end());
    if (uins.empty()) throw PaymentError("payments.no_charges", "uin");
    if (uins.size() > 20) throw PaymentError("payments.too_many", "uin");
    for (const auto& u : uins)
        if (!uin_valid(u)) throw PaymentError("uin.checksum", "uin", u);
    if ((method == Method::mobile || method == Method::wallet) && payer_phone(account_id).empty())
        throw PaymentError("payments.no_phone", "method");
    std::string request = std::string(to_string(method));
    for (const auto& u : uins) request += "|" + u;
    const std::int64_t now = core::now_unix();
    Started started;
    try {
        db::transact(store_.database(), [&](soci::session& tx) {
            // A repeat of an attempt: its payment, whatever happened to the charges since.
            if (auto seen = store_.find_by_key(tx, account_id, key)) {
                if (seen->second != core::sha256_hex(request)) throw KeyConflict();
                started.payment = std::move(seen->first);
                return;
            }
            NewPayment np;
            np.public_id = core::random_token(12);
            np.account_id = account_id;
            np.idempotency_key = key;
            np.request_hash = core::sha256_hex(request);
            np.method = method;
            np.expires_at = now + options_.expire_seconds;
            for (const Charge& c : load_charges(tx, account_id, uins, now)) {
                np.amount += c.amount_due;
                np.items.push_back({c.uin, c.source, c.amount_due, c.purpose, c.payee, 0});
            }
            auto [payment, created] = store_.create(tx, np, now);
            if (created) schedule_check(tx, payment, 0, now);
            started.payment = std::move(payment);
            started.created = created;
        });
    } catch (const KeyConflict&) {
        throw PaymentError("payments.idempotency_conflict", "idempotency_key");
    } catch (const ChargeHeld& held) {
        throw PaymentError("payments.charge_held", "uin", held.uin());
    }
    if (started.created) wake();
    if (through_acquirer(started.payment.method) && started.payment.state == PaymentState::created) {
        Started opened = open_checkout(started.payment);
        opened.created = started.created;
        return opened;
    }
    return started;
}

std::string PaymentService::payer_phone(std::int64_t account_id) {
    const auto account = accounts_.find(account_id);
    return account ? account->phone : std::string();
}

Started PaymentService::open_checkout(Payment p) {
    Started out;
    out.payment = p;
    if (p.state != PaymentState::created || !through_acquirer(p.method)) return out;
    json body = {{"amount", p.amount},
                 {"order_id", p.public_id},
                 {"description", p.items.size() == 1 ? p.items.front().purpose
                                                      : fmt::format("Оплата {} начислений", p.items.size())},
                 {"return_url", public_url_ + "/payments/" + p.public_id + "/return"}};
    // The phone and the e-wallet are the account's own number: the provider
    // sends its code there (phone) or signs the payer in by it (e-wallet).
    const bool wallet = p.method == Method::mobile || p.method == Method::wallet;
    if (wallet) {
        body["method"] = std::string(to_string(p.method));
        body["phone"] = payer_phone(p.account_id);
    }
    json answer;
    try {
        // The same key for every attempt of this payment: the bank opens one page, whatever we repeat.
        answer = clients_.transport->call("bank", "POST", wallet ? "/bank/wallet-payments" : "/bank/checkouts", &body,
                                          {{"Idempotency-Key", "uslugi-" + p.public_id}});
    } catch (const registries::RegistryUnavailable& e) {
        core::app_log().warn("payments: the acquirer did not open payment {}: {}", p.public_id, e.what());
        out.acquirer_unavailable = true;
        return out;
    }
    const std::int64_t now = core::now_unix();
    db::transact(store_.database(), [&](soci::session& tx) {
        store_.set_acquirer(tx, p.id, answer.at("id").get<std::string>(), answer.at("url").get<std::string>(), now);
        store_.transition(tx, p.id, PaymentState::created, PaymentState::awaiting_confirmation, "acquirer",
                          answer.at("id").get<std::string>(), now);
    });
    out.payment = *store_.find(p.public_id);
    return out;
}

std::optional<Payment> PaymentService::payment_of(std::int64_t account_id, const std::string& public_id) {
    if (public_id.empty() || public_id.size() > 64) return std::nullopt;
    auto p = store_.find(public_id);
    if (!p || p->account_id != account_id) return std::nullopt;
    return p;
}

// ---- learning outcomes ----------------------------------------------------------------------------------------

namespace {
std::string registries_path(const std::string& segment) { return text::url_encode(segment); }
}  // namespace

std::optional<json> PaymentService::acquirer_payment(const Payment& p) {
    if (!p.acquirer_id.empty())
        return clients_.transport->call("bank", "GET", "/bank/payments/" + registries_path(p.acquirer_id));
    // The answer that opened the page was lost: the bank knows it by our order id.
    const json list = clients_.transport->call("bank", "GET", "/bank/payments?order_id=" + p.public_id);
    if (list.at("payments").empty()) return std::nullopt;
    return list.at("payments").front();
}

Payment PaymentService::sync(const std::string& public_id, const std::string& actor) {
    auto p = store_.find(public_id);
    if (!p) throw std::runtime_error("no payment " + public_id);
    if (is_final(p->state)) return *p;
    const auto acquirer = acquirer_payment(*p);
    const std::int64_t now = core::now_unix();
    if (!acquirer) {
        // Never reached the bank: nothing to ask, only to give up in time.
        if (now >= p->expires_at)
            db::transact(store_.database(), [&](soci::session& tx) {
                if (store_.transition(tx, p->id, p->state, PaymentState::expired, actor, "no acquirer payment", now))
                    store_.release_items(tx, p->id);
            });
        return *store_.find(public_id);
    }
    apply(*p, *acquirer, actor);
    return *store_.find(public_id);
}

void PaymentService::apply(Payment p, const json& acquirer, const std::string& actor) {
    const std::int64_t now = core::now_unix();
    AcquirerStatus status = acquirer_status_from_string(acquirer.value("status", ""));
    const std::string acquirer_id = acquirer.value("id", "");
    if (status == AcquirerStatus::pending && now >= p.expires_at) {
        // Too late to pay: the bank closes the page first, so the payer cannot pay after we gave up.
        try {
            clients_.transport->call("bank", "POST", "/bank/payments/" + registries_path(acquirer_id) + "/cancel");
            status = AcquirerStatus::cancelled;
        } catch (const registries::RegistryRejected&) {
            // Paid (or declined) in the meantime: its real outcome follows.
            return apply(p, clients_.transport->call("bank", "GET", "/bank/payments/" + registries_path(acquirer_id)),
                         actor);
        }
    }
    const auto next = state_after(status);
    if (!next) return;
    if (*next == PaymentState::succeeded && acquirer.value("amount", std::int64_t(0)) != p.amount) {
        core::app_log().error("payments: acquirer amount {} differs from payment {} of {}",
                              acquirer.value("amount", std::int64_t(0)), p.public_id, p.amount);
    }
    std::string last4;
    if (acquirer.contains("card") && acquirer.at("card").is_object()) last4 = acquirer.at("card").value("last4", "");
    const bool expired = status == AcquirerStatus::cancelled && now >= p.expires_at;
    db::transact(store_.database(), [&](soci::session& tx) {
        if (p.acquirer_id.empty() && !acquirer_id.empty()) store_.set_acquirer(tx, p.id, acquirer_id, "", now);
        const PaymentState to = expired ? PaymentState::expired : *next;
        if (!store_.transition(tx, p.id, p.state, to, actor, acquirer.value("decline_reason", ""), now)) return;
        store_.set_outcome_details(tx, p.id, acquirer.value("decline_reason", ""), last4);
        if (to == PaymentState::succeeded) {
            succeed(tx, p, actor, now);
        } else {
            store_.release_items(tx, p.id);
        }
        notify_result(tx, *store_.find_by_id(tx, p.id));
    });
    wake();
}

void PaymentService::succeed(soci::session& tx, const Payment& p, const std::string& actor, std::int64_t now) {
    std::vector<ChargeShare> shares;
    for (const auto& i : p.items) shares.push_back({i.uin, i.amount});
    store_.post(tx, p.id, "received", entries_for_success(p.amount, shares), now);
    store_.mark_charges_paid(tx, p);
    for (const auto& i : p.items) {
        jobs::NewJob job;
        job.kind = kReportKind;
        job.key = fmt::format("payments.report:{}:{}", p.public_id, i.uin);
        job.payload = json{{"payment", p.public_id}, {"uin", i.uin}}.dump();
        job.max_attempts = 50;
        jobs_.enqueue(tx, job);
    }
}

void PaymentService::notify_result(soci::session& tx, const Payment& p) {
    const auto account = accounts_.find(tx, p.account_id);
    if (!account) return;
    const std::string tmpl = p.state == PaymentState::succeeded ? "payments.succeeded" : "payments.not_paid";
    const json params = {{"amount", format_rubles(p.amount)},
                         {"link", public_url_ + "/payments/" + p.public_id},
                         {"number", p.public_id}};
    for (const auto& [channel, address] : {std::pair<std::string, std::string>{"email", account->email},
                                           std::pair<std::string, std::string>{"sms", account->phone}}) {
        if (address.empty()) continue;
        notifications::Message m;
        m.event_key = "payment-" + p.public_id + "-" + std::string(to_string(p.state));
        m.recipient = std::to_string(p.account_id);
        m.channel = notifications::channel_from_string(channel);
        m.address = address;
        m.lang = account->lang;
        m.template_name = tmpl;
        m.params = params;
        outbox_.enqueue(tx, m);
    }
}

void PaymentService::schedule_check(soci::session& tx, const Payment& p, int n, std::int64_t now) {
    // Sooner at first (the payer usually finishes in minutes), then less often,
    // and once right after the payment expires.
    const std::int64_t delay = std::min<std::int64_t>(options_.check_after_seconds << std::min(n, 6), 600);
    jobs::NewJob job;
    job.kind = kCheckKind;
    job.key = fmt::format("payments.check:{}:{}", p.public_id, n);
    job.payload = json{{"payment", p.public_id}, {"n", n}}.dump();
    job.run_at = std::min(now + delay, std::max(now + 1, p.expires_at + 1));
    job.max_attempts = 100;
    jobs_.enqueue(tx, job);
}

void PaymentService::run_check(const jobs::Job& job) {
    const json payload = json::parse(job.payload);
    const std::string public_id = payload.at("payment").get<std::string>();
    const int n = payload.value("n", 0);
    Payment p = sync(public_id, "sweeper");  // RegistryUnavailable: the runner retries with back-off
    if (is_final(p.state)) return;
    db::transact(store_.database(), [&](soci::session& tx) {
        store_.count_check(tx, p.id);
        schedule_check(tx, p, n + 1, core::now_unix());
    });
    wake();
}

void PaymentService::run_report(const jobs::Job& job) {
    const json payload = json::parse(job.payload);
    const auto p = store_.find(payload.at("payment").get<std::string>());
    if (!p) throw jobs::PermanentError("no such payment");
    const std::string uin = payload.at("uin").get<std::string>();
    const auto item = std::find_if(p->items.begin(), p->items.end(), [&](const auto& i) { return i.uin == uin; });
    if (item == p->items.end()) throw jobs::PermanentError("no such charge in the payment");
    if (item->reported_at) return;
    if (item->source == Source::utilities) {
        report_utilities(*p, *item);
    } else if (item->source != Source::fee) {
        try {
            clients_.charges->report_paid(to_string(item->source), uin, item->amount, p->public_id);
        } catch (const registries::RegistryRejected& e) {
            // Paid by someone else at the authority: an operator must refund (seen on /ops/jobs).
            throw jobs::PermanentError("the authority refused: " + e.code());
        }
    }
    store_.mark_reported(p->id, uin, core::now_unix());
}

void PaymentService::report_utilities(const Payment& p, const PaymentItem& item) {
    const json body = {{"amount", item.amount}, {"payment_id", p.public_id}};
    try {
        clients_.transport->call("utilities", "POST", "/utilities/invoices/" + text::url_encode(item.uin) + "/payment",
                                 &body);
    } catch (const registries::RegistryRejected& e) {
        throw jobs::PermanentError("the utilities payee refused: " + e.code());
    }
}

// ---- own charges ----------------------------------------------------------------------------------------------

void PaymentService::look_for_own_charges(std::int64_t account_id) {
    const std::int64_t now = core::now_unix();
    jobs::NewJob job;
    job.kind = kOwnKind;
    job.key = fmt::format("payments.own:{}:{}", account_id, now / 3600);
    job.payload = json{{"account", account_id}}.dump();
    job.max_attempts = 5;
    if (jobs_.enqueue(job).created) wake();
}

namespace {

constexpr int kSweepBatch = 200;

jobs::NewJob sweep_job(std::int64_t day, std::int64_t after, std::int64_t run_at) {
    jobs::NewJob job;
    job.kind = kSweepKind;
    job.key = fmt::format("payments.own_sweep:{}:{}", day, after);
    job.payload = json{{"day", day}, {"after", after}}.dump();
    job.run_at = run_at;
    job.max_attempts = 10;
    return job;
}

}  // namespace

void PaymentService::schedule_daily_sweep() {
    if (options_.sweep_hour_utc < 0) return;
    const std::int64_t day = core::now_unix() / 86400;
    jobs_.enqueue(sweep_job(day, 0, day * 86400 + options_.sweep_hour_utc * 3600));
}

void PaymentService::sweep_now() {
    const std::int64_t now = core::now_unix();
    // A key of its own (the second), so that a test's sweep never meets the day's.
    if (jobs_.enqueue(sweep_job(-now, 0, now)).created) wake();
}

void PaymentService::run_sweep(const jobs::Job& job) {
    const json p = json::parse(job.payload);
    const std::int64_t day = p.at("day").get<std::int64_t>(), after = p.at("after").get<std::int64_t>();
    if (!cabinet_) return;
    const std::vector<std::int64_t> accounts = cabinet_->accounts_with_fine_keys(after, kSweepBatch);
    const std::int64_t now = core::now_unix();
    db::transact(store_.database(), [&](soci::session& tx) {
        for (const std::int64_t account : accounts) {
            jobs::NewJob own;
            own.kind = kOwnKind;
            own.key = fmt::format("payments.own:{}:{}", account, now / 3600);  // one with a page visit this hour
            own.payload = json{{"account", account}}.dump();
            own.max_attempts = 5;
            jobs_.enqueue(tx, own);
        }
        if (accounts.size() == static_cast<std::size_t>(kSweepBatch))
            jobs_.enqueue(tx, sweep_job(day, accounts.back(), now));
        else if (day >= 0)  // the day's last batch: tomorrow's first (a test's sweep ends here)
            jobs_.enqueue(tx, sweep_job(day + 1, 0, (day + 1) * 86400 + std::max(0, options_.sweep_hour_utc) * 3600));
    });
    wake();
}

namespace {

// A failed look-up inside the job: a registry that did not answer is retried
// (the job fails and runs again); a refusal about one document skips it.
template <class F>
void collect(std::vector<Charge>& out, F&& look_up) {
    try {
        for (Charge& c : look_up().charges) out.push_back(std::move(c));
    } catch (const PaymentError& e) {
        if (e.code() == "payments.registry_unavailable") throw std::runtime_error("a registry did not answer");
        // A document the registry does not know (or no longer valid) has no charges to show.
    }
}

}  // namespace

std::vector<Charge> PaymentService::own_lookups(std::int64_t account_id) {
    std::vector<Charge> found;
    const auto profile = profiles_ ? profiles_->find(account_id) : std::nullopt;
    if (profile && !profile->inn.empty()) collect(found, [&] { return taxes(profile->inn); });
    // Fines for the driver's licences and vehicles of the cabinet (PAY-1, #14), without the user typing them.
    if (cabinet_) {
        const auto keys = cabinet_->fine_keys(account_id);
        for (const auto& licence : keys.licences) collect(found, [&] { return fines_by_licence(licence); });
        for (const auto& certificate : keys.certificates)
            collect(found, [&] { return fines_by_certificate(certificate); });
    }
    return found;
}

void PaymentService::run_own_lookup(const jobs::Job& job) {
    const std::int64_t account_id = json::parse(job.payload).at("account").get<std::int64_t>();
    const std::vector<Charge> found = own_lookups(account_id);
    if (found.empty()) return;
    const auto account = accounts_.find(account_id);
    const std::int64_t now = core::now_unix();
    db::transact(store_.database(), [&](soci::session& tx) {
        for (const Charge& c : found) {
            // A fine found by both a licence and a certificate is linked (and told) once.
            if (c.paid || !store_.link_to_account(tx, account_id, c.uin, now) || !account) continue;
            for (const auto& [channel, address] : {std::pair<std::string, std::string>{"email", account->email},
                                                   std::pair<std::string, std::string>{"sms", account->phone}}) {
                if (address.empty()) continue;
                notifications::Message m;
                m.event_key = fmt::format("charge-{}-{}", c.uin, account_id);
                m.recipient = std::to_string(account_id);
                m.channel = notifications::channel_from_string(channel);
                m.address = address;
                m.lang = account->lang;
                m.template_name = "payments.new_charge";
                m.params = {{"amount", format_rubles(c.amount_due)}, {"purpose", c.purpose},
                            {"link", public_url_ + "/payments"}};
                outbox_.enqueue(tx, m);
            }
        }
    });
    wake();
}

// ---- refunds ---------------------------------------------------------------------------------------------------

RefundResult PaymentService::refund(const RefundRequest& r) {
    if (r.key.size() < 8 || r.key.size() > 100) throw PaymentError("payments.idempotency_key", "idempotency_key");
    if (r.amount <= 0 || r.amount > 100'000'000'000) throw PaymentError("payments.refund_amount", "amount");
    const std::string reason = text::collapse_blanks(text::sanitize(r.reason), [](char32_t c) { return c <= U' '; });
    if (reason.empty() || reason.size() > 500) throw PaymentError("payments.refund_reason", "reason");
    const auto p = r.payment_id.size() <= 64 ? store_.find(r.payment_id) : std::nullopt;
    if (!p) throw PaymentError("payments.not_found", "payment");
    const std::string hash = core::sha256_hex(fmt::format("{}|{}|{}", p->public_id, r.amount, reason));
    const std::int64_t now = core::now_unix();
    RefundResult out;
    try {
        db::transact(store_.database(), [&](soci::session& tx) {
            // A repeat of an attempt (double click, retry): its refund, whatever happened since.
            auto seen = store_.find_refund_by_key(tx, p->id, r.key);
            if (!seen) {
                NewRefund nr{core::random_token(12), p->id, r.key, hash, r.amount, reason,
                             "operator:" + std::to_string(r.operator_id)};
                if (store_.insert_refund(tx, nr, now)) {
                    if (!store_.reserve_refund(tx, p->id, r.amount)) {
                        const auto cur = store_.find_by_id(tx, p->id);
                        const std::string code = refund_refusal(cur->state, cur->amount, cur->refund_reserved, r.amount);
                        throw PaymentError(code.empty() ? "payments.refund_exceeds" : code, "amount");
                    }
                    out.refund = *store_.find_refund(tx, nr.public_id);
                    out.created = true;
                    // If we die before the acquirer's answer is recorded, the sweeper finishes it.
                    schedule_refund_check(tx, out.refund, 0, now);
                    return;
                }
                seen = store_.find_refund_by_key(tx, p->id, r.key);  // a concurrent twin was first
                if (!seen) throw std::runtime_error("refund neither inserted nor found");
            }
            if (seen->second != hash) throw KeyConflict();
            out.refund = seen->first;
        });
    } catch (const KeyConflict&) {
        throw PaymentError("payments.idempotency_conflict", "idempotency_key");
    }
    if (out.created) wake();
    // Asking again for a pending one is safe: the acquirer knows the refund's key.
    if (out.refund.state == RefundState::pending) out.refund = settle_refund(*p, out.refund);
    out.payment = *store_.find(p->public_id);
    return out;
}

Refund PaymentService::settle_refund(const Payment& p, const Refund& r) {
    if (p.acquirer_id.empty()) {
        record_refund(p, r, RefundState::failed, "", "no_acquirer_payment", "acquirer");
        return *store_.find_refund(r.public_id);
    }
    const json body = {{"amount", r.amount}, {"reference", r.public_id}};
    json answer;
    try {
        answer = clients_.transport->call("bank", "POST", "/bank/payments/" + text::url_encode(p.acquirer_id) + "/refunds",
                                          &body, {{"Idempotency-Key", "uslugi-refund-" + r.public_id}});
    } catch (const registries::RegistryUnavailable& e) {
        // Maybe refunded, maybe not: the sweeper asks the bank by the refund's reference.
        core::app_log().warn("payments: the acquirer did not answer refund {}: {}", r.public_id, e.what());
        return r;
    } catch (const registries::RegistryRejected& e) {
        record_refund(p, r, RefundState::failed, "", e.code(), "acquirer");
        return *store_.find_refund(r.public_id);
    }
    const json refund = answer.value("refund", json::object());
    record_refund(p, r, RefundState::succeeded, refund.value("id", ""), "", "acquirer");
    return *store_.find_refund(r.public_id);
}

void PaymentService::record_refund(const Payment& p, const Refund& r, RefundState to,
                                   const std::string& acquirer_refund_id, const std::string& failure,
                                   const std::string& actor) {
    const std::int64_t now = core::now_unix();
    db::transact(store_.database(), [&](soci::session& tx) {
        // Whoever learns the outcome first records it; the others find it recorded.
        if (!store_.finish_refund(tx, r.id, to, acquirer_refund_id, failure, now)) return;
        if (to == RefundState::failed) {
            store_.release_refund(tx, p.id, r.amount);
            store_.record_event(tx, p.id, PaymentState::succeeded, actor,
                                fmt::format("refund {} of {} refused: {}", r.public_id, r.amount, failure), now);
            return;
        }
        // The payment's row first (its lock orders concurrent refunds), then what was refunded before this one.
        store_.add_refunded(tx, p.id, r.amount);
        const Payment cur = *store_.find_by_id(tx, p.id);
        std::vector<ChargeShare> shares;
        for (const auto& i : cur.items) shares.push_back({i.uin, i.amount});
        const auto allocation = refund_allocation(shares, cur.refunded_amount - r.amount, r.amount);
        store_.post(tx, p.id, "refund:" + r.public_id, entries_for_refund(r.amount, allocation), now);
        const std::string note = fmt::format("refund {} of {}: {}", r.public_id, r.amount, r.reason);
        if (state_after_refunds(cur.amount, cur.refunded_amount) == PaymentState::refunded)
            store_.transition(tx, p.id, PaymentState::succeeded, PaymentState::refunded, actor, note, now);
        else
            store_.record_event(tx, p.id, PaymentState::succeeded, actor, note, now);
        notify_refund(tx, cur, r);
    });
    wake();
}

void PaymentService::notify_refund(soci::session& tx, const Payment& p, const Refund& r) {
    const auto account = accounts_.find(tx, p.account_id);
    if (!account) return;
    const json params = {{"amount", format_rubles(r.amount)},
                         {"link", public_url_ + "/payments/" + p.public_id},
                         {"number", p.public_id}};
    for (const auto& [channel, address] : {std::pair<std::string, std::string>{"email", account->email},
                                           std::pair<std::string, std::string>{"sms", account->phone}}) {
        if (address.empty()) continue;
        notifications::Message m;
        m.event_key = "refund-" + r.public_id;
        m.recipient = std::to_string(p.account_id);
        m.channel = notifications::channel_from_string(channel);
        m.address = address;
        m.lang = account->lang;
        m.template_name = "payments.refunded";
        m.params = params;
        outbox_.enqueue(tx, m);
    }
}

void PaymentService::schedule_refund_check(soci::session& tx, const Refund& r, int n, std::int64_t now) {
    jobs::NewJob job;
    job.kind = kRefundKind;
    job.key = fmt::format("payments.refund:{}:{}", r.public_id, n);
    job.payload = json{{"refund", r.public_id}, {"n", n}}.dump();
    job.run_at = now + std::min<std::int64_t>(options_.check_after_seconds << std::min(n, 6), 600);
    job.max_attempts = 100;
    jobs_.enqueue(tx, job);
}

void PaymentService::run_refund_check(const jobs::Job& job) {
    const json payload = json::parse(job.payload);
    const auto r = store_.find_refund(payload.at("refund").get<std::string>());
    if (!r) throw jobs::PermanentError("no such refund");
    if (r->state != RefundState::pending) return;
    const auto p = db::transact(store_.database(), [&](soci::session& s) { return store_.find_by_id(s, r->payment_id); });
    if (!p) throw jobs::PermanentError("no payment of the refund");
    // Did the bank refund it and only the answer got lost? It knows the refund by our reference.
    if (!p->acquirer_id.empty()) {
        const json bank =
            clients_.transport->call("bank", "GET", "/bank/payments/" + text::url_encode(p->acquirer_id));
        for (const json& x : bank.value("refunds", json::array()))
            if (x.value("reference", "") == r->public_id) {
                record_refund(*p, *r, RefundState::succeeded, x.value("id", ""), "", "sweeper");
                return;
            }
    }
    // It never reached the bank: ask again with the same key.
    if (settle_refund(*p, *r).state != RefundState::pending) return;
    db::transact(store_.database(), [&](soci::session& tx) {
        store_.count_refund_check(tx, r->id);
        schedule_refund_check(tx, *r, payload.value("n", 0) + 1, core::now_unix());
    });
    wake();
}

// ---- reconciliation ------------------------------------------------------------------------------------------

namespace {
// The bank lists a payment refunded in part or in full as paid, with what it refunded.
bool took_money(PaymentState s) { return s == PaymentState::succeeded || s == PaymentState::refunded; }
std::int64_t kept(const Payment& p) { return p.amount - p.refunded_amount; }
}  // namespace

PaymentService::Reconciliation PaymentService::reconcile(Date day) {
    Reconciliation r;
    r.day = day;
    const std::int64_t from = chr::system_clock::to_time_t(day);
    const json bank = clients_.transport->call("bank", "GET", "/bank/registry?date=" + core::format_iso_date(day));
    std::map<std::string, Payment> ours;
    for (Payment& p : store_.created_between(from, from + 86400)) ours.emplace(p.public_id, std::move(p));
    std::map<std::string, bool> seen;
    for (const json& b : bank.at("payments")) {
        const std::string order = b.value("order_id", "");
        const std::int64_t amount = b.value("amount", std::int64_t(0)) - b.value("refunded_amount", std::int64_t(0));
        ++r.bank_count;
        r.bank_total += amount;
        seen[order] = true;
        const auto it = ours.find(order);
        if (it == ours.end()) {
            r.differences.push_back({"missing_here", order, b.value("id", ""), "", 0, amount});
        } else if (!took_money(it->second.state)) {
            r.differences.push_back({"state_differs", order, b.value("id", ""), std::string(to_string(it->second.state)),
                                     it->second.amount, amount});
        } else if (kept(it->second) != amount) {
            r.differences.push_back({"amount_differs", order, b.value("id", ""), std::string(to_string(it->second.state)),
                                     kept(it->second), amount});
        }
    }
    for (const auto& [id, p] : ours) {
        if (!took_money(p.state)) continue;
        ++r.our_count;
        r.our_total += kept(p);
        if (!seen.count(id))
            r.differences.push_back({"missing_at_bank", id, p.acquirer_id, std::string(to_string(p.state)), kept(p), 0});
    }
    return r;
}

// ---- the charge interface ------------------------------------------------------------------------------------

Charge PaymentService::create_charge(soci::session& tx, std::int64_t account_id, std::int64_t amount,
                                     const std::string& purpose, const std::string& legal_basis,
                                     const std::string& reference) {
    if (amount <= 0) throw std::invalid_argument("a charge needs a positive amount");
    Charge c;
    // 777 marks the portal's own accruals; the rest is random, the control digit last.
    std::uint64_t serial = 0;
    for (unsigned char b : core::random_bytes(8)) serial = serial * 256 + b;
    c.uin = make_uin("777", serial);
    c.source = Source::fee;
    c.account_id = account_id;
    c.amount = c.amount_due = amount;
    c.purpose = purpose;
    c.legal_basis = legal_basis;
    c.payee = payee(Source::fee);
    c.due_date = core::today_utc() + chr::days{20};
    store_.upsert_charge(tx, c, core::now_unix());
    const long long id = account_id;
    tx << "UPDATE payments_charges SET reference = :r WHERE uin = :u AND account_id = :a", soci::use(reference),
        soci::use(c.uin), soci::use(id);
    return c;
}

// ---- wiring ---------------------------------------------------------------------------------------------------

namespace {

struct Bundle {
    core::DataProtector protector;
    jobs::JobStore jobs;
    notifications::OutboxStore outbox;
    identity::AccountStore accounts;
    identity::ProfileStore profiles;
    cabinet::CabinetService cabinet;  // only its documents are read here: no catalog needed
    PaymentService service;

    Bundle(db::Database& db, const core::Config& cfg, const std::string& root, jobs::JobRunner* runner)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          jobs(db),
          outbox(db, jobs, {}, &protector),
          accounts(db, protector),
          profiles(db, protector),
          cabinet(db, protector, nullptr),
          service(db, registries::make_http_clients(registries::client_options(cfg)), jobs, outbox, accounts, runner,
                  load_payees(configured_options().payees_file.empty() ? root + "/data/payments/payees.json"
                                                                       : configured_options().payees_file),
                  configured_options(), cfg.public_url, &profiles, &cabinet) {}
};

}  // namespace

std::shared_ptr<PaymentService> make_service(db::Database& db, const core::Config& cfg, const std::string& root,
                                             jobs::JobRunner* runner) {
    auto bundle = std::make_shared<Bundle>(db, cfg, root, runner);
    return std::shared_ptr<PaymentService>(bundle, &bundle->service);
}

void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root) {
    auto service = make_service(db, cfg, root, &runner);
    runner.handle(kCheckKind, [service](const jobs::Job& job) { service->run_check(job); });
    runner.handle(kReportKind, [service](const jobs::Job& job) { service->run_report(job); });
    runner.handle(kOwnKind, [service](const jobs::Job& job) { service->run_own_lookup(job); });
    runner.handle(kSweepKind, [service](const jobs::Job& job) { service->run_sweep(job); });
    service->schedule_daily_sweep();
    runner.handle(kRefundKind, [service](const jobs::Job& job) { service->run_refund_check(job); });
}

}  // namespace uslugi::payments
