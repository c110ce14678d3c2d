#pragma once
// Settings of one uslugi process. Filled from flags, USLUGI_* environment
// variables and an optional config file (see main.cpp); defaults suit `make run`.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace uslugi::core {

struct Config {
    std::string database = "sqlite://var/uslugi.db";
    std::string root;  // folder holding templates/, static/, locales/, migrations/
    std::string log_level = "info";
    std::string font_dir = "/usr/share/fonts/truetype/dejavu";  // DejaVu (Cyrillic) for PDF documents

    // HTTP server
    std::string listen = "127.0.0.1";
    std::uint16_t port = 8080;
    unsigned io_threads = 2;  // they also run non-blocking handlers
    unsigned workers = 16;
    std::size_t queue_capacity = 512;
    std::size_t db_pool_size = 16;
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1024 * 1024;          // default per route
    std::size_t upload_body_limit = 25 * 1024 * 1024;  // routes that accept files
    std::chrono::seconds header_timeout{10};
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds idle_timeout{75};
    std::chrono::seconds shutdown_timeout{30};
    bool trust_proxy = false;  // shorthand: trust a proxy on loopback (127.0.0.0/8, ::1)
    std::string trusted_proxies;  // comma-separated CIDRs whose X-Forwarded-For/-Proto count
    std::size_t max_connections = 0;  // 0: the open-file limit less a reserve
    std::size_t max_client_connections = 256;  // per client address; 0: no cap
    int catalog_poll_seconds = 10;
    std::size_t page_cache_mb = 64;  // rendered anonymous pages kept in memory; 0: none
    bool test_routes = false;  // fault-injection routes used by the integration tests
    // The IANA zone times are shown in to someone who has not chosen one in /settings.
    std::string time_zone = "Europe/Moscow";

    // External registries (registries/clients.hpp): the sandbox in development.
    std::string registries_url = "http://127.0.0.1:8081";
    int registries_timeout_ms = 3000;  // connect and read, per call
    std::string registries_ca, registries_client_cert, registries_client_key;  // PEM files, https only
    // E-mail notifications over SMTP (notifications/channels.hpp)
    std::string smtp_host = "127.0.0.1";
    std::uint16_t smtp_port = 8025;
    std::string mail_from = "Услуги <noreply@uslugi.local>";
    // Background jobs (serve runs workers in-process unless no_workers; `uslugi worker` only them)
    bool no_workers = false;
    unsigned job_workers = 2;                // runner threads
    int job_lease = 120;                     // seconds a worker holds a job; handlers must finish within it
    int job_poll_ms = 1000;                  // how often an idle worker looks for due jobs
    int job_backoff_base = 2;                // seconds: retry waits are random in [0, min(cap, base·2^(n-1))]
    int job_backoff_cap = 3600;
    std::string ops_token;                   // operator pages (/ops/*); empty: they answer 404

    // Identity: personal data is sealed under the data key (64 hex digits);
    // without one, `data_key_file` is used (created with a random key if missing).
    std::string data_key;
    std::string data_key_file = "var/data.key";
    // The portal's address as users reach it ("https://uslugi.example"):
    // links in messages are built from it alone, and requests must name its
    // host or one of `allowed_hosts`. Empty: the listening address, which
    // must then be a loopback one (a trial).
    std::string public_url;
    std::vector<std::string> allowed_hosts;
    std::string qes_trust_dir = "data/qes";  // CAs of qualified signatures (identity/signature_confirmation.hpp)
};

// Locates the project folder: $USLUGI_ROOT, the working directory, or the
// parent of the executable's folder (build/uslugi), whichever holds templates/.
std::string find_root(const std::string& explicit_root, const char* argv0);

}  // namespace uslugi::core
