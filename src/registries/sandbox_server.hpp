#pragma once
// `uslugi registries`: the sandbox of the external systems the portal talks to
// (Pension Fund, Interior Ministry, tax service, traffic police, bailiffs,
// Post, a bank, the SMS gateway and push), one HTTP server with JSON APIs
// seeded from data/registries/, plus the demo inbox page where a person
// trying the portal locally reads the SMS, push messages, e-mails and letters
// sent to them. Each registry can be made slow, failing or down (Faults).
#include "registries/faults.hpp"
#include "registries/model.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace uslugi::registries {

struct SandboxOptions {
    std::string listen = "127.0.0.1";
    std::uint16_t port = 8081;
    std::string data_dir;              // empty: <root>/data/registries
    std::string mail_dir = "var/mail";  // Maildir of the SMTP sink, shown in the demo inbox
    std::string faults_file;           // JSON, as PUT /admin/faults takes it
    int post_delivery_seconds = 180;   // accepted → arrived; "minutes, not weeks" for the demo
    unsigned workers = 32;             // handler threads (latency faults sleep in them)
    unsigned io_threads = 2;
};

class SandboxServer {
public:
    // Loads the data, the faults file and the templates; throws on bad data.
    SandboxServer(SandboxOptions options, const std::string& root);
    ~SandboxServer();
    SandboxServer(const SandboxServer&) = delete;
    SandboxServer& operator=(const SandboxServer&) = delete;

    // Binds the socket; afterwards port() is the real port (for --port 0).
    void bind();
    std::uint16_t port() const;
    // Serves until SIGINT/SIGTERM or stop().
    void run();
    void stop();

    Faults& faults();
    const RegistryData& data() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The `uslugi registries` command: prints "registries sandbox listening on
// http://…" once bound, serves until a signal. Returns the exit code.
int run_sandbox(const SandboxOptions& options, const std::string& root);

}  // namespace uslugi::registries
