#pragma once
// The pension account statement (APP-5): a service whose result comes at
// once. Sending the form queues the request in the sending transaction (a job,
// so nothing is lost when the Pension Fund is down) and then asks the Fund
// right away; the answer completes the application ("provided") with the
// statement kept sealed beside it. While the Fund is down the application
// waits in "sent", says so in its history, and the job asks again with
// back-off until the Fund answers. The statement is always the SNILS of the
// applicant's own profile, never one typed into the form.
#include "applications/store.hpp"
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "identity/profile_store.hpp"
#include "identity/store.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "registries/pension_statement.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace uslugi::applications {

inline constexpr std::string_view kPensionService = "pension-account-statement";
inline constexpr std::string_view kPensionJobKind = "applications.pension_statement";

struct PensionRequest {
    std::int64_t application_id = 0, account_id = 0;
    std::string snils;  // of the profile when sent; "" when it had none
    bool email_copy = false;
    std::optional<registries::PensionStatement> statement;  // none until the Fund answered
    int attempts = 0;
    std::int64_t created_at = 0, fetched_at = 0;
};

// What one attempt came to.
enum class PensionOutcome { completed, refused, waiting, nothing_to_do };

class PensionService {
public:
    PensionService(db::Database& db, const core::DataProtector& protector, jobs::JobStore& jobs,
                   notifications::OutboxStore& outbox, const core::Locales& locales,
                   std::unique_ptr<registries::PensionStatementClient> fund, std::string public_url,
                   jobs::JobRunner* runner);

    // In the sending transaction: the request row (with the profile's SNILS) and its job.
    void queue(soci::session& tx, const Application& a);
    // Asks the Fund and completes the application; idempotent (the job and the
    // first attempt may both run). Never throws for the Fund being down.
    PensionOutcome attempt(std::int64_t application_id);
    // The job: attempt(); throws while the Fund is down so the job is retried.
    void run_job(const jobs::Job& job);

    // The applicant's own request only (another's id finds nothing).
    std::optional<PensionRequest> request_of(std::int64_t account_id, std::int64_t application_id);
    // "Send it to my e-mail": a message with the link to the statement through
    // the outbox (it carries no attachments). False when the account has no e-mail.
    bool email(std::int64_t account_id, std::int64_t application_id);

private:
    std::optional<PensionRequest> load(soci::session& s, std::int64_t application_id);
    void complete(soci::session& tx, const Application& a, const PensionRequest& r,
                  const registries::PensionStatement& st);
    void refuse(soci::session& tx, const Application& a, const std::string& code);
    void note_waiting(std::int64_t application_id, const std::string& error);
    void notify(soci::session& tx, const Application& a, const std::string& event, const std::string& template_name,
                nlohmann::json params);
    // Moves along the allowed path, each step in the history (system actor).
    bool walk(soci::session& tx, const Application& a, std::initializer_list<Status> path, const Change& last,
              const std::string& comment, std::int64_t now);

    db::Database& db_;
    const core::DataProtector& protector_;
    jobs::JobStore& jobs_;
    notifications::OutboxStore& outbox_;
    const core::Locales& locales_;
    std::unique_ptr<registries::PensionStatementClient> fund_;
    std::string public_url_;
    jobs::JobRunner* runner_;
    ApplicationStore applications_;
    identity::AccountStore accounts_;
    identity::ProfileStore profiles_;
};

// The service with its own stores and clients, for `serve` (with the runner
// to wake) and for the job handlers of `serve` and `worker`.
std::shared_ptr<PensionService> make_pension_service(db::Database& db, const core::Config& cfg,
                                                     const std::string& root, jobs::JobRunner* runner);
void register_pension_jobs(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg, const std::string& root);

}  // namespace uslugi::applications
