#pragma once
// Reading the e-mails of the local SMTP sink for the demo inbox: the sink is
// aiosmtpd's Mailbox handler, which stores each message as one RFC 5322 file
// in a Maildir (new/, cur/). Headers are unfolded and RFC 2047 encoded words
// decoded; the body is the first text/plain part (or text/html without tags),
// with base64 / quoted-printable undone and the charset converted to UTF-8.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::registries {

struct MailMessage {
    std::string id;  // file name in the Maildir
    std::string from, to, subject, date;
    std::vector<std::string> recipients;  // To, Cc and the envelope (X-RcptTo), lower case
    std::string body;
    std::chrono::system_clock::time_point received{};
};

// "=?UTF-8?B?0J/RgNC40LLQtdGC?= world" → "Привет world". Unknown charsets and
// malformed words are left as they are.
std::string decode_rfc2047(std::string_view value);
std::string decode_quoted_printable(std::string_view in, bool q_encoding = false);
std::string decode_base64(std::string_view in);
// Converts text in `charset` to UTF-8 (iconv); unknown charsets: unchanged.
std::string to_utf8(std::string_view text, std::string_view charset);

MailMessage parse_mail(std::string_view raw);

// The newest `limit` messages of a Maildir (new/ and cur/, or plain files in
// the folder itself), newest first; those for `address` only when it is not
// empty. A missing folder gives an empty list.
std::vector<MailMessage> read_maildir(const std::string& dir, std::string_view address = {}, std::size_t limit = 100);

}  // namespace uslugi::registries
