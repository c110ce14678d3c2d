#include "http/twin_routes.hpp"
#include "identity/security_pages.hpp"

#include <string>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

Response delete_page(const SecurityPages& pages, Request& req, const Result* r, Status status) {
    Data d;
    if (r) add_result(d, *r, pages.renderer.locale(req));
    return pages.renderer.page(req, "identity/security_delete", d, pages.t(req, "security.delete.title"), status);
}

const CodeFlow& delete_flow() {
    static const CodeFlow flow{"security.delete.code_title", "security.delete.code_lead",
                               "/account/security/delete/code", "/account/security/delete/resend",
                               "/account/security", "/account/security/delete"};
    return flow;
}

// A step that may delete the account: once it is gone and its sessions
// ended, this browser gets a fresh anonymous session.
template <class Step>
auto deleting(const SecurityPages& pages, Step step) {
    return [pages, step](Request& req) {
        Result r = step(pages.ctx_of(req), req);
        if (r.ok()) {
            if (req.session) req.new_session_token = pages.sessions.sign_out(*req.session);
            req.account.reset();
        }
        return r;
    };
}

Response deleted_page(const SecurityPages& pages, Request& req) {
    return pages.renderer.page(req, "identity/security_deleted", Data{}, pages.t(req, "security.delete.done_title"));
}

void register_start(const SecurityPages& pages) {
    pages.router.get("/account/security/delete", [pages](Request& req) {
        return delete_page(pages, req, nullptr, Status::ok);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/delete", "/api/v1/account/security/delete"},
        deleting(pages,
                 [pages](const Context& ctx, Request& req) {
                     FormInput in(req);
                     return pages.security->start_deletion(ctx, req.account->id, in.get("password"),
                                                           in.flag("confirm"));
                 }),
        [pages](Request& req, const Result& r) {
            if (r.ok()) return deleted_page(pages, req);
            if (r.outcome == Outcome::second_factor) return Response::redirect("/account/security/delete/code");
            return delete_page(pages, req, &r, failed_page_status(r));
        },
        [pages](Request& req, const Result& r) {
            if (r.ok()) return Response::json({{"deleted", true}});
            if (r.outcome == Outcome::second_factor)
                return Response::json({{"deleted", false}, {"challenge", challenge_json(*r.challenge)}},
                                      Status::accepted);
            return pages.api_error(req, r);
        },
        http::for_signed_in());
}

void register_code(const SecurityPages& pages) {
    pages.router.get("/account/security/delete/code", [pages](Request& req) {
        auto v = pages.security->deletion(pages.ctx_of(req), req.account->id);
        return code_page_or_start(pages, req, delete_flow(), v, nullptr);
    }, http::for_signed_in());
    http::post_twins(
        pages.router, {"/account/security/delete/code", "/api/v1/account/security/delete/code"},
        deleting(pages,
                 [pages](const Context& ctx, Request& req) {
                     return pages.security->confirm_deletion(ctx, req.account->id, FormInput(req).get("code"));
                 }),
        [pages](Request& req, const Result& r) {
            if (r.ok()) return deleted_page(pages, req);
            auto v = r.challenge ? r.challenge : pages.security->deletion(pages.ctx_of(req), req.account->id);
            return code_page_or_start(pages, req, delete_flow(), v, &r);
        },
        [pages](Request& req, const Result& r) {
            if (!r.ok()) return pages.api_error(req, r);
            return Response::json({{"deleted", true}});
        },
        http::for_signed_in());
    pages.router.post("/account/security/delete/resend", [pages](Request& req) {
        const Context ctx = pages.ctx_of(req);
        Result r = pages.security->resend_deletion(ctx, req.account->id);
        if (r.ok()) return Response::redirect("/account/security/delete/code?sent=1");
        auto v = pages.security->deletion(ctx, req.account->id);
        return code_page_or_start(pages, req, delete_flow(), v, &r);
    }, http::for_signed_in());
}

}  // namespace

// Deletion of the account, confirmed by a code when two-step sign-in is on.
void register_deletion_routes(const SecurityPages& pages) {
    register_start(pages);
    register_code(pages);
}

}  // namespace uslugi::identity
