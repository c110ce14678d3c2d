#include "identity/routes.hpp"

#include "identity/recovery_routes.hpp"

#include "identity/route_kit.hpp"

namespace uslugi::identity {

using http::Request;
using http::Response;

std::string next_of(const Request& req) { return http::safe_next(req.query().get_or("next", "/account")); }

std::string with_next(const std::string& path, const std::string& next) {
    return next == "/account" ? path : path + "?next=" + http::url_encode(next);
}

Response with_retry_after(Response resp, const Result* r) {
    if (r && r->retry_after > 0) resp.set_header("Retry-After", std::to_string(r->retry_after));
    return resp;
}

nlohmann::json account_json(const http::AccountBrief& a) {
    return {{"id", a.id}, {"name", a.display_name}, {"level", a.level}, {"roles", a.roles}};
}

Response signed_in_json(const Request& req, http::Status status) {
    return Response::json({{"signed_in", true}, {"account", account_json(*req.account)}}, status);
}

void complete_sign_in(Request& req, http::App& app, http::SessionStore& sessions, IdentityService& service,
                      const Context& ctx, std::int64_t account_id, bool remember, const std::string& method,
                      const Account* known) {
    // A visitor without a session row gets the signed-in one straight away
    // (an anonymous row made here would be replaced at once). App::handle
    // still makes one before every anonymous form post, so today this is
    // for handlers that sign in otherwise.
    if (!req.session) {
        auto fresh = std::make_shared<http::SessionData>();
        fresh->lang = req.lang;
        req.session = std::move(fresh);
    }
    http::SessionData& s = *req.session;
    std::string token;
    service.signed_in(ctx, account_id, method, known, [&](soci::session& tx) {
        token = sessions.sign_in(tx, s, account_id, remember, ctx.ip, ctx.device);
    });
    req.new_session_token = std::move(token);
    req.clear_session_cookie = false;
    req.account = known && known->id == account_id ? IdentityService::brief_of(*known) : service.brief(account_id);
}

void RouteKit::sign_in(Request& req, const Context& ctx, std::int64_t account_id, bool remember,
                       const std::string& method, const Account* known) const {
    complete_sign_in(req, app, sessions, identity, ctx, account_id, remember, method, known);
}

void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                     http::SessionStore& sessions, IdentityService& service, http::RateLimiter& limiter,
                     const core::Config& config) {
    const auto kit = std::make_shared<const RouteKit>(
        RouteKit{router, app, renderer, sessions, service, nullptr, config.public_url});
    register_registration_routes(kit);
    register_signin_routes(kit);
    register_account_routes(kit, limiter);
}

void register_recovery_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                              http::SessionStore& sessions, IdentityService& identity, RecoveryService& recovery,
                              const core::Config& config) {
    const auto kit = std::make_shared<const RouteKit>(
        RouteKit{router, app, renderer, sessions, identity, &recovery, config.public_url});
    register_recovery_start_routes(kit);
    register_recovery_finish_routes(kit);
}

}  // namespace uslugi::identity
