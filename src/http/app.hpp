#pragma once
// The request pipeline every request goes through, in order: request id and
// peer, routing, session, language, CSRF, the handler (exceptions become
// error pages), then security headers, the session and CSRF cookies,
// compression, metrics and the request log.
#include "core/config.hpp"
#include "http/csrf.hpp"
#include "http/host_policy.hpp"
#include "http/metrics.hpp"
#include "http/page_cache.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/application.hpp"
#include "http/session_store.hpp"
#include "http/trusted_proxies.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace uslugi::http {

inline constexpr std::string_view kSessionCookie = "sid";

class App : public Application {
public:
    App(const core::Config& config, Router& router, const Renderer& renderer, SessionStore& sessions,
        Metrics& metrics)
        : config_(config), router_(router), renderer_(renderer), sessions_(sessions), metrics_(metrics),
          proxies_(TrustedProxies::configured(config.trusted_proxies, config.trust_proxy)),
          page_cache_(config.page_cache_mb * 1024 * 1024) {}

    Plan plan(const RawRequest& header) override;
    Response handle(RawRequest&& raw, const Peer& peer) override;
    Response reject(Status status, std::string_view accept_language, const Peer& peer) override;

    // Gives the request a session, storing a short-lived anonymous one if there
    // is none: only for what must be remembered (a registration in progress, a
    // preference). The pipeline sends its cookie with the response.
    SessionData& ensure_session(Request& request);
    // Gives a page's forms a CSRF token without storing anything: the session's,
    // or else the visitor's signed CSRF cookie's (made now if missing). Returns it.
    const std::string& ensure_csrf(Request& request);

    // The signed CSRF cookies of visitors without a session. Set once before serving.
    void set_csrf_cookies(const CsrfCookies& csrf) { csrf_cookies_ = &csrf; }

    // Loads the signed-in account of a session; nullptr when it no longer
    // exists (deleted), which ends the session. Set once before serving.
    using AccountLoader = std::function<std::shared_ptr<const AccountBrief>(std::int64_t account_id)>;
    void set_account_loader(AccountLoader loader) { account_loader_ = std::move(loader); }
    // Adds to a loaded account what depends on the session too (the
    // organisation it acts for); runs on every request after the loader.
    using AccountDecorator =
        std::function<std::shared_ptr<const AccountBrief>(std::shared_ptr<const AccountBrief>, const SessionData&)>;
    void add_account_decorator(AccountDecorator d) { account_decorators_.push_back(std::move(d)); }
    // The names the portal answers to; a request naming another host is
    // refused (400). Set once before serving; without it every host passes.
    void set_host_policy(HostPolicy policy) { hosts_ = std::move(policy); }
    // Pages of routes marked `shared`, as visitors without an account see them.
    PageCache& page_cache() { return page_cache_; }

private:
    Response run(Request& request);
    Response run_handler(Request& request, const Route& route);
    Response share(Request& request, const std::string& key, std::uint64_t generation, Response response);
    bool csrf_ok(Request& request) const;
    Response deny(const Request& request, const Access& access, Denial denial) const;
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
    std::vector<AccountDecorator> account_decorators_;
    HostPolicy hosts_;
    const CsrfCookies* csrf_cookies_ = nullptr;
    PageCache page_cache_;
};

std::string new_request_id();

}  // namespace uslugi::http
