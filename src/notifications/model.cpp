#include "notifications/model.hpp"

#include "core/text.hpp"

#include <Poco/Net/MailMessage.h>
#include <kainjow/mustache.hpp>

namespace uslugi::notifications {

std::string_view to_string(ChannelKind c) {
    switch (c) {
        case ChannelKind::email: return "email";
        case ChannelKind::sms: return "sms";
        case ChannelKind::push: return "push";
    }
    return "email";
}

ChannelKind channel_from_string(std::string_view s) {
    if (s == "email") return ChannelKind::email;
    if (s == "sms") return ChannelKind::sms;
    if (s == "push") return ChannelKind::push;
    throw std::invalid_argument("unknown notification channel \"" + std::string(s) + "\"");
}

std::string_view to_string(OutboxStatus s) {
    switch (s) {
        case OutboxStatus::queued: return "queued";
        case OutboxStatus::sent: return "sent";
        case OutboxStatus::delivered: return "delivered";
        case OutboxStatus::failed: return "failed";
    }
    return "queued";
}

OutboxStatus status_from_string(std::string_view s) {
    if (s == "queued") return OutboxStatus::queued;
    if (s == "sent") return OutboxStatus::sent;
    if (s == "delivered") return OutboxStatus::delivered;
    if (s == "failed") return OutboxStatus::failed;
    throw std::invalid_argument("unknown outbox status \"" + std::string(s) + "\"");
}

namespace {

kainjow::mustache::data to_data(const nlohmann::json& params) {
    kainjow::mustache::data d{kainjow::mustache::data::type::object};
    if (!params.is_object()) return d;
    for (const auto& [key, value] : params.items()) {
        if (value.is_string()) d.set(key, value.get<std::string>());
        else if (value.is_null()) d.set(key, std::string());
        else d.set(key, value.dump());
    }
    return d;
}

std::string fill(const std::string& text, const kainjow::mustache::data& data, const std::string& what) {
    kainjow::mustache::mustache tmpl(text);
    if (!tmpl.is_valid()) throw UnknownTemplate("notification text " + what + ": " + tmpl.error_message());
    tmpl.set_custom_escape([](const std::string& s) { return s; });  // plain text; HTML is escaped afterwards
    return tmpl.render(data);
}

std::string paragraphs_html(const std::string& text) {
    std::string html;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find("\n\n", pos);
        if (end == std::string::npos) end = text.size();
        std::string para = uslugi::text::html_escape(text.substr(pos, end - pos));
        for (std::size_t i = 0; (i = para.find('\n', i)) != std::string::npos; i += 5) para.replace(i, 1, "<br>\n");
        if (!para.empty()) html += "<p>" + para + "</p>\n";
        pos = end + 2;
    }
    return html;
}

}  // namespace

Rendered render(const core::Locales& locales, std::string_view lang, const std::string& template_name,
                const nlohmann::json& params) {
    const core::Locale& locale = locales.get(core::is_supported_language(lang) ? lang : core::kDefaultLanguage);
    const std::string prefix = "notifications." + template_name + ".";
    if (template_name.empty() || !locale.has(prefix + "subject") || !locale.has(prefix + "body"))
        throw UnknownTemplate("no notification template \"" + template_name + "\"");
    const auto data = to_data(params);
    Rendered r;
    r.subject = fill(locale.text(prefix + "subject"), data, prefix + "subject");
    r.text = fill(locale.text(prefix + "body"), data, prefix + "body");
    r.sms = locale.has(prefix + "sms") ? fill(locale.text(prefix + "sms"), data, prefix + "sms") : r.text;
    const std::string& lang_code = locale.code();
    r.html = "<!DOCTYPE html>\n<html lang=\"" + lang_code + "\"><head><meta charset=\"utf-8\"><title>" +
             uslugi::text::html_escape(r.subject) + "</title></head>\n<body>\n" + paragraphs_html(r.text) + "</body></html>\n";
    return r;
}

std::string encode_header_word(std::string_view text) {
    // POCO's encoder: quoted-printable words of at most 75 characters, folded;
    // plain ASCII stays as it is.
    return Poco::Net::MailMessage::encodeWord(std::string(text), "UTF-8");
}

}  // namespace uslugi::notifications
