// Recovery's first proof (ID-6): a code or a link sent to the phone or
// e-mail, or SNILS or passport with the security question. Each a page and
// its /api/v1/recover twin; nothing here says whether an account exists.
#include "identity/recovery_kit.hpp"
#include "identity/security_routes.hpp"

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

RecoverForm RecoverForm::question_of(const FormInput& in) {
    RecoverForm f;
    f.id_kind = in.get("id_kind");
    f.id_value = in.get("id_value");
    f.question = in.get("question");
    return f;
}

nlohmann::json proven_json(const std::optional<SecondStep>& s) {
    nlohmann::json out{{"proven", s.has_value()}};
    if (!s) return out;
    out["ready"] = s->done;
    out["second_proof"] = s->proof == SecondProof::none ? nlohmann::json() : nlohmann::json(std::string(to_string(s->proof)));
    if (s->challenge) out["challenge"] = challenge_json(*s->challenge);
    return out;
}

Response proven_or_error(const RouteKit& k, Request& req, const Result& r) {
    if (!r.ok()) return k.api_error(req, r);
    return Response::json(proven_json(k.recovery->second(k.ctx(req))));
}

namespace {

// The page after the first proof: the new password, or first the second proof.
Response after_proof(const RouteKit& k, const Request& req) {
    return Response::redirect(k.recovery->ready(k.ctx(req)) ? "/recover/password" : "/recover/second");
}

// `which`: the form the Result belongs to ("contact" or "question").
Response start_page(const RouteKit& k, Request& req, const RecoverForm& f, const std::string& which, const Result* r,
                    Status status) {
    const core::Locale& locale = k.renderer.locale(req);
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
    return k.renderer.page(req, "identity/recover", d, k.t(req, "security.recover.title"), status);
}

Response code_page(const RouteKit& k, Request& req, const ChallengeView& v, const Result* r, Status status) {
    Data d = code_page_data(v, k.renderer.locale(req));
    if (req.query().get_or("sent", "") == "1") d.set("sent", true);
    if (r) add_result(d, *r, k.renderer.locale(req));
    return k.renderer.page(req, "identity/recover_code", d, k.t(req, "security.recover.code_title"), status);
}

Response link_failed(const RouteKit& k, Request& req, const Result& r) {
    Data d;
    add_result(d, r, k.renderer.locale(req));
    d.set("back", std::string("/recover"));
    return k.renderer.page(req, "identity/security_message", d, k.t(req, "security.recover.link_failed_title"),
                           failed_page_status(r));
}

void register_ways(const Kit& k) {
    k->router.get("/recover", [k](Request& req) {
        k->app.ensure_csrf(req);
        return start_page(*k, req, RecoverForm{}, "", nullptr, Status::ok);
    });
    k->router.get("/api/v1/recover/questions", [k](Request& req) {
        nlohmann::json out = nlohmann::json::array();
        for (auto key : kSecurityQuestions)
            out.push_back({{"key", std::string(key)}, {"text", k->t(req, "security.questions." + std::string(key))}});
        return Response::json({{"questions", out}});
    });
    http::post_twins(
        k->router, {"/recover", "/api/v1/recover"},
        [k](Request& req) { return k->recovery->start(k->ctx(req), FormInput(req).get("contact")); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/recover/code");
            RecoverForm f;
            f.contact = FormInput(req).get("contact");
            return start_page(*k, req, f, "contact", &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) {
            if (!r.ok()) return k->api_error(req, r);
            return Response::json({{"challenge", challenge_json(*r.challenge)}}, Status::accepted);
        });
    http::post_twins(
        k->router, {"/recover/question", "/api/v1/recover/question"},
        [k](Request& req) {
            FormInput in(req);
            const RecoverForm f = RecoverForm::question_of(in);
            return k->recovery->by_question(k->ctx(req), f.id_kind, f.id_value, f.question, in.get("answer"));
        },
        [k](Request& req, const Result& r) {
            if (r.ok()) return after_proof(*k, req);
            return start_page(*k, req, RecoverForm::question_of(FormInput(req)), "question", &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) { return proven_or_error(*k, req, r); });
}

void register_code(const Kit& k) {
    k->router.get("/recover/code", [k](Request& req) {
        const Context ctx = k->ctx(req);
        auto v = k->recovery->current(ctx);
        if (!v) return Response::redirect(k->recovery->proven(ctx) ? "/recover/password" : "/recover");
        return code_page(*k, req, *v, nullptr, Status::ok);
    });
    k->router.get("/api/v1/recover/current", [k](Request& req) {
        const Context ctx = k->ctx(req);
        if (auto s = k->recovery->second(ctx)) return Response::json(proven_json(s));
        auto v = k->recovery->current(ctx);
        if (!v)
            return Response::json_error(Status::not_found, "identity.no_challenge",
                                        k->t(req, "identity.error.no_challenge"));
        return Response::json({{"proven", false}, {"challenge", challenge_json(*v)}});
    });
    http::post_twins(
        k->router, {"/recover/code", "/api/v1/recover/code"},
        [k](Request& req) { return k->recovery->confirm_code(k->ctx(req), FormInput(req).get("code")); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return after_proof(*k, req);
            auto v = r.challenge && !r.challenge->confirmed ? r.challenge : k->recovery->current(k->ctx(req));
            if (!v) return Response::redirect("/recover");
            return code_page(*k, req, *v, &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) { return proven_or_error(*k, req, r); });
    http::post_twins(
        k->router, {"/recover/resend", "/api/v1/recover/resend"},
        [k](Request& req) { return k->recovery->resend(k->ctx(req)); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/recover/code?sent=1");
            auto v = k->recovery->current(k->ctx(req));
            if (!v) return Response::redirect("/recover");
            return code_page(*k, req, *v, &r, failed_page_status(r));
        },
        [k](Request& req, const Result& r) {
            if (!r.ok()) return k->api_error(req, r);
            return Response::json({{"challenge", challenge_json(*r.challenge)}});
        });
}

// The link in the e-mail only shows what it is for; the button POSTs.
void register_link(const Kit& k) {
    k->router.get("/recover/confirm", [k](Request& req) {
        k->app.ensure_csrf(req);  // the button needs a token; nothing is stored until it is pressed
        const std::string token = req.query().get_or("token", "");
        if (auto v = k->identity.peek_link(token, "recover"))
            return link_confirm_page(req, k->renderer, *v, "recover", "/recover/confirm", token);
        return link_failed(*k, req, invalid_link());
    });
    http::post_twins(
        k->router, {"/recover/confirm", "/api/v1/recover/confirm-link"},
        [k](Request& req) { return k->recovery->confirm_link(k->ctx(req), FormInput(req).get("token")); },
        [k](Request& req, const Result& r) {
            if (r.ok()) return after_proof(*k, req);
            return link_failed(*k, req, r);
        },
        [k](Request& req, const Result& r) { return proven_or_error(*k, req, r); });
}

}  // namespace

void register_recovery_start_routes(const Kit& kit) {
    register_ways(kit);
    register_code(kit);
    register_link(kit);
}

}  // namespace uslugi::identity
