#include "identity/admin_command.hpp"

#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "identity/model.hpp"
#include "identity/service.hpp"
#include "identity/staff.hpp"
#include "identity/store.hpp"

#include <fstream>
#include <ostream>

namespace uslugi::identity {

namespace {

constexpr const char* kGrantedBy = "uslugi admin";

void add_role_options(CLI::App& cmd, AdminOptions& o) {
    cmd.add_option("--role", o.role, "operator | officer | payments | sso")
        ->required()
        ->check(CLI::IsMember({"operator", "officer", "payments", "sso"}));
    cmd.add_option("--scope", o.scope, "the centre (operator) or authority (officer) id of the catalog");
}

// Refuses a role without the scope it needs, or a scope the catalog lacks.
std::string scope_problem(const AdminOptions& o, const ScopeCheck& scope_exists) {
    if (role_needs_scope(o.role) && o.scope.empty())
        return "the role " + o.role + " needs --scope (the " + (o.role == "operator" ? "centre" : "authority") +
               " id of the catalog)";
    if (!role_needs_scope(o.role) && !o.scope.empty()) return "the role " + o.role + " takes no --scope";
    if (!o.scope.empty() && scope_exists && !scope_exists(o.role, o.scope))
        return "the catalog has no " + std::string(o.role == "operator" ? "service centre" : "authority") + " \"" +
               o.scope + "\"";
    return {};
}

void audit_role(AuditLog& audit, soci::session& tx, std::int64_t account_id, const std::string& action,
                const AdminOptions& o, std::int64_t now) {
    AuditEntry e;
    e.at = now;
    e.account_id = account_id;
    e.actor_kind = "system";
    e.actor_id = kGrantedBy;
    e.action = action;
    e.fields = o.scope.empty() ? o.role : o.role + ":" + o.scope;
    audit.record(tx, e);
}

// The password of a new staff account: the first line of --password-file,
// held to the citizens' rules, or a generated one shown once.
std::string staff_password(const AdminOptions& o, const Account& a, bool& generated, std::string& problem) {
    generated = o.password_file.empty();
    if (generated) return core::random_token(15);
    std::ifstream in(o.password_file);
    std::string password;
    if (!in || !std::getline(in, password)) {
        problem = "cannot read a password from " + o.password_file;
        return {};
    }
    const auto verdict = check_new_password(password, password, {a.surname, a.name}, {a.phone, a.email});
    if (!verdict.acceptable()) problem = "the password is not acceptable: " + verdict.problem;
    return password;
}

int create_staff(const AdminOptions& o, db::Database& database, const core::DataProtector& protector,
                 std::ostream& out, std::ostream& err) {
    Account a;
    a.surname = tidy_text(o.surname);
    a.name = tidy_text(o.name);
    for (const auto& [part, value] : {std::pair{"--surname", a.surname}, std::pair{"--name", a.name}})
        if (const auto problem = check_name_part(value, true); !problem.empty()) {
            err << "uslugi admin: " << part << " is not a name (" << problem << ")\n";
            return 2;
        }
    if (o.email.empty() == o.phone.empty()) {
        err << "uslugi admin: give exactly one of --email and --phone\n";
        return 2;
    }
    std::string contact_error;
    const auto contact = parse_contact(o.email.empty() ? o.phone : o.email, contact_error);
    if (!contact) {
        err << "uslugi admin: the contact is not valid (" << contact_error << ")\n";
        return 2;
    }
    (contact->kind == ContactKind::phone ? a.phone : a.email) = contact->value;
    bool generated = false;
    std::string problem;
    const std::string password = staff_password(o, a, generated, problem);
    if (!problem.empty()) {
        err << "uslugi admin: " << problem << "\n";
        return 2;
    }
    a.password_hash = core::password_hash(password);
    a.password_changed_at = core::now_unix();
    AccountStore accounts(database, protector);
    AuditLog audit(database);
    StaffStore staff(database);
    std::int64_t id = 0;
    try {
        db::transact(database, [&](soci::session& tx) {
            const std::int64_t now = core::now_unix();
            id = accounts.create(tx, a, now);
            staff.grant(tx, id, o.role, o.scope, kGrantedBy, now);
            audit_role(audit, tx, id, "role_granted", o, now);
        });
    } catch (const ContactTaken& e) {
        err << "uslugi admin: this " << e.kind << " already belongs to an account; use `uslugi admin grant`\n";
        return 2;
    }
    out << "account " << id << " (" << contact->value << ") is " << o.role << (o.scope.empty() ? "" : " of ")
        << o.scope << "\n";
    if (generated) out << "one-time password (shown only now; change it after the first sign-in): " << password << "\n";
    return 0;
}

int change_role(bool grant, const AdminOptions& o, db::Database& database, const core::DataProtector& protector,
                std::ostream& out, std::ostream& err) {
    const auto login = parse_login(o.login);
    AccountStore accounts(database, protector);
    const auto id = login ? accounts.find_by_login(*login) : std::nullopt;
    if (!id) {
        err << "uslugi admin: no active account has the login \"" << o.login << "\"\n";
        return 2;
    }
    StaffStore staff(database);
    AuditLog audit(database);
    bool changed = true;
    db::transact(database, [&](soci::session& tx) {
        const std::int64_t now = core::now_unix();
        if (grant) staff.grant(tx, *id, o.role, o.scope, kGrantedBy, now);
        else changed = staff.revoke(tx, *id, o.role, o.scope);
        if (changed) audit_role(audit, tx, *id, grant ? "role_granted" : "role_revoked", o, now);
    });
    if (!changed) {
        err << "uslugi admin: account " << *id << " does not hold that role\n";
        return 2;
    }
    out << "account " << *id << (grant ? " now holds " : " no longer holds ") << o.role
        << (o.scope.empty() ? "" : " of ") << o.scope << "\n";
    return 0;
}

}  // namespace

AdminCommands add_admin_commands(CLI::App& admin, AdminOptions& o) {
    AdminCommands c;
    c.create_staff = admin.add_subcommand("create-staff", "create a staff account holding one role");
    add_role_options(*c.create_staff, o);
    c.create_staff->add_option("--surname", o.surname, "the staff member's surname")->required();
    c.create_staff->add_option("--name", o.name, "the staff member's first name")->required();
    c.create_staff->add_option("--email", o.email, "e-mail to sign in with");
    c.create_staff->add_option("--phone", o.phone, "mobile phone to sign in with");
    c.create_staff->add_option("--password-file", o.password_file,
                               "file whose first line is the password; without it one is generated and printed");
    c.grant = admin.add_subcommand("grant", "give an existing account a role");
    c.revoke = admin.add_subcommand("revoke", "take a role from an account");
    for (CLI::App* cmd : {c.grant, c.revoke}) {
        cmd->add_option("--login", o.login, "the account's phone, e-mail or SNILS")->required();
        add_role_options(*cmd, o);
    }
    c.list_staff = admin.add_subcommand("list-staff", "list every account that holds a role");
    return c;
}

int run_admin(const AdminCommands& c, const AdminOptions& o, db::Database& database,
              const core::DataProtector& protector, const ScopeCheck& scope_exists, std::ostream& out,
              std::ostream& err) {
    if (*c.list_staff) {
        for (const auto& r : StaffStore(database).all())
            out << r.account_id << "\t" << r.role << "\t" << (r.scope.empty() ? "-" : r.scope) << "\t"
                << r.granted_by << "\n";
        return 0;
    }
    // Revoking a role of a centre that left the catalog must still work.
    if (const auto problem = scope_problem(o, *c.revoke ? ScopeCheck() : scope_exists); !problem.empty()) {
        err << "uslugi admin: " << problem << "\n";
        return 2;
    }
    if (*c.create_staff) return create_staff(o, database, protector, out, err);
    return change_role(static_cast<bool>(*c.grant), o, database, protector, out, err);
}

}  // namespace uslugi::identity
