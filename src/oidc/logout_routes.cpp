// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a site sends
// the user here with its ID token; the user confirms (a POST with the CSRF
// token, so a link or an image cannot sign anyone out), the portal session
// ends, every site the user signed in to through it is told over the back
// channel, and the user goes back to the registered post-logout address.
#include "identity/web.hpp"
#include "oidc/route_kit.hpp"


namespace uslugi::oidc {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr const char* kLogoutFields[] = {"id_token_hint", "client_id", "post_logout_redirect_uri", "state"};

struct LogoutRequest {
    std::string values[4];
};

LogoutRequest logout_request(const http::Params& p) {
    LogoutRequest r;
    for (std::size_t i = 0; i < 4; ++i) r.values[i] = std::string(p.get(kLogoutFields[i]).value_or(""));
    return r;
}

OidcService::LogoutTarget target_of(const Kit& k, const LogoutRequest& r) {
    return k->service.logout_target(r.values[0], r.values[1], r.values[2], r.values[3]);
}

Response signed_out_page(const Kit& k, const Request& req, const OidcService::LogoutTarget& t) {
    if (!t.redirect.empty()) return Response::redirect(t.redirect, Status::see_other);
    Data d;
    d.set("site_name", t.client ? t.client->name : std::string());
    d.set("has_site", t.client.has_value());
    return k->renderer.page(req, "oidc/signed_out", d, k->t(req, "oidc.logout.done_title"));
}

Response confirm_page(const Kit& k, const Request& req, const LogoutRequest& r, const OidcService::LogoutTarget& t) {
    Data d;
    d.set("site_name", t.client ? t.client->name : std::string());
    d.set("has_site", t.client.has_value());
    d.set("account_name", req.account->display_name);
    Data fields{Data::type::list};
    for (std::size_t i = 0; i < 4; ++i) {
        if (r.values[i].empty()) continue;
        Data f;
        f.set("name", std::string(kLogoutFields[i]));
        f.set("value", r.values[i]);
        fields.push_back(f);
    }
    d.set("fields", fields);
    Response page = k->renderer.page(req, "oidc/logout", d, k->t(req, "oidc.logout.title"));
    allow_form_target(page, origin_of(t.redirect));
    return page;
}

}  // namespace

void register_logout_routes(const Kit& k) {
    k->router.get("/oidc/logout", [k](Request& req) {
        const auto r = logout_request(req.query());
        const auto t = target_of(k, r);
        if (!t.ok) return problem_page(k, req, "oidc.problem.bad_logout", Status::bad_request);
        if (!req.account) return signed_out_page(k, req, t);
        return confirm_page(k, req, r, t);
    });
    k->router.post("/oidc/logout", [k](Request& req) {
        const auto r = logout_request(req.form());
        const auto t = target_of(k, r);
        if (!t.ok) return problem_page(k, req, "oidc.problem.bad_logout", Status::bad_request);
        if (req.session && req.session->account_id) {
            // The grants of this sign-in end and the sites are told (OidcService's sign-out hook).
            k->identity.signed_out(identity::context_of(req, k->public_url), *req.session->account_id);
            req.new_session_token = k->sessions.sign_out(*req.session);
            req.account.reset();
        }
        return signed_out_page(k, req, t);
    });
}

}  // namespace uslugi::oidc
