// Registered letters and the online bank (ConfirmationService, confirmation.hpp).
// The operator's part is in confirmation_operator.cpp.
#include "identity/confirmation.hpp"

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"
#include "jobs/service.hpp"
#include "notifications/store.hpp"
#include "registries/command.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace uslugi::identity {

namespace {

constexpr int kLetterCodeDigits = 8;
// A Post that is down for days must not make the letter's job go dead (the
// user could not order another for 30 days): with the back-off cap this keeps
// trying for days; a dead job can still be retried from /ops/jobs.
constexpr int kLetterJobAttempts = 500;

core::SealContext letter_field(const char* column, std::int64_t id) {
    return core::SealContext("identity_confirm_letters", column, id);
}

std::string letter_code_domain(std::int64_t id) { return "confirm-letter:" + std::to_string(id); }

// The seal of a bank round trip is bound to the browser session that started it.
core::SealContext bank_state_context(const Context& ctx) {
    return core::SealContext("bank_state", "state", ctx.session_hash);
}

// Thrown inside a transaction to roll it back when the account left the standard level meanwhile.
struct NotStandard {};

// An integer column as either backend types it (INTEGER vs BIGINT, SQLite vs PostgreSQL).
long long row_int(const soci::row& r, std::size_t i) {
    return r.get_properties(i).get_data_type() == soci::dt_integer ? r.get<int>(i) : r.get<long long>(i);
}

bool delivered(const std::string& status) { return status == "arrived" || status == "handed_over"; }

// Real letters take days: the poll interval grows with the letter's age (a
// tenth of it, from one second up to an hour), so a demo Post that delivers
// in seconds is followed closely and a real one is not asked every second.
std::int64_t poll_interval(std::int64_t age) { return std::clamp<std::int64_t>(age / 10, 1, 3600); }

}  // namespace

std::string_view to_string(ConfirmationService::CodeOutcome o) {
    using O = ConfirmationService::CodeOutcome;
    switch (o) {
        case O::confirmed: return "confirmed";
        case O::wrong: return "wrong";
        case O::expired: return "expired";
        case O::used: return "used";
        case O::no_letter: return "no_letter";
        case O::no_tries_left: return "no_tries_left";
        case O::blocked: return "blocked";
        case O::not_standard: return "not_standard";
        case O::invalid: return "invalid";
    }
    return "wrong";
}

ConfirmationService::ConfirmationService(IdentityService& identity, ProfileStore& profiles, jobs::JobStore& jobs,
                                         registries::PostClient* post, registries::BankClient* bank,
                                         ConfirmationOptions options)
    : identity_(identity), profiles_(profiles), jobs_(jobs), post_(post), bank_(bank), options_(std::move(options)) {
    identity_.on_erase([](soci::session& tx, std::int64_t account_id) {
        const long long a = account_id;
        tx << "DELETE FROM identity_confirm_letters WHERE account_id = :a", soci::use(a);
    });
}

// ---- letters -------------------------------------------------------------------------------------

std::optional<ConfirmLetter> ConfirmationService::latest_letter(std::int64_t account_id) {
    db::Connection c(identity_.database());
    const long long a = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT id, address_enc, tracking, status, failures, created_at, expires_at, used_at "
                       "FROM identity_confirm_letters WHERE account_id = :a ORDER BY id DESC LIMIT 1",
         soci::use(a));
    for (const auto& r : rows) {
        ConfirmLetter l;
        l.id = row_int(r, 0);
        l.account_id = account_id;
        l.address = address_from_json(identity_.protector().open(r.get<std::string>(1), letter_field("address_enc", l.id)));
        l.tracking = r.get_indicator(2) == soci::i_null ? "" : r.get<std::string>(2);
        l.status = r.get<std::string>(3);
        l.failures = static_cast<int>(row_int(r, 4));
        l.created_at = row_int(r, 5);
        l.expires_at = row_int(r, 6);
        l.used_at = r.get_indicator(7) == soci::i_null ? 0 : row_int(r, 7);
        return l;
    }
    return std::nullopt;
}

std::int64_t ConfirmationService::next_letter_at(std::int64_t account_id) {
    const auto last = latest_letter(account_id);
    return identity::next_letter_at(last ? std::optional<std::int64_t>(last->created_at) : std::nullopt,
                                    options_.letters);
}

ConfirmationService::Order ConfirmationService::order_letter(const Context& ctx, std::int64_t account_id,
                                                             const std::map<std::string, std::string>& raw) {
    Order o;
    const auto account = identity_.accounts().find(account_id);
    if (!account || account->level != Level::standard) {
        o.not_standard = true;
        return o;
    }
    PostalAddress address;
    o.errors = parse_address(raw, address);
    if (!o.errors.empty()) return o;
    const std::string code = new_code(kLetterCodeDigits);
    const std::int64_t now = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        const long long a = account_id, t = now;
        // Two orders at once: the account's row lock makes the second see the first.
        if (db::backend_of(tx) == db::Backend::postgresql)
            tx << "SELECT id FROM identity_accounts WHERE id = :a FOR UPDATE", soci::use(a);
        long long last = 0;
        soci::indicator last_ind = soci::i_null;
        tx << "SELECT MAX(created_at) FROM identity_confirm_letters WHERE account_id = :a", soci::use(a),
            soci::into(last, last_ind);
        const std::int64_t next = identity::next_letter_at(
            last_ind == soci::i_null ? std::nullopt : std::optional<std::int64_t>(last), options_.letters);
        if (next > now) {
            o.not_before = next;
            return;
        }
        const long long expires = now + options_.letters.code_ttl;
        long long id = 0;
        tx << "INSERT INTO identity_confirm_letters (account_id, address_enc, code_hash, status, created_at, "
              "updated_at, expires_at) VALUES (:a, '', '', 'ordered', :c, :u, :e) RETURNING id",
            soci::use(a), soci::use(t), soci::use(t), soci::use(expires), soci::into(id);
        const auto& p = identity_.protector();
        const std::string address_enc = p.seal(address_to_json(address), letter_field("address_enc", id));
        const std::string code_enc = p.seal(code, letter_field("code_enc", id));
        const std::string code_hash = p.blind_index(letter_code_domain(id), code);
        tx << "UPDATE identity_confirm_letters SET address_enc = :ad, code_enc = :ce, code_hash = :ch WHERE id = :id",
            soci::use(address_enc), soci::use(code_enc), soci::use(code_hash), soci::use(id);
        jobs::NewJob job;
        job.kind = std::string(kLetterJobKind);
        job.key = "letter-" + std::to_string(id) + "-send";
        job.payload = nlohmann::json{{"id", id}}.dump();
        job.max_attempts = kLetterJobAttempts;
        jobs_.enqueue(tx, job);
        identity_.audit_self(tx, ctx, account_id, "confirm_letter_ordered");
    });
    if (o.ok()) identity_.wake();
    return o;
}

ConfirmationService::CodeCheck ConfirmationService::check_letter_code(const Context& ctx, std::int64_t account_id,
                                                                      const std::string& typed) {
    CodeCheck r;
    const std::string code = normalize_code(typed);
    if (code.size() != std::size_t(kLetterCodeDigits)) return {CodeOutcome::invalid, 0, 0};
    const auto account = identity_.accounts().find(account_id);
    if (!account || account->level != Level::standard) return {CodeOutcome::not_standard, 0, 0};
    const auto letter = latest_letter(account_id);
    const std::int64_t now = core::now_unix();
    if (!letter || letter->tracking.empty()) return {CodeOutcome::no_letter, 0, 0};
    if (letter->used_at) return {CodeOutcome::used, 0, 0};
    if (now >= letter->expires_at) return {CodeOutcome::expired, 0, 0};
    const int max = options_.letters.max_failures;
    if (letter->failures >= max) return {CodeOutcome::no_tries_left, 0, 0};
    const std::string key = "confirm-letter:" + std::to_string(account_id);
    const auto attempt = identity_.begin_attempt({key});
    if (!attempt.granted()) return {CodeOutcome::blocked, max - letter->failures, attempt.refused_for};
    const std::string hash = identity_.protector().blind_index(letter_code_domain(letter->id), code);
    std::string stored;
    {
        db::Connection c(identity_.database());
        const long long id = letter->id;
        *c << "SELECT code_hash FROM identity_confirm_letters WHERE id = :id", soci::use(id), soci::into(stored);
    }
    const long long id = letter->id, t = now;
    if (!core::constant_time_equal(hash, stored)) {
        db::transact(identity_.database(), [&](soci::session& tx) {
            tx << "UPDATE identity_confirm_letters SET failures = failures + 1, updated_at = :t WHERE id = :id",
                soci::use(t), soci::use(id);
        });
        r.tries_left = std::max(0, max - letter->failures - 1);
        r.outcome = r.tries_left == 0 ? CodeOutcome::no_tries_left : CodeOutcome::wrong;
        r.retry_after = attempt.wait_if_wrong;
        return r;
    }
    identity_.end_attempt(attempt, IdentityService::AttemptEnd::proved);
    try {
    db::transact(identity_.database(), [&](soci::session& tx) {
        // The conditional UPDATE decides between two tabs typing the code at once.
        soci::statement st = (tx.prepare << "UPDATE identity_confirm_letters SET used_at = :t, updated_at = :t2 "
                                            "WHERE id = :id AND used_at IS NULL",
                              soci::use(t), soci::use(t), soci::use(id));
        st.execute(true);
        if (st.get_affected_rows() == 0) {
            r.outcome = CodeOutcome::used;
            return;
        }
        if (identity_.confirm_identity(tx, ctx, account_id, "registered_mail") !=
            IdentityService::ConfirmOutcome::confirmed)
            throw NotStandard{};  // the letter stays unused
        r.outcome = CodeOutcome::confirmed;
    });
    } catch (const NotStandard&) {
        return {CodeOutcome::not_standard, 0, 0};
    }
    identity_.wake();
    return r;
}

void ConfirmationService::run_letter_job(const std::string& payload) {
    const auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer()) return;
    const long long id = j["id"].get<long long>();
    ConfirmLetter l;
    std::string code_enc;
    {
        db::Connection c(identity_.database());
        soci::indicator tracking_ind = soci::i_null, code_ind = soci::i_null, used_ind = soci::i_null;
        long long used = 0, account = 0, created = 0, expires = 0;
        *c << "SELECT account_id, tracking, status, code_enc, created_at, expires_at, used_at "
              "FROM identity_confirm_letters WHERE id = :id",
            soci::use(id), soci::into(account), soci::into(l.tracking, tracking_ind), soci::into(l.status),
            soci::into(code_enc, code_ind), soci::into(created), soci::into(expires), soci::into(used, used_ind);
        if (!c->got_data()) return;  // the account was deleted meanwhile
        l.account_id = account;
        l.created_at = created;
        l.expires_at = expires;
        if (tracking_ind == soci::i_null) l.tracking.clear();
        if (code_ind == soci::i_null) code_enc.clear();
        l.used_at = used_ind == soci::i_null ? 0 : used;
    }
    l.id = id;
    const std::int64_t now = core::now_unix();
    if (l.used_at || now >= l.expires_at) return;
    if (l.tracking.empty()) {
        if (code_enc.empty()) return;
        send_letter(l, identity_.protector().open(code_enc, letter_field("code_enc", id)));
    } else if (!delivered(l.status)) {
        track_letter(l);
    }
}

void ConfirmationService::send_letter(const ConfirmLetter& stored, const std::string& code) {
    if (!post_) throw std::runtime_error("no Post client");
    ConfirmLetter l = stored;
    std::string address_enc;
    {
        db::Connection c(identity_.database());
        const long long id = l.id;
        *c << "SELECT address_enc FROM identity_confirm_letters WHERE id = :id", soci::use(id), soci::into(address_enc);
    }
    l.address = address_from_json(identity_.protector().open(address_enc, letter_field("address_enc", l.id)));
    const auto profile = profiles_.find(l.account_id);
    registries::LetterRequest req;
    req.sender = {"Портал Услуги", "101000", "Москва"};
    const std::string person = profile ? profile->data.surname + " " + profile->data.name +
                                             (profile->data.patronymic.empty() ? "" : " " + profile->data.patronymic)
                                       : std::string();
    req.recipient = {person, l.address.postcode, address_line(l.address)};
    req.content = "Код подтверждения личности на портале Услуги: " + code +
                  ". Введите его на странице «Мои данные» → «Подтвердить личность» до " +
                  core::format_ru_date(core::Date(std::chrono::floor<std::chrono::days>(
                      std::chrono::sys_seconds(std::chrono::seconds(l.expires_at))))) +
                  ". Никому не сообщайте этот код.";
    // The letter's id is the idempotency key: a job run twice sends one letter.
    const auto tracking = post_->send_letter(req, "uslugi-confirm-letter-" + std::to_string(l.id));
    const long long id = l.id, t = core::now_unix();
    const std::string status(registries::to_string(tracking.status));
    db::transact(identity_.database(), [&](soci::session& tx) {
        tx << "UPDATE identity_confirm_letters SET tracking = :tr, status = :s, code_enc = NULL, updated_at = :t "
              "WHERE id = :id",
            soci::use(tracking.tracking_number), soci::use(status), soci::use(t), soci::use(id);
        jobs::NewJob job;
        job.kind = std::string(kLetterJobKind);
        job.key = "letter-" + std::to_string(id) + "-poll-" + std::to_string(t);
        job.payload = nlohmann::json{{"id", id}}.dump();
        job.run_at = t + poll_interval(t - l.created_at);
        job.max_attempts = kLetterJobAttempts;
        jobs_.enqueue(tx, job);
    });
}

void ConfirmationService::track_letter(const ConfirmLetter& l) {
    if (!post_) throw std::runtime_error("no Post client");
    const auto tracking = post_->track(l.tracking);
    const std::string status(registries::to_string(tracking.status));
    const long long id = l.id, t = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        tx << "UPDATE identity_confirm_letters SET status = :s, updated_at = :t WHERE id = :id", soci::use(status),
            soci::use(t), soci::use(id);
        if (delivered(status)) return;
        jobs::NewJob job;
        job.kind = std::string(kLetterJobKind);
        job.key = "letter-" + std::to_string(id) + "-poll-" + std::to_string(t);
        job.payload = nlohmann::json{{"id", id}}.dump();
        job.run_at = t + poll_interval(t - l.created_at);
        job.max_attempts = kLetterJobAttempts;
        jobs_.enqueue(tx, job);
    });
}

// ---- online bank ---------------------------------------------------------------------------------

std::string ConfirmationService::bank_start(const Context& ctx, std::int64_t account_id, const std::string& return_url) {
    if (!bank_) throw std::runtime_error("no bank client");
    const nlohmann::json state{{"a", account_id},
                               {"exp", core::now_unix() + options_.bank_state_ttl},
                               {"n", core::random_token(8)}};
    const std::string sealed = identity_.protector().seal(state.dump(), bank_state_context(ctx));
    return bank_->authorize_url(options_.bank_client_id, return_url, sealed);
}

ConfirmationService::BankCheck ConfirmationService::bank_finish(const Context& ctx, std::int64_t account_id,
                                                                const std::string& state, const std::string& code,
                                                                const std::string& error) {
    nlohmann::json s;
    try {
        s = nlohmann::json::parse(identity_.protector().open(state, bank_state_context(ctx)), nullptr, false);
    } catch (const std::exception&) {
        return {BankOutcome::bad_state, ""};
    }
    if (!s.is_object() || s.value("a", std::int64_t(0)) != account_id ||
        s.value("exp", std::int64_t(0)) < core::now_unix())
        return {BankOutcome::bad_state, ""};
    if (!error.empty()) return {BankOutcome::declined, ""};
    if (code.empty() || code.size() > 200) return {BankOutcome::bad_state, ""};
    const auto account = identity_.accounts().find(account_id);
    if (!account || account->level != Level::standard) return {BankOutcome::not_standard, ""};
    const auto profile = profiles_.find(account_id);
    if (!profile) return {BankOutcome::no_profile, ""};
    registries::VerifiedPerson person;
    try {
        person = bank_->exchange_code(code);
    } catch (const registries::RegistryUnavailable& e) {
        core::app_log().warn("bank identity: {}", e.what());
        return {BankOutcome::unavailable, ""};
    } catch (const registries::RegistryRejected& e) {
        core::app_log().info("bank identity refused: {}", e.code());
        return {BankOutcome::declined, ""};
    }
    const std::string field = bank_difference(profile->data, person);
    if (!field.empty()) {
        identity_.audit_self(ctx, account_id, "confirm_bank_mismatch", field);
        return {BankOutcome::mismatch, field};
    }
    BankCheck r{BankOutcome::confirmed, ""};
    db::transact(identity_.database(), [&](soci::session& tx) {
        if (identity_.confirm_identity(tx, ctx, account_id, "bank") != IdentityService::ConfirmOutcome::confirmed)
            r.outcome = BankOutcome::not_standard;
    });
    identity_.wake();
    return r;
}

// ---- jobs ------------------------------------------------------------------------------------------

namespace {

// The job runner's own services: a worker process has no pages, only this.
struct LetterContext {
    LetterContext(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          jobs(db),
          outbox(db, jobs, {}, &protector),
          limiter(db),
          identity(db, protector, jobs, outbox, limiter, &runner),
          profiles(db, protector),
          clients(registries::make_http_clients(registries::client_options(cfg))),
          confirmation(identity, profiles, jobs, clients.post.get(), clients.bank.get()) {}
    core::DataProtector protector;
    jobs::JobStore jobs;
    notifications::OutboxStore outbox;
    http::RateLimiter limiter;
    IdentityService identity;
    ProfileStore profiles;
    registries::RegistryClients clients;
    ConfirmationService confirmation;
};

}  // namespace

void register_confirmation_jobs(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg) {
    auto context = std::make_shared<LetterContext>(runner, db, cfg);
    runner.handle(std::string(kLetterJobKind),
                  [context](const jobs::Job& job) { context->confirmation.run_letter_job(job.payload); });
}

}  // namespace uslugi::identity
