#include "identity/recovery_routes.hpp"

#include "identity/recovery.hpp"
#include "identity/routes.hpp"
#include "identity/security.hpp"
#include "identity/security_routes.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

// What the visitor typed into the two forms of /recover, shown back after an error.
struct RecoverForm {
    std::string contact, id_kind = "snils", id_value, question;
};

nlohmann::json account_json(const http::AccountBrief& a) {
    return {{"id", a.id}, {"name", a.display_name}, {"level", a.level}};
}

// The page after the first proof: the new password, or first the second proof.
std::string after_proof(RecoveryService& recovery, const Context& ctx) {
    return recovery.ready(ctx) ? "/recover/password" : "/recover/second";
}

// A proven recovery in the API: what is still asked for before the password.
nlohmann::json proven_json(const std::optional<SecondStep>& s) {
    nlohmann::json out{{"proven", s.has_value()}};
    if (!s) return out;
    out["ready"] = s->done;
    out["second_proof"] = s->proof == SecondProof::none ? nlohmann::json() : nlohmann::json(std::string(to_string(s->proof)));
    if (s->challenge) out["challenge"] = challenge_json(*s->challenge);
    return out;
}

}  // namespace

void register_recovery_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                              http::SessionStore& sessions, IdentityService& identity, RecoveryService& recovery_service,
                              const core::Config& config) {
    RecoveryService* const recovery = &recovery_service;
    const std::string public_url = config.public_url;
    auto ctx_of = [public_url](const Request& req) { return context_of(req, public_url); };
    auto t = [&renderer](const Request& req, const std::string& key) { return renderer.locale(req).text(key); };
    auto api_error = [&renderer](const Request& req, const Result& r) { return api_failure(r, renderer.locale(req)); };

    // ---- choosing a way ------------------------------------------------------------------------------

    // `which`: the form the Result belongs to ("contact" or "question").
    auto start_page = [&renderer, t](Request& req, const RecoverForm& f, const std::string& which, const Result* r,
                                     Status status) {
        const core::Locale& locale = renderer.locale(req);
        Data d;
        d.set("contact", f.contact.substr(0, 254));
        d.set("id_value", f.id_value.substr(0, 64));
        d.set("by_passport", f.id_kind == "passport");
        d.set("questions", question_list(locale, f.question));
        if (r) {
            add_field_errors(d, r->errors, locale);
            if (!r->message_key.empty()) {
                std::string text = locale.text(r->message_key);
                if (r->retry_after > 0) text += " " + wait_text(locale, r->retry_after);
                d.set(which + "_message", text);
            }
        }
        return renderer.page(req, "identity/recover", d, t(req, "security.recover.title"), status);
    };

    router.get("/recover", [&app, start_page](Request& req) {
        app.ensure_csrf(req);
        return start_page(req, RecoverForm{}, "", nullptr, Status::ok);
    });

    router.post("/recover", [recovery, start_page, ctx_of](Request& req) {
        FormInput in(req);
        RecoverForm f;
        f.contact = in.get("contact");
        Result r = recovery->start(ctx_of(req), f.contact);
        if (r.ok()) return Response::redirect("/recover/code");
        return start_page(req, f, "contact", &r, failed_page_status(r));
    });

    router.post("/recover/question", [recovery, start_page, ctx_of](Request& req) {
        FormInput in(req);
        RecoverForm f;
        f.id_kind = in.get("id_kind");
        f.id_value = in.get("id_value");
        f.question = in.get("question");
        const Context ctx = ctx_of(req);
        Result r = recovery->by_question(ctx, f.id_kind, f.id_value, f.question, in.get("answer"));
        if (r.ok()) return Response::redirect(after_proof(*recovery, ctx));
        return start_page(req, f, "question", &r, failed_page_status(r));
    });

    // ---- the code or the link ------------------------------------------------------------------------

    auto code_page = [&renderer, t](Request& req, const ChallengeView& v, const Result* r, Status status) {
        Data d = code_page_data(v, renderer.locale(req));
        if (req.query().get_or("sent", "") == "1") d.set("sent", true);
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/recover_code", d, t(req, "security.recover.code_title"), status);
    };

    router.get("/recover/code", [recovery, code_page, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        auto v = recovery->current(ctx);
        if (!v) return Response::redirect(recovery->proven(ctx) ? "/recover/password" : "/recover");
        return code_page(req, *v, nullptr, Status::ok);
    });

    router.post("/recover/code", [recovery, code_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->confirm_code(ctx, in.get("code"));
        if (r.ok()) return Response::redirect(after_proof(*recovery, ctx));
        auto v = r.challenge && !r.challenge->confirmed ? r.challenge : recovery->current(ctx);
        if (!v) return Response::redirect("/recover");
        return code_page(req, *v, &r, failed_page_status(r));
    });

    router.post("/recover/resend", [recovery, code_page, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        Result r = recovery->resend(ctx);
        if (r.ok()) return Response::redirect("/recover/code?sent=1");
        auto v = recovery->current(ctx);
        if (!v) return Response::redirect("/recover");
        return code_page(req, *v, &r, failed_page_status(r));
    });

    auto link_failed = [&renderer](Request& req, const Result& r) {
        Data d;
        add_result(d, r, renderer.locale(req));
        d.set("back", std::string("/recover"));
        return renderer.page(req, "identity/security_message", d,
                             renderer.locale(req).text("security.recover.link_failed_title"), failed_page_status(r));
    };

    // The link in the e-mail only shows what it is for; the button POSTs.
    router.get("/recover/confirm", [&app, &renderer, &identity, link_failed](Request& req) {
        app.ensure_csrf(req);  // the button needs a token; nothing is stored until it is pressed
        const std::string token = req.query().get_or("token", "");
        if (auto v = identity.peek_link(token, "recover"))
            return link_confirm_page(req, renderer, *v, "recover", "/recover/confirm", token);
        return link_failed(req, invalid_link());
    });

    router.post("/recover/confirm", [recovery, ctx_of, link_failed](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->confirm_link(ctx, in.get("token"));
        if (r.ok()) return Response::redirect(after_proof(*recovery, ctx));
        return link_failed(req, r);
    });

    // ---- the second proof (two-step sign-in on) --------------------------------------------------------

    auto second_page = [&renderer, t](Request& req, const SecondStep& s, const RecoverForm& f, const Result* r,
                                      Status status) {
        const core::Locale& locale = renderer.locale(req);
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
        const char* title = s.proof == SecondProof::unavailable ? "security.recover.lost_title"
                                                                : "security.recover.second_title";
        return renderer.page(req, "identity/recover_second", d, t(req, title), status);
    };

    // Shows the second proof's page again after a failed try (or goes where the recovery stands).
    auto second_again = [recovery, second_page](Request& req, const Context& ctx, const RecoverForm& f,
                                                const Result& r) {
        auto s = recovery->second(ctx);
        if (!s) return Response::redirect("/recover");
        if (s->done) return Response::redirect("/recover/password");
        return second_page(req, *s, f, &r, failed_page_status(r));
    };

    router.get("/recover/second", [recovery, second_page, ctx_of](Request& req) {
        auto s = recovery->second(ctx_of(req));
        if (!s) return Response::redirect("/recover");
        if (s->done) return Response::redirect("/recover/password");
        return second_page(req, *s, RecoverForm{}, nullptr, Status::ok);
    });

    router.post("/recover/second", [recovery, second_again, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->confirm_second_code(ctx, in.get("code"));
        if (r.ok()) return Response::redirect("/recover/password");
        return second_again(req, ctx, RecoverForm{}, r);
    });

    router.post("/recover/second/question", [recovery, second_again, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        RecoverForm f;
        f.id_kind = in.get("id_kind");
        f.id_value = in.get("id_value");
        f.question = in.get("question");
        Result r = recovery->confirm_second_question(ctx, f.id_kind, f.id_value, f.question, in.get("answer"));
        if (r.ok()) return Response::redirect("/recover/password");
        return second_again(req, ctx, f, r);
    });

    router.post("/recover/second/resend", [recovery, second_again, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        Result r = recovery->resend_second(ctx);
        if (r.ok()) return Response::redirect("/recover/second?sent=1");
        return second_again(req, ctx, RecoverForm{}, r);
    });

    // ---- the new password ----------------------------------------------------------------------------

    auto password_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/recover_password", d, t(req, "security.recover.password_title"), status);
    };

    router.get("/recover/password", [recovery, password_page, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        if (!recovery->proven(ctx)) return Response::redirect("/recover");
        if (!recovery->ready(ctx)) return Response::redirect("/recover/second");
        return password_page(req, nullptr, Status::ok);
    });

    router.post("/recover/password", [&app, &sessions, &identity, recovery, password_page, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->finish(ctx, in.get("password"), in.get("password_repeat"));
        if (r.outcome == Outcome::no_challenge) return Response::redirect("/recover");
        if (r.outcome == Outcome::second_factor) return Response::redirect("/recover/second");
        if (!r.ok()) return password_page(req, &r, failed_page_status(r));
        complete_sign_in(req, app, sessions, identity, ctx, r.account_id, false, "recovery");
        return Response::redirect("/account/security?done=recovered");
    });

    // ---- JSON API --------------------------------------------------------------------------------------

    router.get("/api/v1/recover/questions", [&renderer](Request& req) {
        nlohmann::json out = nlohmann::json::array();
        for (auto key : kSecurityQuestions)
            out.push_back({{"key", std::string(key)},
                           {"text", renderer.locale(req).text("security.questions." + std::string(key))}});
        return Response::json({{"questions", out}});
    });

    router.post("/api/v1/recover", [recovery, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = recovery->start(ctx_of(req), in.get("contact"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
    });

    router.get("/api/v1/recover/current", [&renderer, recovery, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        if (auto s = recovery->second(ctx)) return Response::json(proven_json(s));
        auto v = recovery->current(ctx);
        if (!v)
            return Response::json_error(Status::not_found, "identity.no_challenge",
                                        renderer.locale(req).text("identity.error.no_challenge"));
        return Response::json({{"proven", false}, {"challenge", challenge_json(*v)}});
    });

    router.post("/api/v1/recover/code", [recovery, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->confirm_code(ctx, in.get("code"));
        if (!r.ok()) return api_error(req, r);
        return Response::json(proven_json(recovery->second(ctx)));
    });

    router.post("/api/v1/recover/resend", [recovery, api_error, ctx_of](Request& req) {
        Result r = recovery->resend(ctx_of(req));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"challenge", challenge_json(*r.challenge)}});
    });

    router.post("/api/v1/recover/confirm-link", [recovery, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->confirm_link(ctx, in.get("token"));
        if (!r.ok()) return api_error(req, r);
        return Response::json(proven_json(recovery->second(ctx)));
    });

    router.post("/api/v1/recover/question", [recovery, api_error, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->by_question(ctx, in.get("id_kind"), in.get("id_value"), in.get("question"),
                                         in.get("answer"));
        if (!r.ok()) return api_error(req, r);
        return Response::json(proven_json(recovery->second(ctx)));
    });

    // The second proof; every answer says where the recovery stands.
    auto second_json = [recovery, api_error](Request& req, const Context& ctx, const Result& r) {
        if (!r.ok()) return api_error(req, r);
        return Response::json(proven_json(recovery->second(ctx)));
    };

    router.post("/api/v1/recover/second/code", [recovery, second_json, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        return second_json(req, ctx, recovery->confirm_second_code(ctx, in.get("code")));
    });

    router.post("/api/v1/recover/second/question", [recovery, second_json, ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        return second_json(req, ctx, recovery->confirm_second_question(ctx, in.get("id_kind"), in.get("id_value"),
                                                                       in.get("question"), in.get("answer")));
    });

    router.post("/api/v1/recover/second/resend", [recovery, second_json, ctx_of](Request& req) {
        const Context ctx = ctx_of(req);
        return second_json(req, ctx, recovery->resend_second(ctx));
    });

    router.post("/api/v1/recover/password", [&app, &sessions, &identity, &renderer, recovery, api_error,
                                              ctx_of](Request& req) {
        FormInput in(req);
        const Context ctx = ctx_of(req);
        Result r = recovery->finish(ctx, in.get("password"), in.get("password_repeat"));
        if (r.outcome == Outcome::second_factor) return json_result_error(r, renderer.locale(req), Status::forbidden);
        if (!r.ok()) return api_error(req, r);
        complete_sign_in(req, app, sessions, identity, ctx, r.account_id, false, "recovery");
        return Response::json({{"signed_in", true}, {"account", account_json(*req.account)}});
    });
}

}  // namespace uslugi::identity
