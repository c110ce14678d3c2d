#pragma once
// What the groups of sign-up, sign-in, account and recovery routes share
// (registration_routes.cpp, signin_routes.cpp, account_routes.cpp,
// recovery_*_routes.cpp): the services, the request's Context, texts in the
// request's language, the API's error answer and signing a session in.
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "http/twin_routes.hpp"
#include "identity/service.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace uslugi::http {
class RateLimiter;
}

namespace uslugi::identity {

class RecoveryService;

// Handlers hold it through a shared pointer: every reference in it lives as
// long as the server.
struct RouteKit {
    http::Router& router;
    http::App& app;
    const http::Renderer& renderer;
    http::SessionStore& sessions;
    IdentityService& identity;
    RecoveryService* recovery = nullptr;
    std::string public_url;  // links in messages name it, never the request's Host

    Context ctx(const http::Request& req) const { return context_of(req, public_url); }
    std::string t(const http::Request& req, const std::string& key) const { return renderer.locale(req).text(key); }
    http::Response api_error(const http::Request& req, const Result& r) const {
        return api_failure(r, renderer.locale(req));
    }
    // Signs the request's session in after a proof (see complete_sign_in).
    void sign_in(http::Request& req, const Context& ctx, std::int64_t account_id, bool remember,
                 const std::string& method, const Account* known = nullptr) const;
};
using Kit = std::shared_ptr<const RouteKit>;

// {"id","name","level"} of the signed-in account, as every API answer after a sign-in shows it.
nlohmann::json account_json(const http::AccountBrief& a);
// The API's answer to a request that signed the session in.
http::Response signed_in_json(const http::Request& req, http::Status status = http::Status::ok);

// "/signin/code" with the page to return to after it, unless that is the default /account.
std::string with_next(const std::string& path, const std::string& next);
// The page to return to after signing in (a local path; /account by default).
std::string next_of(const http::Request& req);
// A page that asks to wait says how long in the header too, as the API does.
http::Response with_retry_after(http::Response resp, const Result* r);

void register_registration_routes(const Kit& kit);
void register_signin_routes(const Kit& kit);
void register_account_routes(const Kit& kit, http::RateLimiter& limiter);
void register_recovery_start_routes(const Kit& kit);
void register_recovery_finish_routes(const Kit& kit);

}  // namespace uslugi::identity
