#pragma once
// The request pipeline every request goes through, in order: request id and
// peer, routing, session, language, CSRF, the handler (exceptions become
// error pages), then security headers, the session cookie, compression,
// metrics and the request log.
#include "core/config.hpp"
#include "http/metrics.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/session_store.hpp"
#include "http/trusted_proxies.hpp"

#include <functional>
#include <memory>

namespace uslugi::http {

inline constexpr std::string_view kSessionCookie = "sid";

class App : public Application {
public:
    App(const core::Config& config, Router& router, const Renderer& renderer, SessionStore& sessions,
        Metrics& metrics)
        : config_(config), router_(router), renderer_(renderer), sessions_(sessions), metrics_(metrics),
          proxies_(TrustedProxies::configured(config.trusted_proxies, config.trust_proxy)) {}

    Plan plan(const RawRequest& header) override;
    Response handle(RawRequest&& raw, const Peer& peer) override;
    Response reject(Status status, std::string_view accept_language, const Peer& peer) override;

    // Gives the request a session (creating an anonymous one if needed); the
    // pipeline sends its cookie with the response.
    SessionData& ensure_session(Request& request);

    // Loads the signed-in account of a session; nullptr when it no longer
    // exists (deleted), which ends the session. Set once before serving.
    using AccountLoader = std::function<std::shared_ptr<const AccountBrief>(std::int64_t account_id)>;
    void set_account_loader(AccountLoader loader) { account_loader_ = std::move(loader); }

private:
    Response run(Request& request);
    bool csrf_ok(Request& request) const;
    void finish(Request& request, Response& response) const;
    void record(const Request* request, std::string_view method, std::string_view path,
                const std::string& route, unsigned status, const std::string& request_id,
                const std::string& ip) const;

    const core::Config& config_;
    Router& router_;
    const Renderer& renderer_;
    SessionStore& sessions_;
    Metrics& metrics_;
    const TrustedProxies proxies_;  // whose X-Forwarded-For/-Proto count
    AccountLoader account_loader_;
};

std::string new_request_id();

}  // namespace uslugi::http
