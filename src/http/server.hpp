#pragma once
// The HTTP/1.1 server: Boost.Beast on a few I/O threads (async accept, read,
// write; idle keep-alive connections cost no thread), handing parsed requests
// to a bounded WorkerPool where handlers run synchronously. Each I/O thread
// runs its own io_context and owns the connections given to it, so a
// connection's handlers never need a strand.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/http.hpp>

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace uslugi::http {

struct ServerOptions {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 8080;
    unsigned io_threads = 2;
    unsigned workers = 16;
    std::size_t queue_capacity = 512;
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1024 * 1024;
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds idle_timeout{75};
    std::chrono::seconds shutdown_timeout{30};
};

struct Peer {
    std::string ip;
};

// What the server asks of the application.
class Application {
public:
    virtual ~Application() = default;
    struct Plan {
        std::size_t body_limit = 0;  // 0: the server's default
        bool on_io_thread = false;
    };
    // Called once the header is read, before the body: routing decides the
    // body limit and whether the handler may run on the I/O thread.
    virtual Plan plan(const RawRequest& header) = 0;
    virtual Response handle(RawRequest&& request, const Peer& peer) = 0;
    // A response the server itself must give (400, 413, 431, 503) before any handler ran.
    virtual Response reject(Status status, std::string_view accept_language, const Peer& peer) = 0;
};

class Connection;

class Server {
public:
    Server(ServerOptions options, Application& app);
    ~Server();

    // Binds the listening socket; afterwards port() is the real port (for --port 0).
    void bind();
    std::uint16_t port() const { return port_; }
    // Serves until SIGINT/SIGTERM or stop(); then finishes in-flight requests and returns.
    void run();
    void stop();

    std::size_t open_connections() const { return connections_count_.load(std::memory_order_relaxed); }
    const WorkerPool& workers() const { return pool_; }

private:
    friend class Connection;
    void accept();
    void begin_shutdown();
    void connection_opened(Connection* c);
    void connection_closed(Connection* c);

    ServerOptions options_;
    Application& app_;
    boost::asio::io_context ioc_;  // the acceptor, signals and timers; also the first I/O thread's
    std::vector<std::unique_ptr<boost::asio::io_context>> extra_contexts_;  // one per further I/O thread
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> idle_guards_;
    std::size_t next_context_ = 0;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer shutdown_timer_;
    boost::asio::steady_timer accept_retry_timer_;
    WorkerPool pool_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex connections_mutex_;
    std::unordered_set<Connection*> connections_;
    std::atomic<std::size_t> connections_count_{0};
};

}  // namespace uslugi::http
