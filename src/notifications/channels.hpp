#pragma once
// Delivery channels of the outbox: e-mail over SMTP, SMS and push through the
// gateways in registries/. A channel delivers one rendered message and
// returns the provider's id for it. Every delivery carries an idempotency
// mark derived from the outbox id (the Message-ID of an e-mail, the
// Idempotency-Key of a gateway call), so a retry after a lost answer is
// recognisable and, for the gateways, never sent twice.
#include "jobs/model.hpp"
#include "notifications/model.hpp"
#include "registries/clients.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace uslugi::notifications {

// A transient failure (server down, timeout, 4xx SMTP reply): retry later.
// Permanent failures are jobs::PermanentError.
class Retryable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Channel {
public:
    virtual ~Channel() = default;
    // Returns the provider's id of the message.
    virtual std::string deliver(const OutboxMessage& message, const Rendered& content) = 0;
};

struct SmtpOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8025;
    std::string from = "Услуги <noreply@uslugi.local>";
    std::string helo_domain = "uslugi.local";
    std::chrono::milliseconds timeout{10000};
};

// "<notify-17@uslugi.local>": the same for every attempt of one outbox row.
std::string message_id(std::int64_t outbox_id, const std::string& domain);

class EmailChannel : public Channel {
public:
    explicit EmailChannel(SmtpOptions options);
    std::string deliver(const OutboxMessage& message, const Rendered& content) override;
    // The message as it goes on the wire (headers and body); for tests.
    std::string compose(const OutboxMessage& message, const Rendered& content) const;

private:
    SmtpOptions options_;
};

class SmsChannel : public Channel {
public:
    explicit SmsChannel(registries::SmsGateway& gateway) : gateway_(gateway) {}
    std::string deliver(const OutboxMessage& message, const Rendered& content) override;

private:
    registries::SmsGateway& gateway_;
};

class PushChannel : public Channel {
public:
    explicit PushChannel(registries::PushGateway& gateway) : gateway_(gateway) {}
    std::string deliver(const OutboxMessage& message, const Rendered& content) override;

private:
    registries::PushGateway& gateway_;
};

// The idempotency key towards the gateways.
std::string gateway_key(std::int64_t outbox_id);

}  // namespace uslugi::notifications
