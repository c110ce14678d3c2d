// The back-channel endpoints a site calls with its own credentials: token,
// userinfo, revocation, introspection. No session, no CSRF (no cookie is
// involved); client authentication or a bearer token instead.
#include "oidc/route_kit.hpp"

namespace uslugi::oidc {

using http::Request;
using http::Response;
using http::Status;

namespace {

ClientCredentials credentials_of(Request& req) {
    ClientCredentials c;
    c.authorization = std::string(req.header(http::bhttp::field::authorization));
    const auto& f = req.form();
    c.client_id = std::string(f.get("client_id").value_or(""));
    c.client_assertion_type = std::string(f.get("client_assertion_type").value_or(""));
    c.client_assertion = std::string(f.get("client_assertion").value_or(""));
    return c;
}

bool is_form(const Request& req) {
    return req.header(http::bhttp::field::content_type).substr(0, 33) == "application/x-www-form-urlencoded";
}

// A bearer token from the Authorization header (RFC 6750 §2.1) or a form body (§2.2).
std::string bearer_of(Request& req) {
    const std::string_view auth = req.header(http::bhttp::field::authorization);
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) return std::string(auth.substr(7));
    if (req.method() == http::bhttp::verb::post && is_form(req))
        return std::string(req.form().get("access_token").value_or(""));
    return "";
}

http::RouteOptions back_channel() {
    http::RouteOptions o;
    o.csrf = false;
    o.load_session = false;
    o.body_limit = 64 * 1024;
    return o;
}

// Client endpoints take application/x-www-form-urlencoded only (RFC 6749 §4.1.3).
template <class F>
http::Handler form_endpoint(F f) {
    return [f](Request& req) {
        if (!is_form(req))
            return token_response(TokenAnswer::error(400, "invalid_request",
                                                     "the body must be application/x-www-form-urlencoded"));
        return token_response(f(req));
    };
}

}  // namespace

void register_token_routes(const Kit& k) {
    k->router.post("/oidc/token", form_endpoint([k](Request& req) {
        return k->service.token(credentials_of(req), req.form(), req.remote_ip);
    }), back_channel());
    k->router.post("/oidc/revoke", form_endpoint([k](Request& req) {
        return k->service.revoke(credentials_of(req), req.form());
    }), back_channel());
    k->router.post("/oidc/introspect", form_endpoint([k](Request& req) {
        return k->service.introspect(credentials_of(req), req.form());
    }), back_channel());
    auto userinfo = [k](Request& req) {
        const std::string token = bearer_of(req);
        if (token.empty()) {
            Response r = token_response(TokenAnswer::error(401, "invalid_request", "no access token"));
            r.set_header("WWW-Authenticate", "Bearer realm=\"uslugi\"");
            return r;
        }
        return token_response(k->service.userinfo(token, req.remote_ip));
    };
    k->router.get("/oidc/userinfo", userinfo, back_channel());
    k->router.post("/oidc/userinfo", userinfo, back_channel());
}

}  // namespace uslugi::oidc
