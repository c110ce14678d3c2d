#include "organisations/test_routes.hpp"

#include "db/transaction.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::organisations {

void register_test_routes(http::Router& router, identity::IdentityService& identity) {
    // POST {"login": phone | e-mail | SNILS} → {"outcome": "confirmed" | …}
    router.post("/test/organisations/confirm-identity", [&identity](http::Request& req) {
        const auto body = nlohmann::json::parse(req.body(), nullptr, false);
        if (!body.is_object() || !body.contains("login") || !body["login"].is_string())
            return http::Response::json_error(http::Status::bad_request, "test.login", "login expected");
        auto login = identity::parse_login(body["login"].get<std::string>());
        auto id = login ? identity.accounts().find_by_login(*login) : std::nullopt;
        if (!id) return http::Response::json_error(http::Status::not_found, "test.no_account", "no such account");
        identity::Context ctx;
        const auto outcome = db::transact(identity.database(), [&](soci::session& tx) {
            return identity.confirm_identity(tx, ctx, *id, "service_centre", "test");
        });
        identity.wake();
        using O = identity::IdentityService::ConfirmOutcome;
        const char* names[] = {"confirmed", "already_confirmed", "not_standard", "not_active"};
        const int i = outcome == O::confirmed ? 0 : outcome == O::already_confirmed ? 1 : outcome == O::not_standard ? 2 : 3;
        return http::Response::json({{"account_id", *id}, {"outcome", names[i]}});
    }, http::RouteOptions{.csrf = false});
}

}  // namespace uslugi::organisations
