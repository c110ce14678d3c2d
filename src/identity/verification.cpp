#include "identity/verification.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "notifications/store.hpp"
#include "registries/command.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace uslugi::identity {

namespace {

constexpr const char* kUser = "user";
constexpr const char* kSystem = "system";
constexpr Registry kAllSteps[] = {Registry::pfr, Registry::mvd, Registry::fns};

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

void enqueue_step(jobs::JobStore& jobs, soci::session& tx, Registry r, std::int64_t verification_id) {
    jobs::NewJob job;
    job.kind = std::string(job_kind(r));
    job.key = verify_job_key(r, verification_id);
    job.payload = nlohmann::json{{"verification_id", verification_id}}.dump();
    job.max_attempts = kVerifyMaxAttempts;
    jobs.enqueue(tx, job);
}

void audit_system(IdentityService& identity, soci::session& tx, std::int64_t account_id, const std::string& action,
                  const std::string& fields, std::int64_t now) {
    AuditEntry e;
    e.at = now;
    e.account_id = account_id;
    e.actor_kind = "system";
    e.action = action;
    e.fields = fields;
    identity.audit().record(tx, e);
}

}  // namespace

std::string_view job_kind(Registry r) {
    switch (r) {
        case Registry::pfr: return kVerifyPfrKind;
        case Registry::mvd: return kVerifyMvdKind;
        case Registry::fns: return kVerifyFnsKind;
    }
    return kVerifyPfrKind;
}

std::string verify_job_key(Registry r, std::int64_t verification_id) {
    return std::string(job_kind(r)) + ":" + std::to_string(verification_id);
}

registries::PersonIdentity person_of(const Profile& p) {
    registries::PersonIdentity person;
    person.surname = p.surname;
    person.name = p.name;
    person.patronymic = p.patronymic;
    if (auto d = registries::parse_date(p.birth_date)) person.birth_date = *d;
    person.gender = p.gender;
    person.snils = p.snils;
    person.passport_series = p.passport_series();
    person.passport_number = p.passport_number();
    person.passport_issue_date = registries::parse_date(p.issue_date);
    person.department_code = p.department_code;
    return person;
}

// ---- saving the profile -----------------------------------------------------------------------

ProfileService::ProfileService(IdentityService& identity, jobs::JobStore& jobs)
    : identity_(identity), jobs_(jobs), store_(identity.database(), identity.protector()) {}

ProfileView ProfileService::view(std::int64_t account_id) {
    ProfileView v;
    db::Connection c(identity_.database());
    const auto account = identity_.accounts().find(*c, account_id);
    if (account) v.level = account->level;
    if (auto p = store_.find(*c, account_id)) {
        v.saved = true;
        v.profile = *p;
    } else {
        v.profile.account_id = account_id;
        v.profile.version = 0;
        if (account) {
            v.profile.data.surname = account->surname;
            v.profile.data.name = account->name;
        }
    }
    v.verification = store_.latest(*c, account_id);
    v.complete = check_profile(v.profile.data, SaveMode::submit, today_utc()).empty();
    v.changed_since_check = v.verification && v.verification->profile_version != v.profile.version;
    return v;
}

void ProfileService::supersede(soci::session& tx, const Verification& v, std::int64_t now) {
    for (Registry r : kAllSteps)
        if (!is_final(v.step(r).state)) store_.set_step(tx, v, r, StepState::cancelled, "", "", kUser, now);
    store_.set_state(tx, v, VerificationState::superseded, "", kUser, now);
}

SaveResult ProfileService::save(const Context& ctx, std::int64_t account_id,
                                const std::map<std::string, std::string>& raw, SaveMode mode) {
    SaveResult result;
    ProfileParse parsed = parse_profile(raw, mode, today_utc());
    result.profile = parsed.profile;
    if (!parsed.ok()) {
        result.errors = std::move(parsed.errors);
        return result;
    }
    const Profile& p = parsed.profile;
    const std::int64_t now = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        const auto account = identity_.accounts().find(tx, account_id);
        if (!account || account->status != AccountStatus::active) throw std::runtime_error("no such account");
        const auto stored = store_.find(tx, account_id);
        const Profile before = stored ? stored->data : Profile{};
        result.changed = changed_fields(before, p);
        const bool checked_changed = !stored || checked_data_changed(before, p);
        const int version = stored ? stored->version + (checked_changed ? 1 : 0) : 1;

        std::optional<Verification> current = store_.latest(tx, account_id);
        if (current) {
            store_.lock(tx, current->id, now);
            current = store_.verification(tx, current->id);
        }
        // A check of data that no longer stand is over, and so is the level it gave.
        if (stored && checked_changed && current &&
            (current->state == VerificationState::checking || current->state == VerificationState::passed)) {
            supersede(tx, *current, now);
            current.reset();
            if (account->level != Level::simplified) {
                // A confirmed account whose checked data change is treated the
                // same: its identity must be checked (and confirmed) again.
                identity_.accounts().set_level(tx, account_id, Level::simplified, now);
                result.level_dropped = true;
                audit_system(identity_, tx, account_id, "level_changed", "simplified", now);
            }
            identity_.accounts().clear_snils(tx, account_id, now);
            identity_.accounts().clear_passport(tx, account_id, now);
        }
        if (stored && checked_changed && !stored->inn.empty()) store_.set_inn(tx, account_id, "", now);

        // Changed checked data of a profile sent before go for checking again by
        // themselves, once complete.
        const bool resend = stored && stored->submitted_at != 0 && checked_changed &&
                            check_profile(p, SaveMode::submit, today_utc()).empty();
        const bool wanted = mode == SaveMode::submit || resend;
        const bool already = current && current->profile_version == version &&
                             (current->state == VerificationState::checking ||
                              current->state == VerificationState::passed);
        result.sent = wanted && !already;

        store_.save(tx, account_id, p, version, result.sent, now);
        if ((std::find(result.changed.begin(), result.changed.end(), "surname") != result.changed.end() ||
             std::find(result.changed.begin(), result.changed.end(), "name") != result.changed.end()) &&
            !p.surname.empty() && !p.name.empty())
            identity_.accounts().set_names(tx, account_id, p.surname, p.name, now);
        if (!result.changed.empty()) identity_.audit_self(tx, ctx, account_id, "profile_changed", join(result.changed));
        if (result.sent) {
            result.verification_id = store_.create_verification(tx, account_id, version, kUser, now);
            enqueue_step(jobs_, tx, Registry::pfr, result.verification_id);
            enqueue_step(jobs_, tx, Registry::mvd, result.verification_id);
            identity_.audit_self(tx, ctx, account_id, "profile_submitted");
        }
    });
    if (result.sent) identity_.wake();
    return result;
}

// ---- the checks ---------------------------------------------------------------------------------

VerificationRunner::VerificationRunner(IdentityService& identity, jobs::JobStore& jobs,
                                       registries::PensionFundClient& pfr, registries::InteriorClient& mvd,
                                       registries::TaxClient& fns)
    : identity_(identity),
      jobs_(jobs),
      store_(identity.database(), identity.protector()),
      pfr_(pfr),
      mvd_(mvd),
      fns_(fns) {}

bool VerificationRunner::has_work(const Verification& v, Registry r) const {
    if (is_final(v.step(r).state)) return false;
    // The tax service is asked only once the person is known to be who they say.
    return r == Registry::fns ? v.state == VerificationState::passed : v.state == VerificationState::checking;
}

VerificationRunner::Answer VerificationRunner::ask(Registry r, const Profile& p) {
    using registries::PassportStatus;
    const registries::PersonIdentity person = person_of(p);
    Answer a;
    auto failed = [](std::string_view why, std::string detail = {}) {
        Answer f;
        f.state = StepState::failed;
        f.reason = std::string(why);
        f.detail = std::move(detail);
        return f;
    };
    try {
        if (r == Registry::pfr) {
            switch (pfr_.check_snils(person)) {
                case registries::SnilsCheck::match: break;
                case registries::SnilsCheck::mismatch: a = failed(reason::snils_mismatch); break;
                case registries::SnilsCheck::not_found: a = failed(reason::snils_not_found); break;
            }
        } else if (r == Registry::mvd) {
            const registries::PassportCheckResult c = mvd_.check_passport(person);
            // Whose passport it is comes first: the state of someone else's
            // passport is none of the user's business.
            if (c.status == PassportStatus::not_found) {
                a = failed(reason::passport_not_found);
            } else if (!c.owner_matches) {
                a = failed(reason::passport_not_owner);
            } else if (c.status == PassportStatus::lost) {
                a = failed(reason::passport_lost, c.lost_date ? registries::format_date(*c.lost_date) : "");
            } else if (c.status == PassportStatus::expired) {
                if (c.reason == "replaced") a = failed(reason::passport_replaced);
                else a = failed(reason::passport_expired, c.valid_until ? registries::format_date(*c.valid_until) : "");
            }
        } else {
            if (auto inn = fns_.find_inn(person)) a.inn = *inn;
            else a.reason = std::string(reason::inn_not_found);  // not a failure: many people have none
        }
    } catch (const registries::RegistryRejected& e) {
        a = failed(reason::registry_rejected, e.code());
    }
    return a;
}

void VerificationRunner::run(Registry r, const jobs::Job& job) {
    const nlohmann::json payload = nlohmann::json::parse(job.payload, nullptr, false);
    if (!payload.is_object() || !payload.contains("verification_id") || !payload["verification_id"].is_number_integer())
        throw jobs::PermanentError("the job has no verification_id");
    const std::int64_t id = payload["verification_id"].get<std::int64_t>();
    db::Database& db = identity_.database();

    auto v = store_.verification(id);
    if (!v || !has_work(*v, r)) return;
    const auto profile = store_.find(v->account_id);
    if (!profile || profile->version != v->profile_version) return;  // superseded in the same transaction

    if (v->step(r).state == StepState::pending) {
        db::transact(db, [&](soci::session& tx) {
            store_.lock(tx, id, core::now_unix());
            auto fresh = store_.verification(tx, id);
            if (fresh && has_work(*fresh, r) && fresh->step(r).state == StepState::pending)
                store_.set_step(tx, *fresh, r, StepState::running, "", "", kSystem, core::now_unix());
        });
    }

    Answer answer;
    try {
        answer = ask(r, profile->data);  // no connection is held during the call
    } catch (const registries::RegistryUnavailable& e) {
        db::transact(db, [&](soci::session& tx) {
            store_.lock(tx, id, core::now_unix());
            auto fresh = store_.verification(tx, id);
            if (fresh && has_work(*fresh, r) && fresh->step(r).state == StepState::running)
                store_.set_step(tx, *fresh, r, StepState::waiting, std::string(reason::registry_unavailable),
                                e.code.empty() ? std::string(to_string(e.reason())) : e.code, kSystem,
                                core::now_unix());
        });
        throw;  // the runner retries with back-off
    }

    bool woke = false;
    db::transact(db, [&](soci::session& tx) {
        const std::int64_t now = core::now_unix();
        store_.lock(tx, id, now);
        auto fresh = store_.verification(tx, id);
        if (!fresh || !has_work(*fresh, r)) return;  // another run already decided, or the data changed
        store_.set_step(tx, *fresh, r, answer.state, answer.reason, answer.detail, kSystem, now);
        if (r == Registry::fns) {
            if (!answer.inn.empty()) store_.set_inn(tx, fresh->account_id, answer.inn, now);
            return;
        }
        conclude(tx, id, now);
        woke = true;
    });
    if (woke) identity_.wake();
}

void VerificationRunner::conclude(soci::session& tx, std::int64_t id, std::int64_t now) {
    const auto v = store_.verification(tx, id);
    if (!v || v->state != VerificationState::checking) return;
    for (Registry r : {Registry::pfr, Registry::mvd})
        if (v->step(r).state == StepState::failed) return finish(tx, *v, VerificationState::failed, v->step(r).reason, now);
    if (v->pfr.state != StepState::passed || v->mvd.state != StepState::passed) return;  // the other is still out

    const auto profile = store_.find(tx, v->account_id);
    AccountStore& accounts = identity_.accounts();
    const auto account = accounts.find(tx, v->account_id);
    if (!profile || !account || account->status != AccountStatus::active) return;
    // One person, one account: the blind indexes are unique across accounts.
    if (!accounts.set_snils(tx, v->account_id, profile->data.snils, now))
        return finish(tx, *v, VerificationState::failed, std::string(reason::snils_taken), now);
    if (!accounts.set_passport(tx, v->account_id, profile->data.passport, now)) {
        accounts.clear_snils(tx, v->account_id, now);
        return finish(tx, *v, VerificationState::failed, std::string(reason::passport_taken), now);
    }
    if (account->level == Level::simplified) {
        accounts.set_level(tx, v->account_id, Level::standard, now);
        audit_system(identity_, tx, v->account_id, "level_changed", "standard", now);
    }
    finish(tx, *v, VerificationState::passed, "", now);
    enqueue_step(jobs_, tx, Registry::fns, id);
}

void VerificationRunner::finish(soci::session& tx, const Verification& v, VerificationState to,
                                const std::string& why, std::int64_t now) {
    if (to == VerificationState::failed) {
        for (Registry r : kAllSteps)
            if (!is_final(v.step(r).state)) store_.set_step(tx, v, r, StepState::cancelled, "", "", kSystem, now);
    }
    store_.set_state(tx, v, to, why, kSystem, now);
    const bool passed = to == VerificationState::passed;
    audit_system(identity_, tx, v.account_id, passed ? "verification_passed" : "verification_failed", why, now);

    const auto account = identity_.accounts().find(tx, v.account_id);
    if (!account) return;
    const std::string event = "identity-verification-" + std::to_string(v.id) + "-" + std::string(to_string(to));
    const std::string template_name = passed ? "verification.passed" : "verification.failed";
    const nlohmann::json params{{"name", account->name}};
    const std::string recipient = std::to_string(v.account_id);
    if (!account->phone.empty())
        identity_.notify(tx, event, recipient, "sms", account->phone, account->lang, template_name, params);
    if (!account->email.empty())
        identity_.notify(tx, event, recipient, "email", account->email, account->lang, template_name, params);
}

// ---- wiring for the job runner ------------------------------------------------------------------

namespace {

struct CheckContext {
    CheckContext(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          jobs(db),
          outbox(db, jobs, {}, &protector),
          limiter(db),
          identity(db, protector, jobs, outbox, limiter, &runner),
          clients(registries::make_http_clients(registries::client_options(cfg))),
          checks(identity, jobs, *clients.pension_fund, *clients.interior, *clients.tax) {}
    core::DataProtector protector;
    jobs::JobStore jobs;
    notifications::OutboxStore outbox;
    http::RateLimiter limiter;
    IdentityService identity;
    registries::RegistryClients clients;
    VerificationRunner checks;
};

}  // namespace

void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root) {
    (void)root;
    auto context = std::make_shared<CheckContext>(runner, db, cfg);
    for (Registry r : kAllSteps)
        runner.handle(std::string(job_kind(r)), [context, r](const jobs::Job& job) { context->checks.run(r, job); });
}

}  // namespace uslugi::identity
