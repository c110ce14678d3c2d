#include "notifications/service.hpp"

#include "core/log.hpp"
#include "registries/command.hpp"

namespace uslugi::notifications {

Deliverer::Deliverer(OutboxStore& store, const core::Locales& locales, Channel& email, Channel& sms, Channel& push)
    : store_(store), locales_(locales), email_(email), sms_(sms), push_(push) {}

void Deliverer::deliver(const jobs::Job& job) {
    std::int64_t id = 0;
    try {
        id = nlohmann::json::parse(job.payload).at("outbox_id").get<std::int64_t>();
    } catch (const std::exception& e) {
        throw jobs::PermanentError(std::string("bad payload: ") + e.what());
    }
    const auto message = store_.find(id);
    if (!message) throw jobs::PermanentError("no outbox row " + std::to_string(id));
    // Sent by an earlier run (at-least-once: the job may run again): done.
    if (message->status == OutboxStatus::sent || message->status == OutboxStatus::delivered) return;
    // Failed, yet its job runs again: an operator retried the dead job.
    if (message->status == OutboxStatus::failed) store_.reopen(id);
    store_.mark_attempt(id);
    const bool last_attempt = job.attempts >= job.max_attempts;
    try {
        const Rendered content = render(locales_, message->lang, message->template_name,
                                        nlohmann::json::parse(message->params, nullptr, false));
        Channel& channel = message->channel == ChannelKind::email ? email_
                           : message->channel == ChannelKind::sms ? sms_
                                                                  : push_;
        const std::string provider_id = channel.deliver(*message, content);
        store_.mark_sent(id, provider_id);
        core::app_log().info("notification {} ({} {}) sent: {}", id, to_string(message->channel),
                             message->template_name, provider_id);
    } catch (const UnknownTemplate& e) {
        store_.mark_failed(id, e.what());
        throw jobs::PermanentError(e.what());
    } catch (const jobs::PermanentError& e) {
        store_.mark_failed(id, e.what());
        throw;
    } catch (const std::exception& e) {
        if (last_attempt) store_.mark_failed(id, std::string("no attempts left: ") + e.what());
        else store_.mark_retrying(id, e.what());
        throw;
    }
}

void add_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--smtp-host", cfg.smtp_host, "SMTP server for e-mail notifications")
        ->envname("USLUGI_SMTP_HOST")->capture_default_str();
    cmd.add_option("--smtp-port", cfg.smtp_port, "its port")->envname("USLUGI_SMTP_PORT")->capture_default_str();
    cmd.add_option("--mail-from", cfg.mail_from, "sender of e-mail notifications")
        ->envname("USLUGI_MAIL_FROM")->capture_default_str();
}

SmtpOptions smtp_options(const core::Config& cfg) {
    SmtpOptions o;
    o.host = cfg.smtp_host;
    o.port = cfg.smtp_port;
    o.from = cfg.mail_from;
    return o;
}

namespace {

struct DeliveryContext {
    DeliveryContext(db::Database& db, const core::Config& cfg, const std::string& root)
        : protector(core::load_data_key(cfg.data_key, cfg.data_key_file)),
          job_store(db),
          store(db, job_store, {}, &protector),
          clients(registries::make_http_clients(registries::client_options(cfg))),
          email(smtp_options(cfg)),
          sms(*clients.sms),
          push(*clients.push),
          deliverer(store, locales, email, sms, push) {
        locales.load(root + "/locales");
    }
    core::DataProtector protector;
    jobs::JobStore job_store;
    OutboxStore store;
    core::Locales locales;
    registries::RegistryClients clients;
    EmailChannel email;
    SmsChannel sms;
    PushChannel push;
    Deliverer deliverer;
};

}  // namespace

void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg,
                           const std::string& root) {
    auto context = std::make_shared<DeliveryContext>(db, cfg, root);
    runner.handle(std::string(kDeliverKind), [context](const jobs::Job& job) { context->deliverer.deliver(job); });
}

}  // namespace uslugi::notifications
