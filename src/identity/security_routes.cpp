#include "identity/security_routes.hpp"

#include "identity/security_pages.hpp"

#include <stdexcept>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

void register_security_routes(http::Router& router, const http::Renderer& renderer, http::SessionStore& sessions,
                              SecurityService& security, const core::Config& config) {
    const std::string public_url = config.public_url;
    const SecurityPages pages{
        router, renderer, sessions, &security,
        [public_url](const Request& req) { return context_of(req, public_url); },
        [&renderer](const Request& req, const std::string& key) { return renderer.locale(req).text(key); },
        [&renderer](const Request& req, const Result& r) { return api_failure(r, renderer.locale(req)); }};
    register_overview_routes(pages);
    register_password_routes(pages);
    register_two_factor_routes(pages);
    register_contact_routes(pages);
    register_activity_routes(pages);
    register_deletion_routes(pages);
}

// ---- test routes ------------------------------------------------------------------------------------

void register_security_test_routes(http::Router& router, IdentityService& identity) {
    const http::RouteOptions options{.csrf = false, .load_session = false};

    router.post("/test/identity/access", [&identity](Request& req) {
        const nlohmann::json body = nlohmann::json::parse(req.body(), nullptr, false);
        if (!body.is_object()) throw http::BadRequest("body must be a JSON object");
        AuditEntry e;
        try {
            e.account_id = body.at("account_id").get<std::int64_t>();
            e.actor_kind = body.value("actor_kind", "officer");
            e.actor_id = body.value("actor_id", "");
            e.actor_name = body.value("actor_name", "");
            e.organisation = body.value("organisation", "");
            e.fields = body.value("fields", "");
            e.reason = body.value("reason", "");
            e.action = body.value("action", "data_read");
        } catch (const nlohmann::json::exception& ex) {
            throw http::BadRequest(ex.what());
        }
        try {
            identity.record_access(e);
        } catch (const std::invalid_argument& ex) {
            throw http::BadRequest(ex.what());
        }
        return Response::json({{"recorded", true}}, Status::created);
    }, options);

    router.get("/test/identity/audit/{account}", [&identity](Request& req) {
        std::int64_t account = 0;
        try {
            account = std::stoll(req.param("account"));
        } catch (const std::exception&) {
            throw http::BadRequest("account must be a number");
        }
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : identity.audit().list(account, false, 1000)) {
            auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
            list.push_back({{"at", e.at}, {"actor_kind", e.actor_kind}, {"actor_name", opt(e.actor_name)},
                            {"action", e.action}, {"fields", opt(e.fields)}, {"ip", opt(e.ip)},
                            {"device", opt(e.device)}});
        }
        return Response::json({{"entries", list}});
    }, options);
}

}  // namespace uslugi::identity
