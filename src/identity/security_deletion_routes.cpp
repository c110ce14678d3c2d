#include "identity/security_pages.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

// Deletion of the account, confirmed by a code.
void register_deletion_routes(const SecurityPages& pages) {
    http::Router& router = pages.router;
    const http::Renderer& renderer = pages.renderer;
    http::SessionStore& sessions = pages.sessions;
    SecurityService* const security = pages.security;
    const auto& ctx_of = pages.ctx_of;
    const auto& t = pages.t;
    const auto& api_error = pages.api_error;

    // ---- deletion ---------------------------------------------------------------------------------------

    // The account is gone and its sessions ended: this browser gets a fresh anonymous session.
    auto deleted_page = [&renderer, &sessions, t](Request& req) {
        if (req.session) req.new_session_token = sessions.sign_out(*req.session);
        req.account.reset();
        if (req.wants_json()) return Response::json({{"deleted", true}});
        return renderer.page(req, "identity/security_deleted", Data{}, t(req, "security.delete.done_title"));
    };

    auto delete_page = [&renderer, t](Request& req, const Result* r, Status status) {
        Data d;
        if (r) add_result(d, *r, renderer.locale(req));
        return renderer.page(req, "identity/security_delete", d, t(req, "security.delete.title"), status);
    };

    router.get("/account/security/delete", [delete_page](Request& req) {
        return delete_page(req, nullptr, Status::ok);
    }, http::for_signed_in());

    router.post("/account/security/delete", [security, delete_page, deleted_page, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->start_deletion(ctx_of(req), req.account->id, in.get("password"), in.flag("confirm"));
        if (r.ok()) return deleted_page(req);
        if (r.outcome == Outcome::second_factor) return Response::redirect("/account/security/delete/code");
        return delete_page(req, &r, failed_page_status(r));
    }, http::for_signed_in());

    const CodeFlow delete_flow{"security.delete.code_title", "security.delete.code_lead",
                               "/account/security/delete/code", "/account/security/delete/resend",
                               "/account/security", "/account/security/delete"};

    router.get("/account/security/delete/code", [security, delete_flow, ctx_of, pages](Request& req) {
        auto v = security->deletion(ctx_of(req), req.account->id);
        return code_page_or_start(pages, req, delete_flow, v, nullptr);
    }, http::for_signed_in());

    router.post("/account/security/delete/code",
                [security, delete_flow, deleted_page, ctx_of, pages](Request& req) {
                    FormInput in(req);
                    const Context ctx = ctx_of(req);
                    Result r = security->confirm_deletion(ctx, req.account->id, in.get("code"));
                    if (r.ok()) return deleted_page(req);
                    auto v = r.challenge ? r.challenge : security->deletion(ctx, req.account->id);
                    return code_page_or_start(pages, req, delete_flow, v, &r);
                }, http::for_signed_in());

    router.post("/account/security/delete/resend",
                [security, delete_flow, ctx_of, pages](Request& req) {
                    const Context ctx = ctx_of(req);
                    Result r = security->resend_deletion(ctx, req.account->id);
                    if (r.ok()) return Response::redirect("/account/security/delete/code?sent=1");
                    auto v = security->deletion(ctx, req.account->id);
                    return code_page_or_start(pages, req, delete_flow, v, &r);
                }, http::for_signed_in());

    router.post("/api/v1/account/security/delete", [security, api_error, deleted_page, ctx_of](Request& req) {
        FormInput in(req);
        Result r = security->start_deletion(ctx_of(req), req.account->id, in.get("password"), in.flag("confirm"));
        if (r.ok()) return deleted_page(req);
        if (r.outcome == Outcome::second_factor)
            return Response::json({{"deleted", false}, {"challenge", challenge_json(*r.challenge)}}, Status::accepted);
        return api_error(req, r);
    }, http::for_signed_in());

    router.post("/api/v1/account/security/delete/code",
                [security, api_error, deleted_page, ctx_of](Request& req) {
                    FormInput in(req);
                    Result r = security->confirm_deletion(ctx_of(req), req.account->id, in.get("code"));
                    if (!r.ok()) return api_error(req, r);
                    return deleted_page(req);
                }, http::for_signed_in());
}

}  // namespace uslugi::identity
