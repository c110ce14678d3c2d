// Recovery after the first proof (ID-6): the second proof when two-step
// sign-in is on, then the new password and the browser signed in. Each a page
// and its /api/v1/recover twin.
#include "identity/recovery_kit.hpp"
#include "identity/security_routes.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

Response second_page(const RouteKit& k, Request& req, const SecondStep& s, const RecoverForm& f, const Result* r,
                     Status status) {
    const core::Locale& locale = k.renderer.locale(req);
    Data d = s.challenge ? code_page_data(*s.challenge, locale) : Data{};
    d.set("is_app", s.proof == SecondProof::app);
    d.set("is_sms", s.proof == SecondProof::sms);
    d.set("is_question", s.proof == SecondProof::question);
    d.set("is_unavailable", s.proof == SecondProof::unavailable);
    d.set("has_code", s.challenge.has_value() && s.challenge->tries_left > 0);
    d.set("no_tries", s.challenge.has_value() && s.challenge->tries_left == 0);
    if (s.proof == SecondProof::question) {
        d.set("id_value", f.id_value.substr(0, 64));
        d.set("by_passport", f.id_kind == "passport");
        d.set("questions", question_list(locale, f.question));
    }
    if (req.query().get_or("sent", "") == "1") d.set("sent", true);
    if (!s.problem.ok()) add_result(d, s.problem, locale);
    if (r) add_result(d, *r, locale);
    const char* title =
        s.proof == SecondProof::unavailable ? "security.recover.lost_title" : "security.recover.second_title";
    return k.renderer.page(req, "identity/recover_second", d, k.t(req, title), status);
}

// The second proof's page (again, after a failed try `r`), or wherever the recovery stands.
Response second_or_onwards(const RouteKit& k, Request& req, const RecoverForm& f, const Result* r) {
    auto s = k.recovery->second(k.ctx(req));
    if (!s) return Response::redirect("/recover");
    if (s->done) return Response::redirect("/recover/password");
    return second_page(k, req, *s, f, r, r ? failed_page_status(*r) : Status::ok);
}

// A page presenter of a second-proof step: on success the password, else the step again.
auto second_presenter(const Kit& k, const char* on_success, bool keeps_question) {
    return [k, on_success, keeps_question](Request& req, const Result& r) {
        if (r.ok()) return Response::redirect(on_success);
        const RecoverForm f = keeps_question ? RecoverForm::question_of(FormInput(req)) : RecoverForm{};
        return second_or_onwards(*k, req, f, &r);
    };
}

auto proven_presenter(const Kit& k) {
    return [k](Request& req, const Result& r) { return proven_or_error(*k, req, r); };
}

void register_second_proof(const Kit& k) {
    k->router.get("/recover/second",
                  [k](Request& req) { return second_or_onwards(*k, req, RecoverForm{}, nullptr); });
    http::post_twins(
        k->router, {"/recover/second", "/api/v1/recover/second/code"},
        [k](Request& req) { return k->recovery->confirm_second_code(k->ctx(req), FormInput(req).get("code")); },
        second_presenter(k, "/recover/password", false), proven_presenter(k));
    http::post_twins(
        k->router, {"/recover/second/question", "/api/v1/recover/second/question"},
        [k](Request& req) {
            FormInput in(req);
            const RecoverForm f = RecoverForm::question_of(in);
            return k->recovery->confirm_second_question(k->ctx(req), f.id_kind, f.id_value, f.question,
                                                        in.get("answer"));
        },
        second_presenter(k, "/recover/password", true), proven_presenter(k));
    http::post_twins(
        k->router, {"/recover/second/resend", "/api/v1/recover/second/resend"},
        [k](Request& req) { return k->recovery->resend_second(k->ctx(req)); },
        second_presenter(k, "/recover/second?sent=1", false), proven_presenter(k));
}

Response password_page(const RouteKit& k, Request& req, const Result* r, Status status) {
    Data d;
    if (r) add_result(d, *r, k.renderer.locale(req));
    return k.renderer.page(req, "identity/recover_password", d, k.t(req, "security.recover.password_title"), status);
}

void register_password(const Kit& k) {
    k->router.get("/recover/password", [k](Request& req) {
        const Context ctx = k->ctx(req);
        if (!k->recovery->proven(ctx)) return Response::redirect("/recover");
        if (!k->recovery->ready(ctx)) return Response::redirect("/recover/second");
        return password_page(*k, req, nullptr, Status::ok);
    });
    http::post_twins(
        k->router, {"/recover/password", "/api/v1/recover/password"},
        [k](Request& req) {
            FormInput in(req);
            const Context ctx = k->ctx(req);
            Result r = k->recovery->finish(ctx, in.get("password"), in.get("password_repeat"));
            if (r.ok()) k->sign_in(req, ctx, r.account_id, false, "recovery");
            return r;
        },
        [k](Request& req, const Result& r) {
            if (r.outcome == Outcome::no_challenge) return Response::redirect("/recover");
            if (r.outcome == Outcome::second_factor) return Response::redirect("/recover/second");
            if (!r.ok()) return password_page(*k, req, &r, failed_page_status(r));
            return Response::redirect("/account/security?done=recovered");
        },
        [k](Request& req, const Result& r) {
            if (r.outcome == Outcome::second_factor)
                return json_result_error(r, k->renderer.locale(req), Status::forbidden);
            if (!r.ok()) return k->api_error(req, r);
            return signed_in_json(req);
        });
}

}  // namespace

void register_recovery_finish_routes(const Kit& kit) {
    register_second_proof(kit);
    register_password(kit);
}

}  // namespace uslugi::identity
