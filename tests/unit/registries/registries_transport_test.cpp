// HttpTransport against small POCO servers started here, which count the TCP
// connections they accept: kept-alive connections are reused and failed ones
// are not, a held answer is a timeout, and over TLS the client presents its
// certificate and trusts only the configured CA. Down and failing registries
// over the sandbox: registries_client_test.cpp.
#include <gtest/gtest.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "registries/clients.hpp"

using namespace uslugi::registries;
namespace fs = std::filesystem;
namespace chr = std::chrono;

namespace {

// Holds the answers to /held until opened: a slow registry without sleeping.
struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return open; });
    }
    void release() {
        std::lock_guard lock(mutex);
        open = true;
        cv.notify_all();
    }
};

std::string peer_name(Poco::Net::HTTPServerRequest& req) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&req);
    if (!impl || !impl->secure()) return "";
    Poco::Net::SecureStreamSocket socket(impl->socket());
    return socket.havePeerCertificate() ? socket.peerCertificate().commonName() : "";
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(Gate& gate) : gate_(gate) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
        if (req.getURI() == "/held") gate_.wait();
        const bool fail = req.getURI() == "/fail";
        const nlohmann::json body = fail ? nlohmann::json{{"error", {{"code", "registry.down"}, {"message", "down"}}}}
                                         : nlohmann::json{{"path", req.getURI()}, {"peer", peer_name(req)}};
        res.setStatus(fail ? Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE : Poco::Net::HTTPResponse::HTTP_OK);
        const std::string text = body.dump();
        res.setContentType("application/json");
        if (req.getURI() == "/close") res.setKeepAlive(false);
        res.sendBuffer(text.data(), text.size());
    }

private:
    Gate& gate_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(Gate& gate) : gate_(gate) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(gate_);
    }

private:
    Gate& gate_;
};

// A registry on a free loopback port; with a TLS context, over HTTPS.
class TestServer {
public:
    explicit TestServer(Poco::Net::Context::Ptr tls = nullptr, std::uint16_t port = 0) {
        const Poco::Net::SocketAddress any("127.0.0.1", port);
        Poco::Net::ServerSocket socket = tls ? Poco::Net::SecureServerSocket(any, 64, tls) : Poco::Net::ServerSocket(any);
        port_ = socket.address().port();
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(gate_), socket, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~TestServer() {
        gate_.release();
        server_->stopAll(true);
    }
    std::string url(const char* scheme = "http") const { return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_); }
    int connections() const { return server_->totalConnections(); }
    std::uint16_t port() const { return port_; }
    Gate& gate() { return gate_; }

private:
    Gate gate_;
    std::uint16_t port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

ClientOptions options(const std::string& url, int timeout_ms = 2000) {
    ClientOptions o;
    o.base_url = url;
    o.connect_timeout = chr::milliseconds(2000);
    o.timeout = chr::milliseconds(timeout_ms);
    return o;
}

RegistryUnavailable::Reason failure(const HttpTransport& t, const char* path) {
    try {
        t.call("pfr", "GET", path);
    } catch (const RegistryUnavailable& e) {
        return e.reason();
    }
    ADD_FAILURE() << "GET " << path << " did not fail";
    return RegistryUnavailable::Reason::bad_response;
}

}  // namespace

TEST(RegistriesTransport, KeepsOneConnectionAliveForSuccessiveCalls) {
    TestServer server;
    const HttpTransport t(options(server.url()));
    EXPECT_EQ(t.call("pfr", "GET", "/one")["path"], "/one");
    EXPECT_EQ(t.call("pfr", "POST", "/two", nullptr)["path"], "/two");
    const nlohmann::json body = {{"x", 1}};
    EXPECT_EQ(t.call("pfr", "POST", "/three", &body)["path"], "/three");
    EXPECT_EQ(server.connections(), 1);
}

TEST(RegistriesTransport, AnAnswerThatClosesTheConnectionIsFollowedByANewOne) {
    TestServer server;
    const HttpTransport t(options(server.url()));
    EXPECT_EQ(t.call("pfr", "GET", "/close")["path"], "/close");
    EXPECT_EQ(t.call("pfr", "POST", "/after", nullptr)["path"], "/after");
    EXPECT_EQ(server.connections(), 2);
}

// The registry restarts: the kept connection is closed under the client. A
// POST that must not be sent twice goes on a new connection, not into the
// closed one.
TEST(RegistriesTransport, AConnectionTheRegistryClosedIsNotUsed) {
    auto first = std::make_unique<TestServer>();
    const std::uint16_t port = first->port();
    const HttpTransport t(options(first->url()));
    EXPECT_EQ(t.call("pfr", "GET", "/before")["path"], "/before");
    first.reset();
    TestServer second(nullptr, port);
    EXPECT_EQ(t.call("pfr", "POST", "/after", nullptr)["path"], "/after");
    EXPECT_EQ(second.connections(), 1);
}

TEST(RegistriesTransport, ThreadsShareThePoolOneSessionEach) {
    TestServer server;
    const HttpTransport t(options(server.url()));
    constexpr int kThreads = 4, kCalls = 25;
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            for (int n = 0; n < kCalls; ++n) {
                const std::string path = "/t" + std::to_string(i) + "/" + std::to_string(n);
                if (t.call("pfr", "GET", path)["path"] == path) ++answered;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(answered, kThreads * kCalls);
    EXPECT_LE(server.connections(), kThreads);
}

TEST(RegistriesTransport, AFailingRegistryIsServerErrorAndTheConnectionStaysUsable) {
    TestServer server;
    const HttpTransport t(options(server.url()));
    try {
        t.call("pfr", "GET", "/fail");
        ADD_FAILURE() << "a 503 answer did not throw";
    } catch (const RegistryUnavailable& e) {
        EXPECT_EQ(e.reason(), RegistryUnavailable::Reason::server_error);
        EXPECT_EQ(e.http_status(), 503);
        EXPECT_EQ(e.code, "registry.down");
    }
    EXPECT_EQ(t.call("pfr", "GET", "/after")["path"], "/after");
    EXPECT_EQ(server.connections(), 1);
}

TEST(RegistriesTransport, AHeldAnswerIsATimeoutAndItsConnectionIsDropped) {
    TestServer server;
    const HttpTransport t(options(server.url(), 200));
    EXPECT_EQ(failure(t, "/held"), RegistryUnavailable::Reason::timeout);
    // The late answer now goes down the first connection; a client that kept
    // it would read that answer as the next one.
    server.gate().release();
    EXPECT_EQ(t.call("pfr", "GET", "/next")["path"], "/next");
    EXPECT_EQ(server.connections(), 2);
}

TEST(RegistriesTransport, ADownRegistryIsAConnectionFailure) {
    std::string url;
    {
        TestServer gone;
        url = gone.url();
    }
    const HttpTransport t(options(url));
    EXPECT_EQ(failure(t, "/x"), RegistryUnavailable::Reason::connection);
}

TEST(RegistriesTransport, RefusesBadOptions) {
    EXPECT_THROW(HttpTransport(options("ftp://127.0.0.1:1")), std::invalid_argument);
    EXPECT_THROW(HttpTransport(options("http:///nohost")), std::invalid_argument);
    ClientOptions o = options("http://127.0.0.1:1");
    o.ca_file = "/etc/hostname";
    EXPECT_THROW(HttpTransport{o}, std::invalid_argument);  // TLS settings on plain http
    o = options("https://127.0.0.1:1");
    o.client_cert_file = "/etc/hostname";
    EXPECT_THROW(HttpTransport{o}, std::invalid_argument);  // a certificate without its key
}

// ---- TLS ------------------------------------------------------------------------------------

namespace {

// Throwaway PKI from the openssl command: two CAs, a server certificate from
// each, one more from the first for another host, and a client certificate.
class Pki {
public:
    Pki() {
        char tmpl[] = "/tmp/uslugi-tls-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        make_ca("ca");
        make_ca("other-ca");
        issue("ca", "server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        issue("other-ca", "impostor", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        issue("ca", "client", "uslugi-portal", "extendedKeyUsage=clientAuth\n");
        issue("ca", "elsewhere", "registry.example", "subjectAltName=DNS:registry.example\nextendedKeyUsage=serverAuth\n");
    }
    ~Pki() { fs::remove_all(dir_); }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

private:
    void run(const std::string& command) const {
        const std::string line = "cd '" + dir_.string() + "' && " + command + " >>openssl.log 2>&1";
        if (std::system(line.c_str()) != 0) throw std::runtime_error("openssl failed: " + command);
    }
    void make_ca(const std::string& name) const {
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -keyout " + name +
            ".key -out " + name + ".pem -subj '/CN=" + name + "' -addext basicConstraints=critical,CA:TRUE" +
            " -addext keyUsage=critical,keyCertSign");
    }
    void issue(const std::string& ca, const std::string& name, const std::string& cn, const std::string& ext) const {
        std::ofstream(dir_ / (name + ".ext")) << ext;
        run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name + ".key -out " + name +
            ".csr -subj '/CN=" + cn + "'");
        run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -set_serial " +
            std::to_string(std::rand() + 1) + " -days 2 -out " + name + ".pem -extfile " + name + ".ext");
    }
    fs::path dir_;
};

class RegistriesTransportTls : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        Poco::Net::initializeSSL();
        pki_ = new Pki();
    }
    static void TearDownTestSuite() {
        delete pki_;
        pki_ = nullptr;
    }
    // A registry that presents `cert` and admits only clients certified by our CA.
    static Poco::Net::Context::Ptr server_context(const std::string& cert, bool tls12_only = false) {
        Poco::Net::Context::Params p;
        p.certificateFile = pki_->file(cert + ".pem");
        p.privateKeyFile = pki_->file(cert + ".key");
        p.caLocation = pki_->file("ca.pem");
        p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
        // POCO would also match the client's certificate to its address; a
        // client certificate names the client, not a host.
        ctx->enableExtendedCertificateVerification(false);
        if (tls12_only) ctx->disableProtocols(Poco::Net::Context::PROTO_TLSV1_3);
        return ctx;
    }
    static ClientOptions tls_options(const TestServer& server, bool with_client_cert = true) {
        ClientOptions o = options(server.url("https"));
        o.ca_file = pki_->file("ca.pem");
        if (with_client_cert) {
            o.client_cert_file = pki_->file("client.pem");
            o.client_key_file = pki_->file("client.key");
        }
        return o;
    }
    static Pki* pki_;
};

Pki* RegistriesTransportTls::pki_ = nullptr;

}  // namespace

TEST_F(RegistriesTransportTls, PresentsTheClientCertificateAndKeepsTheConnection) {
    TestServer server(server_context("server"));
    const HttpTransport t(tls_options(server));
    EXPECT_EQ(t.call("pfr", "GET", "/a")["peer"], "uslugi-portal");
    EXPECT_EQ(t.call("pfr", "GET", "/b")["peer"], "uslugi-portal");
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(RegistriesTransportTls, AServerCertifiedByAnotherCaIsRefused) {
    TestServer server(server_context("impostor"));
    const HttpTransport t(tls_options(server));
    EXPECT_EQ(failure(t, "/a"), RegistryUnavailable::Reason::tls);
}

// Signed by the right CA, but for another host.
TEST_F(RegistriesTransportTls, ACertificateForAnotherHostIsRefused) {
    TestServer server(server_context("elsewhere"));
    const HttpTransport t(tls_options(server));
    EXPECT_EQ(failure(t, "/a"), RegistryUnavailable::Reason::tls);
}

// Under TLS 1.2 the registry checks the client's certificate within the
// handshake, so the client learns why.
TEST_F(RegistriesTransportTls, WithoutAClientCertificateTheRegistryRefusesTheHandshake) {
    TestServer server(server_context("server", true));
    const HttpTransport t(tls_options(server, false));
    EXPECT_EQ(failure(t, "/a"), RegistryUnavailable::Reason::tls);
}

// Under TLS 1.3 it does so after the handshake: its alert may come before
// the reset of the connection, or be lost to it. Either way, no answer.
TEST_F(RegistriesTransportTls, WithoutAClientCertificateTheRegistryDoesNotAnswer) {
    TestServer server(server_context("server"));
    const HttpTransport t(tls_options(server, false));
    const auto reason = failure(t, "/a");
    EXPECT_TRUE(reason == RegistryUnavailable::Reason::tls || reason == RegistryUnavailable::Reason::connection)
        << to_string(reason);
}

TEST_F(RegistriesTransportTls, PlainHttpToATlsRegistryFails) {
    TestServer server(server_context("server"));
    const HttpTransport t(options(server.url("http"), 1000));
    try {
        t.call("pfr", "GET", "/a");
        ADD_FAILURE() << "plain HTTP to a TLS server answered";
    } catch (const RegistryUnavailable&) {
    }
}
