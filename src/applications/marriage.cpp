#include "applications/marriage.hpp"

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "jobs/service.hpp"
#include "notifications/store.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <stdexcept>

namespace uslugi::applications::marriage {

namespace {

// Thrown inside the hold's transaction when the slot is taken, so nothing of
// the attempt (application, booking) stays.
struct SlotTaken {};

int year_of(std::int64_t unix_seconds) {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
    return static_cast<int>(std::chrono::year_month_day(days).year());
}

std::string value_of(const Values& v, const char* key) {
    const auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "12.03.2027 11:30" — how the office and the spouses read a slot in comments and messages.
std::string shown_slot(const std::string& key) {
    const auto s = parse_slot(key);
    return s ? core::format_ru_date(s->date) + " " + format_time(s->minute) : key;
}

void notify_account(identity::IdentityService& identity, soci::session& tx, std::int64_t account_id,
                    const std::string& event, const std::string& template_name, nlohmann::json params) {
    const auto account = identity.accounts().find(tx, account_id);
    if (!account || account->status != identity::AccountStatus::active) return;
    params["name"] = account->name;
    const std::string recipient = std::to_string(account_id);
    if (!account->email.empty())
        identity.notify(tx, event, recipient, "email", account->email, account->lang, template_name, params);
    if (!account->phone.empty())
        identity.notify(tx, event, recipient, "sms", account->phone, account->lang, template_name, params);
}

}  // namespace

void add_options(CLI::App& serve, Options& options) {
    serve.add_option("--marriage-hold-seconds", options.hold_seconds,
                     "how long a held marriage slot waits for the second spouse's confirmation")
        ->envname("USLUGI_MARRIAGE_HOLD_SECONDS")
        ->check(CLI::Range(1LL, 30LL * 24 * 3600))
        ->capture_default_str();
}

Rules load_rules(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read " + path);
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) throw std::invalid_argument(path + " is not JSON");
    return parse_rules(doc);
}

bool Expiry::run(std::int64_t booking_id, std::int64_t now) {
    const bool done = db::transact(db, [&](soci::session& tx) {
        const auto b = bookings.find(tx, booking_id);
        if (!b || !bookings.settle(tx, booking_id, "expired", now)) return false;
        bookings.release(tx, booking_id);
        // The application waits in "registered"; the applicant may have withdrawn it already.
        if (applications.move(tx, b->application_id, Status::registered, Status::cancelled, {}, now))
            applications.add_history(tx, b->application_id,
                                     {now, Status::cancelled, "system", 0, "Время регистрации " + shown_slot(b->slot) +
                                                                              " освобождено: второй супруг не подтвердил"});
        const nlohmann::json params{{"slot", shown_slot(b->slot)}};
        for (const std::int64_t who : {b->applicant_id, b->spouse_id})
            notify_account(identity, tx, who, "marriage-" + std::to_string(b->id) + "-expired", "marriage.expired", params);
        return true;
    });
    if (done) identity.wake();
    return done;
}

MarriageService::MarriageService(db::Database& db, ApplicationService& applications, identity::IdentityService& identity,
                                 jobs::JobStore& jobs, Rules rules, Options options)
    : db_(db), applications_(applications), identity_(identity), jobs_(jobs), bookings_(db), rules_(std::move(rules)),
      options_(std::move(options)), expiry_{db, bookings_, applications.store(), identity} {
    applications_.send_through(kServiceId, "/marriage");
}

std::set<std::string> MarriageService::taken(const std::string& office, core::Date from, core::Date to) {
    return bookings_.taken(office, slot_key({from, 0}), slot_key({to, 23 * 60 + 59}));
}

std::optional<std::int64_t> MarriageService::find_spouse(const Values& values, std::int64_t applicant_id) {
    const auto login = identity::parse_login(value_of(values, "spouse_contact"));
    if (!login) return std::nullopt;
    const auto id = identity_.accounts().find_by_login(*login);
    if (!id || *id == applicant_id) return std::nullopt;
    return id;
}

HoldResult MarriageService::hold(const http::AccountBrief& account, std::int64_t draft_id, const std::string& key,
                                 core::Date today) {
    HoldResult r;
    ApplicationStore& store = applications_.store();
    const auto d = store.find_draft(account.id, draft_id);
    const auto def = d ? applications_.form(d->service_id) : nullptr;
    const auto cat = applications_.catalog().current();
    const catalog::Service* service = d ? cat->service(d->service_id) : nullptr;
    if (!d || d->service_id != kServiceId || !def || !service) return {.outcome = HoldOutcome::not_found};
    r.gate = identity::gate(identity::parse_level(account.level), service->min_level, identity_.checks_running(account.id));
    if (!r.gate.allowed) return {.outcome = HoldOutcome::level_too_low, .gate = r.gate};
    Values values = d->values;
    r.errors = validate_all(*def, values, core::format_iso_date(today), &r.first_step);
    if (!r.errors.empty()) return {.outcome = HoldOutcome::invalid, .errors = r.errors, .first_step = r.first_step};
    const Office* office = rules_.office(value_of(values, "office"));
    const auto slot = parse_slot(key);
    if (!office || !slot || !is_slot(rules_, *office, *slot, today)) return {.outcome = HoldOutcome::bad_slot};
    for (const char* field : {"birth_date", "spouse_birth_date"}) {
        const auto birth = core::parse_iso_date(value_of(values, field));  // validate_all wrote it as ISO
        if (!birth || !of_age(*birth, slot->date)) return {.outcome = HoldOutcome::under_age};
    }
    const auto spouse = find_spouse(values, account.id);
    if (!spouse) return {.outcome = HoldOutcome::spouse_unknown};

    const std::int64_t now = core::now_unix();
    values["wedding_slot"] = key;
    Application a;
    a.account_id = account.id;
    a.service_id = kServiceId;
    a.authority_id = office->id;  // the chosen registry office's queue, once confirmed
    a.status = Status::registered;
    a.values = values;
    a.submit_key = d->submit_key;
    a.submitted_at = now;
    a.due_at = deadline_after(now, def->deadline_days);
    Booking b;
    b.office_id = office->id;
    b.slot = slot_key(*slot);
    b.applicant_id = account.id;
    b.spouse_id = *spouse;
    b.created_at = now;
    b.expires_at = now + options_.hold_seconds;
    try {
        db::transact(db_, [&](soci::session& tx) {
            store.insert(tx, a, year_of(now));
            store.add_history(tx, a.id, {now, Status::registered, "applicant", account.id,
                                         "Время регистрации " + shown_slot(b.slot) + ": ждёт подтверждения второго супруга"});
            b.application_id = a.id;
            if (!bookings_.hold(tx, b)) throw SlotTaken{};
            jobs_.enqueue(tx, {.kind = kExpireKind, .key = "marriage-expire-" + std::to_string(b.id),
                               .payload = nlohmann::json{{"booking", b.id}}.dump(), .run_at = b.expires_at});
            notify_spouse(tx, b, a);
            store.attach_files(tx, account.id, d->id, a.id);
            store.delete_draft(tx, account.id, d->id);
        });
    } catch (const SlotTaken&) {
        return {.outcome = HoldOutcome::slot_taken};
    } catch (const std::exception& e) {
        // The same draft held twice at once (double click): its submit key is
        // unique, so the second finds the booking the first made.
        if (!db::is_unique_violation(e)) throw;
        const auto earlier = booking_by_key(account.id, d->submit_key);
        if (!earlier) throw;
        return {.booking_id = *earlier};
    }
    identity_.wake();
    r.booking_id = b.id;
    return r;
}

std::optional<std::int64_t> MarriageService::booking_by_key(std::int64_t account_id, const std::string& submit_key) {
    if (submit_key.empty()) return std::nullopt;
    std::optional<std::int64_t> app;
    {
        db::Connection c(db_);
        app = applications_.store().find_by_submit_key(*c, account_id, submit_key);
    }
    const auto b = app ? bookings_.of_application(*app) : std::nullopt;
    return b ? std::optional<std::int64_t>(b->id) : std::nullopt;
}

void MarriageService::notify_spouse(soci::session& tx, const Booking& b, const Application& a) {
    const auto cat = applications_.catalog().current();
    const catalog::Authority* office = cat->authority(b.office_id);
    const auto applicant = identity_.accounts().find(tx, b.applicant_id);
    const nlohmann::json params{{"applicant", applicant ? applicant->display_name() : std::string()},
                                {"office", office ? office->name.in("ru") : b.office_id},
                                {"slot", shown_slot(b.slot)},
                                {"until", core::format_utc(b.expires_at)},
                                {"booking", std::to_string(b.id)}};
    notify_account(identity_, tx, b.spouse_id, "marriage-" + std::to_string(b.id) + "-invitation", "marriage.invitation",
                   params);
}

std::optional<Booking> MarriageService::booking_for(std::int64_t account_id, std::int64_t booking_id) {
    auto b = bookings_.find(booking_id);
    if (!b || !b->involves(account_id)) return std::nullopt;
    return b;
}

Outcome MarriageService::confirm(std::int64_t account_id, std::int64_t booking_id) {
    struct Withdrawn {};  // rolls the confirmation back
    Outcome o = Outcome::wrong_status;
    try {
        o = db::transact(db_, [&](soci::session& tx) {
        const auto b = bookings_.find(tx, booking_id);
        if (!b || b->spouse_id != account_id) return Outcome::not_found;
        const std::int64_t now = core::now_unix();
        if (b->expires_at <= now || !bookings_.settle(tx, booking_id, "confirmed", now)) return Outcome::wrong_status;
        const auto a = applications_.store().find(tx, b->application_id);
        // Withdrawn by the applicant meanwhile: the consent comes too late.
        if (!a || !applications_.transition(tx, *a, Status::sent, {"applicant", account_id, ""},
                                            "Второй супруг подтвердил; время регистрации " + shown_slot(b->slot), {}, now))
            throw Withdrawn{};
        const auto service = applications_.catalog().current()->service(a->service_id);
        if (service && service->fee_kopecks > 0 && applications_.charge_fee_)
            applications_.charge_fee_(tx, *a, service->fee_kopecks);
        return Outcome::ok;
        });
    } catch (const Withdrawn&) {
        return Outcome::wrong_status;
    }
    if (o == Outcome::ok) identity_.wake();
    return o;
}

Outcome MarriageService::decline(std::int64_t account_id, std::int64_t booking_id) {
    const Outcome o = db::transact(db_, [&](soci::session& tx) {
        const auto b = bookings_.find(tx, booking_id);
        if (!b || b->spouse_id != account_id) return Outcome::not_found;
        const std::int64_t now = core::now_unix();
        if (!bookings_.settle(tx, booking_id, "declined", now)) return Outcome::wrong_status;
        bookings_.release(tx, booking_id);
        if (const auto a = applications_.store().find(tx, b->application_id))
            applications_.transition(tx, *a, Status::cancelled, {"applicant", account_id, ""},
                                     "Второй супруг отказался; время регистрации " + shown_slot(b->slot) + " освобождено",
                                     {}, now);
        return Outcome::ok;
    });
    if (o == Outcome::ok) identity_.wake();
    return o;
}

namespace {

// What the expiry job needs, built once per runner (as identity's letter jobs do).
struct ExpiryContext {
    ExpiryContext(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          jobs(db),
          outbox(db, jobs, {}, &protector),
          limiter(db),
          identity(db, protector, jobs, outbox, limiter, &runner),
          applications(db, protector),
          bookings(db),
          expiry{db, bookings, applications, identity} {}
    core::DataProtector protector;
    jobs::JobStore jobs;
    notifications::OutboxStore outbox;
    http::RateLimiter limiter;
    identity::IdentityService identity;
    ApplicationStore applications;
    MarriageStore bookings;
    Expiry expiry;
};

}  // namespace

void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg) {
    auto context = std::make_shared<ExpiryContext>(runner, db, cfg);
    runner.handle(kExpireKind, [context](const jobs::Job& job) {
        const auto payload = nlohmann::json::parse(job.payload, nullptr, false);
        if (payload.is_discarded() || !payload.contains("booking") || !payload["booking"].is_number_integer())
            throw jobs::PermanentError("marriage.expire without a booking id");
        context->expiry.run(payload["booking"].get<std::int64_t>(), core::now_unix());
    });
}

}  // namespace uslugi::applications::marriage
