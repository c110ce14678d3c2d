#pragma once
// Command-line wiring of the registries module, kept here so that main.cpp
// only adds the subcommand and the client flags in one place.
#include <CLI/CLI.hpp>

#include "core/config.hpp"
#include "registries/clients.hpp"
#include "registries/sandbox_server.hpp"

namespace uslugi::registries {

// `uslugi registries [--port 8081] [--listen ADDR] [--data-dir DIR] [--mail-dir DIR]
//  [--faults FILE] [--post-delivery-seconds N] [--workers N]`
CLI::App* add_sandbox_command(CLI::App& cli, SandboxOptions& options);

// --registries-url (USLUGI_REGISTRIES_URL), --registries-timeout-ms
// (USLUGI_REGISTRIES_TIMEOUT_MS) and, for https, --registries-ca,
// --registries-client-cert and --registries-client-key (USLUGI_REGISTRIES_CA,
// …_CLIENT_CERT, …_CLIENT_KEY) for the commands that call the registries.
void add_client_options(CLI::App& cmd, core::Config& cfg);
ClientOptions client_options(const core::Config& cfg);

}  // namespace uslugi::registries
