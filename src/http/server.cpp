#include "http/server.hpp"

#include <boost/beast/core.hpp>

#include <limits>
#include <optional>
#include <thread>

#include "core/log.hpp"

namespace uslugi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, Server& server)
        : stream_(std::move(socket)), idle_timer_(stream_.get_executor()), server_(server) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) peer_.ip = ep.address().to_string();
        stream_.socket().set_option(tcp::no_delay(true), ec);
        server_.connection_opened(this);
    }
    ~Connection() { server_.connection_closed(this); }

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
    // buffer: thousands of them cost little memory.
    void wait_for_request() {
        if (close_after_response_) return close();
        if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
        idle_ = true;
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
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
        // The real body limit depends on the route, known only after the header;
        // until then Beast must not judge Content-Length against its default.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        stream_.expires_after(server_.options_.header_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     self->on_header(ec);
                                 });
    }

    void on_header(beast::error_code ec) {
        if (ec) return on_read_error(ec);
        const auto& header = parser_->get();
        accept_language_ = std::string(header[bhttp::field::accept_language]);
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
            if (self->buffer_.size() == 0) self->buffer_.shrink_to_fit();
            self->wait_for_request();
        });
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
    Peer peer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
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

Server::~Server() { pool_.shutdown(); }

void Server::bind() {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.listen), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
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
        if (ec) {
            // Out of descriptors or a transient error: back off briefly instead of spinning.
            core::app_log().warn("accept failed: {}", ec.message());
            accept_retry_timer_.expires_after(std::chrono::milliseconds(100));
            accept_retry_timer_.async_wait([this](beast::error_code e) {
                if (!e) accept();
            });
            return;
        }
        std::make_shared<Connection>(std::move(socket), *this)->start();
        accept();
    });
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
    connections_count_.fetch_add(1, std::memory_order_relaxed);
}

void Server::connection_closed(Connection* c) {
    std::lock_guard lock(connections_mutex_);
    connections_.erase(c);
    connections_count_.fetch_sub(1, std::memory_order_relaxed);
    if (stopping_ && connections_.empty()) asio::post(ioc_, [this] { shutdown_timer_.cancel(); });
}

}  // namespace uslugi::http
