#pragma once
// The HTTP/1.1 server: Boost.Beast on a few I/O threads (async accept, read,
// write; idle keep-alive connections cost no thread), handing parsed requests
// to a bounded WorkerPool where handlers run synchronously. Each I/O thread
// runs its own io_context and owns the connections given to it, so a
// connection's handlers never need a strand.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/http.hpp>

#include "http/application.hpp"
#include "http/trusted_proxies.hpp"
#include "http/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
    // A new connection must finish its first header within header_timeout of
    // being accepted; idle_timeout applies only between keep-alive requests.
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds idle_timeout{75};
    std::chrono::seconds shutdown_timeout{30};
    // Connections beyond these caps are closed as soon as they are accepted.
    // max_connections 0: the open-file limit less fd_reserve descriptors kept
    // for the database, files and outgoing connections.
    std::size_t max_connections = 0;
    std::size_t fd_reserve = 256;
    // Per client address (an IPv6 client by its /64); 0: no cap. Trusted
    // proxies are exempt: every client behind them shares their address.
    std::size_t max_connections_per_client = 256;
    TrustedProxies trusted_proxies;
};

// Connections closed at once instead of served, by reason.
struct RefusedConnections {
    std::uint64_t server_cap = 0;      // max_connections reached
    std::uint64_t client_cap = 0;      // max_connections_per_client reached
    std::uint64_t no_descriptors = 0;  // the process ran out of file descriptors
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
    // The cap in force (known after bind()).
    std::size_t max_connections() const { return max_connections_; }
    RefusedConnections refused_connections() const;
    const WorkerPool& workers() const { return pool_; }

private:
    friend class Connection;
    enum class Refusal { server_cap, client_cap };
    void accept();
    void on_accept_error(const boost::system::error_code& ec);
    std::size_t shed_backlog();
    void reserve_spare_descriptor();
    std::optional<Refusal> admit(const boost::asio::ip::address& client);
    void refuse(Refusal why);
    void begin_shutdown();
    void connection_opened(Connection* c);
    void connection_closed(Connection* c);

    ServerOptions options_;
    Application& app_;
    // The connections' bookkeeping is declared before the I/O contexts: a
    // connection still queued when a context is destroyed (after the shutdown
    // deadline) reports its closing to members that must still be alive.
    std::atomic<bool> stopping_{false};
    std::mutex connections_mutex_;
    std::unordered_set<Connection*> connections_;
    std::map<boost::asio::ip::address, std::size_t> per_client_;  // by client_key()
    std::atomic<std::size_t> connections_count_{0};
    std::atomic<bool> destroying_{false};
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
    std::size_t max_connections_ = 0;
    int spare_fd_ = -1;  // given back when out of descriptors, to accept and close waiting clients
    std::atomic<std::uint64_t> refused_server_cap_{0};
    std::atomic<std::uint64_t> refused_client_cap_{0};
    std::atomic<std::uint64_t> refused_no_descriptors_{0};
    std::chrono::steady_clock::time_point last_refusal_log_{};
};

// The address connections are counted under: an IPv4 address itself, an
// IPv6 one by its /64 (a single host usually holds a whole /64).
boost::asio::ip::address client_key(const boost::asio::ip::address& address);

}  // namespace uslugi::http
