#include "notifications/channels.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Timespan.h>

#include <regex>
#include <sstream>

namespace uslugi::notifications {

namespace {

// "Name <addr@host>" → ("Name", "addr@host"); a bare address → ("", address).
std::pair<std::string, std::string> split_address(const std::string& value) {
    const auto lt = value.find('<');
    const auto gt = value.rfind('>');
    if (lt == std::string::npos || gt == std::string::npos || gt < lt) return {"", value};
    std::string name = value.substr(0, lt);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return {name, value.substr(lt + 1, gt - lt - 1)};
}

std::string header_address(const std::string& value) {
    const auto [name, addr] = split_address(value);
    if (name.empty()) return addr;
    return encode_header_word(name) + " <" + addr + ">";
}

void build(Poco::Net::MailMessage& mail, const OutboxMessage& message, const Rendered& content,
           const SmtpOptions& options) {
    mail.setSender(header_address(options.from));
    mail.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, message.address));
    mail.setSubject(encode_header_word(content.subject));
    mail.set("Message-ID", message_id(message.id, options.helo_domain));
    mail.set("Content-Language", message.lang);
    // multipart/alternative: text first, HTML last (the preferred one); POCO
    // keeps a multipart type set before the first part.
    mail.setContentType("multipart/alternative");
    mail.addContent(new Poco::Net::StringPartSource(content.text, "text/plain; charset=UTF-8"),
                    Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
    mail.addContent(new Poco::Net::StringPartSource(content.html, "text/html; charset=UTF-8"),
                    Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
}

// An SMTP reply code in POCO's exception text ("… 550 5.1.1 no such user").
int smtp_code(const std::string& text) {
    static const std::regex code(R"((?:^|\D)([2-5]\d\d)[ -])");
    std::smatch m;
    if (std::regex_search(text, m, code)) return std::stoi(m[1]);
    return 0;
}

}  // namespace

std::string message_id(std::int64_t outbox_id, const std::string& domain) {
    return "<notify-" + std::to_string(outbox_id) + "@" + domain + ">";
}

std::string gateway_key(std::int64_t outbox_id) { return "notify-" + std::to_string(outbox_id); }

EmailChannel::EmailChannel(SmtpOptions options) : options_(std::move(options)) {}

std::string EmailChannel::compose(const OutboxMessage& message, const Rendered& content) const {
    std::ostringstream out;
    Poco::Net::MailMessage mail;
    build(mail, message, content, options_);
    mail.write(out);
    return out.str();
}

std::string EmailChannel::deliver(const OutboxMessage& message, const Rendered& content) {
    Poco::Net::MailMessage mail;
    build(mail, message, content, options_);
    const std::string id = message_id(message.id, options_.helo_domain);
    try {
        const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count());
        Poco::Net::StreamSocket socket;
        socket.connect(Poco::Net::SocketAddress(options_.host, options_.port), timeout);
        socket.setReceiveTimeout(timeout);
        socket.setSendTimeout(timeout);
        Poco::Net::SMTPClientSession session(socket);
        session.login(options_.helo_domain);
        session.sendMessage(mail);
        session.close();
    } catch (const Poco::Net::SMTPException& e) {
        const std::string text = e.displayText();
        if (smtp_code(text) >= 500) throw jobs::PermanentError("SMTP refused the message: " + text);
        throw Retryable("SMTP: " + text);
    } catch (const Poco::Exception& e) {
        throw Retryable("SMTP " + options_.host + ":" + std::to_string(options_.port) + ": " + e.displayText());
    }
    return id;
}

std::string SmsChannel::deliver(const OutboxMessage& message, const Rendered& content) {
    try {
        return gateway_.send(message.address, content.sms, gateway_key(message.id));
    } catch (const registries::RegistryUnavailable& e) {
        throw Retryable(std::string("SMS gateway: ") + e.what());
    } catch (const registries::RegistryRejected& e) {
        throw jobs::PermanentError("SMS gateway refused the message: " + e.code() + ": " + e.what());
    }
}

std::string PushChannel::deliver(const OutboxMessage& message, const Rendered& content) {
    try {
        return gateway_.send(message.address, content.subject, content.sms, gateway_key(message.id));
    } catch (const registries::RegistryUnavailable& e) {
        throw Retryable(std::string("push gateway: ") + e.what());
    } catch (const registries::RegistryRejected& e) {
        throw jobs::PermanentError("push gateway refused the message: " + e.code() + ": " + e.what());
    }
}

}  // namespace uslugi::notifications
