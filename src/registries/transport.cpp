// HttpTransport of registries/clients.hpp over POCO's HTTP(S) client sessions.
#include "registries/clients.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <istream>
#include <mutex>
#include <ostream>

namespace uslugi::registries {

using nlohmann::json;
using Reason = RegistryUnavailable::Reason;

namespace {

constexpr std::size_t kMaxBody = 8 * 1024 * 1024;
// Below the idle timeout of common servers (ours, nginx: 60 s and more), so a
// kept connection is seldom one the registry has already closed.
constexpr int kIdleSeconds = 20;

Poco::Timespan span(std::chrono::milliseconds ms) { return Poco::Timespan(std::int64_t(ms.count()) * 1000); }

Poco::Net::Context::Ptr tls_context(const ClientOptions& o) {
    Poco::Net::Context::Params p;
    p.caLocation = o.ca_file;
    p.loadDefaultCAs = o.ca_file.empty();
    p.certificateFile = o.client_cert_file;
    p.privateKeyFile = o.client_key_file;
    // Strict also checks the host name for 127.0.0.1 and localhost.
    p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    p.cipherList = "HIGH:!aNULL:!MD5:!RC4";
    try {
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
        ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        return ctx;
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("registries TLS settings: " + e.displayText());
    }
}

void check_options(const ClientOptions& o, const Poco::URI& uri) {
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
        throw std::invalid_argument("registries URL must start with http:// or https:// (got \"" + o.base_url + "\")");
    if (uri.getHost().empty()) throw std::invalid_argument("registries URL has no host: " + o.base_url);
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty() || !uri.getUserInfo().empty())
        throw std::invalid_argument("registries URL takes no user, query or fragment: " + o.base_url);
    const bool tls_files = !o.ca_file.empty() || !o.client_cert_file.empty() || !o.client_key_file.empty();
    if (tls_files && uri.getScheme() != "https")
        throw std::invalid_argument("registries CA and client certificate need an https:// URL");
    if (o.client_cert_file.empty() != o.client_key_file.empty())
        throw std::invalid_argument("a registries client certificate needs its key, and a key its certificate");
    if (o.connect_timeout.count() <= 0 || o.timeout.count() <= 0)
        throw std::invalid_argument("registry timeouts must be positive");
}

Poco::URI parse_url(const std::string& url) {
    try {
        return Poco::URI(url);
    } catch (const Poco::SyntaxException& e) {
        throw std::invalid_argument("bad registries URL \"" + url + "\": " + e.displayText());
    }
}

[[noreturn]] void throw_server_error(const std::string& registry, const HttpTransport::Reply& reply) {
    std::string code, message = fmt::format("HTTP {}", reply.status);
    try {
        const json j = json::parse(reply.body);
        code = j.at("error").value("code", "");
        message += ": " + j.at("error").value("message", "");
    } catch (const std::exception&) {
    }
    RegistryUnavailable e(registry, Reason::server_error, message, reply.status);
    e.code = code;
    throw e;
}

// Poco's exceptions of a failed exchange as the typed errors of the callers.
[[noreturn]] void throw_unavailable(const std::string& registry, const HttpTransport& t) {
    try {
        throw;
    } catch (const Poco::TimeoutException&) {
        throw RegistryUnavailable(registry, Reason::timeout,
                                  fmt::format("no connection within {} ms or no answer within {} ms",
                                              t.options().connect_timeout.count(), t.options().timeout.count()));
    } catch (const Poco::Net::SSLException& e) {
        throw RegistryUnavailable(registry, Reason::tls, e.displayText());
    } catch (const Poco::Net::MessageException& e) {
        throw RegistryUnavailable(registry, Reason::bad_response, e.displayText());
    } catch (const Poco::Net::NoMessageException&) {
        throw RegistryUnavailable(registry, Reason::connection, "the connection was closed without an answer");
    } catch (const Poco::Exception& e) {
        throw RegistryUnavailable(registry, Reason::connection, e.displayText());
    }
}

std::string read_body(std::istream& in) {
    std::string body;
    char buf[16384];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        body.append(buf, std::size_t(in.gcount()));
        if (body.size() > kMaxBody) throw Poco::Net::MessageException("the answer is larger than 8 MiB");
    }
    if (in.bad()) throw Poco::Net::MessageException("the answer ended early");
    return body;
}

// An idle connection has nothing to read unless the registry closed it (its
// FIN, a reset or a TLS alert): dropped before a request is lost on it.
bool closed_by_peer(Poco::Net::HTTPClientSession& s) {
    try {
        return s.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ);
    } catch (const Poco::Exception&) {
        return true;
    }
}

bool idempotent(const std::string& method, const HttpTransport::Headers& headers) {
    if (method == "GET" || method == "PUT" || method == "DELETE") return true;
    for (const auto& [name, value] : headers)
        if (Poco::icompare(name, "Idempotency-Key") == 0) return true;
    return false;
}

}  // namespace

// Idle sessions per base URL. A session is used by one thread at a time:
// borrowed from here, given back only after a whole exchange succeeded.
struct HttpTransport::Impl {
    Poco::URI base;
    std::string prefix;
    Poco::Net::Context::Ptr tls;  // null for http
    std::mutex mutex;
    std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> idle;

    std::unique_ptr<Poco::Net::HTTPClientSession> open(const ClientOptions& o) const {
        std::unique_ptr<Poco::Net::HTTPClientSession> s;
        if (tls) s = std::make_unique<Poco::Net::HTTPSClientSession>(base.getHost(), base.getPort(), tls);
        else s = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
        s->setKeepAlive(true);
        s->setKeepAliveTimeout(Poco::Timespan(kIdleSeconds, 0));
        s->setTimeout(span(o.connect_timeout), span(o.timeout), span(o.timeout));
        return s;
    }
    std::unique_ptr<Poco::Net::HTTPClientSession> take_idle() {
        std::lock_guard lock(mutex);
        if (idle.empty()) return nullptr;
        auto s = std::move(idle.back());
        idle.pop_back();
        return s;
    }
    // A kept connection if one is still open (fresh = false), else a new one.
    std::unique_ptr<Poco::Net::HTTPClientSession> borrow(const ClientOptions& o, bool& fresh) {
        while (auto s = take_idle()) {
            if (!s->connected() || closed_by_peer(*s)) continue;
            fresh = false;
            return s;
        }
        fresh = true;
        return open(o);
    }
    void give_back(std::unique_ptr<Poco::Net::HTTPClientSession> s, std::size_t max_idle) {
        std::lock_guard lock(mutex);
        if (idle.size() < max_idle) idle.push_back(std::move(s));
    }
};

HttpTransport::HttpTransport(ClientOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
    impl_->base = parse_url(options_.base_url);
    check_options(options_, impl_->base);
    impl_->prefix = impl_->base.getPath();
    while (!impl_->prefix.empty() && impl_->prefix.back() == '/') impl_->prefix.pop_back();
    if (impl_->base.getScheme() == "https") {
        static std::once_flag ssl_once;
        std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
        impl_->tls = tls_context(options_);
    }
}

HttpTransport::~HttpTransport() = default;

std::string HttpTransport::url(std::string_view path) const { return options_.base_url + std::string(path); }

namespace {

HttpTransport::Reply exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& target,
                              const std::string* body, const HttpTransport::Headers& headers) {
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("User-Agent", "uslugi-registries-client");
    req.set("Accept", "application/json");
    req.setKeepAlive(true);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (body) {
        req.setContentType("application/json");
        req.setContentLength(std::streamsize(body->size()));
    } else if (method == "POST" || method == "PUT") {
        req.setContentLength(0);
    }
    std::ostream& out = session.sendRequest(req);
    if (body) out << *body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    HttpTransport::Reply reply;
    reply.status = int(res.getStatus());
    reply.body = read_body(in);
    for (const auto& [name, value] : res) reply.headers.emplace_back(name, value);
    if (!res.getKeepAlive()) session.reset();
    return reply;
}

}  // namespace

HttpTransport::Reply HttpTransport::request(std::string_view registry, std::string_view method, std::string_view path,
                                            const std::string* body, const Headers& headers) const {
    const std::string reg(registry), verb(method), target = impl_->prefix + std::string(path);
    Reply reply;
    for (int attempt = 0;; ++attempt) {
        bool fresh = true;
        auto session = impl_->borrow(options_, fresh);
        try {
            reply = exchange(*session, verb, target, body, headers);
            impl_->give_back(std::move(session), options_.max_idle_connections);
            break;
        } catch (const Poco::Exception& e) {
            // The registry may close a kept connection just as a request goes out
            // (borrow() drops those it closed earlier). Whether the request reached
            // it is unknown, so it is sent once more only when that cannot do a
            // thing twice.
            const bool stale = !fresh && (dynamic_cast<const Poco::Net::NoMessageException*>(&e) ||
                                          dynamic_cast<const Poco::Net::ConnectionResetException*>(&e));
            if (stale && attempt == 0 && idempotent(verb, headers)) continue;
            throw_unavailable(reg, *this);
        }
    }
    if (reply.status >= 500 || reply.status == 429) throw_server_error(reg, reply);
    return reply;
}

nlohmann::json HttpTransport::call(std::string_view registry, std::string_view method, std::string_view path,
                                   const nlohmann::json* body, const Headers& headers) const {
    const std::string text = body ? body->dump(-1, ' ', false, json::error_handler_t::replace) : std::string();
    const Reply reply = request(registry, method, path, body ? &text : nullptr, headers);
    nlohmann::json parsed;
    try {
        parsed = json::parse(reply.body);
    } catch (const json::parse_error&) {
        if (reply.status >= 400)
            throw RegistryRejected(std::string(registry), reply.status, fmt::format("http.{}", reply.status), "not JSON");
        throw RegistryUnavailable(std::string(registry), Reason::bad_response, "the answer is not JSON", reply.status);
    }
    if (reply.status >= 400) {
        std::string code = fmt::format("http.{}", reply.status), message, field;
        if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
            code = parsed["error"].value("code", code);
            message = parsed["error"].value("message", "");
            field = parsed["error"].value("field", "");
        }
        throw RegistryRejected(std::string(registry), reply.status, code, message, field);
    }
    return parsed;
}

}  // namespace uslugi::registries
