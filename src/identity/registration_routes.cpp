// Registration (ID-1): name and contact, the code or the link, the password;
// each step a page and its /api/v1/identity/registrations twin.
#include "identity/route_kit.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

Response signup_form(const RouteKit& k, Request& req, const Data& values, const Result* r, Status status) {
    Data d = values;
    if (r) add_result(d, *r, k.renderer.locale(req));
    return with_retry_after(k.renderer.page(req, "identity/signup", d, k.t(req, "identity.signup.title"), status), r);
}

Response code_page(const RouteKit& k, Request& req, const ChallengeView& v, const Result* r, Status status) {
    Data d = code_page_data(v, k.renderer.locale(req));
    if (r) add_result(d, *r, k.renderer.locale(req));
    if (req.query().get_or("sent", "") == "1") d.set("sent", true);
    return with_retry_after(
        k.renderer.page(req, "identity/signup_code", d, k.t(req, "identity.signup_code.title"), status), r);
}

Response password_page(const RouteKit& k, Request& req, const Result* r, Status status) {
    Data d;
    if (r) add_result(d, *r, k.renderer.locale(req));
    return k.renderer.page(req, "identity/signup_password", d, k.t(req, "identity.signup_password.title"), status);
}

Response link_failed(const RouteKit& k, Request& req, const Result& r) {
    Data d;
    add_result(d, r, k.renderer.locale(req));
    return k.renderer.page(req, "identity/link_failed", d, k.t(req, "identity.link_failed.title"), status_for(r));
}

// Every step of the API answers with where the registration stands.
auto challenge_or_error(const Kit& k, Status status = Status::ok) {
    return [k, status](Request& req, const Result& r) {
        if (!r.ok()) return k->api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, status);
    };
}

void register_start(const Kit& k) {
    k->router.get("/signup", [k](Request& req) {
        if (req.account) return Response::redirect("/account");
        k->app.ensure_csrf(req);
        Data d;
        d.set("in_progress", k->identity.registration(k->ctx(req)).has_value());
        return signup_form(*k, req, d, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/signup", "/api/v1/identity/registrations"},
        [k](Request& req) {
            FormInput in(req);
            return k->identity.start_registration(k->ctx(req), in.get("surname"), in.get("name"), in.get("contact"));
        },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/signup/code");
            FormInput in(req);
            Data d;
            d.set("surname", in.get("surname").substr(0, 200));
            d.set("name", in.get("name").substr(0, 200));
            d.set("contact", in.get("contact").substr(0, 300));
            return signup_form(*k, req, d, &r, failed_page_status(r));
        },
        challenge_or_error(k, Status::created));
    k->router.get("/api/v1/identity/registrations/current", [k](Request& req) {
        auto v = k->identity.registration(k->ctx(req));
        if (!v)
            return Response::json_error(Status::not_found, "identity.no_challenge",
                                        k->t(req, "identity.error.no_challenge"));
        return Response::json({{"challenge", challenge_json(*v)}});
    });
}

void register_code(const Kit& k) {
    k->router.get("/signup/code", [k](Request& req) {
        auto v = k->identity.registration(k->ctx(req));
        if (!v) return Response::redirect("/signup");
        if (v->confirmed) return Response::redirect("/signup/password");
        return code_page(*k, req, *v, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/signup/code", "/api/v1/identity/registrations/current/code"},
        [k](Request& req) { return k->identity.confirm_registration_code(k->ctx(req), FormInput(req).get("code")); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/signup/password");
            // A refusal without the challenge (a wait, a limit) keeps the person on the code step.
            auto v = r.challenge ? r.challenge : k->identity.registration(k->ctx(req));
            if (!v) return Response::redirect("/signup");
            return code_page(*k, req, *v, &r, failed_page_status(r));
        },
        challenge_or_error(k));
    http::post_twins(
        k->router, {"/signup/resend", "/api/v1/identity/registrations/current/resend"},
        [k](Request& req) { return k->identity.resend_registration(k->ctx(req)); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/signup/code?sent=1");
            auto v = k->identity.registration(k->ctx(req));
            if (!v) return Response::redirect("/signup");
            return code_page(*k, req, *v, &r, failed_page_status(r));
        },
        challenge_or_error(k));
}

// The link in the e-mail only shows what it confirms; the button POSTs.
void register_link(const Kit& k) {
    k->router.get("/signup/confirm", [k](Request& req) {
        k->app.ensure_csrf(req);  // the button needs a token; nothing is stored until it is pressed
        const std::string token = req.query().get_or("token", "");
        if (auto v = k->identity.peek_link(token, "register"))
            return link_confirm_page(req, k->renderer, *v, "register", "/signup/confirm", token);
        return link_failed(*k, req, invalid_link());
    });
    http::post_twins(
        k->router, {"/signup/confirm", "/api/v1/identity/registrations/confirm-link"},
        [k](Request& req) { return k->identity.confirm_registration_link(k->ctx(req), FormInput(req).get("token")); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/signup/password");
            return link_failed(*k, req, r);
        },
        challenge_or_error(k));
}

void register_password(const Kit& k) {
    k->router.get("/signup/password", [k](Request& req) {
        auto v = k->identity.registration(k->ctx(req));
        if (!v) return Response::redirect("/signup");
        if (!v->confirmed) return Response::redirect("/signup/code");
        return password_page(*k, req, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/signup/password", "/api/v1/identity/registrations/current/password"},
        [k](Request& req) {
            FormInput in(req);
            const Context ctx = k->ctx(req);
            Result r = k->identity.finish_registration(ctx, in.get("password"), in.get("password_repeat"));
            if (r.ok()) k->sign_in(req, ctx, r.account_id, false, "registration");
            return r;
        },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account?welcome=1");
            if (r.outcome == Outcome::no_challenge) return Response::redirect("/signup");
            return password_page(*k, req, &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) {
            if (!r.ok()) return k->api_error(req, r);
            return signed_in_json(req, Status::created);
        });
}

}  // namespace

void register_registration_routes(const Kit& kit) {
    register_start(kit);
    register_code(kit);
    register_link(kit);
    register_password(kit);
}

}  // namespace uslugi::identity
