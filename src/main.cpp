// uslugi — the composition root: command line, configuration, wiring of modules.
#include <utility>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "applications/pension_routes.hpp"
#include "applications/routes.hpp"
#include "applications/service.hpp"
#include "applications/store.hpp"
#include "catalog/routes.hpp"
#include "catalog/service.hpp"
#include "catalog/store.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/i18n.hpp"
#include "core/format.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "http/app.hpp"
#include "http/ops_routes.hpp"
#include "http/prefs_routes.hpp"
#include "http/rate_limiter.hpp"
#include "http/server.hpp"
#include "http/session_store.hpp"
#include "http/validation_routes.hpp"
#include "identity/admin_command.hpp"
#include "identity/confirmation_routes.hpp"
#include "identity/profile_routes.hpp"
#include "identity/profile_store.hpp"
#include "identity/recovery_routes.hpp"
#include "identity/routes.hpp"
#include "identity/security_routes.hpp"
#include "identity/signature_routes.hpp"
#include "identity/service.hpp"
#include "identity/store.hpp"
#include "identity/verification.hpp"
#include "http/static_files.hpp"
#include "http/templates.hpp"
#include "http/test_routes.hpp"
#include "registries/command.hpp"
#include "identity/foreign_routes.hpp"
#include "cabinet/routes.hpp"
#include "cabinet/service.hpp"
#include "organisations/routes.hpp"
#include "organisations/test_routes.hpp"
#include "jobs/routes.hpp"
#include "jobs/service.hpp"
#include "jobs/store.hpp"
#include "jobs/test_routes.hpp"
#include "notifications/service.hpp"
#include "notifications/store.hpp"
#include "notifications/test_routes.hpp"
#include "payments/routes.hpp"
#include "payments/service.hpp"
#include "oidc/admin.hpp"
#include "oidc/backchannel.hpp"
#include "oidc/demo_site.hpp"
#include "oidc/routes.hpp"
#include "oidc/service.hpp"

using namespace uslugi;

namespace {

void add_common_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--database", cfg.database, "sqlite://PATH or postgresql://user@host:port/db")
        ->envname("USLUGI_DATABASE")
        ->capture_default_str();
    cmd.add_option("--root", cfg.root, "folder with templates/, static/, locales/, migrations/")->envname("USLUGI_ROOT");
    cmd.add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error")
        ->envname("USLUGI_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
}

void add_serve_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--listen", cfg.listen, "address to listen on")->envname("USLUGI_LISTEN")->capture_default_str();
    cmd.add_option("--port", cfg.port, "port (0 picks a free one)")->envname("USLUGI_PORT")->capture_default_str();
    cmd.add_option("--time-zone", cfg.time_zone,
                   "IANA zone pages and messages show times in for someone who chose none (e.g. Asia/Yekaterinburg)")
        ->envname("USLUGI_TIME_ZONE")
        ->capture_default_str();
    cmd.add_option("--io-threads", cfg.io_threads, "I/O threads")->envname("USLUGI_IO_THREADS")
        ->check(CLI::Range(1u, 64u))->capture_default_str();
    cmd.add_option("--workers", cfg.workers, "handler threads")->envname("USLUGI_WORKERS")
        ->check(CLI::Range(1u, 512u))->capture_default_str();
    cmd.add_option("--queue", cfg.queue_capacity, "requests waiting for a worker before 503")
        ->envname("USLUGI_QUEUE")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd.add_option("--db-pool", cfg.db_pool_size, "database connections")->envname("USLUGI_DB_POOL")
        ->check(CLI::Range(1, 1000))->capture_default_str();
    cmd.add_option_function<int>("--header-timeout", [&cfg](int s) { cfg.header_timeout = std::chrono::seconds(s); },
                                 "seconds a client has to send a request header (default 10)")
        ->envname("USLUGI_HEADER_TIMEOUT")->check(CLI::Range(1, 3600));
    cmd.add_option_function<int>("--idle-timeout", [&cfg](int s) { cfg.idle_timeout = std::chrono::seconds(s); },
                                 "seconds an idle keep-alive connection stays open (default 75)")
        ->envname("USLUGI_IDLE_TIMEOUT")->check(CLI::Range(1, 3600));
    cmd.add_option("--allowed-hosts", cfg.allowed_hosts,
                   "further host names the portal answers to (comma-separated host or host:port), besides the "
                   "public URL's")
        ->envname("USLUGI_ALLOWED_HOSTS")
        ->delimiter(',');
    cmd.add_flag("--trust-proxy", cfg.trust_proxy,
                 "trust a reverse proxy on this machine: shorthand for --trusted-proxies 127.0.0.0/8,::1")
        ->envname("USLUGI_TRUST_PROXY");
    cmd.add_option("--trusted-proxies", cfg.trusted_proxies,
                   "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed "
                   "(e.g. 10.0.0.0/24,2001:db8::/64)")
        ->envname("USLUGI_TRUSTED_PROXIES")
        ->check(CLI::Validator(
            [](std::string& list) {
                try {
                    http::TrustedProxies::parse(list);
                    return std::string();
                } catch (const std::invalid_argument& e) {
                    return std::string(e.what());
                }
            },
            "CIDR,..."));
    cmd.add_option("--max-connections", cfg.max_connections,
                   "open client connections at most; further ones are closed at once "
                   "(default 0: the open-file limit less a reserve for the database, files and mail)")
        ->envname("USLUGI_MAX_CONNECTIONS")->check(CLI::Range(0, 10000000))->capture_default_str();
    cmd.add_option("--max-client-connections", cfg.max_client_connections,
                   "open connections per client address (IPv6: per /64), trusted proxies exempt; 0: no cap")
        ->envname("USLUGI_MAX_CLIENT_CONNECTIONS")->check(CLI::Range(0, 10000000))->capture_default_str();
    cmd.add_option("--catalog-poll-seconds", cfg.catalog_poll_seconds,
                   "how often to look for a new catalog version in the database (another instance may have seeded one)")
        ->envname("USLUGI_CATALOG_POLL_SECONDS")->check(CLI::Range(1, 3600))->capture_default_str();
    cmd.add_option("--page-cache-mb", cfg.page_cache_mb,
                   "memory for rendered pages shared by visitors without an account (catalog pages); 0: render every time")
        ->envname("USLUGI_PAGE_CACHE_MB")->check(CLI::Range(0, 65536))->capture_default_str();
    cmd.add_flag("--test-routes", cfg.test_routes, "fault-injection routes for the integration tests")
        ->envname("USLUGI_TEST_ROUTES");
}

// The data key that seals personal data: `serve`, `worker`, and `migrate` (for the re-seal).
void add_data_key_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--data-key", cfg.data_key, "64 hex digits: the key personal data is encrypted with")
        ->envname("USLUGI_DATA_KEY");
    cmd.add_option("--data-key-file", cfg.data_key_file,
                   "file holding the data key; created with a random key if missing (trials only)")
        ->envname("USLUGI_DATA_KEY_FILE")
        ->capture_default_str();
}

void add_identity_options(CLI::App& cmd, core::Config& cfg) {
    add_data_key_options(cmd, cfg);
    cmd.add_option("--public-url", cfg.public_url,
                   "the portal's address as users reach it (https://…): links in messages use it, and requests "
                   "must name its host; default: the listening address, if it is a loopback one")
        ->envname("USLUGI_PUBLIC_URL");
}

// Flags of the job runner, shared by `serve` and `worker`.
void add_job_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--job-workers", cfg.job_workers, "threads running background jobs")
        ->envname("USLUGI_JOB_WORKERS")->check(CLI::Range(1u, 256u))->capture_default_str();
    cmd.add_option("--job-lease", cfg.job_lease,
                   "seconds a worker holds a job; a job whose worker died runs again after it")
        ->envname("USLUGI_JOB_LEASE")->check(CLI::Range(1, 86400))->capture_default_str();
    cmd.add_option("--job-poll-ms", cfg.job_poll_ms, "how often an idle worker looks for due jobs (ms)")
        ->envname("USLUGI_JOB_POLL_MS")->check(CLI::Range(10, 60000))->capture_default_str();
    cmd.add_option("--job-backoff-base", cfg.job_backoff_base,
                   "seconds: a failed job waits a random time up to base·2^(attempt-1)")
        ->envname("USLUGI_JOB_BACKOFF_BASE")->check(CLI::Range(0, 86400))->capture_default_str();
    cmd.add_option("--job-backoff-cap", cfg.job_backoff_cap, "seconds: the longest wait between attempts")
        ->envname("USLUGI_JOB_BACKOFF_CAP")->check(CLI::Range(0, 7 * 86400))->capture_default_str();
}

jobs::RunnerOptions runner_options(const core::Config& cfg) {
    jobs::RunnerOptions o;
    o.threads = cfg.job_workers;
    o.lease_seconds = cfg.job_lease;
    o.poll = std::chrono::milliseconds(cfg.job_poll_ms);
    o.backoff.base = std::chrono::seconds(cfg.job_backoff_base);
    o.backoff.cap = std::chrono::seconds(cfg.job_backoff_cap);
    return o;
}

// Every job kind of the portal gets its handler here, in `serve` and in
// `worker` alike (modules register their kinds as they arrive: notifications,
// registry requests …). Handlers must be idempotent: see jobs/service.hpp.
void register_job_handlers(jobs::JobRunner& runner, db::Database& database, const core::Config& cfg,
                           const std::string& root) {
    if (cfg.test_routes) jobs::register_test_kind(runner, database);
    notifications::register_job_handlers(runner, database, cfg, root);
    identity::register_job_handlers(runner, database, cfg, root);
    identity::register_confirmation_jobs(runner, database, cfg);
    payments::register_job_handlers(runner, database, cfg, root);
    applications::register_pension_jobs(runner, database, cfg, root);
    applications::marriage::register_job_handlers(runner, database, cfg);
    oidc::register_job_handlers(runner);
}

std::string display_url(const std::string& url) {
    // Never print a password from a PostgreSQL URL.
    const auto at = url.find('@');
    const auto scheme = url.find("://");
    const auto colon = url.find(':', scheme + 3);
    if (at == std::string::npos || colon == std::string::npos || colon > at) return url;
    return url.substr(0, colon) + ":***" + url.substr(at);
}

void raise_file_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

// Sealed values written before they were bound to where they live ("v1.")
// become "v2."; SQL migrations cannot do it, they have no data key. Each
// module re-seals its own tables through its own store. Runs after the SQL
// migrations; safe to interrupt, to rerun and to run from several instances.
void reseal_personal_data(db::Database& database, const core::DataProtector& protector) {
    identity::AccountStore(database, protector).reseal();
    identity::ChallengeStore(database, protector).reseal();
    identity::ProfileStore(database, protector).reseal();
    jobs::JobStore job_store(database);
    notifications::OutboxStore(database, job_store, {}, &protector).reseal();
}

int migrate(const core::Config& cfg, const std::string& root) {
    db::Database database(cfg.database, 1);
    const auto applied = db::apply_migrations(database, db::load_migrations(root + "/migrations", database.backend()));
    for (const auto& name : applied) core::app_log().info("migration applied: {}", name);
    reseal_personal_data(database, core::DataProtector(core::load_data_key(cfg.data_key, cfg.data_key_file)));
    core::app_log().info("database {} is up to date ({} applied now)", display_url(cfg.database), applied.size());
    return 0;
}

int seed(const core::Config& cfg, const std::string& root) {
    db::Database database(cfg.database, 1);
    db::apply_migrations(database, db::load_migrations(root + "/migrations", database.backend()));
    catalog::CatalogStore store(database);
    const auto result = store.replace(catalog::read_seed_files(root + "/data/catalog"));
    core::app_log().info("catalog {}: version {}, {} services, {} authorities",
                         result.changed ? "loaded" : "unchanged", result.version, result.services, result.authorities);
    // The online forms (data/forms), checked against the catalog just loaded.
    long long version = 0;
    const catalog::Catalog loaded(store.load(version), version);
    const auto forms = applications::read_form_files(root + "/data/forms", loaded);
    applications::replace_forms(database, forms, core::now_unix());
    core::app_log().info("application forms loaded: {}", forms.size());
    return 0;
}

// `uslugi admin …`: staff accounts and roles. A centre or an authority named
// as a role's scope must exist in the loaded catalog.
int admin(const core::Config& cfg, const std::string& root, const identity::AdminCommands& commands,
          const identity::AdminOptions& options) {
    db::Database database(cfg.database, 1);
    db::apply_migrations(database, db::load_migrations(root + "/migrations", database.backend()));
    const core::DataProtector protector(core::load_data_key(cfg.data_key, cfg.data_key_file));
    long long version = 0;
    const catalog::Catalog catalog(catalog::CatalogStore(database).load(version), version);
    const auto scope_exists = [&catalog](std::string_view role, const std::string& scope) {
        if (role == identity::kRoleOfficer) return catalog.authority(scope) != nullptr;
        const auto& centres = catalog.data().service_centres;
        return std::any_of(centres.begin(), centres.end(), [&](const auto& c) { return c.id == scope; });
    };
    return identity::run_admin(commands, options, database, protector, scope_exists, std::cout, std::cerr);
}

// The public URL and the host names requests must carry, known once the
// port is bound (a test asks for port 0).
http::HostPolicy host_policy(core::Config& cfg, std::uint16_t port) {
    if (cfg.public_url.empty()) cfg.public_url = http::default_public_url(cfg.listen, port);
    if (cfg.public_url.empty())
        throw std::invalid_argument("--public-url is required when listening on " + cfg.listen +
                                    ": links in messages and the allowed Host come from it");
    http::HostPolicy policy(cfg.public_url, cfg.allowed_hosts, cfg.listen, port);
    cfg.public_url = policy.base_url();
    return policy;
}

http::ServerOptions server_options(const core::Config& cfg) {
    http::ServerOptions options;
    options.listen = cfg.listen;
    options.port = cfg.port;
    options.io_threads = cfg.io_threads;
    options.workers = cfg.workers;
    options.queue_capacity = cfg.queue_capacity;
    options.header_limit = cfg.header_limit;
    options.body_limit = cfg.body_limit;
    options.header_timeout = cfg.header_timeout;
    options.body_timeout = cfg.body_timeout;
    options.idle_timeout = cfg.idle_timeout;
    options.shutdown_timeout = cfg.shutdown_timeout;
    options.max_connections = cfg.max_connections;
    // Descriptors kept for everything but client connections: the database
    // pool, files, mail and registry calls of the workers and job runners.
    options.fd_reserve = 128 + cfg.db_pool_size + cfg.workers + 2 * cfg.job_workers;
    options.max_connections_per_client = cfg.max_client_connections;
    options.trusted_proxies = http::TrustedProxies::configured(cfg.trusted_proxies, cfg.trust_proxy);
    return options;
}

// What an operator watches of the server and the database pool at /metrics.
void add_server_gauges(http::Metrics& metrics, http::Server& server, db::Database& database) {
    metrics.add_gauge("uslugi_worker_queue_depth", "Requests waiting for a worker.",
                      [&server] { return double(server.workers().queue_depth()); });
    metrics.add_gauge("uslugi_workers_busy", "Workers running a handler.",
                      [&server] { return double(server.workers().busy()); });
    metrics.add_gauge("uslugi_workers", "Worker threads.", [&server] { return double(server.workers().threads()); });
    metrics.add_gauge("uslugi_db_pool_in_use", "Database connections leased.",
                      [&database] { return double(database.in_use()); });
    metrics.add_gauge("uslugi_db_pool_size", "Database connections in the pool.",
                      [&database] { return double(database.pool_size()); });
    metrics.add_gauge("uslugi_open_connections", "Open client connections.",
                      [&server] { return double(server.open_connections()); });
    metrics.add_gauge("uslugi_max_connections", "The cap on open client connections.",
                      [&server] { return double(server.max_connections()); });
    metrics.add_labelled_counter(
        "uslugi_connections_refused_total",
        "Client connections closed as soon as accepted: over the server's cap, over the client's, out of descriptors.",
        "reason", [&server] {
            const http::RefusedConnections r = server.refused_connections();
            return std::vector<std::pair<std::string, double>>{{"server_cap", double(r.server_cap)},
                                                               {"client_cap", double(r.client_cap)},
                                                               {"no_descriptors", double(r.no_descriptors)}};
        });
}

void add_page_cache_gauges(http::Metrics& metrics, http::PageCache& cache) {
    metrics.add_labelled_counter("uslugi_page_cache_lookups_total",
                                 "Shared page cache lookups for visitors without an account, by result.", "result",
                                 [&cache] {
                                     const auto st = cache.stats();
                                     return std::vector<std::pair<std::string, double>>{{"hit", double(st.hits)},
                                                                                        {"miss", double(st.misses)}};
                                 });
    metrics.add_gauge("uslugi_page_cache_bytes", "Memory held by the shared page cache.",
                      [&cache] { return double(cache.stats().bytes); });
    metrics.add_gauge("uslugi_page_cache_entries", "Pages in the shared page cache.",
                      [&cache] { return double(cache.stats().entries); });
}

// Ended sessions, old rate-limit rows and finished challenges are removed in
// the background every ten minutes (the jobs module will take this over).
class Maintenance {
public:
    Maintenance(http::SessionStore& sessions, http::RateLimiter& limiter, identity::IdentityService& identity,
                oidc::OidcService& oidc)
        : thread_([this, &sessions, &limiter, &identity, &oidc] { run(sessions, limiter, identity, oidc); }) {}
    ~Maintenance() { stop(); }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run(http::SessionStore& sessions, http::RateLimiter& limiter, identity::IdentityService& identity,
             oidc::OidcService& oidc) {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::minutes(10), [this] { return stopping_; })) {
            try {
                if (int n = sessions.purge_expired()) core::app_log().info("purged {} ended sessions", n);
                limiter.purge(core::now_unix() - 24 * 3600);
                identity.purge();
                oidc.purge(core::now_unix());
                oidc.keys().ensure(core::now_unix());  // renews a signing key past its age
            } catch (const std::exception& e) {
                core::app_log().warn("session purge failed: {}", e.what());
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;  // last: it starts once the members it uses exist
};

// Service centres as the identity module sees them (it includes no catalog
// header): by id for an operator's centre, and those that confirm identity
// nearest to the visitor's chosen place for "confirm your identity".
identity::CentreDirectory centre_directory(const catalog::CatalogService& catalog) {
    auto info = [](const catalog::ServiceCentre& c, const std::string& lang, double km) {
        return identity::CentreInfo{c.id, c.name.in(lang), c.address.in(lang), c.hours.in(lang),
                                    km >= 0 ? core::format_distance_km(km, lang) : std::string(),
                                    c.registers_accounts};
    };
    identity::CentreDirectory d;
    d.find = [&catalog, info](const std::string& id, const std::string& lang) -> std::optional<identity::CentreInfo> {
        const auto cat = catalog.current();
        for (const auto& c : cat->data().service_centres)
            if (c.id == id) return info(c, lang, -1);
        return std::nullopt;
    };
    d.nearest = [&catalog, info](const http::Request& req, std::size_t limit) {
        const auto cat = catalog.current();
        const std::string settlement = req.session ? req.session->settlement : "";
        const std::string region = req.session ? req.session->region : "";
        const catalog::Settlement* origin = cat->settlement(settlement);
        if (!origin)
            if (const catalog::Region* r = cat->region(region); r && !r->settlements.empty())
                origin = cat->settlement(r->settlements.front());
        std::vector<identity::CentreInfo> out;
        if (origin) {
            for (const auto& [c, km] : cat->centres_near(origin->lat, origin->lon, "", true)) {
                if (out.size() >= limit) break;
                out.push_back(info(*c, req.lang, km));
            }
            return out;
        }
        for (const auto& c : cat->data().service_centres)
            if (c.confirms_identity && out.size() < limit) out.push_back(info(c, req.lang, -1));
        return out;
    };
    return d;
}

// Before anything starts: a misspelt zone would otherwise fail the first page showing a time.
void check_time_zone(const core::Config& cfg) {
    if (!core::is_time_zone(cfg.time_zone))
        throw std::invalid_argument("--time-zone " + cfg.time_zone +
                                    " is not a zone of the tz database in /usr/share/zoneinfo (e.g. Europe/Moscow)");
}

void add_job_gauges(http::Metrics& metrics, jobs::JobMonitor& job_monitor, jobs::JobRunner* runner) {
    metrics.add_labelled_gauge("uslugi_jobs", "Background jobs by state (refreshed every 5 s).", "state", [&job_monitor] {
        std::vector<std::pair<std::string, double>> out;
        for (auto s : {jobs::JobState::queued, jobs::JobState::running, jobs::JobState::done, jobs::JobState::dead})
            out.emplace_back(std::string(jobs::to_string(s)), job_monitor.count(s));
        return out;
    });
    if (runner)
        metrics.add_gauge("uslugi_job_workers_busy", "Job runner threads running a job.",
                          [runner] { return double(runner->busy()); });
}

// Loading the catalog, the locales and the templates parses a lot of JSON
// that is thrown away at once; tcmalloc keeps such freed pages for reuse. They
// go back to the system before serving: a resident set that starts smaller
// leaves room for connections (bench/idle_connections.sh). Weak, because a
// sanitized build runs on the sanitizer's allocator instead.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));
void release_startup_memory() {
    if (MallocExtension_ReleaseFreeMemory != nullptr) MallocExtension_ReleaseFreeMemory();
}

// The line the scripts and tests wait for, then the settings an operator checks in the log.
void announce_listening(const core::Config& cfg, const std::string& root, http::Server& server,
                        const http::ServerOptions& options) {
    std::printf("uslugi listening on http://%s:%u (database %s)\n", cfg.listen.c_str(), server.port(),
                display_url(cfg.database).c_str());
    std::fflush(stdout);
    core::app_log().info("serving {} with {} workers, {} I/O threads, up to {} connections ({} per client)", root,
                         cfg.workers, cfg.io_threads, server.max_connections(),
                         cfg.max_client_connections ? std::to_string(cfg.max_client_connections) : "any number");
    if (!options.trusted_proxies.empty())
        core::app_log().info("X-Forwarded-For/-Proto believed from {}", options.trusted_proxies.to_string());
}

int serve(const core::Config& given, const std::string& root, const applications::Options& application_options) {
    core::Config cfg = given;
    check_time_zone(cfg);
    raise_file_limit();
    db::Database database(cfg.database, cfg.db_pool_size);
    for (const auto& name : db::apply_migrations(database, db::load_migrations(root + "/migrations", database.backend())))
        core::app_log().info("migration applied: {}", name);

    core::Locales locales;
    locales.load(root + "/locales");
    http::Templates templates;
    templates.load(root + "/templates", locales);
    http::StaticFiles statics;
    statics.load(root + "/static");

    catalog::CatalogService catalog_service(database);
    catalog_service.load();

    http::Router router;
    http::Metrics metrics;
    http::SessionStore sessions(database);
    http::Renderer renderer(templates, locales, statics);
    http::App app(cfg, router, renderer, sessions, metrics);
    catalog_service.on_new_version([&app] { app.page_cache().invalidate(); });
    catalog_service.watch(std::chrono::seconds(cfg.catalog_poll_seconds));

    const http::ServerOptions options = server_options(cfg);
    http::Server server(options, app);
    server.bind();
    app.set_host_policy(host_policy(cfg, server.port()));

    jobs::JobStore job_store(database);
    const std::string data_key = core::load_data_key(cfg.data_key, cfg.data_key_file);
    const core::DataProtector protector(data_key);
    reseal_personal_data(database, protector);
    const http::CsrfCookies csrf_cookies(data_key);  // derived from the data key: the same on every instance
    app.set_csrf_cookies(csrf_cookies);
    notifications::OutboxStore outbox(database, job_store, {}, &protector);
    std::unique_ptr<jobs::JobRunner> runner;
    if (!cfg.no_workers) {
        runner = std::make_unique<jobs::JobRunner>(job_store, runner_options(cfg));
        register_job_handlers(*runner, database, cfg, root);
    }
    const http::OpsGuard ops_guard(cfg.ops_token);
    http::RateLimiter rate_limiter(database);
    identity::IdentityService identity_service(database, protector, job_store, outbox, rate_limiter, runner.get());
    app.set_account_loader([&identity_service](std::int64_t id) { return identity_service.brief(id); });
    identity::ProfileService profile_service(identity_service, job_store);
    identity::connect_profiles(identity_service, profile_service);
    identity::SecurityService security_service(identity_service, sessions);
    identity::RecoveryService recovery_service(identity_service, sessions, rate_limiter);
    cabinet::CabinetService cabinet_service(database, protector, &catalog_service);
    // A deleted account's documents and addresses go with it, in the same transaction.
    identity_service.on_erase([&cabinet_service](soci::session& tx, std::int64_t account_id) {
        cabinet_service.erase(tx, account_id);
    });
    oidc::OidcService oidc_service(database, protector, data_key, identity_service, profile_service, job_store,
                                   cfg.public_url, &cabinet_service);
    oidc_service.keys().ensure(core::now_unix());

    http::register_ops_routes(router, renderer, statics, metrics, database, ops_guard);
    http::register_prefs_routes(router, app, renderer, sessions);
    http::register_validation_routes(router, renderer, rate_limiter);
    identity::register_routes(router, app, renderer, sessions, identity_service, rate_limiter, cfg);
    registries::RegistryClients confirm_clients = registries::make_http_clients(registries::client_options(cfg));
    identity::ConfirmationService confirmation(identity_service, profile_service.store(), job_store,
                                               confirm_clients.post.get(), confirm_clients.bank.get());
    const identity::CentreDirectory centres = centre_directory(catalog_service);
    identity::register_profile_routes(router, renderer, profile_service, cfg,
                                      [&confirmation, &renderer](http::Data& d, const http::Request& req) {
                                          identity::add_confirmation_summary(d, req, confirmation, renderer.locale(req));
                                      });
    identity::register_confirmation_routes(router, renderer, confirmation, centres, cfg);
    identity::register_operator_routes(router, renderer, confirmation, centres, cfg);
    identity::register_security_routes(router, renderer, sessions, security_service, cfg);
    identity::register_recovery_routes(router, app, renderer, sessions, identity_service, recovery_service, cfg);
    identity::SignatureConfirmation signatures(identity_service, identity::resolve_trust_dir(root, cfg.qes_trust_dir));
    identity::register_signature_routes(router, renderer, signatures, cfg);
    oidc::register_routes(router, app, renderer, sessions, oidc_service, identity_service, cfg);
    catalog::register_routes(router, renderer, catalog_service, cfg.font_dir);
    const auto org_registries = registries::make_http_clients(registries::client_options(cfg));
    organisations::OrganisationService organisation_service(database, identity_service, profile_service,
                                                            organisations::http_register(org_registries.transport));
    app.add_account_decorator([&organisation_service](auto brief, const http::SessionData& session) {
        return organisation_service.decorate(std::move(brief), session);
    });
    organisations::register_routes(router, renderer, organisation_service, catalog_service);
    cabinet::register_routes(router, renderer, cabinet_service, catalog_service);
    identity::ForeignService foreign_service(identity_service,
                                             identity::http_foreign_check(org_registries.transport));
    identity::register_foreign_routes(router, renderer, foreign_service, cfg.public_url);
    catalog::register_place_routes(router, app, renderer, sessions, catalog_service);
    applications::ApplicationService application_service(database, protector, catalog_service, identity_service,
                                                         profile_service, locales, application_options.files_dir);
    application_service.load_forms();
    const auto payment_service = payments::make_service(database, cfg, root, runner.get());
    // A service's state fee becomes a charge in the transaction that sends the application.
    application_service.on_fee([&payment_service](soci::session& tx, const applications::Application& a,
                                                  long long fee_kopecks) {
        payment_service->create_charge(tx, a.account_id, fee_kopecks, "Государственная пошлина, заявление " + a.number,
                                       "Налоговый кодекс Российской Федерации, глава 25.3",
                                       "application:" + std::to_string(a.id));
    });
    // Applying on behalf of an organisation: its membership and roles, read on each call.
    application_service.on_organisations(
        {.may_apply = [&organisation_service](std::int64_t account, std::int64_t organisation, const std::string& service) {
             const auto m = organisation_service.store().open_member(organisation, account);
             return m && organisations::may_use_service(*m, service);
         },
         .may_see_all = [&organisation_service](std::int64_t account, std::int64_t organisation) {
             const auto m = organisation_service.store().open_member(organisation, account);
             return m && organisations::may_manage_members(*m);
         }});
    applications::register_routes(router, renderer, application_service, cfg.public_url, cfg.font_dir);
    const auto pension = applications::make_pension_service(database, cfg, root, runner.get());
    applications::connect_pension(router, renderer, application_service, *pension, cfg.public_url, cfg.font_dir);
    applications::marriage::MarriageService marriage_service(
        database, application_service, identity_service, job_store,
        applications::marriage::load_rules(root + "/data/marriage/offices.json"), application_options.marriage);
    applications::marriage::register_routes(router, renderer, marriage_service);
    jobs::register_routes(router, app, renderer, job_store, runner.get(), ops_guard);
    payments::register_routes(router, app, renderer, payment_service, cfg.font_dir, cfg.test_routes);
    if (cfg.test_routes) {
        http::register_test_routes(router, database);
        jobs::register_test_routes(router, database, job_store, runner.get());
        notifications::register_test_routes(router, database, outbox, runner.get());
        identity::register_security_test_routes(router, identity_service);
        organisations::register_test_routes(router, identity_service);
    }

    add_server_gauges(metrics, server, database);
    add_page_cache_gauges(metrics, app.page_cache());
    jobs::JobMonitor job_monitor(job_store, std::chrono::seconds(5));
    add_job_gauges(metrics, job_monitor, runner.get());
    if (runner) runner->start();

    Maintenance maintenance(sessions, rate_limiter, identity_service, oidc_service);

    release_startup_memory();
    announce_listening(cfg, root, server, options);
    server.run();
    if (runner) runner->stop();  // jobs being run finish; the rest stay queued in the database
    maintenance.stop();
    catalog_service.stop();
    spdlog::shutdown();
    return 0;
}

// `uslugi worker`: only the job runner, until SIGTERM or SIGINT; then the jobs
// being run finish and it exits 0. A second signal exits at once (the jobs it
// abandons run again after their leases).
int worker(const core::Config& cfg, const std::string& root) {
    db::Database database(cfg.database, cfg.job_workers + 2);
    for (const auto& name : db::apply_migrations(database, db::load_migrations(root + "/migrations", database.backend())))
        core::app_log().info("migration applied: {}", name);
    jobs::JobStore store(database);
    jobs::JobRunner runner(store, runner_options(cfg));
    register_job_handlers(runner, database, cfg, root);

    boost::asio::io_context ioc;
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    int received = 0;
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) received = sig;
    });
    runner.start();
    std::printf("uslugi worker %s started with %u threads (database %s)\n", runner.owner_prefix().c_str(),
                cfg.job_workers, display_url(cfg.database).c_str());
    std::fflush(stdout);
    ioc.run();  // until the first signal
    core::app_log().info("signal {} received: finishing the jobs being run", received);
    ioc.restart();
    signals.async_wait([](const boost::system::error_code& ec, int) {
        if (ec) return;
        core::app_log().warn("second signal: exiting at once");
        spdlog::shutdown();
        _exit(1);
    });
    std::thread second_signal([&ioc] { ioc.run(); });
    runner.stop();
    ioc.stop();
    second_signal.join();
    spdlog::shutdown();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Every file and folder the portal creates (the SQLite database and its
    // -wal/-shm files, var/, the data key, logs) is its user's alone; set
    // before anything else, for every subcommand.
    ::umask(077);
    core::Config cfg;
    CLI::App cli{"uslugi — portal of state and municipal services"};
    cli.set_version_flag("--version", std::string("uslugi ") + USLUGI_VERSION);
    cli.set_config("--config", "", "read settings from an INI/TOML file")->envname("USLUGI_CONFIG");
    cli.require_subcommand(1);
    add_common_options(cli, cfg);

    CLI::App* serve_cmd = cli.add_subcommand("serve", "run the portal (pages, JSON API, background work)");
    serve_cmd->fallthrough();
    add_serve_options(*serve_cmd, cfg);
    serve_cmd->add_flag("--no-workers", cfg.no_workers, "do not run background jobs in this process")
        ->envname("USLUGI_NO_WORKERS");
    serve_cmd->add_option("--ops-token", cfg.ops_token,
                          "operator token for /ops/* pages (HTTP Basic password); without it they answer 404")
        ->envname("USLUGI_OPS_TOKEN")
        ->check(CLI::Validator(
            [](std::string& t) {
                return t.empty() || t.size() >= http::OpsGuard::kMinTokenLength
                           ? std::string()
                           : "the operator token must have at least " +
                                 std::to_string(http::OpsGuard::kMinTokenLength) + " characters";
            },
            "TOKEN"));
    add_job_options(*serve_cmd, cfg);
    add_identity_options(*serve_cmd, cfg);
    identity::add_signature_options(*serve_cmd, cfg);
    applications::Options application_options;
    applications::add_options(*serve_cmd, application_options);
    CLI::App* worker_cmd = cli.add_subcommand("worker", "run only the background job workers (until SIGTERM)");
    worker_cmd->fallthrough();
    add_job_options(*worker_cmd, cfg);
    add_identity_options(*worker_cmd, cfg);
    worker_cmd->add_flag("--test-routes", cfg.test_routes, "run the test job kind used by the integration tests")
        ->envname("USLUGI_TEST_ROUTES");
    CLI::App* migrate_cmd = cli.add_subcommand("migrate", "apply database migrations and exit");
    migrate_cmd->fallthrough();
    add_data_key_options(*migrate_cmd, cfg);
    CLI::App* seed_cmd = cli.add_subcommand("seed", "load the demo catalog from data/ (idempotent) and exit");
    seed_cmd->fallthrough();
    CLI::App* admin_cmd = cli.add_subcommand("admin", "operator tasks: staff accounts and roles");
    admin_cmd->fallthrough();
    admin_cmd->require_subcommand(1);
    add_data_key_options(*admin_cmd, cfg);
    identity::AdminOptions admin_options;
    const identity::AdminCommands identity_admin = identity::add_admin_commands(*admin_cmd, admin_options);
    oidc::AdminCommands oidc_admin(*admin_cmd);
    oidc::DemoSiteOptions demo_site_options;
    CLI::App* demo_site_cmd = oidc::add_demo_site_command(cli, demo_site_options);
    registries::SandboxOptions sandbox_options;
    CLI::App* registries_cmd = registries::add_sandbox_command(cli, sandbox_options);
    registries::add_client_options(*serve_cmd, cfg);
    registries::add_client_options(*worker_cmd, cfg);
    notifications::add_options(*serve_cmd, cfg);
    notifications::add_options(*worker_cmd, cfg);
    payments::add_options(*serve_cmd);
    payments::add_options(*worker_cmd);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return cli.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return cli.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "uslugi: " << e.what() << "\nRun 'uslugi --help' for the commands and flags.\n";
        return 2;
    }

    try {
        core::init_logging(cfg.log_level);
        core::crypto_init();
        const std::string root = core::find_root(cfg.root, argv[0]);
        if (*migrate_cmd) return migrate(cfg, root);
        if (*seed_cmd) return seed(cfg, root);
        if (identity_admin.chosen()) return admin(cfg, root, identity_admin, admin_options);
        if (oidc_admin.chosen()) return oidc_admin.run(cfg, root);
        if (*demo_site_cmd) return oidc::run_demo_site(demo_site_options, cfg.database, root);
        if (*registries_cmd) return registries::run_sandbox(sandbox_options, root);
        if (*worker_cmd) return worker(cfg, root);
        return serve(cfg, root, application_options);
    } catch (const std::invalid_argument& e) {
        std::cerr << "uslugi: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        core::app_log().critical("{}", e.what());
        spdlog::shutdown();
        return 1;
    }
}
