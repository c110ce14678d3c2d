#include "http/app.hpp"

#include "db/statement_counter.hpp"

#include <cstdlib>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "http/compress.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace uslugi::http {

namespace {
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'";
constexpr std::size_t kCompressMinBytes = 1024;
// A page rendered for one request is compressed for that request alone:
// libdeflate's level 1 costs about half of its level 6 and a third of zlib's
// level 5 (instructions counted on the 14 KB home page), for 7 % more bytes.
constexpr int kDynamicGzipLevel = 1;

bool is_state_changing(bhttp::verb v) {
    return v == bhttp::verb::post || v == bhttp::verb::put || v == bhttp::verb::patch ||
           v == bhttp::verb::delete_;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
}  // namespace

// Request ids only have to be unique enough to find a request in the log, not
// secret: a per-thread generator seeded once from the CSPRNG saves a system
// call per request.
std::string new_request_id() {
    thread_local std::uint64_t state = [] {
        std::uint64_t seed = 0;
        const std::string bytes = core::random_bytes(sizeof seed);
        std::memcpy(&seed, bytes.data(), sizeof seed);
        return seed;
    }();
    // splitmix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return fmt::format("{:016x}", z);
}

Application::Plan App::plan(const RawRequest& header) {
    Plan p;
    const RouteMatch m = router_.match(header.method(), path_of(header.target()), nullptr);
    if (m.route) {
        const RouteOptions& o = m.route->options;
        p.body_limit = o.body_limit;
        // A non-blocking handler runs right on the I/O thread unless a session
        // has to be read from the database first.
        const bool needs_session = o.load_session &&
                                   header[bhttp::field::cookie].find(std::string(kSessionCookie) + "=") != std::string_view::npos;
        p.on_io_thread = o.on_io_thread || (o.non_blocking && !needs_session);
    }
    return p;
}

SessionData& App::ensure_session(Request& request) {
    if (!request.session) {
        // The session takes over the CSRF cookie's token, so forms and API
        // clients that already hold it keep working once the row exists.
        auto s = std::make_shared<SessionData>();
        request.new_session_token = sessions_.create(*s, request.lang, request.anonymous_csrf);
        request.session = std::move(s);
    }
    return *request.session;
}

const std::string& App::ensure_csrf(Request& request) {
    if (request.session) return request.session->csrf_token;
    if (request.anonymous_csrf.empty()) {
        if (!csrf_cookies_) throw std::logic_error("App::set_csrf_cookies was not called");
        CsrfCookies::Issued issued = csrf_cookies_->issue();
        request.anonymous_csrf = std::move(issued.token);
        request.new_csrf_cookie = std::move(issued.cookie);
    }
    return request.anonymous_csrf;
}

Response App::handle(RawRequest&& raw, const Peer& peer) {
    const std::string request_id = new_request_id();
    const std::string method(raw.method_string());
    const std::string target(raw.target());
    const std::string accept_language(raw[bhttp::field::accept_language]);
    // Every X-Forwarded-For field, in order: a proxy may add its own line
    // after the client's rather than extend the client's.
    std::string forwarded_for;
    for (auto [it, end] = raw.equal_range("X-Forwarded-For"); it != end; ++it)
        forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(it->value());
    const ClientOrigin origin = proxies_.resolve(peer.ip, forwarded_for, raw["X-Forwarded-Proto"]);
    std::optional<Request> request;
    Response response;
    try {
        request.emplace(std::move(raw));
        request->request_id = request_id;
        request->remote_ip = origin.ip;
        request->secure = origin.secure;
        const std::uint64_t statements = db::statements_on_this_thread();
        response = run(*request);
        // A debug figure for benches and tests: the SQL statements this request ran.
        static const bool show_statements = std::getenv("USLUGI_DEBUG_SQL_COUNT") != nullptr;
        if (show_statements)
            response.set_header("X-Debug-Sql-Statements", std::to_string(db::statements_on_this_thread() - statements));
    } catch (const BadRequest&) {
        // The target itself was malformed; no Request could be built.
        std::string lang = core::Locales::negotiate(accept_language);
        response = renderer_.bare_error_page(Status::bad_request, lang.empty() ? "ru" : lang, request_id);
    }
    if (request) {
        finish(*request, response);
        record(&*request, method, path_of(target), request->route_pattern, static_cast<unsigned>(response.status),
               request_id, request->remote_ip);
    } else {
        response.set_header("Content-Security-Policy", kContentSecurityPolicy);
        response.set_header("X-Content-Type-Options", "nosniff");
        record(nullptr, method, path_of(target), "unmatched", static_cast<unsigned>(response.status), request_id, peer.ip);
    }
    return response;
}

Response App::run(Request& request) {
    // Health probes of a load balancer may name the instance by its address.
    if (!hosts_.allows(request.header(bhttp::field::host)) && request.path() != "/healthz") {
        request.route_pattern = "misdirected";
        const std::string lang = core::Locales::negotiate(request.header(bhttp::field::accept_language));
        return renderer_.bare_error_page(Status::bad_request, lang.empty() ? "ru" : lang, request.request_id);
    }
    const RouteMatch match = router_.match(request.method(), request.path(), &request.path_params);
    const RouteOptions options = match.route ? match.route->options : RouteOptions{};
    request.route_pattern = match.route ? match.route->pattern : "unmatched";

    // Session and language; a failing database must not hide the error page.
    try {
        if (options.load_session) {
            if (auto token = request.cookie(kSessionCookie)) {
                if (auto found = sessions_.find(std::string(*token)))
                    request.session = std::make_shared<SessionData>(std::move(*found));
                else
                    request.clear_session_cookie = true;
            }
            if (request.session && request.session->account_id && account_loader_) {
                request.account = account_loader_(*request.session->account_id);
                for (const auto& decorate : account_decorators_)
                    if (request.account) request.account = decorate(request.account, *request.session);
                if (!request.account) {  // the account was deleted: its sessions end
                    sessions_.destroy(request.session->id_hash);
                    request.session.reset();
                    request.clear_session_cookie = true;
                }
            }
        }
    } catch (const std::exception& e) {
        core::app_log().error("request {}: session lookup failed: {}", request.request_id, e.what());
        return renderer_.error_page(request, Status::service_unavailable);
    }
    if (!request.session && csrf_cookies_) {
        if (auto cookie = request.cookie(kCsrfCookie)) request.anonymous_csrf = csrf_cookies_->token_for(*cookie);
    }
    if (request.session && core::is_supported_language(request.session->lang)) {
        request.lang = request.session->lang;
    } else if (std::string negotiated = core::Locales::negotiate(request.header(bhttp::field::accept_language));
               !negotiated.empty()) {
        request.lang = negotiated;
    }
    // Only a zone the settings form offers is taken from a session: a row written
    // by an older release or by hand must not break every page showing a time.
    request.time_zone = request.session && core::is_russian_time_zone(request.session->time_zone)
                            ? request.session->time_zone
                            : config_.time_zone;

    if (request.method() == bhttp::verb::unknown) {
        return renderer_.error_page(request, Status::not_implemented);
    }
    if (!match.route) {
        if (match.path_matched) {
            Response r = request.wants_json()
                             ? Response::json_error(Status::method_not_allowed, "http.method_not_allowed",
                                                    renderer_.locale(request).text("errors.405.text"))
                             : renderer_.error_page(request, Status::method_not_allowed);
            std::string allow;
            for (auto v : match.allowed) allow += (allow.empty() ? "" : ", ") + std::string(bhttp::to_string(v));
            r.set_header("Allow", allow);
            return r;
        }
        if (request.wants_json())
            return Response::json_error(Status::not_found, "http.not_found",
                                        renderer_.locale(request).text("errors.404.text"));
        return renderer_.error_page(request, Status::not_found);
    }

    try {
        if (options.csrf && is_state_changing(request.method()) && !csrf_ok(request)) {
            if (request.wants_json())
                return Response::json_error(Status::forbidden, "csrf.invalid",
                                            renderer_.locale(request).text("errors.csrf.text"));
            return renderer_.error_page(request, Status::forbidden, "errors.csrf.text");
        }
        if (const Denial denial = check_access(options.access, request.account.get()); denial != Denial::none)
            return deny(request, options.access, denial);
        // An anonymous form sent (CSRF passed on the signed cookie) nearly always
        // starts something the next request must find: a registration, a
        // recovery, a preference. Only now does the visitor cost a row.
        if (options.csrf && options.load_session && is_state_changing(request.method()) && !request.session)
            ensure_session(request);
        return run_handler(request, *match.route);
    } catch (const core::UserError& e) {
        const auto status = static_cast<Status>(e.status());
        if (request.wants_json())
            return Response::json_error(status, e.code(), renderer_.locale(request).text(e.message_key()));
        return renderer_.error_page(request, status, e.message_key());
    } catch (const BadRequest& e) {
        if (request.wants_json())
            return Response::json_error(Status::bad_request, "http.bad_request",
                                        renderer_.locale(request).text("errors.400.text"));
        return renderer_.error_page(request, Status::bad_request);
    } catch (const db::PoolExhausted& e) {
        core::app_log().error("request {}: {}", request.request_id, e.what());
        return renderer_.error_page(request, Status::service_unavailable);
    } catch (const std::exception& e) {
        core::app_log().error("request {} {} {} failed: {}", request.request_id, request.method_name(),
                              request.path(), e.what());
        if (request.wants_json())
            return Response::json_error(Status::internal_server_error, "http.internal_error",
                                        renderer_.locale(request).text("errors.500.text") +
                                            " (" + request.request_id + ")");
        return renderer_.error_page(request, Status::internal_server_error);
    }
}

namespace {
// Everything a shared page may differ by besides its target: the answer's
// kind (a page or JSON), the language and the session's view preferences.
std::string shared_page_key(const Request& request) {
    std::string key;
    key.reserve(request.target().size() + 64);
    key.append(request.target()).append(1, '\n').append(request.lang).append(1, '\n');
    key.append(request.wants_json() ? "json" : "html").append(1, '\n').append(request.time_zone).append(1, '\n');
    if (request.session) key.append(request.session->view_key());
    return key;
}
}  // namespace

Response App::run_handler(Request& request, const Route& route) {
    const bool shared = route.options.shared && !request.account &&
                        (request.method() == bhttp::verb::get || request.method() == bhttp::verb::head);
    if (!shared) return route.handler(request);
    const std::string key = shared_page_key(request);
    if (auto hit = page_cache_.find(key))
        return hit->answer(request.header(bhttp::field::accept_encoding), request.header(bhttp::field::if_none_match));
    // Read before rendering: a catalog swapped meanwhile must not leave this page behind.
    const std::uint64_t generation = page_cache_.generation();
    return share(request, key, generation, route.handler(request));
}

// A page rendered for one visitor becomes everyone's unless it carries
// something of that visitor's own: a new cookie or their CSRF token.
Response App::share(Request& request, const std::string& key, std::uint64_t generation, Response response) {
    if (!request.new_csrf_cookie.empty() || !request.new_session_token.empty() || request.clear_session_cookie)
        return response;
    const std::string& token = request.session ? request.session->csrf_token : request.anonymous_csrf;
    if (!token.empty() && response.body.find(token) != std::string::npos) return response;
    auto page = PageCache::keep(response);
    if (!page) return response;
    page_cache_.store(key, page, generation);
    return page->answer(request.header(bhttp::field::accept_encoding), request.header(bhttp::field::if_none_match));
}

// The pages are identity's: /signin takes the visitor back to `next` once
// signed in, /access explains how to reach a level. The JSON codes are part of
// the API (docs/openapi.yaml).
Response App::deny(const Request& request, const Access& access, Denial denial) const {
    const core::Locale& locale = renderer_.locale(request);
    const std::string next = url_encode(request.target());
    switch (denial) {
        case Denial::sign_in:
            if (request.wants_json())
                return Response::json_error(Status::unauthorized, "identity.signin_required",
                                            locale.text("errors.signin_required"));
            return Response::redirect("/signin?next=" + next);
        case Denial::level:
            if (request.wants_json())
                return Response::json_error(Status::forbidden, "identity.level_required",
                                            locale.text("errors.level_required"));
            return Response::redirect("/access?need=" + url_encode(access.level) + "&next=" + next);
        case Denial::role:
        case Denial::none:
            break;
    }
    // A page for another role is not shown to exist.
    if (request.wants_json())
        return Response::json_error(Status::not_found, "http.not_found", locale.text("errors.404.text"));
    return renderer_.error_page(request, Status::not_found);
}

bool App::csrf_ok(Request& request) const {
    // Defence in depth: a browser's cross-site POST carries a foreign Origin.
    if (auto origin = request.header(bhttp::field::origin); !origin.empty() && origin != "null") {
        const std::string_view host = request.header(bhttp::field::host);
        const auto scheme_end = origin.find("://");
        if (scheme_end == std::string_view::npos || origin.substr(scheme_end + 3) != host) return false;
    }
    // A session's own token; without a session, the token of the visitor's
    // signed CSRF cookie (empty when there is none or it is forged).
    const std::string& expected = request.session ? request.session->csrf_token : request.anonymous_csrf;
    if (expected.empty()) return false;
    std::string_view token = request.header("X-CSRF-Token");
    std::string form_token;
    if (token.empty()) {
        if (auto t = request.form().get("_csrf")) form_token = std::string(*t);
        token = form_token;
    }
    return !token.empty() && core::constant_time_equal(token, expected);
}

void App::finish(Request& request, Response& response) const {
    // A handler may set a stricter or wider policy of its own (single sign-on's
    // consent form leads to the site's registered address: its form-action names it).
    if (!response.find_header("Content-Security-Policy"))
        response.set_header("Content-Security-Policy", kContentSecurityPolicy);
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("X-Frame-Options", "DENY");
    response.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
    response.set_header("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)");
    response.set_header("Cross-Origin-Opener-Policy", "same-origin");
    response.set_header("X-Request-Id", request.request_id);
    if (request.secure) response.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!response.cacheable && !response.find_header("Cache-Control")) response.set_header("Cache-Control", "no-store");
    if (response.content_type.rfind("text/html", 0) == 0) response.set_header("Content-Language", request.lang);

    if (!request.new_session_token.empty() || request.clear_session_cookie) {
        Cookie c;
        c.name = std::string(kSessionCookie);
        c.secure = request.secure;
        if (!request.new_session_token.empty()) {
            c.value = request.new_session_token;
            if (!request.session || !request.session->account_id || request.session->remember)
                c.max_age = std::chrono::seconds(request.session ? request.session->expires_at - request.session->created_at : 0);
        } else {
            c.max_age = std::chrono::seconds(0);
        }
        response.set_cookie(c);
    }
    if (!request.new_csrf_cookie.empty()) {
        Cookie c;  // HttpOnly, SameSite=Lax; ends with the browser session
        c.name = std::string(kCsrfCookie);
        c.value = request.new_csrf_cookie;
        c.secure = request.secure;
        response.set_cookie(c);
    }

    // Rendered for this request only: a fast gzip level. Shared pages come
    // compressed already.
    if (response.body.size() >= kCompressMinBytes && is_compressible(response.content_type) &&
        !response.find_header("Content-Encoding")) {
        response.set_header("Vary", "Accept-Encoding");
        if (choose_encoding(request.header(bhttp::field::accept_encoding), false) == Encoding::gzip) {
            response.body = gzip(response.body, kDynamicGzipLevel);
            response.set_header("Content-Encoding", "gzip");
        }
    }
}

Response App::reject(Status status, std::string_view accept_language, const Peer& peer) {
    const std::string request_id = new_request_id();
    std::string lang = core::Locales::negotiate(accept_language);
    Response r = renderer_.bare_error_page(status, lang.empty() ? "ru" : lang, request_id);
    r.set_header("Content-Security-Policy", kContentSecurityPolicy);
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("X-Request-Id", request_id);
    r.set_header("Cache-Control", "no-store");
    record(nullptr, "-", "-", "rejected", static_cast<unsigned>(status), request_id, peer.ip);
    return r;
}

void App::record(const Request* request, std::string_view method, std::string_view path, const std::string& route,
                 unsigned status, const std::string& request_id, const std::string& ip) const {
    double seconds = 0;
    if (request)
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - request->started).count();
    metrics_.observe(route, method, status, seconds);
    core::request_log().info("id={} method={} path=\"{}\" route=\"{}\" status={} ms={:.3f} ip={}", request_id, method,
                             path, route, status, seconds * 1000, ip);
}

}  // namespace uslugi::http
