// Signing in (ID-2): the password, the second step when it is on, and signing
// out; each a page and its /api/v1/identity/signin twin.
#include "identity/route_kit.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

Response signin_form(const RouteKit& k, Request& req, const std::string& login, bool remember, const Result* r,
                     Status status) {
    Data d;
    d.set("login", login.substr(0, 300));
    d.set("remember", remember);
    d.set("next", next_of(req));
    d.set("action", with_next("/signin", next_of(req)));
    if (r) add_result(d, *r, k.renderer.locale(req));
    return with_retry_after(k.renderer.page(req, "identity/signin", d, k.t(req, "identity.signin.title"), status), r);
}

Response second_page(const RouteKit& k, Request& req, const ChallengeView& v, const Result* r, Status status) {
    Data d = code_page_data(v, k.renderer.locale(req));
    d.set("action", with_next("/signin/code", next_of(req)));
    d.set("resend_action", with_next("/signin/resend", next_of(req)));
    if (r) add_result(d, *r, k.renderer.locale(req));
    if (req.query().get_or("sent", "") == "1") d.set("sent", true);
    return with_retry_after(
        k.renderer.page(req, "identity/signin_code", d, k.t(req, "identity.signin_code.title"), status), r);
}

// The second step's page again after a failed try: the challenge `shown`
// (else the pending one), or back to the password when no code is pending.
Response second_again(const RouteKit& k, Request& req, const Result& r, std::optional<ChallengeView> shown) {
    auto v = shown ? shown : k.identity.second_factor(k.ctx(req));
    if (!v) return Response::redirect(with_next("/signin", next_of(req)));
    return second_page(k, req, *v, &r, failed_page_status(r));
}

Response signed_in_or_error(const RouteKit& k, Request& req, const Result& r) {
    if (!r.ok()) return k.api_error(req, r);
    return signed_in_json(req);
}

void register_password_step(const Kit& k) {
    k->router.get("/signin", [k](Request& req) {
        if (req.account) return Response::redirect(next_of(req));
        k->app.ensure_csrf(req);
        return signin_form(*k, req, "", false, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/signin", "/api/v1/identity/signin"},
        [k](Request& req) {
            FormInput in(req);
            const Context ctx = k->ctx(req);
            const bool remember = in.flag("remember");
            Result r = k->identity.sign_in(ctx, in.get("login"), in.get("password"), remember);
            if (r.ok()) k->sign_in(req, ctx, r.account_id, remember, "password", r.account.get());
            return r;
        },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect(next_of(req));
            if (r.outcome == Outcome::second_factor) return Response::redirect(with_next("/signin/code", next_of(req)));
            FormInput in(req);
            return signin_form(*k, req, in.get("login"), in.flag("remember"), &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) {
            if (r.outcome == Outcome::second_factor)
                return Response::json({{"signed_in", false}, {"challenge", challenge_json(*r.challenge)}},
                                      Status::accepted);
            return signed_in_or_error(*k, req, r);
        });
}

void register_second_step(const Kit& k) {
    k->router.get("/signin/code", [k](Request& req) {
        auto v = k->identity.second_factor(k->ctx(req));
        if (!v) return Response::redirect(with_next("/signin", next_of(req)));
        return second_page(*k, req, *v, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/signin/code", "/api/v1/identity/signin/code"},
        [k](Request& req) {
            const Context ctx = k->ctx(req);
            Result r = k->identity.confirm_second_factor(ctx, FormInput(req).get("code"));
            if (r.ok()) k->sign_in(req, ctx, r.account_id, r.remember, "password+code");
            return r;
        },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect(next_of(req));
            return second_again(*k, req, r, r.challenge);
        },
        [k](Request& req, const Result& r) { return signed_in_or_error(*k, req, r); });
    http::post_twins(
        k->router, {"/signin/resend", "/api/v1/identity/signin/resend"},
        [k](Request& req) { return k->identity.resend_second_factor(k->ctx(req)); },
        [k](Request& req, const Result& r) {
            if (!r.ok()) return second_again(*k, req, r, std::nullopt);
            const std::string next = next_of(req);
            return Response::redirect(with_next("/signin/code", next) + (next == "/account" ? "?sent=1" : "&sent=1"));
        },
        [k](Request& req, const Result& r) {
            if (!r.ok()) return k->api_error(req, r);
            return Response::json({{"challenge", challenge_json(*r.challenge)}});
        });
}

void register_sign_out(const Kit& k) {
    auto sign_out = [k](Request& req) {
        if (req.session && req.session->account_id) {
            k->identity.signed_out(k->ctx(req), *req.session->account_id);
            req.new_session_token = k->sessions.sign_out(*req.session);
            req.account.reset();
        }
        if (req.wants_json()) return Response::json({{"signed_in", false}});
        return Response::redirect("/");
    };
    k->router.post("/signout", sign_out);
    k->router.post("/api/v1/identity/signout", sign_out);
}

}  // namespace

void register_signin_routes(const Kit& kit) {
    register_password_step(kit);
    register_second_step(kit);
    register_sign_out(kit);
}

}  // namespace uslugi::identity
