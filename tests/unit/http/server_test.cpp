// The HTTP server itself, on a real socket with a tiny application: keep-alive,
// the first-byte timeout, the connection caps, running out of descriptors,
// request framing and graceful stop. Client sockets are plain POSIX ones so
// that a test controls exactly when descriptors are created.
#include <gtest/gtest.h>

#include "http/server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace uslugi::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Answers "hello <target>"; GET /slow waits until the test releases it.
class TinyApp : public Application {
public:
    Plan plan(const RawRequest&) override { return {}; }
    Response handle(RawRequest&& request, const Peer& peer) override {
        if (request.target() == "/slow") {
            std::unique_lock lock(mutex_);
            slow_started_ = true;
            released_.wait(lock, [this] { return release_; });
        }
        return Response::text("hello " + std::string(request.target()) + " from " + peer.ip);
    }
    Response reject(Status status, std::string_view, const Peer&) override { return Response::text("refused", status); }

    bool slow_started() {
        std::lock_guard lock(mutex_);
        return slow_started_;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            release_ = true;
        }
        released_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable released_;
    bool slow_started_ = false;
    bool release_ = false;
};

ServerOptions small_options() {
    ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.workers = 2;
    o.queue_capacity = 8;
    o.header_timeout = 30s;  // tests about timeouts set their own
    o.shutdown_timeout = 5s;
    return o;
}

// A Server running on its own thread, stopped and joined at the end.
class Running {
public:
    explicit Running(ServerOptions options) : server_(std::move(options), app_) {
        server_.bind();
        thread_ = std::thread([this] { server_.run(); });
    }
    ~Running() { stop(); }
    void stop() {
        if (!thread_.joinable()) return;
        app_.release();
        server_.stop();
        thread_.join();
    }
    Server& server() { return server_; }
    TinyApp& app() { return app_; }
    std::uint16_t port() const { return server_.port(); }

private:
    TinyApp app_;
    Server server_;
    std::thread thread_;
};

// Polls `done` until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

class Socket {
public:
    Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
    ~Socket() { close(); }
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&&) = delete;
    int fd() const { return fd_; }
    void close() {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    }

    // `source`: the loopback address to connect from (all of 127/8 is local).
    bool connect(std::uint16_t port, const char* source = nullptr) {
        if (source) {
            sockaddr_in from{};
            from.sin_family = AF_INET;
            ::inet_pton(AF_INET, source, &from.sin_addr);
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return false;
        }
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
        return ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    }

    bool send(std::string_view bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }

    // Reads one whole response (header and Content-Length body); "" when the
    // server closes first or nothing arrives within `limit`.
    std::string response(std::chrono::milliseconds limit = 5000ms) {
        const auto deadline = Clock::now() + limit;
        while (true) {
            if (const auto end = pending_.find("\r\n\r\n"); end != std::string::npos) {
                std::size_t length = 0;
                if (const auto cl = pending_.find("Content-Length: "); cl != std::string::npos && cl < end)
                    length = std::stoul(pending_.substr(cl + 16));
                if (pending_.size() >= end + 4 + length) {
                    std::string whole = pending_.substr(0, end + 4 + length);
                    pending_.erase(0, whole.size());
                    return whole;
                }
            }
            if (read_some(deadline) <= 0) return "";
        }
    }

    // True once the server has closed the connection (end of stream or reset)
    // within `limit`; whatever it sends before is dropped.
    bool closed_by_server(std::chrono::milliseconds limit = 5000ms) {
        const auto deadline = Clock::now() + limit;
        while (true) {
            const ssize_t n = read_some(deadline);
            if (n == 0 || (n < 0 && errno != ETIMEDOUT)) return true;
            if (n < 0) return false;
        }
    }

private:
    // >0 bytes read, 0 end of stream, -1 with errno (ETIMEDOUT when the deadline passed).
    ssize_t read_some(Clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd p{fd_, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) pending_.append(buf, static_cast<std::size_t>(n));
        return n;
    }

    int fd_;
    std::string pending_;
};

Socket connected(std::uint16_t port, const char* source = nullptr) {
    Socket s;
    EXPECT_TRUE(s.connect(port, source)) << std::strerror(errno);
    return s;
}

std::string get(Socket& s, std::string_view target, std::string_view extra = "") {
    s.send("GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n");
    return s.response();
}

int status_of(const std::string& response) { return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0; }

}  // namespace

TEST(Server, KeepsAConnectionAliveAcrossRequestsAndClosesOnRequest) {
    Running r(small_options());
    Socket s = connected(r.port());
    const std::string first = get(s, "/a");
    EXPECT_EQ(status_of(first), 200);
    EXPECT_NE(first.find("hello /a from 127.0.0.1"), std::string::npos) << first;
    EXPECT_EQ(first.find("Connection: close"), std::string::npos);
    EXPECT_NE(get(s, "/b").find("hello /b"), std::string::npos) << "second request on the same connection";
    const std::string last = get(s, "/c", "Connection: close\r\n");
    EXPECT_NE(last.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(s.closed_by_server());
}

TEST(Server, AnswersPipelinedRequestsInOrder) {
    Running r(small_options());
    Socket s = connected(r.port());
    ASSERT_TRUE(s.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n"));
    EXPECT_NE(s.response().find("hello /1"), std::string::npos);
    EXPECT_NE(s.response().find("hello /2"), std::string::npos);
}

TEST(Server, ASilentNewConnectionGetsOnlyTheHeaderTimeout) {
    ServerOptions o = small_options();
    o.header_timeout = 1s;
    o.idle_timeout = 60s;
    Running r(o);
    Socket silent = connected(r.port());
    const auto opened = Clock::now();
    EXPECT_TRUE(silent.closed_by_server(10s)) << "closed by the header timeout, not after the idle one";
    EXPECT_GE(Clock::now() - opened, 900ms) << "not before the header timeout";
}

TEST(Server, BetweenKeepAliveRequestsTheIdleTimeoutApplies) {
    ServerOptions o = small_options();
    o.header_timeout = 1s;
    o.idle_timeout = 60s;
    Running r(o);
    Socket s = connected(r.port());
    EXPECT_EQ(status_of(get(s, "/first")), 200);
    EXPECT_FALSE(s.closed_by_server(1500ms)) << "an idle keep-alive connection outlives the header timeout";
    EXPECT_EQ(status_of(get(s, "/second")), 200);
}

TEST(Server, ClosesConnectionsOverTheClientCapAtOnceAndServesOthers) {
    ServerOptions o = small_options();
    o.max_connections_per_client = 2;
    Running r(o);
    Socket a = connected(r.port(), "127.0.0.2");
    Socket b = connected(r.port(), "127.0.0.2");
    Socket over = connected(r.port(), "127.0.0.2");
    EXPECT_TRUE(over.closed_by_server(2s)) << "the third connection of 127.0.0.2 is closed at once";
    EXPECT_EQ(r.server().refused_connections().client_cap, 1u);
    EXPECT_EQ(r.server().refused_connections().server_cap, 0u);
    Socket other = connected(r.port(), "127.0.0.3");
    EXPECT_EQ(status_of(get(other, "/")), 200) << "another address is not affected";
    EXPECT_NE(get(a, "/").find("from 127.0.0.2"), std::string::npos) << "the capped client keeps what it has";
    EXPECT_EQ(status_of(get(b, "/")), 200);

    a.close();
    ASSERT_TRUE(eventually([&] { return r.server().open_connections() == 2; }));
    Socket again = connected(r.port(), "127.0.0.2");
    EXPECT_EQ(status_of(get(again, "/")), 200) << "a closed connection frees its place";
}

TEST(Server, TrustedProxiesAreExemptFromTheClientCap) {
    ServerOptions o = small_options();
    o.max_connections_per_client = 1;
    o.trusted_proxies = TrustedProxies::parse("127.0.0.4");
    Running r(o);
    Socket a = connected(r.port(), "127.0.0.4");
    Socket b = connected(r.port(), "127.0.0.4");
    Socket c = connected(r.port(), "127.0.0.4");
    for (Socket* s : {&a, &b, &c}) EXPECT_EQ(status_of(get(*s, "/")), 200);
    EXPECT_EQ(r.server().refused_connections().client_cap, 0u);
}

TEST(Server, ClosesConnectionsOverTheServerCapAtOnce) {
    ServerOptions o = small_options();
    o.max_connections = 2;
    Running r(o);
    EXPECT_EQ(r.server().max_connections(), 2u);
    Socket a = connected(r.port(), "127.0.0.5");
    Socket b = connected(r.port(), "127.0.0.6");
    Socket over = connected(r.port(), "127.0.0.7");
    EXPECT_TRUE(over.closed_by_server(2s));
    EXPECT_EQ(r.server().refused_connections().server_cap, 1u);
    EXPECT_EQ(status_of(get(a, "/")), 200);
    b.close();
    ASSERT_TRUE(eventually([&] { return r.server().open_connections() == 1; }));
    Socket next = connected(r.port(), "127.0.0.7");
    EXPECT_EQ(status_of(get(next, "/")), 200);
}

TEST(Server, TheDefaultCapLeavesTheReserveOfTheFileLimit) {
    ServerOptions o = small_options();
    o.fd_reserve = 100;
    Running r(o);
    rlimit lim{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur > 116) {
        EXPECT_EQ(r.server().max_connections(), lim.rlim_cur - 100);
    }
    EXPECT_GE(r.server().max_connections(), 16u);
}

// Out of descriptors, a new client used to wait in the backlog unanswered
// while accept failed every 100 ms; now it is accepted and closed at once,
// and once a descriptor is free again new clients are served.
TEST(Server, KeepsAcceptingWhenOutOfDescriptors) {
    ServerOptions o = small_options();
    o.max_connections = 1000;
    Running r(o);
    // Client sockets exist before the limit is lowered; only the server needs new descriptors.
    std::vector<Socket> clients(4);

    // Fill every hole below the highest open descriptor, so the lowered limit
    // leaves the server exactly two new ones.
    std::set<int> open;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') open.insert(std::atoi(e->d_name));
        ::closedir(d);
    }
    ASSERT_FALSE(open.empty());
    std::vector<int> fillers;
    for (int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC); fd >= 0; fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) {
        fillers.push_back(fd);
        if (fd > *open.rbegin()) break;
    }
    const int highest = fillers.back();
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = static_cast<rlim_t>(highest + 1 + 2);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);

    ASSERT_TRUE(clients[0].connect(r.port()));
    ASSERT_TRUE(clients[1].connect(r.port()));
    EXPECT_EQ(status_of(get(clients[0], "/")), 200);
    EXPECT_EQ(status_of(get(clients[1], "/")), 200);
    ASSERT_TRUE(clients[2].connect(r.port()));  // the kernel completes it; the server has no descriptor for it
    const bool shed = clients[2].closed_by_server(2s);
    const auto refused = r.server().refused_connections().no_descriptors;
    clients[0].close();
    const bool freed = eventually([&] { return r.server().open_connections() == 1; });
    ASSERT_TRUE(clients[3].connect(r.port()));
    const int after = status_of(get(clients[3], "/"));

    setrlimit(RLIMIT_NOFILE, &saved);
    for (int fd : fillers) ::close(fd);
    EXPECT_TRUE(shed) << "a client beyond the descriptors is closed at once, not left waiting";
    EXPECT_GE(refused, 1u);
    EXPECT_TRUE(freed);
    EXPECT_EQ(after, 200) << "with a descriptor free again, new clients are served";
}

TEST(Server, RefusesAmbiguousFramingWith400AndCloses) {
    Running r(small_options());
    for (const char* bad : {
             "GET / HTTP/1.1\r\n\r\n",                                              // no Host
             "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",                        // two Hosts
             "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n two\r\n\r\n",               // obs-fold
             "GET / HTTP/1.1\r\nHost: t\r\nX-A: one\r\n\ttwo\r\n\r\n",              // obs-fold with a tab
             "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",       // not chunked
             "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
             "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",     // no codings in 1.0
         }) {
        Socket s = connected(r.port());
        ASSERT_TRUE(s.send(bad));
        const std::string response = s.response();
        EXPECT_EQ(status_of(response), 400) << bad;
        EXPECT_NE(response.find("Connection: close"), std::string::npos) << bad;
        EXPECT_TRUE(s.closed_by_server()) << bad;
    }
    for (const char* good : {
             "GET / HTTP/1.0\r\n\r\n",
             "GET / HTTP/1.1\r\nHost: t\r\nX-A: one two\r\n\r\n",
             "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
         }) {
        Socket s = connected(r.port());
        ASSERT_TRUE(s.send(good));
        EXPECT_EQ(status_of(s.response()), 200) << good;
    }
}

TEST(Server, StopClosesIdleConnectionsAndFinishesRequestsInFlight) {
    Running r(small_options());
    Socket idle = connected(r.port());
    EXPECT_EQ(status_of(get(idle, "/")), 200);
    Socket busy = connected(r.port());
    ASSERT_TRUE(busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return r.app().slow_started(); }));

    r.server().stop();
    EXPECT_TRUE(idle.closed_by_server(2s)) << "an idle connection closes at once";
    r.app().release();
    const std::string response = busy.response();
    EXPECT_NE(response.find("hello /slow"), std::string::npos) << "the request in flight is answered";
    EXPECT_NE(response.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(busy.closed_by_server());
    r.stop();  // run() returns
    Socket late;
    EXPECT_FALSE(late.connect(r.port())) << "nothing listens any more";
}
