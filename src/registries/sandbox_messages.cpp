// The SMS gateway and the push service of the sandbox, and the demo inbox: a
// page (clearly marked DEMO) listing, per phone, the SMS and push messages the
// portal sent, the e-mails the local SMTP sink received, and the registered
// letters the Post delivered — so a person trying `make run` reads their codes.
#include "core/time.hpp"
#include "core/validators.hpp"
#include "registries/mailbox.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace uslugi::registries::sandbox {

namespace {

constexpr std::size_t kMaxMessages = 10000;
constexpr std::size_t kMaxSmsChars = 1000;

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

// GSM-7 for plain ASCII (160, or 153 per part), UCS-2 otherwise (70, or 67).
int sms_segments(std::string_view text) {
    const bool ascii = std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; });
    const std::size_t n = code_points(text);
    const std::size_t single = ascii ? 160 : 70, part = ascii ? 153 : 67;
    if (n <= single) return 1;
    return int((n + part - 1) / part);
}

json message_json(const Message& m) {
    json j = {{"id", m.id}, {"channel", m.channel}, {"phone", m.phone}, {"received_at", iso_time(m.received)}};
    if (m.channel == "sms") {
        j["sender"] = m.sender;
        j["text"] = m.text;
        j["segments"] = sms_segments(m.text);
    } else {
        j["title"] = m.title;
        j["body"] = m.text;
    }
    return j;
}

// "2026-11-23 20:05:12 МСК": the demo shows Moscow time.
std::string moscow_time(Clock::time_point t) {
    const std::int64_t at = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
    return core::format_utc_plain(at + core::utc_offset(core::kMoscowTimeZone, at)) + " МСК";
}

// ---- the SMS gateway and the push service

// Takes one message for `channel` ("sms" or "push"), once per idempotency key.
Response accept_message(Sandbox& s, Request& req, const std::string& channel) {
    Body body(req);
    std::string key(req.header("Idempotency-Key"));
    if (key.empty()) key = body.optional_text("message_id", 255).value_or("");
    return s.idempotent(channel + "/messages", key, body.raw().dump(), [&] {
        Message m;
        m.channel = channel;
        m.phone = body.identifier("phone", "mobile_phone");
        if (channel == "sms") {
            m.text = body.text("text", 4 * kMaxSmsChars);
            if (code_points(m.text) > kMaxSmsChars)
                throw ApiError(Status::unprocessable_entity, "sms.text_too_long",
                               fmt::format("an SMS holds at most {} characters", kMaxSmsChars), "text");
            m.sender = body.optional_text("sender", 11).value_or("uslugi");
        } else {
            m.title = body.text("title", 200);
            m.text = body.text("body", 2000);
        }
        m.id = random_id(channel == "sms" ? "sms_" : "push_");
        m.received = Clock::now();
        std::lock_guard lock(s.mutex_);
        s.messages_.push_back(m);
        while (s.messages_.size() > kMaxMessages) s.messages_.pop_front();
        json out = message_json(m);
        out["status"] = "delivered";
        return Response::json(out, Status::accepted);
    });
}

Response list_messages(Sandbox& s, Request& req, const std::string& channel) {
    const auto phone_param = req.query().get("phone");
    if (!phone_param) throw ApiError(Status::bad_request, "request.missing_field", "phone is required", "phone");
    const std::string phone = identifier(*phone_param, "mobile_phone", "phone");
    json out = json::array();
    std::lock_guard lock(s.mutex_);
    for (auto it = s.messages_.rbegin(); it != s.messages_.rend(); ++it)
        if (it->channel == channel && it->phone == phone) out.push_back(message_json(*it));
    return Response::json({{"phone", phone}, {"messages", out}});
}

// E-mails of the SMTP sink, for tests and tools.
Response list_mail(Sandbox& s, Request& req) {
    const std::string to = req.query().get_or("to", "");
    json out = json::array();
    for (const MailMessage& m : read_maildir(s.options().mail_dir, to, 100))
        out.push_back({{"id", m.id}, {"from", m.from}, {"to", m.to}, {"subject", m.subject}, {"date", m.date},
                       {"body", m.body}, {"received_at", iso_time(std::chrono::time_point_cast<Clock::duration>(m.received))}});
    return Response::json({{"messages", out}});
}

// ---- the demo inbox page

// What the inbox shows: everything, or only what reached one phone and/or one address.
struct InboxFilter {
    std::string phone, email;  // normalized; empty when not asked for or not valid
    bool filtered() const { return !phone.empty() || !email.empty(); }
};

// Reads ?phone= and ?email= into the filter, echoing them (and what is wrong with them) on the page.
InboxFilter inbox_filter(const Request& req, http::Data& d) {
    InboxFilter f;
    const std::string phone_input = req.query().get_or("phone", "");
    const std::string email_input = req.query().get_or("email", "");
    d.set("phone", phone_input);
    d.set("email", email_input);
    if (!phone_input.empty()) {
        const auto r = core::validate_mobile_phone(phone_input);
        if (r.valid) f.phone = r.normalized;
        else d.set("phone_error", std::string("Это не номер мобильного телефона."));
    }
    if (!email_input.empty()) {
        const auto r = core::validate_email(email_input);
        if (r.valid) f.email = r.normalized;
        else d.set("email_error", std::string("Это не адрес электронной почты."));
    }
    d.set("filtered", f.filtered());
    d.set("show_messages", f.phone.empty() ? !f.filtered() : true);
    d.set("show_mail", f.email.empty() ? !f.filtered() : true);
    return f;
}

// SMS and push messages (at most 100 of each, newest first) and the phones
// that received any, with links to filter by them. The caller holds the mutex.
void add_messages(const Sandbox& s, const InboxFilter& f, http::Data& d) {
    http::Data sms{http::Data::type::list}, push{http::Data::type::list}, phones{http::Data::type::list};
    std::size_t sms_count = 0, push_count = 0;
    std::map<std::string, int> per_phone;
    for (auto it = s.messages_.rbegin(); it != s.messages_.rend(); ++it) {
        const Message& m = *it;
        ++per_phone[m.phone];
        if (!f.phone.empty() && m.phone != f.phone) continue;
        if (f.phone.empty() && f.filtered()) continue;
        http::Data item;
        item.set("time", moscow_time(m.received));
        item.set("phone", m.phone);
        item.set("text", m.text);
        if (m.channel == "sms") {
            if (sms_count++ >= 100) continue;
            item.set("sender", m.sender);
            sms.push_back(item);
        } else {
            if (push_count++ >= 100) continue;
            item.set("title", m.title);
            push.push_back(item);
        }
    }
    for (const auto& [p, n] : per_phone) {
        http::Data item;
        item.set("phone", p);
        item.set("count", std::to_string(n));
        item.set("href", "/demo/inbox?phone=" + http::url_encode(p));
        item.set("current", p == f.phone);
        phones.push_back(item);
    }
    d.set("has_sms", sms_count > 0);
    d.set("has_push", push_count > 0);
    d.set("has_phones", !phones.is_empty_list());
    d.set("sms", sms);
    d.set("push", push);
    d.set("phones", phones);
}

// Letters that reached the recipient's post office, newest first (at most 50).
// The caller holds the mutex.
void add_letters(const Sandbox& s, Clock::time_point now, http::Data& d) {
    http::Data letters{http::Data::type::list};
    std::size_t letter_count = 0;
    std::vector<const Letter*> arrived;
    for (const auto& [t, l] : s.letters_)
        if (l.accepted + std::chrono::seconds(l.delivery_seconds) <= now) arrived.push_back(&l);
    std::sort(arrived.begin(), arrived.end(), [](auto* a, auto* b) { return a->accepted > b->accepted; });
    for (const Letter* l : arrived) {
        if (letter_count++ >= 50) break;
        const json j = letter_json(*l, now, true);
        http::Data item;
        item.set("tracking", l->tracking);
        const std::string status = j.value("status", "");
        item.set("status", status == "handed_over" ? std::string("вручено")
                           : status == "arrived"   ? std::string("прибыло в место вручения")
                                                   : status);
        item.set("recipient", l->recipient.value("name", ""));
        item.set("address", l->recipient.contains("address") ? l->recipient["address"].value("text", "") : "");
        item.set("content", l->content);
        item.set("time", moscow_time(l->accepted));
        letters.push_back(item);
    }
    d.set("letters", letters);
    d.set("has_letters", letter_count > 0);
}

// E-mails of the SMTP sink (at most 100), unless the filter asks for a phone only.
void add_mails(const Sandbox& s, const InboxFilter& f, http::Data& d) {
    http::Data mails{http::Data::type::list};
    std::size_t mail_count = 0;
    if (!(f.filtered() && f.email.empty())) {
        for (const MailMessage& m : read_maildir(s.options().mail_dir, f.email, 100)) {
            ++mail_count;
            http::Data item;
            item.set("time", moscow_time(std::chrono::time_point_cast<Clock::duration>(m.received)));
            item.set("from", m.from);
            item.set("to", m.to);
            item.set("subject", m.subject.empty() ? std::string("(без темы)") : m.subject);
            item.set("body", m.body);
            mails.push_back(item);
        }
    }
    d.set("mails", mails);
    d.set("has_mails", mail_count > 0);
}

Response show_inbox(Sandbox& s, Request& req) {
    http::Data d;
    const InboxFilter f = inbox_filter(req, d);
    const auto now = Clock::now();
    {
        std::lock_guard lock(s.mutex_);
        add_messages(s, f, d);
        add_letters(s, now, d);
    }
    add_mails(s, f, d);
    d.set("mail_dir", s.options().mail_dir);
    return s.page("inbox", d, "Демо-входящие");
}

}  // namespace

void Sandbox::register_message_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    for (const std::string channel : {"sms", "push"}) {
        router_.post("/" + channel + "/messages",
                     [this, channel](Request& req) { return accept_message(*this, req, channel); }, opts);
        router_.get("/" + channel + "/messages",
                    [this, channel](Request& req) { return list_messages(*this, req, channel); }, opts);
    }
    router_.get("/demo/mail", bind(list_mail), opts);
    router_.get("/demo/inbox", bind(show_inbox), opts);
}

}  // namespace uslugi::registries::sandbox
