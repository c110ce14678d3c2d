#include "registries/sandbox_server.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace uslugi::registries {

namespace sandbox {

namespace {
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action *; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
constexpr std::size_t kBodyLimit = 64 * 1024;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view first_segment(std::string_view path) {
    if (path.starts_with('/')) path.remove_prefix(1);
    return path.substr(0, path.find('/'));
}

std::string status_code_name(Status s) {
    switch (s) {
        case Status::bad_request: return "http.bad_request";
        case Status::payload_too_large: return "http.payload_too_large";
        case Status::request_header_fields_too_large: return "http.header_too_large";
        case Status::service_unavailable: return "http.overloaded";
        default: return "http.error";
    }
}
}  // namespace

// ---- errors and request helpers ---------------------------------------------------------

Response json_error(Status status, const std::string& code, const std::string& message, const std::string& field) {
    json err = {{"code", code}, {"message", message}};
    if (!field.empty()) err["field"] = field;
    return Response::json({{"error", err}}, status);
}

Response ApiError::response() const { return json_error(status_, code_, what(), field_); }

Body::Body(const Request& request) {
    const std::string& body = request.body();
    if (body.empty()) throw ApiError(Status::bad_request, "request.invalid_json", "the request body must be a JSON object");
    try {
        j_ = json::parse(body);
    } catch (const json::parse_error&) {
        throw ApiError(Status::bad_request, "request.invalid_json", "the request body is not valid JSON");
    }
    if (!j_.is_object()) throw ApiError(Status::bad_request, "request.invalid_json", "the request body must be a JSON object");
}

std::optional<std::string> Body::optional_text(const char* field, std::size_t max_bytes) const {
    if (!has(field)) return std::nullopt;
    const json& v = j_.at(field);
    if (!v.is_string())
        throw ApiError(Status::bad_request, "request.invalid_field", fmt::format("{} must be a string", field), field);
    std::string s = v.get<std::string>();
    if (s.size() > max_bytes)
        throw ApiError(Status::bad_request, "request.too_long", fmt::format("{} is longer than {} bytes", field, max_bytes),
                       field);
    for (unsigned char c : s)
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            throw ApiError(Status::bad_request, "request.invalid_field", fmt::format("{} holds control characters", field),
                           field);
    return s;
}

std::string Body::text(const char* field, std::size_t max_bytes) const {
    auto v = optional_text(field, max_bytes);
    if (!v || v->find_first_not_of(" \t\r\n") == std::string::npos)
        throw ApiError(Status::bad_request, "request.missing_field", fmt::format("{} is required", field), field);
    return *v;
}

Date Body::date(const char* field) const {
    const std::string s = text(field, 32);
    auto d = parse_date(s);
    if (!d) throw ApiError(Status::bad_request, "request.invalid_date", fmt::format("{} must be a date YYYY-MM-DD", field), field);
    return *d;
}

std::optional<std::int64_t> Body::optional_integer(const char* field, std::int64_t min, std::int64_t max) const {
    if (!has(field)) return std::nullopt;
    const json& v = j_.at(field);
    if (!v.is_number_integer())
        throw ApiError(Status::bad_request, "request.invalid_field", fmt::format("{} must be an integer", field), field);
    const auto n = v.get<std::int64_t>();
    if (n < min || n > max)
        throw ApiError(Status::bad_request, "request.invalid_field",
                       fmt::format("{} must be from {} to {}", field, min, max), field);
    return n;
}

std::int64_t Body::integer(const char* field, std::int64_t min, std::int64_t max) const {
    auto v = optional_integer(field, min, max);
    if (!v) throw ApiError(Status::bad_request, "request.missing_field", fmt::format("{} is required", field), field);
    return *v;
}

std::string identifier(std::string_view value, std::string_view kind, const std::string& field) {
    const auto r = core::validate(kind, value);
    if (!r.valid)
        throw ApiError(Status::unprocessable_entity, r.error_code, fmt::format("{} is not a valid {}", field, kind), field);
    return r.normalized;
}

std::string Body::identifier(const char* field, std::string_view kind) const {
    // The validators refuse long input themselves ("<kind>.too_long").
    return sandbox::identifier(text(field, kBodyLimit), kind, field);
}

PersonQuery Body::person() const {
    PersonQuery q;
    q.surname = text("surname", 100);
    q.name = text("name", 100);
    q.patronymic = optional_text("patronymic", 100).value_or("");
    q.birth_date = date("birth_date");
    return q;
}

std::string iso_time(Clock::time_point t) {
    return core::format_utc(std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count());
}

std::string random_id(std::string_view prefix) {
    const std::string bytes = core::random_bytes(8);
    std::string out(prefix);
    for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
}

std::int64_t Payment::refunded() const {
    std::int64_t sum = 0;
    for (const auto& r : refunds) sum += r.amount;
    return sum;
}

// ---- the application ----------------------------------------------------------------------

Sandbox::Sandbox(const RegistryData& data, Faults& faults, const SandboxOptions& options,
                 const http::Templates& templates, const http::StaticFiles& statics, const core::Locales& locales)
    : data_(data), faults_(faults), options_(options), templates_(templates), statics_(statics), locales_(locales) {
    register_routes();
}

http::Application::Plan Sandbox::plan(const http::RawRequest& header) {
    Plan p;
    p.body_limit = kBodyLimit;
    return p;
}

Response Sandbox::reject(Status status, std::string_view, const http::Peer& peer) {
    Response r = json_error(status, status_code_name(status), std::string(obsolete_reason(status)));
    r.set_header("Cache-Control", "no-store");
    if (status == Status::service_unavailable) r.set_header("Retry-After", "1");
    core::request_log().info("sandbox rejected status={} ip={}", static_cast<unsigned>(status), peer.ip);
    return r;
}

Response Sandbox::handle(http::RawRequest&& raw, const http::Peer& peer) {
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = http::new_request_id();
    const std::string method(raw.method_string());
    const std::string target(raw.target());
    Response response;
    std::string route = "unmatched";
    try {
        Request request(std::move(raw));
        request.request_id = request_id;
        request.remote_ip = peer.ip;
        response = run(request);
        route = request.route_pattern;
    } catch (const http::BadRequest& e) {
        response = json_error(Status::bad_request, "http.bad_request", e.what());
    }
    response.set_header("X-Request-Id", request_id);
    response.set_header("X-Content-Type-Options", "nosniff");
    if (!response.find_header("Cache-Control") && !response.cacheable) response.set_header("Cache-Control", "no-store");
    if (response.content_type.rfind("text/html", 0) == 0) {
        response.set_header("Content-Security-Policy", kContentSecurityPolicy);
        response.set_header("X-Frame-Options", "DENY");
        response.set_header("Referrer-Policy", "no-referrer");
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    core::request_log().info("sandbox id={} method={} path=\"{}\" route=\"{}\" status={} ms={:.3f} ip={}", request_id,
                             method, path_of(target), route, static_cast<unsigned>(response.status), ms, peer.ip);
    return response;
}

Response Sandbox::run(Request& request) {
    const http::RouteMatch match = router_.match(request.method(), request.path(), &request.path_params);
    request.route_pattern = match.route ? match.route->pattern : "unmatched";
    const std::string registry(first_segment(request.path()));

    // Faults apply to the registries' APIs only, never to /admin or /demo.
    if (is_registry(registry)) {
        const FaultDecision d = faults_.decide(registry);
        if (d.down) {
            Response r = json_error(Status::service_unavailable, "registry.down",
                                    fmt::format("the {} registry is down (sandbox fault)", registry));
            r.set_header("Retry-After", "5");
            return r;
        }
        if (d.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(d.latency_ms));
        if (d.fail) {
            Response r = json_error(Status::service_unavailable, "registry.unavailable",
                                    fmt::format("the {} registry failed to answer (sandbox fault)", registry));
            r.set_header("Retry-After", "1");
            return r;
        }
    }

    if (!match.route) {
        if (match.path_matched) {
            Response r = json_error(Status::method_not_allowed, "http.method_not_allowed", "method not allowed here");
            std::string allow;
            for (auto v : match.allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::bhttp::to_string(v));
            r.set_header("Allow", allow);
            return r;
        }
        return json_error(Status::not_found, "http.not_found", "no such endpoint");
    }
    try {
        return match.route->handler(request);
    } catch (const ApiError& e) {
        // The validators' codes ("snils.checksum") have a text saying which rule failed.
        const core::Locale& en = locales_.get("en");
        if (const std::string key = "validation." + e.code(); en.has(key))
            return json_error(e.status(), e.code(), (e.field().empty() ? "" : e.field() + ": ") + en.text(key), e.field());
        return e.response();
    } catch (const FaultError& e) {
        return json_error(Status::bad_request, e.code(), e.what());
    } catch (const http::BadRequest& e) {
        return json_error(Status::bad_request, "http.bad_request", e.what());
    } catch (const std::exception& e) {
        core::app_log().error("sandbox {} {} failed: {}", request.method_name(), request.path(), e.what());
        return json_error(Status::internal_server_error, "http.internal_error", "the sandbox failed: " + std::string(e.what()));
    }
}

Response Sandbox::page(const std::string& name, const http::Data& data, const std::string& title, Status status) const {
    const core::Locale& locale = locales_.get("ru");
    http::Data root;
    root.set("title", title);
    root.set("css", statics_.url("css/sandbox.css"));
    root.set("content", templates_.render("registries/" + name, data, nullptr, locale));
    return Response::html(templates_.render("registries/layout", root, nullptr, locale), status);
}

std::optional<ChargePayment> Sandbox::charge_payment(const std::string& uin) const {
    std::lock_guard lock(mutex_);
    auto it = charges_paid_.find(uin);
    if (it == charges_paid_.end()) return std::nullopt;
    return it->second;
}

void Sandbox::register_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.get("/healthz", [](Request&) { return Response::json({{"status", "ok"}}); }, opts);
    router_.get("/static/{path...}", [this](Request& req) { return statics_.serve(req, req.param("path")); }, opts);
    router_.get("/", [](Request&) {
        json registries = json::array();
        for (auto r : kRegistries) registries.push_back(r);
        return Response::json({{"sandbox", "uslugi registries"},
                               {"registries", registries},
                               {"demo_inbox", "/demo/inbox"},
                               {"faults", "/admin/faults"}});
    }, opts);
    register_identity_routes();
    register_pension_routes();
    register_debt_routes();
    register_post_routes();
    register_bank_routes();
    register_checkout_routes();
    register_wallet_routes();
    register_utilities_routes();
    register_message_routes();
    register_admin_routes();
}

void Sandbox::register_admin_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.get("/admin/faults", [this](Request&) { return Response::json(faults_.to_json()); }, opts);
    router_.add(http::bhttp::verb::put, "/admin/faults", [this](Request& req) {
        Body body(req);
        faults_.apply(body.raw());
        core::app_log().info("sandbox faults changed: {}", body.raw().dump());
        return Response::json(faults_.to_json());
    }, opts);
    router_.add(http::bhttp::verb::put, "/admin/faults/{registry}", [this](Request& req) {
        Body body(req);
        const std::string registry = req.param("registry");
        if (!is_registry(registry))
            throw ApiError(Status::not_found, "faults.unknown_registry", "unknown registry \"" + registry + "\"");
        faults_.apply(registry, body.raw());
        core::app_log().info("sandbox faults of {} changed: {}", registry, body.raw().dump());
        return Response::json(faults_.get(registry).to_json());
    }, opts);
    router_.add(http::bhttp::verb::delete_, "/admin/faults", [this](Request&) {
        faults_.reset();
        return Response::json(faults_.to_json());
    }, opts);
}

}  // namespace sandbox

// ---- the server -----------------------------------------------------------------------------

namespace {
nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("--faults: cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return nlohmann::json::parse(ss.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw std::invalid_argument("--faults " + path + ": " + e.what());
    }
}
}  // namespace

struct SandboxServer::Impl {
    SandboxOptions options;
    RegistryData data;
    Faults faults;
    core::Locales locales;
    http::Templates templates;
    http::StaticFiles statics;
    std::unique_ptr<sandbox::Sandbox> app;
    std::unique_ptr<http::Server> server;
};

SandboxServer::SandboxServer(SandboxOptions options, const std::string& root) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.options = std::move(options);
    if (m.options.data_dir.empty()) m.options.data_dir = root + "/data/registries";
    if (m.options.post_delivery_seconds < 0) throw std::invalid_argument("--post-delivery-seconds must not be negative");
    m.data = RegistryData::load(m.options.data_dir);
    if (!m.options.faults_file.empty()) {
        try {
            m.faults.apply(read_json_file(m.options.faults_file));
        } catch (const FaultError& e) {
            throw std::invalid_argument("--faults " + m.options.faults_file + ": " + e.what());
        }
    }
    m.locales.load(root + "/locales");
    m.templates.load(root + "/templates", m.locales);
    m.statics.load(root + "/static");
    m.app = std::make_unique<sandbox::Sandbox>(m.data, m.faults, m.options, m.templates, m.statics, m.locales);
    http::ServerOptions so;
    so.listen = m.options.listen;
    so.port = m.options.port;
    so.io_threads = m.options.io_threads;
    so.workers = m.options.workers;
    so.body_limit = 64 * 1024;
    so.shutdown_timeout = std::chrono::seconds(5);
    m.server = std::make_unique<http::Server>(so, *m.app);
}

SandboxServer::~SandboxServer() = default;

void SandboxServer::bind() { impl_->server->bind(); }
std::uint16_t SandboxServer::port() const { return impl_->server->port(); }
void SandboxServer::run() { impl_->server->run(); }
void SandboxServer::stop() { impl_->server->stop(); }
Faults& SandboxServer::faults() { return impl_->faults; }
const RegistryData& SandboxServer::data() const { return impl_->data; }

int run_sandbox(const SandboxOptions& options, const std::string& root) {
    SandboxServer server(options, root);
    server.bind();
    std::printf("registries sandbox listening on http://%s:%u (%zu people, %zu organisations)\n", options.listen.c_str(),
                server.port(), server.data().people().size(), server.data().organisations().size());
    std::fflush(stdout);
    core::app_log().info("registries sandbox: data {}, mail {}, post delivery {} s",
                         options.data_dir.empty() ? root + "/data/registries" : options.data_dir, options.mail_dir,
                         options.post_delivery_seconds);
    server.run();
    spdlog::shutdown();
    return 0;
}

}  // namespace uslugi::registries
