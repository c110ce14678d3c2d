#pragma once
// `uslugi admin …`: the operator tasks of the identity module — staff
// accounts (service-centre operators, officers of authorities, payments and
// single sign-on operators) and their roles. Other modules add their own
// subcommands to the same `admin` command.
#include "core/crypto.hpp"
#include "db/database.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace uslugi::identity {

struct AdminOptions {
    std::string role, scope, surname, name, email, phone, password_file, login;
};

struct AdminCommands {
    CLI::App* create_staff = nullptr;
    CLI::App* grant = nullptr;
    CLI::App* revoke = nullptr;
    CLI::App* list_staff = nullptr;
    bool chosen() const { return *create_staff || *grant || *revoke || *list_staff; }
};

AdminCommands add_admin_commands(CLI::App& admin, AdminOptions& options);

// Whether `scope` names a centre (operator) or an authority (officer) of the
// catalog: the composition root knows the catalog, identity does not.
using ScopeCheck = std::function<bool(std::string_view role, const std::string& scope)>;

// Runs the subcommand that was chosen; prints to `out`, problems to `err`.
// Returns the process exit code (0 done, 2 bad input).
int run_admin(const AdminCommands& commands, const AdminOptions& options, db::Database& database,
              const core::DataProtector& protector, const ScopeCheck& scope_exists, std::ostream& out,
              std::ostream& err);

}  // namespace uslugi::identity
