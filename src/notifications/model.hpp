#pragma once
// Notifications (NOTE-1): types and pure rules — channels, statuses of an
// outbox row, rendering of a message from the locale texts. No I/O here.
//
// Texts live in locales/notifications/<lang>.json under the top-level key
// "notifications": notifications.<template>.subject / .body / .sms, each a
// mustache string with {{placeholders}} filled from the message's params.
#include "core/i18n.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace uslugi::notifications {

enum class ChannelKind { email, sms, push };
std::string_view to_string(ChannelKind c);
// Throws std::invalid_argument for an unknown name.
ChannelKind channel_from_string(std::string_view s);

// queued ──deliver──▶ sent ──(provider receipt, later)──▶ delivered
//   └──permanent error or last attempt──▶ failed
enum class OutboxStatus { queued, sent, delivered, failed };
std::string_view to_string(OutboxStatus s);
OutboxStatus status_from_string(std::string_view s);

// What a module asks to send, inside its own transaction.
struct Message {
    std::string event_key;   // the event that causes the message ("application-17-submitted")
    std::string recipient;   // account id, or the contact itself when there is no account
    ChannelKind channel = ChannelKind::email;
    std::string address;     // e-mail address or mobile phone (+7…)
    std::string lang = "ru";
    std::string template_name;          // "account.signin_code"
    nlohmann::json params = nlohmann::json::object();
};

// A row of notifications_outbox.
struct OutboxMessage {
    std::int64_t id = 0;
    std::string event_key, recipient;
    ChannelKind channel = ChannelKind::email;
    std::string address, lang, template_name;
    std::string params = "{}";  // JSON
    OutboxStatus status = OutboxStatus::queued;
    int attempts = 0;
    std::string last_error, provider_id;
    std::int64_t created_at = 0, sent_at = 0, updated_at = 0;
};

// A template that does not exist: retrying cannot help.
class UnknownTemplate : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct Rendered {
    std::string subject;  // e-mail subject, push title
    std::string text;     // plain text body (e-mail text/plain)
    std::string html;     // e-mail text/html: the text escaped, paragraphs as <p>
    std::string sms;      // short text for SMS and push bodies
};

// Renders `template_name` in `lang` (unsupported languages: Russian; texts a
// language lacks fall back as the locales do: de/fr → en → ru). Params are
// inserted as they are (plain text); the HTML part escapes them.
Rendered render(const core::Locales& locales, std::string_view lang, const std::string& template_name,
                const nlohmann::json& params);

// A header value as RFC 2047 encoded words ("=?UTF-8?q?…?=") when it holds
// anything but ASCII, else unchanged (POCO's MailMessage::encodeWord).
std::string encode_header_word(std::string_view text);


}  // namespace uslugi::notifications
