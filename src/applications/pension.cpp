#include "applications/pension.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "db/transaction.hpp"
#include "registries/command.hpp"

#include <fmt/format.h>

namespace uslugi::applications {

namespace {

constexpr const char* kTable = "applications_pension_statements";
constexpr int kJobDelaySeconds = 5;     // the first attempt is made at once; the job is the safety net
constexpr int kJobMaxAttempts = 60;     // with back-off capped at an hour: more than two days of retries
constexpr std::int64_t kMailWindow = 600;  // "send to my e-mail" sends once per 10 minutes at most

std::string digits_of(const std::string& s) {
    std::string out;
    for (char c : s)
        if (c >= '0' && c <= '9') out += c;
    return out;
}

std::string fill(std::string text, const std::string& placeholder, const std::string& value) {
    if (const auto p = text.find(placeholder); p != std::string::npos) text.replace(p, placeholder.size(), value);
    return text;
}

}  // namespace

PensionService::PensionService(db::Database& db, const core::DataProtector& protector, jobs::JobStore& jobs,
                               notifications::OutboxStore& outbox, const core::Locales& locales,
                               std::unique_ptr<registries::PensionStatementClient> fund, std::string public_url,
                               jobs::JobRunner* runner)
    : db_(db), protector_(protector), jobs_(jobs), outbox_(outbox), locales_(locales), fund_(std::move(fund)),
      public_url_(std::move(public_url)), runner_(runner), applications_(db, protector), accounts_(db, protector),
      profiles_(db, protector) {}

void PensionService::queue(soci::session& tx, const Application& a) {
    const auto profile = profiles_.find(tx, a.account_id);
    // Sealed like every personal datum; an empty SNILS is refused by the first attempt.
    const std::string snils = protector_.seal(profile ? profile->data.snils : "",
                                              core::SealContext(kTable, "snils_enc", a.account_id));
    const auto copy = a.values.find("email_copy");
    const int email_copy = copy != a.values.end() && copy->is_string() && copy->get<std::string>() == "yes" ? 1 : 0;
    const long long id = a.id, account = a.account_id, now = core::now_unix();
    tx << "INSERT INTO applications_pension_statements (application_id, account_id, snils_enc, email_copy, attempts, "
          "last_error, created_at) VALUES (:id, :account, :snils, :copy, 0, '', :now)",
        soci::use(id), soci::use(account), soci::use(snils), soci::use(email_copy), soci::use(now);
    jobs::NewJob job;
    job.kind = std::string(kPensionJobKind);
    job.key = "pension:" + std::to_string(a.id);
    job.payload = nlohmann::json{{"application_id", a.id}}.dump();
    job.run_at = now + kJobDelaySeconds;
    job.max_attempts = kJobMaxAttempts;
    jobs_.enqueue(tx, job);
}

std::optional<PensionRequest> PensionService::load(soci::session& s, std::int64_t application_id) {
    const long long key = application_id;
    long long account = 0, created = 0, fetched = 0;
    int email_copy = 0, attempts = 0;
    std::string snils, statement;
    soci::indicator statement_ind = soci::i_null, fetched_ind = soci::i_null;
    s << "SELECT account_id, snils_enc, statement_enc, email_copy, attempts, created_at, fetched_at "
         "FROM applications_pension_statements WHERE application_id = :id",
        soci::into(account), soci::into(snils), soci::into(statement, statement_ind), soci::into(email_copy),
        soci::into(attempts), soci::into(created), soci::into(fetched, fetched_ind), soci::use(key);
    if (!s.got_data()) return std::nullopt;
    PensionRequest r;
    r.application_id = application_id;
    r.account_id = account;
    r.snils = protector_.open(snils, core::SealContext(kTable, "snils_enc", account));
    r.email_copy = email_copy != 0;
    r.attempts = attempts;
    r.created_at = created;
    if (statement_ind == soci::i_ok) {
        const auto j = nlohmann::json::parse(protector_.open(statement, core::SealContext(kTable, "statement_enc", account)));
        r.statement = registries::pension_statement_from_json(j);
        r.fetched_at = fetched;
    }
    return r;
}

std::optional<PensionRequest> PensionService::request_of(std::int64_t account_id, std::int64_t application_id) {
    db::Connection c(db_);
    auto r = load(*c, application_id);
    if (!r || r->account_id != account_id) return std::nullopt;
    return r;
}

PensionOutcome PensionService::attempt(std::int64_t application_id) {
    std::optional<PensionRequest> r;
    {
        db::Connection c(db_);
        r = load(*c, application_id);
    }
    const auto a = applications_.find(application_id);
    if (!r || !a || r->statement || a->status != Status::sent) return PensionOutcome::nothing_to_do;
    std::string refusal;
    std::optional<registries::PensionStatement> st;
    if (r->snils.empty()) refusal = "pension_no_snils";
    else {
        // No database connection is held while the Fund is asked.
        try {
            st = fund_->statement(r->snils);
            if (digits_of(st->snils) != digits_of(r->snils)) throw registries::RegistryUnavailable(
                "pfr", registries::RegistryUnavailable::Reason::bad_response, "the statement is of another SNILS");
        } catch (const registries::RegistryRejected& e) {
            refusal = e.code() == "pfr.account_not_found" ? "pension_no_account" : "pension_rejected";
        } catch (const registries::RegistryUnavailable& e) {
            note_waiting(application_id, e.what());
            return PensionOutcome::waiting;
        }
    }
    const PensionOutcome out = db::transact(db_, [&](soci::session& tx) {
        const auto now_a = applications_.find(tx, application_id);
        const auto now_r = load(tx, application_id);
        if (!now_a || !now_r || now_r->statement || now_a->status != Status::sent) return PensionOutcome::nothing_to_do;
        if (!refusal.empty()) {
            refuse(tx, *now_a, refusal);
            return PensionOutcome::refused;
        }
        complete(tx, *now_a, *now_r, *st);
        return PensionOutcome::completed;
    });
    if (runner_ && out != PensionOutcome::nothing_to_do) runner_->notify();
    return out;
}

void PensionService::run_job(const jobs::Job& job) {
    const auto payload = nlohmann::json::parse(job.payload, nullptr, false);
    if (!payload.is_object() || !payload.contains("application_id") || !payload["application_id"].is_number_integer())
        throw jobs::PermanentError("pension job: no application_id in the payload");
    if (attempt(payload["application_id"].get<std::int64_t>()) == PensionOutcome::waiting)
        throw std::runtime_error("the Pension Fund is not answering; asking again later");
}

bool PensionService::walk(soci::session& tx, const Application& a, std::initializer_list<Status> path,
                          const Change& last, const std::string& comment, std::int64_t now) {
    Status from = a.status;
    for (const Status to : path) {
        const bool final_step = to == *(path.end() - 1);
        if (!can_transition(from, to) || !applications_.move(tx, a.id, from, to, final_step ? last : Change{}, now))
            return false;
        applications_.add_history(tx, a.id, {now, to, "system", 0, final_step ? comment : ""});
        from = to;
    }
    return true;
}

void PensionService::complete(soci::session& tx, const Application& a, const PensionRequest& r,
                              const registries::PensionStatement& st) {
    const std::int64_t now = core::now_unix();
    const std::string sealed = protector_.seal(registries::to_json(st).dump(),
                                               core::SealContext(kTable, "statement_enc", a.account_id));
    const long long id = a.id, at = now;
    tx << "UPDATE applications_pension_statements SET statement_enc = :s, fetched_at = :at, last_error = '' "
          "WHERE application_id = :id",
        soci::use(sealed), soci::use(at), soci::use(id);
    const auto account = accounts_.find(tx, a.account_id);
    const core::Locale& t = locales_.get(account ? account->lang : "ru");
    Change change;
    change.result_text = fill(fill(t.text("pension.result_text"), "{date}", core::format_long_date(st.as_of, t.code())),
                              "{ipk}", registries::format_ipk(st.ipk_total_milli));
    change.decided = true;
    if (!walk(tx, a, {Status::received, Status::accepted, Status::provided}, change, "", now)) return;
    notify(tx, a, "application-" + std::to_string(a.id) + "-provided", "applications.status",
           {{"status", t.text("applications.status.provided")}, {"comment", *change.result_text}});
    if (r.email_copy)
        notify(tx, a, "pension-" + std::to_string(a.id) + "-mail-sent", "pension.statement", {});
}

void PensionService::refuse(soci::session& tx, const Application& a, const std::string& code) {
    const auto account = accounts_.find(tx, a.account_id);
    const core::Locale& t = locales_.get(account ? account->lang : "ru");
    Change change;
    change.refusal_code = code;
    change.result_text = t.text("applications.refusal." + code);
    change.decided = true;
    if (!walk(tx, a, {Status::received, Status::refused}, change, "", core::now_unix())) return;
    notify(tx, a, "application-" + std::to_string(a.id) + "-refused", "applications.status",
           {{"status", t.text("applications.status.refused")}, {"comment", *change.result_text}});
}

void PensionService::note_waiting(std::int64_t application_id, const std::string& error) {
    core::app_log().warn("pension statement of application {}: {}", application_id, error);
    db::transact(db_, [&](soci::session& tx) {
        const auto r = load(tx, application_id);
        if (!r) return;
        const long long id = application_id;
        const std::string clipped = jobs::clip_error(error, 500);
        tx << "UPDATE applications_pension_statements SET attempts = attempts + 1, last_error = :e WHERE application_id = :id",
            soci::use(clipped), soci::use(id);
        if (r->attempts > 0) return;  // the applicant is told once, not at every retry
        const auto account = accounts_.find(tx, r->account_id);
        const core::Locale& t = locales_.get(account ? account->lang : "ru");
        applications_.add_history(tx, application_id, {core::now_unix(), Status::sent, "system", 0, t.text("pension.waiting")});
    });
}

void PensionService::notify(soci::session& tx, const Application& a, const std::string& event,
                            const std::string& template_name, nlohmann::json params) {
    const auto account = accounts_.find(tx, a.account_id);
    if (!account || account->status != identity::AccountStatus::active) return;
    const core::Locale& t = locales_.get(account->lang);
    params["name"] = account->name;
    params["number"] = a.number;
    params["service"] = t.text("pension.service_title");
    params["link"] = public_url_ + "/account/applications/" + std::to_string(a.id) + "/pension-statement";
    notifications::Message m;
    m.event_key = event;
    m.recipient = std::to_string(a.account_id);
    m.lang = account->lang;
    m.template_name = template_name;
    m.params = params;
    for (const auto& [channel, address] : {std::pair{notifications::ChannelKind::email, account->email},
                                           std::pair{notifications::ChannelKind::sms, account->phone}}) {
        if (address.empty() || (template_name == "pension.statement" && channel != notifications::ChannelKind::email))
            continue;
        m.channel = channel;
        m.address = address;
        outbox_.enqueue(tx, m);
    }
}

bool PensionService::email(std::int64_t account_id, std::int64_t application_id) {
    const auto r = request_of(account_id, application_id);
    const auto account = accounts_.find(account_id);
    if (!r || !r->statement || !account || account->email.empty()) return false;
    const auto a = applications_.find(application_id);
    if (!a) return false;
    // Repeated clicks within the window are one message (the outbox is idempotent on the event).
    const std::string event = fmt::format("pension-{}-mail-{}", application_id, core::now_unix() / kMailWindow);
    db::transact(db_, [&](soci::session& tx) { notify(tx, *a, event, "pension.statement", {}); });
    if (runner_) runner_->notify();
    return true;
}

// ---- wiring ----------------------------------------------------------------------------------------------

namespace {

struct PensionBundle {
    core::DataProtector protector;
    jobs::JobStore jobs;
    notifications::OutboxStore outbox;
    core::Locales locales;
    PensionService service;

    PensionBundle(db::Database& db, const core::Config& cfg, const std::string& root, jobs::JobRunner* runner)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          jobs(db),
          outbox(db, jobs, {}, &protector),
          service(db, protector, jobs, outbox, locales,
                  registries::http_pension_statements(
                      std::make_shared<const registries::HttpTransport>(registries::client_options(cfg))),
                  cfg.public_url, runner) {
        locales.load(root + "/locales");  // the service keeps a reference; texts are read only later
    }
};

}  // namespace

std::shared_ptr<PensionService> make_pension_service(db::Database& db, const core::Config& cfg,
                                                     const std::string& root, jobs::JobRunner* runner) {
    auto bundle = std::make_shared<PensionBundle>(db, cfg, root, runner);
    return std::shared_ptr<PensionService>(bundle, &bundle->service);
}

void register_pension_jobs(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg, const std::string& root) {
    auto service = make_pension_service(db, cfg, root, &runner);
    runner.handle(std::string(kPensionJobKind), [service](const jobs::Job& job) { service->run_job(job); });
}

}  // namespace uslugi::applications
