#include "registries/command.hpp"

namespace uslugi::registries {

CLI::App* add_sandbox_command(CLI::App& cli, SandboxOptions& o) {
    CLI::App* cmd = cli.add_subcommand("registries", "run the sandbox of external registries, bank, Post and SMS gateway");
    cmd->fallthrough();
    cmd->add_option("--listen", o.listen, "address to listen on")->envname("USLUGI_REGISTRIES_LISTEN")->capture_default_str();
    cmd->add_option("--port", o.port, "port (0 picks a free one)")->envname("USLUGI_REGISTRIES_PORT")->capture_default_str();
    cmd->add_option("--data-dir", o.data_dir, "folder with people.json and organisations.json (default <root>/data/registries)")
        ->envname("USLUGI_REGISTRIES_DATA");
    cmd->add_option("--mail-dir", o.mail_dir, "Maildir of the local SMTP sink, shown in /demo/inbox")
        ->envname("USLUGI_MAIL_DIR")->capture_default_str();
    cmd->add_option("--faults", o.faults_file, "JSON file of faults per registry (latency_ms, error_rate, down)")
        ->envname("USLUGI_REGISTRIES_FAULTS")->check(CLI::ExistingFile);
    cmd->add_option("--post-delivery-seconds", o.post_delivery_seconds, "how long a registered letter travels")
        ->envname("USLUGI_POST_DELIVERY_SECONDS")->check(CLI::Range(0, 90 * 24 * 3600))->capture_default_str();
    cmd->add_option("--workers", o.workers, "handler threads (latency faults hold one each)")
        ->check(CLI::Range(1u, 1024u))->capture_default_str();
    return cmd;
}

void add_client_options(CLI::App& cmd, core::Config& cfg) {
    cmd.add_option("--registries-url", cfg.registries_url, "base URL of the external registries (the sandbox in development)")
        ->envname("USLUGI_REGISTRIES_URL")->capture_default_str();
    cmd.add_option("--registries-timeout-ms", cfg.registries_timeout_ms, "connect and read timeout of registry calls")
        ->envname("USLUGI_REGISTRIES_TIMEOUT_MS")->check(CLI::Range(10, 600000))->capture_default_str();
    cmd.add_option("--registries-ca", cfg.registries_ca, "PEM file of the CA that signed the registries' certificates (https)")
        ->envname("USLUGI_REGISTRIES_CA")->check(CLI::ExistingFile);
    cmd.add_option("--registries-client-cert", cfg.registries_client_cert,
                   "PEM file of the certificate the portal presents to the registries (https)")
        ->envname("USLUGI_REGISTRIES_CLIENT_CERT")->check(CLI::ExistingFile);
    cmd.add_option("--registries-client-key", cfg.registries_client_key, "PEM file of the key of that certificate")
        ->envname("USLUGI_REGISTRIES_CLIENT_KEY")->check(CLI::ExistingFile);
}

ClientOptions client_options(const core::Config& cfg) {
    ClientOptions o;
    o.base_url = cfg.registries_url;
    o.connect_timeout = std::chrono::milliseconds(cfg.registries_timeout_ms);
    o.timeout = std::chrono::milliseconds(cfg.registries_timeout_ms);
    o.ca_file = cfg.registries_ca;
    o.client_cert_file = cfg.registries_client_cert;
    o.client_key_file = cfg.registries_client_key;
    return o;
}

}  // namespace uslugi::registries
