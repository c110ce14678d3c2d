#pragma once
// `uslugi admin sso-client add|list|rotate-secret|remove` and `uslugi admin
// sso-keys rotate`: the operator's registry of relying parties and the
// rotation of our signing keys.
#include "core/config.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace uslugi::oidc {

struct AdminOptions;

class AdminCommands {
public:
    // Adds the subcommands under `admin` (which holds --data-key and --data-key-file).
    explicit AdminCommands(CLI::App& admin);
    ~AdminCommands();
    // One of these subcommands was given on the command line.
    bool chosen() const;
    // Runs it; the exit code.
    int run(const core::Config& cfg, const std::string& root);

private:
    std::unique_ptr<AdminOptions> o_;
};

}  // namespace uslugi::oidc
