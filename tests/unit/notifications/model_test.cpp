#include <gtest/gtest.h>

#include <regex>

#include "notifications/channels.hpp"
#include "notifications/model.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::notifications;

namespace {

const core::Locales& locales() {
    static const core::Locales l = [] {
        core::Locales x;
        x.load(test_support::source_dir() + "/locales");
        return x;
    }();
    return l;
}

// A small RFC 2047 decoder for the tests: "=?UTF-8?Q?…?=" and "=?UTF-8?B?…?="
// words, whitespace between adjacent words dropped.
std::string decode_words(const std::string& header) {
    static const std::regex word(R"(=\?([^?]+)\?([QqBb])\?([^?]*)\?=)");
    std::string out, pending_space;
    auto begin = std::sregex_iterator(header.begin(), header.end(), word);
    std::size_t last = 0;
    bool previous_word = false;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const std::string between = header.substr(last, it->position() - last);
        const bool blank = between.find_first_not_of(" \t\r\n") == std::string::npos;
        if (!(previous_word && blank)) out += between;
        const std::string enc = (*it)[2], text = (*it)[3];
        if (enc == "Q" || enc == "q") {
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '_') out += ' ';
                else if (text[i] == '=' && i + 2 < text.size()) {
                    out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
                    i += 2;
                } else out += text[i];
            }
        } else {
            static const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            unsigned buf = 0;
            int bits = 0;
            for (char c : text) {
                if (c == '=') break;
                buf = (buf << 6) | static_cast<unsigned>(b64.find(c));
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    out += static_cast<char>((buf >> bits) & 0xFF);
                }
            }
        }
        last = it->position() + it->length();
        previous_word = true;
    }
    out += header.substr(last);
    return out;
}

OutboxMessage email_row() {
    OutboxMessage m;
    m.id = 42;
    m.channel = ChannelKind::email;
    m.address = "ivan@example.ru";
    m.lang = "ru";
    m.template_name = "account.signin_code";
    return m;
}

}  // namespace

TEST(NotificationRender, FourLanguages) {
    const nlohmann::json params = {{"code", "482913"}};
    const auto ru = render(locales(), "ru", "account.signin_code", params);
    const auto en = render(locales(), "en", "account.signin_code", params);
    const auto de = render(locales(), "de", "account.signin_code", params);
    const auto fr = render(locales(), "fr", "account.signin_code", params);
    EXPECT_EQ(ru.subject, "Код для входа на Услуги: 482913");
    EXPECT_EQ(en.subject, "Your Uslugi sign-in code: 482913");
    EXPECT_EQ(de.subject, "Ihr Anmeldecode für Uslugi: 482913");
    EXPECT_EQ(fr.subject, "Votre code de connexion à Uslugi : 482913");
    EXPECT_EQ(ru.sms, "Код для входа на Услуги: 482913. Никому его не сообщайте.");
    for (const auto* r : {&ru, &en, &de, &fr}) {
        EXPECT_NE(r->text.find("482913"), std::string::npos);
        EXPECT_NE(r->html.find("<p>"), std::string::npos);
        EXPECT_NE(r->html.find("482913"), std::string::npos);
    }
    EXPECT_NE(ru.html.find("lang=\"ru\""), std::string::npos);
    EXPECT_NE(fr.html.find("lang=\"fr\""), std::string::npos);
    // An unsupported language gets Russian.
    EXPECT_EQ(render(locales(), "xx", "account.signin_code", params).subject, ru.subject);
}

TEST(NotificationRender, EveryTemplateExistsInEveryLanguage) {
    for (const char* name : {"test.hello", "account.signin_code", "verification.done"})
        for (const auto lang : core::kLanguages) {
            const auto& l = locales().get(lang);
            for (const char* part : {"subject", "body", "sms"}) {
                const std::string key = std::string("notifications.") + name + "." + part;
                EXPECT_TRUE(l.has(key)) << lang << " lacks " << key;
            }
        }
}

TEST(NotificationRender, ParamsArePlainInTextAndEscapedInHtml) {
    const auto r = render(locales(), "en", "test.hello", {{"name", "<Ivan & Co>"}});
    EXPECT_NE(r.text.find("Hello, <Ivan & Co>!"), std::string::npos) << r.text;
    EXPECT_NE(r.html.find("Hello, &lt;Ivan &amp; Co&gt;!"), std::string::npos) << r.html;
    EXPECT_EQ(r.html.find("<Ivan"), std::string::npos);
}

TEST(NotificationRender, UnknownTemplateIsPermanent) {
    EXPECT_THROW(render(locales(), "ru", "no.such", {}), UnknownTemplate);
    EXPECT_THROW(render(locales(), "ru", "", {}), UnknownTemplate);
}

TEST(NotificationRender, CyrillicSubjectIsEncodedPerRfc2047) {
    const std::string subject = "Код для входа на Госуслуги: 482913";
    const std::string encoded = encode_header_word(subject);
    EXPECT_NE(encoded, subject);
    for (unsigned char c : encoded) EXPECT_LT(c, 0x80) << "only ASCII on the wire";
    EXPECT_EQ(encoded.rfind("=?UTF-8?", 0), 0u) << encoded;
    static const std::regex word(R"(=\?[^?]+\?[QqBb]\?[^?]*\?=)");
    for (auto it = std::sregex_iterator(encoded.begin(), encoded.end(), word); it != std::sregex_iterator(); ++it)
        EXPECT_LE(it->length(), 75) << "an encoded word is at most 75 characters: " << it->str();
    EXPECT_EQ(decode_words(encoded), subject);
    EXPECT_EQ(encode_header_word("Plain ASCII subject"), "Plain ASCII subject");
}

TEST(EmailChannel, ComposesMultipartAlternativeWithStableMessageId) {
    EmailChannel channel(SmtpOptions{});
    const auto row = email_row();
    const auto content = render(locales(), "ru", "account.signin_code", {{"code", "482913"}});
    const std::string wire = channel.compose(row, content);
    EXPECT_NE(wire.find("Message-ID: <notify-42@uslugi.local>"), std::string::npos) << wire;
    EXPECT_NE(wire.find("multipart/alternative"), std::string::npos);
    EXPECT_NE(wire.find("text/plain; charset=UTF-8"), std::string::npos);
    EXPECT_NE(wire.find("text/html; charset=UTF-8"), std::string::npos);
    EXPECT_NE(wire.find("To: <ivan@example.ru>"), std::string::npos) << wire;
    EXPECT_LT(wire.find("text/plain"), wire.find("text/html")) << "the preferred (HTML) part comes last";
    const auto subject_at = wire.find("Subject: ");
    ASSERT_NE(subject_at, std::string::npos);
    std::string subject_header = wire.substr(subject_at + 9);
    // The header ends at a line break not followed by folding whitespace.
    std::size_t end = 0;
    while ((end = subject_header.find("\r\n", end)) != std::string::npos &&
           end + 2 < subject_header.size() && (subject_header[end + 2] == ' ' || subject_header[end + 2] == '\t'))
        end += 2;
    subject_header = subject_header.substr(0, end);
    EXPECT_EQ(decode_words(subject_header), content.subject);
    for (unsigned char c : wire) ASSERT_LT(c, 0x80) << "the message is 7-bit on the wire";
    EXPECT_EQ(channel.compose(row, content).find("Message-ID: <notify-42@uslugi.local>"),
              wire.find("Message-ID: <notify-42@uslugi.local>"));
}

TEST(EmailChannel, UnreachableServerIsRetryable) {
    SmtpOptions o;
    o.port = 1;  // nothing listens there
    o.timeout = std::chrono::milliseconds(500);
    EmailChannel channel(o);
    EXPECT_THROW(channel.deliver(email_row(), render(locales(), "en", "test.hello", {{"name", "x"}})), Retryable);
}
