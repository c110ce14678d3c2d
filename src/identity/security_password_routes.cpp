#include "identity/security_pages.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

Data question_list(const core::Locale& locale, const std::string& selected) {
    Data list{Data::type::list};
    for (auto key : kSecurityQuestions) {
        Data item;
        item.set("key", std::string(key));
        item.set("text", locale.text("security.questions." + std::string(key)));
        item.set("selected", selected == key);
        list.push_back(item);
    }
    return list;
}

// The password and the security question.
void register_password_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    const auto& api_error = pages.api_error;

    // ---- password --------------------------------------------------------------------------------

    auto password_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_password", d, t(req, "security.password.title"), status);
    };

    router.get("/account/security/password", [password_page](Request& req) {
        return password_page(req, nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/password", [security, password_page, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->change_password(ctx_of(req), req.account->id, in.get("current_password"),
                                             in.get("password"), in.get("password_repeat"));
        if (r.ok()) return Response::redirect("/account/security?done=password");
        return password_page(req, &r, failed_page_status(r));
    }, http::for_signed_in());

    router.post("/api/v1/account/security/password", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->change_password(ctx_of(req), req.account->id, in.get("current_password"),
                                             in.get("password"), in.get("password_repeat"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"changed", true}, {"other_sessions_ended", true}});
    }, http::for_signed_in());

    // ---- security question -------------------------------------------------------------------------

    auto question_page = [&renderer, security, t](Request& req, const std::string& chosen, const Result* r,
                                                  Status status) {
        auto a = security->identity().accounts().find(req.account->id);
        const std::string current = a ? a->security_question : "";
        Data d;
        d.set("questions", question_list(renderer.locale(req), chosen.empty() ? current : chosen));
        d.set("has_question", is_security_question(current));
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_question", d, t(req, "security.question.title"), status);
    };

    router.get("/account/security/question", [question_page](Request& req) {
        return question_page(req, "", nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/question", [security, question_page, ctx_of](Request& req) {
        FormInput in(req);
        const std::string question = in.get("question");
        Result r = security->change_question(ctx_of(req), req.account->id, in.get("password"), question,
                                             in.get("answer"));
        if (r.ok()) return Response::redirect("/account/security?done=question");
        return question_page(req, question, &r, failed_page_status(r));
    }, http::for_signed_in());

    router.post("/api/v1/account/security/question", [security, api_error, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->change_question(ctx_of(req), req.account->id, in.get("password"), in.get("question"),
                                             in.get("answer"));
        if (!r.ok()) return api_error(req, r);
        return Response::json({{"security_question", in.get("question")}});
    }, http::for_signed_in());
}

}  // namespace uslugi::identity
