#include "identity/staff.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace uslugi::identity {

namespace {

constexpr std::string_view kKnownRoles[] = {kRoleOperator, kRoleOfficer, kRolePayments, kRoleSso};

StaffRole role_from(const soci::row& r) {
    StaffRole s;
    s.account_id = r.get<long long>(0);
    s.role = r.get<std::string>(1);
    s.scope = r.get<std::string>(2);
    s.granted_by = r.get<std::string>(3);
    s.granted_at = r.get<long long>(4);
    return s;
}

std::vector<StaffRole> select_roles(db::Database& db, const std::string& where, long long account_id) {
    std::vector<StaffRole> out;
    db::Connection c(db);
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT account_id, role, scope, granted_by, granted_at FROM identity_staff_roles " + where +
                           " ORDER BY account_id, role, scope",
         soci::use(account_id));
    for (const auto& r : rows) out.push_back(role_from(r));
    return out;
}

}  // namespace

bool is_known_role(std::string_view role) {
    return std::find(std::begin(kKnownRoles), std::end(kKnownRoles), role) != std::end(kKnownRoles);
}

bool role_needs_scope(std::string_view role) { return role == kRoleOperator || role == kRoleOfficer; }

void StaffStore::grant(soci::session& tx, std::int64_t account_id, std::string_view role, const std::string& scope,
                       const std::string& granted_by, std::int64_t now) {
    if (!is_known_role(role)) throw std::invalid_argument("unknown role \"" + std::string(role) + "\"");
    if (role_needs_scope(role) == scope.empty())
        throw std::invalid_argument(role_needs_scope(role) ? "the role \"" + std::string(role) + "\" needs a scope"
                                                           : "the role \"" + std::string(role) + "\" takes no scope");
    const long long id = account_id, t = now;
    const std::string r(role);
    int held = 0;
    tx << "SELECT COUNT(*) FROM identity_staff_roles WHERE account_id = :a AND role = :r AND scope = :s",
        soci::use(id), soci::use(r), soci::use(scope), soci::into(held);
    if (held) return;
    tx << "INSERT INTO identity_staff_roles (account_id, role, scope, granted_by, granted_at) "
          "VALUES (:a, :r, :s, :b, :t)",
        soci::use(id), soci::use(r), soci::use(scope), soci::use(granted_by), soci::use(t);
    refresh_names(tx, account_id);
}

bool StaffStore::revoke(soci::session& tx, std::int64_t account_id, std::string_view role, const std::string& scope) {
    const long long id = account_id;
    const std::string r(role);
    soci::statement st = (tx.prepare << "DELETE FROM identity_staff_roles WHERE account_id = :a AND role = :r AND "
                                        "scope = :s",
                          soci::use(id), soci::use(r), soci::use(scope));
    st.execute(true);
    if (st.get_affected_rows() == 0) return false;
    refresh_names(tx, account_id);
    return true;
}

void StaffStore::refresh_names(soci::session& tx, std::int64_t account_id) {
    const long long id = account_id;
    std::set<std::string> names;
    soci::rowset<std::string> rows =
        (tx.prepare << "SELECT role FROM identity_staff_roles WHERE account_id = :a", soci::use(id));
    for (const auto& r : rows) names.insert(r);
    std::string joined;
    for (const auto& n : names) joined += (joined.empty() ? "" : " ") + n;
    tx << "UPDATE identity_accounts SET roles = :r WHERE id = :a", soci::use(joined), soci::use(id);
}

std::vector<StaffRole> StaffStore::all() { return select_roles(db_, "WHERE account_id <> :a", 0); }

std::vector<StaffRole> StaffStore::of(std::int64_t account_id) {
    return select_roles(db_, "WHERE account_id = :a", account_id);
}

std::vector<std::string> StaffStore::scopes(std::int64_t account_id, std::string_view role) {
    std::vector<std::string> out;
    for (auto& r : of(account_id))
        if (r.role == role) out.push_back(std::move(r.scope));
    return out;
}

bool StaffStore::has(std::int64_t account_id, std::string_view role, const std::string& scope) {
    const long long id = account_id;
    const std::string r(role);
    int held = 0;
    db::Connection c(db_);
    *c << "SELECT COUNT(*) FROM identity_staff_roles WHERE account_id = :a AND role = :r AND scope = :s",
        soci::use(id), soci::use(r), soci::use(scope), soci::into(held);
    return held > 0;
}

}  // namespace uslugi::identity
