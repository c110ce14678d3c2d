#include "http/twin_routes.hpp"
#include "identity/security_pages.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

// "ABCD EFGH …": the secret in groups of four, easier to copy by hand.
std::string grouped(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && i % 4 == 0) out.push_back(' ');
        out.push_back(s[i]);
    }
    return out;
}

// After a change of two-step sign-in this browser gets a new session token and
// CSRF token (the service already ended the account's other sessions), so
// whatever was copied of the old session is worthless.
void rotate_session(Request& req, http::SessionStore& sessions, const Context& ctx) {
    if (!req.session || !req.session->account_id) return;
    req.new_session_token =
        sessions.sign_in(*req.session, *req.session->account_id, req.session->remember, ctx.ip, ctx.device);
}

// The choice of two-step sign-in, with the outcome of the last attempt to change it.
Response two_factor_page(const SecurityPages& pages, Request& req, const Result* r, Status status,
                         bool sms_setup = false) {
    const http::Renderer& renderer = pages.renderer;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    auto a = security->identity().accounts().find(req.account->id);
    if (!a) return renderer.error_page(req, Status::not_found);
    Data d;
    d.set("mode_text", t(req, "security.two_factor.mode." + a->two_factor));
    d.set("is_off", a->two_factor == "off");
    d.set("is_sms", a->two_factor == "sms");
    d.set("is_totp", a->two_factor == "totp");
    d.set("has_phone", !a->phone.empty());
    d.set("reauthenticated", security->reauthenticated(ctx_of(req), req.account->id));
    if (!a->phone.empty()) d.set("phone", mask_contact({ContactKind::phone, a->phone}));
    if (req.query().get_or("reauth", "") == "1" && !r) d.set("message", t(req, "security.error.reauth_required"));
    if (r) add_result(d, *r, renderer.locale(req));
    if (r && sms_setup && sms_refused(*r) && a->two_factor != "totp") d.set("suggest_app", true);
    return renderer.page(req, "identity/security_two_factor", d, t(req, "security.two_factor.title"), status);
}

auto challenge_or_error(const SecurityPages& pages, Status status = Status::ok) {
    return [pages, status](Request& req, const Result& r) {
        if (!r.ok()) return pages.api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, status);
    };
}

// The page of two-step sign-in and the start of SMS codes.
void register_two_factor_choice_routes(const SecurityPages& pages) {
    pages.router.get("/account/security/two-factor", [pages](Request& req) {
        return two_factor_page(pages, req, nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/two-factor/sms/start", "/api/v1/account/security/two-factor/sms"},
        [pages](Request& req) { return pages.security->start_sms_two_factor(pages.ctx_of(req), req.account->id); },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/two-factor/sms");
            return two_factor_page(pages, req, &r, failed_page_status(r), true);
        },
        challenge_or_error(pages, Status::accepted), http::for_signed_in());
}

const CodeFlow& reauth_flow() {
    static const CodeFlow flow{"security.reauth.code_title", "security.reauth.code_lead",
                               "/account/security/two-factor/reauth/code",
                               "/account/security/two-factor/reauth/resend", "/account/security/two-factor",
                               "/account/security/two-factor"};
    return flow;
}

// Re-authentication (password and the current code) before a change of two-step sign-in.
void register_reauth_routes(const SecurityPages& pages) {
    http::post_twins(
        pages.router, {"/account/security/two-factor/reauth", "/api/v1/account/security/two-factor/reauth"},
        [pages](Request& req) {
            return pages.security->start_reauth(pages.ctx_of(req), req.account->id, FormInput(req).get("password"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/two-factor");
            if (r.outcome == Outcome::second_factor)
                return Response::redirect("/account/security/two-factor/reauth/code");
            return two_factor_page(pages, req, &r, failed_page_status(r));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::json({{"reauthenticated", true}});
            if (r.outcome == Outcome::second_factor && r.challenge)
                return Response::json({{"reauthenticated", false}, {"challenge", challenge_json(*r.challenge)}},
                                      Status::accepted);
            return pages.api_error(req, r);
        },
        http::for_signed_in());
    pages.router.get("/account/security/two-factor/reauth/code", [pages](Request& req) {
        auto v = pages.security->reauth(pages.ctx_of(req), req.account->id);
        return code_page_or_start(pages, req, reauth_flow(), v, nullptr);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/two-factor/reauth/code", "/api/v1/account/security/two-factor/reauth/code"},
        [pages](Request& req) {
            return pages.security->confirm_reauth(pages.ctx_of(req), req.account->id, FormInput(req).get("code"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/two-factor");
            auto v = r.challenge ? r.challenge : pages.security->reauth(pages.ctx_of(req), req.account->id);
            return code_page_or_start(pages, req, reauth_flow(), v, &r);
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"reauthenticated", true}});
        },
        http::for_signed_in());
    http::post_twins(
        pages.router,
        {"/account/security/two-factor/reauth/resend", "/api/v1/account/security/two-factor/reauth/resend"},
        [pages](Request& req) { return pages.security->resend_reauth(pages.ctx_of(req), req.account->id); },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/two-factor/reauth/code?sent=1");
            auto v = pages.security->reauth(pages.ctx_of(req), req.account->id);
            return code_page_or_start(pages, req, reauth_flow(), v, &r);
        },
        challenge_or_error(pages), http::for_signed_in());
}

// A change of two-step sign-in that went through rotates this browser's session.
template <class Change>
auto changing(const SecurityPages& pages, Change change) {
    return [pages, change](Request& req) {
        const Context ctx = pages.ctx_of(req);
        Result r = change(ctx, req);
        if (r.ok()) rotate_session(req, pages.sessions, ctx);
        return r;
    };
}

// The JSON twin answers a change with the new session's CSRF token (the cookie changed too).
auto changed_json(const SecurityPages& pages, std::string mode) {
    return [pages, mode](Request& req, const Result& r) {
        if (!r.ok()) return pages.api_error(req, r);
        return Response::json({{"two_factor", mode}, {"csrf_token", req.session ? req.session->csrf_token : ""}});
    };
}

const CodeFlow& sms_flow() {
    static const CodeFlow flow{"security.two_factor.sms_code_title", "security.two_factor.sms_code_lead",
                               "/account/security/two-factor/sms", "/account/security/two-factor/sms/resend",
                               "/account/security/two-factor", "/account/security/two-factor", true};
    return flow;
}

// The SMS code that turns SMS codes on, while it is still pending for this account.
std::optional<ChallengeView> pending_sms(const SecurityPages& pages, const Context& ctx, std::int64_t account_id,
                                         bool unconfirmed_only) {
    auto c = pages.security->identity().current(ctx, "two_factor_sms");
    if (!c || c->account_id != account_id || (unconfirmed_only && c->confirmed_at)) return std::nullopt;
    return pages.security->identity().view(*c);
}

void register_sms_routes(const SecurityPages& pages) {
    pages.router.get("/account/security/two-factor/sms", [pages](Request& req) {
        auto v = pending_sms(pages, pages.ctx_of(req), req.account->id, true);
        if (!v) return Response::redirect("/account/security/two-factor");
        return code_page(pages, req, sms_flow(), *v, nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/two-factor/sms", "/api/v1/account/security/two-factor/sms/code"},
        changing(pages,
                 [pages](const Context& ctx, Request& req) {
                     return pages.security->confirm_sms_two_factor(ctx, req.account->id, FormInput(req).get("code"));
                 }),
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=two_factor_on");
            if (r.outcome == Outcome::reauth_required)
                return Response::redirect("/account/security/two-factor?reauth=1");
            if (!r.challenge) return Response::redirect("/account/security/two-factor");
            return code_page(pages, req, sms_flow(), *r.challenge, &r, failed_page_status(r));
        },
        changed_json(pages, "sms"), http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/two-factor/sms/resend", "/api/v1/account/security/two-factor/sms/resend"},
        [pages](Request& req) { return pages.security->resend_sms_two_factor(pages.ctx_of(req), req.account->id); },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security/two-factor/sms?sent=1");
            auto v = pending_sms(pages, pages.ctx_of(req), req.account->id, false);
            if (!v) return Response::redirect("/account/security/two-factor");
            return code_page(pages, req, sms_flow(), *v, &r, failed_page_status(r));
        },
        challenge_or_error(pages), http::for_signed_in());
}

Response totp_page(const SecurityPages& pages, Request& req, const Result* r, Status status) {
    const core::Locale& locale = pages.renderer.locale(req);
    auto setup =
        pages.security->totp_setup(pages.ctx_of(req), req.account->id, locale.text("layout.portal_name"));
    if (!setup) return Response::redirect("/account/security/two-factor?reauth=1");
    Data d;
    d.set("qr", qr_svg(setup->uri, locale.text("security.totp.qr_label")));
    d.set("secret", grouped(setup->secret_base32));
    if (r) add_result(d, *r, locale);
    return pages.renderer.page(req, "identity/security_totp", d, pages.t(req, "security.totp.title"), status);
}

void register_app_routes(const SecurityPages& pages) {
    pages.router.get("/account/security/two-factor/app", [pages](Request& req) {
        return totp_page(pages, req, nullptr, Status::ok);
    }, http::for_signed_in());
    pages.router.post("/api/v1/account/security/two-factor/app", [pages](Request& req) {
        const core::Locale& locale = pages.renderer.locale(req);
        auto setup =
            pages.security->totp_setup(pages.ctx_of(req), req.account->id, locale.text("layout.portal_name"));
        if (!setup)
            return Response::json_error(Status::forbidden, "identity.reauth_required",
                                        locale.text("security.error.reauth_required"));
        return Response::json({{"secret", setup->secret_base32}, {"uri", setup->uri}}, Status::accepted);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/two-factor/app", "/api/v1/account/security/two-factor/app/code"},
        changing(pages,
                 [pages](const Context& ctx, Request& req) {
                     return pages.security->confirm_totp(ctx, req.account->id, FormInput(req).get("code"));
                 }),
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=two_factor_on");
            return totp_page(pages, req, &r, failed_page_status(r));
        },
        changed_json(pages, "totp"), http::for_signed_in());
}

void register_off_routes(const SecurityPages& pages) {
    http::post_twins(
        pages.router, {"/account/security/two-factor/off", "/api/v1/account/security/two-factor/off"},
        changing(pages,
                 [pages](const Context& ctx, Request& req) {
                     return pages.security->disable_two_factor(ctx, req.account->id);
                 }),
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=two_factor_off");
            return two_factor_page(pages, req, &r, failed_page_status(r));
        },
        changed_json(pages, "off"), http::for_signed_in());
}

}  // namespace

// Two-step sign-in: the choice, the re-authentication every change needs, and the changes (SMS, an app, or off).
void register_two_factor_routes(const SecurityPages& pages) {
    register_two_factor_choice_routes(pages);
    register_reauth_routes(pages);
    register_sms_routes(pages);
    register_app_routes(pages);
    register_off_routes(pages);
}

}  // namespace uslugi::identity
