// /account/confirm: the ways from "standard" to "confirmed" for the signed-in
// user (nearest service centres first, a registered letter, the online bank,
// and a slot for the qualified signature), and the letter's status on "My details".
#include "identity/confirmation_routes.hpp"

#include "core/clock.hpp"
#include "core/time.hpp"
#include "identity/web.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

std::string fill(std::string text, const std::string& placeholder, const std::string& value) {
    if (auto pos = text.find(placeholder); pos != std::string::npos) text.replace(pos, placeholder.size(), value);
    return text;
}

// A day as the page's language writes it («3 января 2027»), in the reader's zone's calendar (UTC here).
std::string long_date(std::int64_t unix_seconds, const std::string& lang) {
    const auto day = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
    return core::format_long_date(core::Date(day), lang);
}

// The letter's state as the user reads it, with tracking number and dates.
Data letter_data(const ConfirmLetter& l, const core::Locale& locale, std::int64_t now) {
    Data d;
    d.set("tracking", l.tracking);
    d.set("has_tracking", !l.tracking.empty());
    d.set("status", locale.text("confirmation.mail.status." + l.status));
    d.set("address", address_line(l.address));
    d.set("ordered_on", long_date(l.created_at, locale.code()));
    d.set("expires_on", long_date(l.expires_at, locale.code()));
    const bool live = !l.used_at && now < l.expires_at;
    d.set("used", l.used_at != 0);
    d.set("expired", !l.used_at && now >= l.expires_at);
    // The code can be typed once the Post has the letter; the form is there before delivery too.
    d.set("can_type_code", live && !l.tracking.empty());
    d.set("waiting_for_post", live && l.tracking.empty());
    return d;
}

Data address_form(const std::map<std::string, std::string>& values, const FieldErrors& errors,
                  const core::Locale& locale) {
    Data d;
    for (const auto& f : address_fields()) {
        auto it = values.find(f);
        d.set(f, it == values.end() ? std::string() : std::string(text::cut_utf8(it->second, 300)));
    }
    add_field_errors(d, errors, locale);
    return d;
}

Data centres_data(const std::vector<CentreInfo>& centres) {
    Data list{Data::type::list};
    for (const auto& c : centres) {
        Data item;
        item.set("name", c.name);
        item.set("address", c.address);
        item.set("hours", c.hours);
        item.set("distance", c.distance);
        item.set("has_distance", !c.distance.empty());
        list.push_back(item);
    }
    return list;
}

struct Pages {
    const http::Renderer& renderer;
    ConfirmationService& service;
    const CentreDirectory& centres;
    std::string public_url;

    Context ctx(const Request& req) const { return context_of(req, public_url); }
    std::string t(const Request& req, const std::string& key) const { return renderer.locale(req).text(key); }

    // The whole /account/confirm page; `extra` fills the parts a failed POST shows again.
    Response page(Request& req, Data d, Status status = Status::ok) const {
        const core::Locale& locale = renderer.locale(req);
        const auto account = service.identity().accounts().find(req.account->id);
        const Level level = account ? account->level : Level::simplified;
        d.set("is_confirmed", level == Level::confirmed);
        d.set("needs_standard", level == Level::simplified);
        d.set("can_confirm", level == Level::standard);
        if (level == Level::confirmed && account)
            d.set("confirmed_by", locale.text("confirmation.method." + account->confirmed_method));
        if (centres.nearest) d.set("centres", centres_data(centres.nearest(req, 3)));
        const std::int64_t now = core::now_unix();
        if (const auto letter = service.latest_letter(req.account->id)) {
            d.set("letter", letter_data(*letter, locale, now));
            d.set("has_letter", true);
        }
        const std::int64_t next = service.next_letter_at(req.account->id);
        d.set("can_order", next <= now);
        if (next > now) d.set("next_letter", fill(locale.text("confirmation.mail.next_from"), "{date}", long_date(next, locale.code())));
        if (d.get("form") == nullptr) d.set("form", address_form({}, {}, locale));
        const std::string done = req.query().get_or("done", "");
        if (done == "ordered" || done == "confirmed") d.set("done_" + done, true);
        return renderer.page(req, "identity/confirm_ways", d, t(req, "confirmation.title"), status);
    }

    Response message(Request& req, const std::string& key, Status status) const {
        Data d;
        d.set("message", t(req, key));
        return page(req, d, status);
    }
};

std::string code_message_key(ConfirmationService::CodeOutcome o) {
    return "confirmation.mail.code_" + std::string(to_string(o));
}

Status code_status(ConfirmationService::CodeOutcome o) {
    using O = ConfirmationService::CodeOutcome;
    switch (o) {
        case O::blocked: return Status::too_many_requests;
        case O::not_standard: return Status::conflict;
        case O::no_letter: return Status::conflict;
        case O::expired:
        case O::used: return Status::gone;
        default: return Status::unprocessable_entity;
    }
}

void register_mail_routes(http::Router& router, const std::shared_ptr<const Pages>& pages) {
    router.post("/account/confirm/mail", [pages](Request& req) {
        std::map<std::string, std::string> raw;
        for (const auto& f : address_fields()) raw[f] = req.form().get_or(f, "");
        const auto order = pages->service.order_letter(pages->ctx(req), req.account->id, raw);
        if (order.ok()) return Response::redirect("/account/confirm?done=ordered");
        if (order.not_standard) return pages->message(req, "confirmation.not_standard", Status::conflict);
        Data d;
        d.set("form", address_form(raw, order.errors, pages->renderer.locale(req)));
        if (!order.errors.empty()) return pages->page(req, d, Status::unprocessable_entity);
        d.set("message", pages->t(req, "confirmation.mail.too_early"));
        return pages->page(req, d, Status::conflict);
    }, http::for_signed_in());

    router.post("/account/confirm/mail/code", [pages](Request& req) {
        const std::string code(text::cut_utf8(req.form().get_or("code", ""), 64));
        const auto r = pages->service.check_letter_code(pages->ctx(req), req.account->id, code);
        if (r.outcome == ConfirmationService::CodeOutcome::confirmed)
            return Response::redirect("/account/confirm?done=confirmed");
        const core::Locale& locale = pages->renderer.locale(req);
        std::string message = locale.text(code_message_key(r.outcome));
        message = fill(message, "{tries}", std::to_string(r.tries_left));
        message = fill(message, "{wait}", wait_text(locale, r.retry_after));
        Data d;
        d.set("message", message);
        d.set("code_error", true);
        Response resp = pages->page(req, d, code_status(r.outcome));
        if (r.retry_after > 0) resp.set_header("Retry-After", std::to_string(r.retry_after));
        return resp;
    }, http::for_signed_in());
}

std::string bank_message_key(ConfirmationService::BankOutcome o) {
    using O = ConfirmationService::BankOutcome;
    switch (o) {
        case O::confirmed: return "";
        case O::mismatch: return "confirmation.bank.mismatch";
        case O::declined: return "confirmation.bank.declined";
        case O::unavailable: return "confirmation.bank.unavailable";
        case O::bad_state: return "confirmation.bank.bad_state";
        case O::not_standard: return "confirmation.not_standard";
        case O::no_profile: return "confirmation.not_standard";
    }
    return "confirmation.bank.declined";
}

Status bank_status(ConfirmationService::BankOutcome o) {
    using O = ConfirmationService::BankOutcome;
    switch (o) {
        case O::mismatch: return Status::unprocessable_entity;
        case O::declined: return Status::forbidden;
        case O::unavailable: return Status::service_unavailable;
        case O::bad_state: return Status::bad_request;
        default: return Status::conflict;
    }
}

void register_bank_routes(http::Router& router, const std::shared_ptr<const Pages>& pages) {
    router.post("/account/confirm/bank", [pages](Request& req) {
        const auto account = pages->service.identity().accounts().find(req.account->id);
        if (!account || account->level != Level::standard)
            return pages->message(req, "confirmation.not_standard", Status::conflict);
        return Response::redirect(
            pages->service.bank_start(pages->ctx(req), req.account->id, pages->public_url + "/account/confirm/bank/return"));
    }, http::for_signed_in());

    // The bank sends the browser back here (a GET, as OAuth-style returns are).
    router.get("/account/confirm/bank/return", [pages](Request& req) {
        const auto r = pages->service.bank_finish(pages->ctx(req), req.account->id, req.query().get_or("state", ""),
                                                  req.query().get_or("code", ""), req.query().get_or("error", ""));
        if (r.outcome == ConfirmationService::BankOutcome::confirmed)
            return Response::redirect("/account/confirm?done=confirmed");
        const core::Locale& locale = pages->renderer.locale(req);
        std::string message = locale.text(bank_message_key(r.outcome));
        if (!r.field.empty()) message = fill(message, "{field}", locale.text("confirmation.field." + r.field));
        Data d;
        d.set("message", message);
        d.set("bank_error", true);
        Response resp = pages->page(req, d, bank_status(r.outcome));
        if (r.outcome == ConfirmationService::BankOutcome::unavailable) resp.set_header("Retry-After", "60");
        return resp;
    }, http::for_signed_in());
}

}  // namespace

void register_confirmation_routes(http::Router& router, const http::Renderer& renderer, ConfirmationService& service,
                                  const CentreDirectory& centres, const core::Config& config) {
    auto pages = std::make_shared<const Pages>(Pages{renderer, service, centres, config.public_url});
    router.get("/account/confirm", [pages](Request& req) { return pages->page(req, Data{}); }, http::for_signed_in());
    register_mail_routes(router, pages);
    register_bank_routes(router, pages);
}

void add_confirmation_summary(Data& d, const Request& req, ConfirmationService& service, const core::Locale& locale) {
    if (const auto letter = service.latest_letter(req.account->id)) {
        d.set("confirm_letter", letter_data(*letter, locale, core::now_unix()));
        d.set("has_confirm_letter", true);
    }
}

}  // namespace uslugi::identity
