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
Response two_factor_page(const SecurityPages& pages, Request& req, const Result* r, Status status) {
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
    return renderer.page(req, "identity/security_two_factor", d, t(req, "security.two_factor.title"), status);
}

// The page of two-step sign-in and the start of SMS codes.
void register_two_factor_choice_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;

    router.get("/account/security/two-factor", [pages](Request& req) {
        return two_factor_page(pages, req, nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/two-factor/sms/start", [security, ctx_of, pages](Request& req) {
        Result r = security->start_sms_two_factor(ctx_of(req), req.account->id);
        if (r.ok()) return Response::redirect("/account/security/two-factor/sms");
        return two_factor_page(pages, req, &r, failed_page_status(r));
    }, http::for_signed_in());
}

// Re-authentication (password and the current code) before a change of two-step sign-in.
void register_reauth_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& api_error = pages.api_error;

    const CodeFlow reauth_flow{"security.reauth.code_title", "security.reauth.code_lead",
                               "/account/security/two-factor/reauth/code",
                               "/account/security/two-factor/reauth/resend", "/account/security/two-factor",
                               "/account/security/two-factor"};

    router.post("/account/security/two-factor/reauth", [security, ctx_of, pages](Request& req) {
        FormInput in(req);
        Result r = security->start_reauth(ctx_of(req), req.account->id, in.get("password"));
        if (r.ok()) return Response::redirect("/account/security/two-factor");
        if (r.outcome == Outcome::second_factor) return Response::redirect("/account/security/two-factor/reauth/code");
        return two_factor_page(pages, req, &r, failed_page_status(r));
    }, http::for_signed_in());

    router.get("/account/security/two-factor/reauth/code",
               [security, reauth_flow, ctx_of, pages](Request& req) {
                   auto v = security->reauth(ctx_of(req), req.account->id);
                   return code_page_or_start(pages, req, reauth_flow, v, nullptr);
               }, http::for_signed_in());

    router.post("/account/security/two-factor/reauth/code",
                [security, reauth_flow, ctx_of, pages](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_reauth(ctx, req.account->id, in.get("code"));
                    if (r.ok()) return Response::redirect("/account/security/two-factor");
                    auto v = r.challenge ? r.challenge : security->reauth(ctx, req.account->id);
                    return code_page_or_start(pages, req, reauth_flow, v, &r);
                }, http::for_signed_in());

    router.post("/account/security/two-factor/reauth/resend",
                [security, reauth_flow, ctx_of, pages](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_reauth(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/two-factor/reauth/code?sent=1");
                    auto v = security->reauth(ctx, req.account->id);
                    return code_page_or_start(pages, req, reauth_flow, v, &r);
                }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/reauth", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->start_reauth(ctx_of(req), req.account->id, in.get("password"));
        if (r.ok()) return Response::json({{"reauthenticated", true}});
        if (r.outcome == Outcome::second_factor && r.challenge)
            return Response::json({{"reauthenticated", false}, {"challenge", challenge_json(*r.challenge)}},
                                  Status::accepted);
        return api_error(req, r);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/reauth/code",
                [security, api_error, ctx_of](Request& req) {
                    FormInput in(req);
                    Result r = security->confirm_reauth(ctx_of(req), req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return Response::json({{"reauthenticated", true}});
                }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/reauth/resend",
                [security, api_error, ctx_of](Request& req) {
                    Result r = security->resend_reauth(ctx_of(req), req.account->id);
                    if (!r.ok()) return api_error(req, r);
                    return Response::json({{"challenge", challenge_json(*r.challenge)}});
                }, http::for_signed_in());
}

// The changes of two-step sign-in themselves: SMS, an app, or off.
void register_two_factor_change_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    http::SessionStore& sessions = pages.sessions;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    const auto& api_error = pages.api_error;

    const CodeFlow sms_flow{"security.two_factor.sms_code_title", "security.two_factor.sms_code_lead",
                            "/account/security/two-factor/sms", "/account/security/two-factor/sms/resend",
                            "/account/security/two-factor"};

    router.get("/account/security/two-factor/sms", [security, sms_flow, ctx_of, pages](Request& req) {
        const Context ctx = ctx_of(req);
        auto c = security->identity().current(ctx, "two_factor_sms");
        if (!c || c->account_id != req.account->id || c->confirmed_at)
            return Response::redirect("/account/security/two-factor");
        return code_page(pages, req, sms_flow, security->identity().view(*c), nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/two-factor/sms",
                [&sessions, security, sms_flow, ctx_of, pages](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_sms_two_factor(ctx, req.account->id, in.get("code"));
                    if (r.ok()) {
                        rotate_session(req, sessions, ctx);
                        return Response::redirect("/account/security?done=two_factor_on");
                    }
                    if (r.outcome == Outcome::reauth_required)
                        return Response::redirect("/account/security/two-factor?reauth=1");
                    if (!r.challenge) return Response::redirect("/account/security/two-factor");
                    return code_page(pages, req, sms_flow, *r.challenge, &r, failed_page_status(r));
                }, http::for_signed_in());

    router.post("/account/security/two-factor/sms/resend",
                [security, sms_flow, ctx_of, pages](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_sms_two_factor(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/two-factor/sms?sent=1");
                    auto c = security->identity().current(ctx, "two_factor_sms");
                    if (!c || c->account_id != req.account->id) return Response::redirect("/account/security/two-factor");
                    return code_page(pages, req, sms_flow, security->identity().view(*c), &r, failed_page_status(r));
                }, http::for_signed_in());

    auto totp_page = [&renderer, security, t, ctx_of](Request& req, const Result* r, Status status) {
        const core::Locale& locale = renderer.locale(req);
        auto setup = security->totp_setup(ctx_of(req), req.account->id, locale.text("layout.portal_name"));
        if (!setup) return Response::redirect("/account/security/two-factor?reauth=1");
        Data d;
        d.set("qr", qr_svg(setup->uri, locale.text("security.totp.qr_label")));
        d.set("secret", grouped(setup->secret_base32));
        if (r) add_result(d, *r, locale);
        return renderer.page(req, "identity/security_totp", d, t(req, "security.totp.title"), status);
    };

    router.get("/account/security/two-factor/app", [totp_page](Request& req) {
        return totp_page(req, nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/two-factor/app", [&sessions, security, totp_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = security->confirm_totp(ctx, req.account->id, in.get("code"));
        if (r.ok()) {
            rotate_session(req, sessions, ctx);
            return Response::redirect("/account/security?done=two_factor_on");
        }
        return totp_page(req, &r, failed_page_status(r));
    }, http::for_signed_in());

    router.post("/account/security/two-factor/off",
                [&sessions, security, ctx_of, pages](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->disable_two_factor(ctx, req.account->id);
                    if (r.ok()) {
                        rotate_session(req, sessions, ctx);
                        return Response::redirect("/account/security?done=two_factor_off");
                    }
                    return two_factor_page(pages, req, &r, failed_page_status(r));
                }, http::for_signed_in());

    // The JSON twin answers a change with the new session's CSRF token (the cookie changed too).
    auto changed_json = [&sessions](Request& req, const Context& ctx, const std::string& mode) {
        rotate_session(req, sessions, ctx);
        return Response::json({{"two_factor", mode}, {"csrf_token", req.session ? req.session->csrf_token : ""}});
    };

    router.post("/api/v1/account/security/two-factor/sms", [security, api_error, ctx_of](Request& req) {
        Result r = security->start_sms_two_factor(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/sms/code",
                [security, api_error, changed_json, ctx_of](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_sms_two_factor(ctx, req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "sms");
                }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/sms/resend", [security, api_error, ctx_of](Request& req) {
        Result r = security->resend_sms_two_factor(ctx_of(req), req.account->id);
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/app", [&renderer, security, ctx_of](Request& req) {
        const core::Locale& locale = renderer.locale(req);
        auto setup = security->totp_setup(ctx_of(req), req.account->id, locale.text("layout.portal_name"));
        if (!setup)
            return Response::json_error(Status::forbidden, "identity.reauth_required",
                                        locale.text("security.error.reauth_required"));
        return Response::json({{"secret", setup->secret_base32}, {"uri", setup->uri}}, Status::accepted);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/app/code",
                [security, api_error, changed_json, ctx_of](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_totp(ctx, req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "totp");
                }, http::for_signed_in());

    router.post("/api/v1/account/security/two-factor/off",
                [security, api_error, changed_json, ctx_of](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->disable_two_factor(ctx, req.account->id);
                    if (!r.ok()) return api_error(req, r);
                    return changed_json(req, ctx, "off");
                }, http::for_signed_in());
}

}  // namespace

// Two-step sign-in: the choice, the re-authentication every change needs, and the changes.
void register_two_factor_routes(const SecurityPages& pages) {
    register_two_factor_choice_routes(pages);
    register_reauth_routes(pages);
    register_two_factor_change_routes(pages);
}

}  // namespace uslugi::identity
