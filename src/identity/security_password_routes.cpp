#include "http/twin_routes.hpp"
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

namespace {

Response password_page(const SecurityPages& pages, Request& req, const Result* r, Status status) {
    Data d;
    if (r) add_result(d, *r, pages.renderer.locale(req));
    return pages.renderer.page(req, "identity/security_password", d, pages.t(req, "security.password.title"), status);
}

Response question_page(const SecurityPages& pages, Request& req, const std::string& chosen, const Result* r,
                       Status status) {
    auto a = pages.security->identity().accounts().find(req.account->id);
    const std::string current = a ? a->security_question : "";
    Data d;
    d.set("questions", question_list(pages.renderer.locale(req), chosen.empty() ? current : chosen));
    d.set("has_question", is_security_question(current));
    if (r) add_result(d, *r, pages.renderer.locale(req));
    return pages.renderer.page(req, "identity/security_question", d, pages.t(req, "security.question.title"), status);
}

void register_password(const SecurityPages& pages) {
    pages.router.get("/account/security/password", [pages](Request& req) {
        return password_page(pages, req, nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/password", "/api/v1/account/security/password"},
        [pages](Request& req) {
            FormInput in(req);
            return pages.security->change_password(pages.ctx_of(req), req.account->id, in.get("current_password"),
                                                   in.get("password"), in.get("password_repeat"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=password");
            return password_page(pages, req, &r, failed_page_status(r));
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"changed", true}, {"other_sessions_ended", true}});
        },
        http::for_signed_in());
}

void register_question(const SecurityPages& pages) {
    pages.router.get("/account/security/question", [pages](Request& req) {
        return question_page(pages, req, "", nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/question", "/api/v1/account/security/question"},
        [pages](Request& req) {
            FormInput in(req);
            return pages.security->change_question(pages.ctx_of(req), req.account->id, in.get("password"),
                                                   in.get("question"), in.get("answer"));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::redirect("/account/security?done=question");
            return question_page(pages, req, FormInput(req).get("question"), &r, failed_page_status(r));
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"security_question", FormInput(req).get("question")}});
        },
        http::for_signed_in());
}

}  // namespace

// The password and the security question.
void register_password_routes(const SecurityPages& pages) {
    register_password(pages);
    register_question(pages);
}

}  // namespace uslugi::identity
