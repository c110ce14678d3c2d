#pragma once
// Delivery of the outbox: the "notify.deliver" job handler. It loads the
// outbox row, renders the message in the recipient's language, hands it to
// the channel and records the outcome:
//   delivered  → status sent with the provider's id;
//   Retryable / any other error → the row stays queued with last_error and
//       the exception goes back to the job runner, which retries with back-off;
//   PermanentError, or a failure on the job's last attempt → status failed
//       with the reason (the job goes dead; an operator may retry it).
// A row that is already sent is not sent again (at-least-once jobs, see
// jobs/service.hpp); channels carry the outbox id as an idempotency mark.
// A failed row whose dead job an operator retries (/ops/jobs) is queued again.
#include "core/config.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "notifications/channels.hpp"
#include "notifications/store.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace uslugi::notifications {

class Deliverer {
public:
    Deliverer(OutboxStore& store, const core::Locales& locales, Channel& email, Channel& sms, Channel& push);
    void deliver(const jobs::Job& job);

private:
    OutboxStore& store_;
    const core::Locales& locales_;
    Channel& email_;
    Channel& sms_;
    Channel& push_;
};

// --smtp-host, --smtp-port, --mail-from (USLUGI_SMTP_HOST, USLUGI_SMTP_PORT, USLUGI_MAIL_FROM).
void add_options(CLI::App& cmd, core::Config& cfg);
SmtpOptions smtp_options(const core::Config& cfg);

// Registers "notify.deliver" with its own locales (from root/locales), SMTP
// and gateway clients; they live as long as the runner's handler.
void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root);

}  // namespace uslugi::notifications
