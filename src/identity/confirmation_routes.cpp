// /account/confirm: the ways from "standard" to "confirmed" for the signed-in
// user (nearest service centres first, a registered letter, the online bank,
// and a slot for the qualified signature), and the letter's status on "My details".
// Each page has its /api/v1/account/confirm… twin: one handler calls the
// service, a page presenter and a JSON presenter answer (http/twin_routes.hpp).
#include "identity/confirmation_routes.hpp"

#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/twin_routes.hpp"
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

nlohmann::json letter_json(const ConfirmLetter& l, const core::Locale& locale, std::int64_t now) {
    const bool live = !l.used_at && now < l.expires_at;
    return {{"tracking", l.tracking.empty() ? nlohmann::json() : nlohmann::json(l.tracking)},
            {"status", l.status},
            {"status_text", locale.text("confirmation.mail.status." + l.status)},
            {"address", address_line(l.address)},
            {"ordered_at", core::format_utc(l.created_at)},
            {"expires_at", core::format_utc(l.expires_at)},
            {"used", l.used_at != 0},
            {"expired", !l.used_at && now >= l.expires_at},
            {"can_type_code", live && !l.tracking.empty()},
            {"waiting_for_post", live && l.tracking.empty()}};
}

nlohmann::json centres_json(const std::vector<CentreInfo>& centres) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : centres)
        list.push_back({{"id", c.id}, {"name", c.name}, {"address", c.address}, {"hours", c.hours},
                        {"distance", c.distance.empty() ? nlohmann::json() : nlohmann::json(c.distance)}});
    return list;
}

// What /account/confirm shows, read once so the page and its JSON twin agree.
struct Overview {
    Level level = Level::simplified;
    std::string confirmed_method;
    std::int64_t confirmed_at = 0;
    std::vector<CentreInfo> centres;
    std::optional<ConfirmLetter> letter;
    std::int64_t next_letter_at = 0;
    std::int64_t now = 0;
};

struct Pages {
    const http::Renderer& renderer;
    ConfirmationService& service;
    const CentreDirectory& centres;
    std::string public_url;

    Context ctx(const Request& req) const { return context_of(req, public_url); }
    std::string t(const Request& req, const std::string& key) const { return renderer.locale(req).text(key); }

    Overview overview(const Request& req) const {
        Overview o;
        if (const auto account = service.identity().accounts().find(req.account->id)) {
            o.level = account->level;
            o.confirmed_method = account->confirmed_method;
            o.confirmed_at = account->confirmed_at;
        }
        if (centres.nearest) o.centres = centres.nearest(req, 3);
        o.letter = service.latest_letter(req.account->id);
        o.next_letter_at = service.next_letter_at(req.account->id);
        o.now = core::now_unix();
        return o;
    }

    // The whole /account/confirm page; `d` carries the parts a failed POST shows again.
    Response page(Request& req, Data d, Status status = Status::ok) const {
        return render(req, std::move(d), overview(req), status);
    }

    Response render(Request& req, Data d, const Overview& o, Status status) const {
        const core::Locale& locale = renderer.locale(req);
        d.set("is_confirmed", o.level == Level::confirmed);
        d.set("needs_standard", o.level == Level::simplified);
        d.set("can_confirm", o.level == Level::standard);
        if (o.level == Level::confirmed && !o.confirmed_method.empty())
            d.set("confirmed_by", locale.text("confirmation.method." + o.confirmed_method));
        if (centres.nearest) d.set("centres", centres_data(o.centres));
        if (o.letter) {
            d.set("letter", letter_data(*o.letter, locale, o.now));
            d.set("has_letter", true);
        }
        d.set("can_order", o.next_letter_at <= o.now);
        if (o.next_letter_at > o.now) d.set("next_letter", next_letter_text(locale, o.next_letter_at));
        if (d.get("form") == nullptr) d.set("form", address_form({}, {}, locale));
        const std::string done = req.query().get_or("done", "");
        if (done == "ordered" || done == "confirmed") d.set("done_" + done, true);
        return renderer.page(req, "identity/confirm_ways", d, t(req, "confirmation.title"), status);
    }

    // GET /api/v1/account/confirm: the level, the ways, the letter and the nearest centres.
    Response json(Request& req, const Overview& o) const {
        const core::Locale& locale = renderer.locale(req);
        const bool open = o.level == Level::standard;
        nlohmann::json ways = nlohmann::json::array();
        for (const char* method : {"service_centre", "registered_mail", "qualified_signature", "bank"})
            ways.push_back({{"method", method}, {"title", locale.text("confirmation.method." + std::string(method))},
                            {"available", open}});
        nlohmann::json body = {{"level", to_string(o.level)},
                               {"can_confirm", open},
                               {"ways", ways},
                               {"centres", centres_json(o.centres)},
                               {"letter", o.letter ? letter_json(*o.letter, locale, o.now) : nlohmann::json()},
                               {"can_order_letter", open && o.next_letter_at <= o.now},
                               {"next_letter_at", o.next_letter_at > o.now ? nlohmann::json(core::format_utc(o.next_letter_at))
                                                                           : nlohmann::json()}};
        body["confirmed"] = o.level == Level::confirmed
                                ? nlohmann::json{{"method", o.confirmed_method},
                                                 {"at", o.confirmed_at ? nlohmann::json(core::format_utc(o.confirmed_at))
                                                                       : nlohmann::json()}}
                                : nlohmann::json();
        return Response::json(body);
    }

    Response message(Request& req, const std::string& key, Status status) const {
        Data d;
        d.set("message", t(req, key));
        return page(req, d, status);
    }

    // {"error":{"code":…,"message":…}}: the API's refusal, with the page's text.
    static nlohmann::json error_body(const std::string& code, const std::string& message) {
        return {{"error", {{"code", code}, {"message", message}}}};
    }

    static std::string next_letter_text(const core::Locale& locale, std::int64_t next) {
        return fill(locale.text("confirmation.mail.next_from"), "{date}", long_date(next, locale.code()));
    }
};
using PagesPtr = std::shared_ptr<const Pages>;

void register_overview_routes(http::Router& router, const PagesPtr& pages) {
    http::get_twins(
        router, {"/account/confirm", "/api/v1/account/confirm"},
        [pages](Request& req) { return pages->overview(req); },
        [pages](Request& req, const Overview& o) { return pages->render(req, Data{}, o, Status::ok); },
        [pages](Request& req, const Overview& o) { return pages->json(req, o); }, http::for_signed_in());
}

// ---- registered letter -------------------------------------------------------------------------

struct LetterOrder {
    std::map<std::string, std::string> raw;
    ConfirmationService::Order order;
};

Response order_page(const Pages& p, Request& req, const LetterOrder& o) {
    if (o.order.ok()) return Response::redirect("/account/confirm?done=ordered");
    if (o.order.not_standard) return p.message(req, "confirmation.not_standard", Status::conflict);
    Data d;
    d.set("form", address_form(o.raw, o.order.errors, p.renderer.locale(req)));
    if (!o.order.errors.empty()) return p.page(req, d, Status::unprocessable_entity);
    d.set("message", p.t(req, "confirmation.mail.too_early"));
    return p.page(req, d, Status::conflict);
}

Response order_json(const Pages& p, Request& req, const LetterOrder& o) {
    const core::Locale& locale = p.renderer.locale(req);
    if (o.order.not_standard)
        return Response::json(Pages::error_body("confirmation.not_standard", locale.text("confirmation.not_standard")),
                              Status::conflict);
    if (!o.order.errors.empty()) {
        // A field's code is its locale key's last part: required, too_long, postcode.
        nlohmann::json fields = nlohmann::json::object();
        for (const auto& [field, key] : o.order.errors)
            fields[field] = {{"code", key.substr(key.rfind('.') + 1)}, {"message", locale.text(key)}};
        auto body = Pages::error_body("confirmation.invalid_address", locale.text(o.order.errors.begin()->second));
        body["error"]["fields"] = fields;
        return Response::json(body, Status::unprocessable_entity);
    }
    if (o.order.not_before > 0) {
        auto body = Pages::error_body("confirmation.too_early", locale.text("confirmation.mail.too_early") + " " +
                                                                    Pages::next_letter_text(locale, o.order.not_before));
        body["error"]["next_letter_at"] = core::format_utc(o.order.not_before);
        return Response::json(body, Status::conflict);
    }
    const auto letter = p.service.latest_letter(req.account->id);
    const std::int64_t now = core::now_unix();
    return Response::json({{"ordered", true},
                           {"letter", letter ? letter_json(*letter, locale, now) : nlohmann::json()},
                           {"next_letter_at", core::format_utc(p.service.next_letter_at(req.account->id))}},
                          Status::created);
}

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

std::string code_message(const core::Locale& locale, const ConfirmationService::CodeCheck& r) {
    std::string message = locale.text(code_message_key(r.outcome));
    message = fill(message, "{tries}", std::to_string(r.tries_left));
    return fill(message, "{wait}", wait_text(locale, r.retry_after));
}

Response code_page(const Pages& p, Request& req, const ConfirmationService::CodeCheck& r) {
    if (r.outcome == ConfirmationService::CodeOutcome::confirmed)
        return Response::redirect("/account/confirm?done=confirmed");
    Data d;
    d.set("message", code_message(p.renderer.locale(req), r));
    d.set("code_error", true);
    Response resp = p.page(req, d, code_status(r.outcome));
    if (r.retry_after > 0) resp.set_header("Retry-After", std::to_string(r.retry_after));
    return resp;
}

Response code_json(const Pages& p, Request& req, const ConfirmationService::CodeCheck& r) {
    using O = ConfirmationService::CodeOutcome;
    if (r.outcome == O::confirmed)
        return Response::json({{"confirmed", true}, {"level", "confirmed"}, {"method", "registered_mail"}});
    const std::string code = r.outcome == O::not_standard ? std::string("confirmation.not_standard")
                                                          : "confirmation.code." + std::string(to_string(r.outcome));
    auto body = Pages::error_body(code, code_message(p.renderer.locale(req), r));
    if (r.outcome == O::wrong) body["error"]["tries_left"] = r.tries_left;
    if (r.retry_after > 0) body["error"]["retry_after"] = r.retry_after;
    Response resp = Response::json(body, code_status(r.outcome));
    if (r.retry_after > 0) resp.set_header("Retry-After", std::to_string(r.retry_after));
    return resp;
}

void register_mail_routes(http::Router& router, const PagesPtr& pages) {
    http::post_twins(
        router, {"/account/confirm/mail", "/api/v1/account/confirm/mail"},
        [pages](Request& req) {
            LetterOrder o;
            const FormInput input(req);
            for (const auto& f : address_fields()) o.raw[f] = input.get(f);
            o.order = pages->service.order_letter(pages->ctx(req), req.account->id, o.raw);
            return o;
        },
        [pages](Request& req, const LetterOrder& o) { return order_page(*pages, req, o); },
        [pages](Request& req, const LetterOrder& o) { return order_json(*pages, req, o); }, http::for_signed_in());

    http::post_twins(
        router, {"/account/confirm/mail/code", "/api/v1/account/confirm/mail/code"},
        [pages](Request& req) {
            const std::string code(text::cut_utf8(FormInput(req).get("code"), 64));
            return pages->service.check_letter_code(pages->ctx(req), req.account->id, code);
        },
        [pages](Request& req, const ConfirmationService::CodeCheck& r) { return code_page(*pages, req, r); },
        [pages](Request& req, const ConfirmationService::CodeCheck& r) { return code_json(*pages, req, r); },
        http::for_signed_in());
}

// ---- online bank -------------------------------------------------------------------------------

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

// The trip to the bank: its sign-in address, or "" when the account is not standard.
struct BankTrip {
    std::string url;
};

void register_bank_routes(http::Router& router, const PagesPtr& pages) {
    // The bank always sends the browser back to the page route (an API client
    // opens `redirect` in a browser too), so both twins name the same return.
    http::post_twins(
        router, {"/account/confirm/bank", "/api/v1/account/confirm/bank"},
        [pages](Request& req) {
            const auto account = pages->service.identity().accounts().find(req.account->id);
            if (!account || account->level != Level::standard) return BankTrip{};
            return BankTrip{pages->service.bank_start(pages->ctx(req), req.account->id,
                                                      pages->public_url + "/account/confirm/bank/return")};
        },
        [pages](Request& req, const BankTrip& trip) {
            if (trip.url.empty()) return pages->message(req, "confirmation.not_standard", Status::conflict);
            return Response::redirect(trip.url);
        },
        [pages](Request& req, const BankTrip& trip) {
            if (trip.url.empty())
                return Response::json(
                    Pages::error_body("confirmation.not_standard", pages->t(req, "confirmation.not_standard")),
                    Status::conflict);
            return Response::json({{"redirect", trip.url}});
        },
        http::for_signed_in());

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
    register_overview_routes(router, pages);
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
