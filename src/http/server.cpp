#include "http/server.hpp"

#include <boost/beast/core.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include "core/log.hpp"

namespace uslugi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// Obsolete line folding (a header line starting with a space or tab) lets a
// value span lines; Beast joins such lines silently, while a proxy in front may
// read them differently, so the raw header is checked before it is parsed.
bool has_obs_fold(std::string_view header) {
    for (auto pos = header.find("\r\n"); pos != std::string_view::npos; pos = header.find("\r\n", pos + 2))
        if (pos + 2 < header.size() && (header[pos + 2] == ' ' || header[pos + 2] == '\t')) return true;
    return false;
}

// Requests whose framing or target a proxy in front could read differently
// than we do are refused (RFC 9112 3.2, 6.1): HTTP/1.1 needs exactly one Host,
// HTTP/1.0 at most one, and "chunked" is the only transfer coding taken.
bool framing_acceptable(const RawRequest& header) {
    const auto hosts = header.count(bhttp::field::host);
    if (hosts > 1 || (header.version() >= 11 && hosts == 0)) return false;
    const auto codings = header.count(bhttp::field::transfer_encoding);
    if (codings == 0) return true;
    if (codings > 1 || header.version() < 11) return false;
    std::string_view coding = header[bhttp::field::transfer_encoding];
    while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
    while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
    return beast::iequals(coding, "chunked");
}

bool out_of_descriptors(const boost::system::error_code& ec) {
    return ec.category() == boost::system::system_category() && (ec.value() == EMFILE || ec.value() == ENFILE);
}

}  // namespace

boost::asio::ip::address client_key(const boost::asio::ip::address& address) {
    if (!address.is_v6()) return address;
    auto bytes = address.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes);
}

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, const asio::ip::address& client, Server& server)
        : stream_(std::move(socket)), idle_timer_(stream_.get_executor()), server_(server), client_(client),
          first_header_deadline_(std::chrono::steady_clock::now() + server.options_.header_timeout) {
        peer_.ip = client.to_string();
        beast::error_code ec;
        stream_.socket().set_option(tcp::no_delay(true), ec);
        server_.connection_opened(this);
    }
    ~Connection() { server_.connection_closed(this); }

    const asio::ip::address& client() const { return client_; }

    void start() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
    }

    // Called on the server's shutdown: idle connections close now, busy ones
    // after their response.
    void on_server_stop() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->close_after_response_ = true;
            if (self->idle_) self->close();
        });
    }

private:
    // Idle keep-alive connections wait for readability without a parser or a
    // buffer: thousands of them cost little memory. A new connection waits
    // only as long as its first header may take: a client that connects and
    // stays silent must not hold a descriptor for the idle timeout.
    void wait_for_request() {
        if (close_after_response_) return close();
        if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
        idle_ = true;
        if (requests_ == 0)
            idle_timer_.expires_at(first_header_deadline_);
        else
            idle_timer_.expires_after(server_.options_.idle_timeout);
        idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec && self->idle_) self->close();
        });
        stream_.socket().async_wait(tcp::socket::wait_read,
                                    [self = shared_from_this()](beast::error_code ec) {
                                        self->idle_ = false;
                                        self->idle_timer_.cancel();
                                        if (ec) return self->close();
                                        self->read_header();
                                    });
    }

    void read_header() {
        parser_ = std::make_unique<bhttp::request_parser<bhttp::string_body>>();
        header_bytes_.clear();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
        // The real body limit depends on the route, known only after the header;
        // until then Beast must not judge Content-Length against its default.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        if (requests_ == 0)
            stream_.expires_at(first_header_deadline_);
        else
            stream_.expires_after(server_.options_.header_timeout);
        parse_header();
    }

    // What bhttp::async_read_header does, except that the header's raw bytes
    // are looked at (see has_obs_fold). Beast may take the header's bytes and
    // still answer need_more (a body follows): what it used is consumed and
    // kept for the check, as its own read loop consumes it.
    void parse_header() {
        while (buffer_.size() > 0 && !parser_->is_header_done()) {
            beast::error_code ec;
            const std::size_t used = parser_->put(buffer_.data(), ec);
            header_bytes_.append(static_cast<const char*>(buffer_.data().data()), used);
            buffer_.consume(used);
            if (ec == bhttp::error::need_more) {
                if (used == 0) break;
                continue;
            }
            if (ec) return finish_header(ec);
        }
        if (parser_->is_header_done()) return finish_header({});
        const std::size_t size = beast::read_size(buffer_, 64 * 1024);
        stream_.async_read_some(buffer_.prepare(size),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->buffer_.commit(n);
                                    if (ec == asio::error::eof)
                                        ec = self->buffer_.size() > 0 ? bhttp::error::partial_message
                                                                       : bhttp::error::end_of_stream;
                                    if (ec) return self->on_read_error(ec);
                                    self->parse_header();
                                });
    }

    void finish_header(beast::error_code ec) {
        if (!ec && has_obs_fold(header_bytes_)) ec = bhttp::error::bad_value;  // answered 400 like any malformed header
        header_bytes_.clear();
        on_header(ec);
    }

    void on_header(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        const auto& header = parser_->get();
        accept_language_ = std::string(header[bhttp::field::accept_language]);
        if (!framing_acceptable(header)) return reject(Status::bad_request);
        plan_ = server_.app_.plan(header);
        const std::size_t limit = plan_.body_limit ? plan_.body_limit : server_.options_.body_limit;
        if (auto length = parser_->content_length(); length && *length > limit)
            return reject(Status::payload_too_large);
        parser_->body_limit(limit);
        if (parser_->is_done()) return dispatch();
        if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
            auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(Status::continue_, header.version());
            stream_.expires_after(server_.options_.body_timeout);
            bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
                if (ec) return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        stream_.expires_after(server_.options_.body_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->on_read_error(ec);
                              self->dispatch();
                          });
    }

    void on_read_error(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::eof)
            return close();
        if (ec == bhttp::error::header_limit) return reject(Status::request_header_fields_too_large);
        if (ec == bhttp::error::body_limit) return reject(Status::payload_too_large);
        return reject(Status::bad_request);
    }

    void reject(Status status) {
        close_after_response_ = true;
        write(server_.app_.reject(status, accept_language_, peer_), false, false);
    }

    void dispatch() {
        ++requests_;
        stream_.expires_never();
        auto request = std::make_shared<RawRequest>(parser_->release());
        parser_.reset();
        const bool keep_alive = request->keep_alive();
        const bool head = request->method() == bhttp::verb::head;
        if (plan_.on_io_thread) {
            return write(server_.app_.handle(std::move(*request), peer_), keep_alive, head);
        }
        auto self = shared_from_this();
        const bool queued = server_.pool_.try_submit([self, request, keep_alive, head] {
            auto response = std::make_shared<Response>(self->server_.app_.handle(std::move(*request), self->peer_));
            asio::post(self->stream_.get_executor(), [self, response, keep_alive, head] {
                self->write(std::move(*response), keep_alive, head);
            });
        });
        if (!queued) {
            close_after_response_ = true;
            write(server_.app_.reject(Status::service_unavailable, accept_language_, peer_), false, head);
        }
    }

    void write(Response&& response, bool keep_alive, bool head) {
        keep_alive = keep_alive && !close_after_response_ && !server_.stopping_.load();
        auto res = std::make_shared<bhttp::response<bhttp::string_body>>(response.status, 11);
        for (auto& [name, value] : response.headers) res->insert(name, value);
        if (!response.content_type.empty()) res->set(bhttp::field::content_type, response.content_type);
        res->keep_alive(keep_alive);
        const std::size_t length = response.body.size();
        if (!head) res->body() = std::move(response.body);
        res->content_length(length);
        stream_.expires_after(server_.options_.body_timeout);
        bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
            if (ec) return self->close();
            if (!keep_alive) return self->close();
            if (self->buffer_.size() == 0) self->release_request_storage();
            self->wait_for_request();
        });
    }

    // An idle keep-alive connection keeps nothing of its last request: at
    // 100,000 of them each kilobyte held is 100 MB (bench/idle_connections.sh).
    void release_request_storage() {
        buffer_.shrink_to_fit();
        std::string().swap(header_bytes_);
        std::string().swap(accept_language_);
    }

    void close() {
        beast::error_code ec;
        idle_timer_.cancel();
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    asio::steady_timer idle_timer_;
    Server& server_;
    const asio::ip::address client_;
    const std::chrono::steady_clock::time_point first_header_deadline_;
    std::size_t requests_ = 0;
    Peer peer_;
    // Only while a request is read: an idle keep-alive connection holds a
    // pointer, not the parser's ~300 bytes (100,000 idle connections: 29 MB).
    std::unique_ptr<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string header_bytes_;  // the raw header being parsed, for has_obs_fold
    Application::Plan plan_;
    std::string accept_language_;
    bool idle_ = false;
    bool close_after_response_ = false;
};

Server::Server(ServerOptions options, Application& app)
    : options_(std::move(options)), app_(app), ioc_(1), acceptor_(ioc_), signals_(ioc_, SIGINT, SIGTERM),
      shutdown_timer_(ioc_), accept_retry_timer_(ioc_),
      pool_(options_.workers, options_.queue_capacity) {
    for (unsigned i = 1; i < options_.io_threads; ++i) {
        extra_contexts_.push_back(std::make_unique<asio::io_context>(1));
        // Without connections yet, these loops must not run out of work and return.
        idle_guards_.push_back(asio::make_work_guard(*extra_contexts_.back()));
    }
}

Server::~Server() {
    destroying_ = true;
    pool_.shutdown();
    if (spare_fd_ >= 0) ::close(spare_fd_);
}

void Server::bind() {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.listen), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    // shed_backlog() accepts with the plain system call and must never block.
    acceptor_.native_non_blocking(true);
    port_ = acceptor_.local_endpoint().port();
    max_connections_ = options_.max_connections;
    if (max_connections_ == 0) {
        rlimit lim{};
        const std::size_t files = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                                      ? static_cast<std::size_t>(lim.rlim_cur)
                                      : std::size_t{1} << 20;
        // Even a tiny limit leaves a few connections rather than none.
        max_connections_ = std::max<std::size_t>(files > options_.fd_reserve ? files - options_.fd_reserve : 0, 16);
    }
    reserve_spare_descriptor();
}

RefusedConnections Server::refused_connections() const {
    return {refused_server_cap_.load(std::memory_order_relaxed), refused_client_cap_.load(std::memory_order_relaxed),
            refused_no_descriptors_.load(std::memory_order_relaxed)};
}

void Server::run() {
    if (!acceptor_.is_open()) bind();
    signals_.async_wait([this](beast::error_code ec, int sig) {
        if (ec) return;
        core::app_log().info("signal {} received: finishing in-flight requests", sig);
        begin_shutdown();
    });
    accept();
    std::vector<std::thread> threads;
    for (auto& context : extra_contexts_) threads.emplace_back([&context] { context->run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    pool_.shutdown();
    core::app_log().info("server stopped");
}

void Server::stop() {
    asio::post(ioc_, [this] { begin_shutdown(); });
}

void Server::accept() {
    // Connections go to the I/O threads in turn.
    const std::size_t index = next_context_++ % (extra_contexts_.size() + 1);
    asio::io_context& target = index == 0 ? ioc_ : *extra_contexts_[index - 1];
    acceptor_.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
        if (stopping_) return;
        if (ec) return on_accept_error(ec);
        if (spare_fd_ < 0) reserve_spare_descriptor();
        const auto endpoint = socket.remote_endpoint(ec);
        if (!ec) {  // otherwise the client has already gone; the socket closes here
            const auto client = normalised(endpoint.address());
            if (const auto refusal = admit(client)) {
                refuse(*refusal);
                socket.close(ec);
            } else {
                std::make_shared<Connection>(std::move(socket), client, *this)->start();
            }
        }
        accept();
    });
}

void Server::on_accept_error(const boost::system::error_code& ec) {
    reserve_spare_descriptor();  // lost in an earlier shortage: a descriptor may be free again
    if (out_of_descriptors(ec) && spare_fd_ >= 0) {
        shed_backlog();
        // With no descriptor free, accept fails at once even when nobody is
        // waiting, so the next try waits for a client rather than a timer.
        acceptor_.async_wait(tcp::acceptor::wait_read, [this](beast::error_code e) {
            if (stopping_) return;
            if (e) return on_accept_error(e);
            accept();
        });
        return;
    }
    // A transient error, or no descriptor to spare: back off briefly instead of spinning.
    core::app_log().warn("accept failed: {}", ec.message());
    accept_retry_timer_.expires_after(std::chrono::milliseconds(100));
    accept_retry_timer_.async_wait([this](beast::error_code e) {
        if (!e) accept();
    });
}

// Out of descriptors, waiting clients would sit unanswered in the listen
// backlog (and keep it readable, so accept would spin). The spare descriptor
// is given back so that each of them can be accepted and closed at once, and
// then taken again.
std::size_t Server::shed_backlog() {
    if (spare_fd_ < 0) return 0;
    ::close(spare_fd_);
    spare_fd_ = -1;
    std::size_t shed = 0;
    for (; shed < 1024; ++shed) {
        const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) break;
        // Counted before the close: whoever sees the connection end sees it counted.
        refused_no_descriptors_.fetch_add(1, std::memory_order_relaxed);
        ::close(fd);
    }
    reserve_spare_descriptor();
    const auto now = std::chrono::steady_clock::now();
    if (shed > 0 && now - last_refusal_log_ > std::chrono::seconds(10)) {
        last_refusal_log_ = now;
        core::app_log().warn("out of file descriptors ({} open connections): closing new connections at once",
                             open_connections());
    }
    return shed;
}

void Server::reserve_spare_descriptor() {
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

std::optional<Server::Refusal> Server::admit(const asio::ip::address& client) {
    std::lock_guard lock(connections_mutex_);
    if (connections_.size() >= max_connections_) return Refusal::server_cap;
    if (options_.max_connections_per_client > 0 && !options_.trusted_proxies.trusts(client)) {
        const auto found = per_client_.find(client_key(client));
        if (found != per_client_.end() && found->second >= options_.max_connections_per_client)
            return Refusal::client_cap;
    }
    return std::nullopt;
}

void Server::refuse(Refusal why) {
    (why == Refusal::server_cap ? refused_server_cap_ : refused_client_cap_).fetch_add(1, std::memory_order_relaxed);
    // Logged at most every 10 s: refusals come in floods.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log_ > std::chrono::seconds(10)) {
        last_refusal_log_ = now;
        if (why == Refusal::server_cap)
            core::app_log().warn("{} connections open, the cap: closing new connections at once", max_connections_);
        else
            core::app_log().warn("a client reached {} open connections: closing its new ones at once",
                                 options_.max_connections_per_client);
    }
}

void Server::begin_shutdown() {
    if (stopping_.exchange(true)) return;
    beast::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    accept_retry_timer_.cancel();
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(connections_mutex_);
        for (Connection* c : connections_)
            if (auto alive = c->weak_from_this().lock()) open.push_back(std::move(alive));
    }
    for (auto& c : open) c->on_server_stop();
    // The other loops end once their connections have closed.
    for (auto& guard : idle_guards_) guard.reset();
    if (open.empty()) return;
    // In-flight requests get a deadline; after it the loop stops regardless.
    shutdown_timer_.expires_after(options_.shutdown_timeout);
    shutdown_timer_.async_wait([this](beast::error_code e) {
        if (e) return;
        core::app_log().warn("shutdown deadline reached with {} connections open", open_connections());
        ioc_.stop();
        for (auto& context : extra_contexts_) context->stop();
    });
}

void Server::connection_opened(Connection* c) {
    std::lock_guard lock(connections_mutex_);
    connections_.insert(c);
    ++per_client_[client_key(c->client())];
    connections_count_.fetch_add(1, std::memory_order_relaxed);
}

void Server::connection_closed(Connection* c) {
    std::lock_guard lock(connections_mutex_);
    connections_.erase(c);
    if (const auto found = per_client_.find(client_key(c->client())); found != per_client_.end() && --found->second == 0)
        per_client_.erase(found);
    connections_count_.fetch_sub(1, std::memory_order_relaxed);
    if (stopping_ && connections_.empty() && !destroying_) asio::post(ioc_, [this] { shutdown_timer_.cancel(); });
}

}  // namespace uslugi::http
