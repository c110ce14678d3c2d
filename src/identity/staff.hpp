#pragma once
// Staff roles: what an account may do beyond a citizen, and where. An
// operator works for one service centre (ID-3a), an officer for one authority
// (APP-3); "payments" and "sso" operators act for the whole portal (scope "").
// Routes declare the role (http::with_role); handlers check the object's
// scope here. The role names also live on the account row (AccountBrief::roles)
// so that the pipeline's check costs no query.
#include "db/database.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::identity {

// The roles the portal knows; anything else is refused at the door.
inline constexpr std::string_view kRoleOperator = "operator";
inline constexpr std::string_view kRoleOfficer = "officer";
inline constexpr std::string_view kRolePayments = "payments";
inline constexpr std::string_view kRoleSso = "sso";
bool is_known_role(std::string_view role);
// Whether the role is held for one centre or authority (it then needs a scope).
bool role_needs_scope(std::string_view role);

struct StaffRole {
    std::int64_t account_id = 0;
    std::string role, scope, granted_by;
    std::int64_t granted_at = 0;
};

class StaffStore {
public:
    explicit StaffStore(db::Database& db) : db_(db) {}

    // Idempotent: granting a role held already changes nothing. Throws
    // std::invalid_argument for an unknown role or a missing scope.
    void grant(soci::session& tx, std::int64_t account_id, std::string_view role, const std::string& scope,
               const std::string& granted_by, std::int64_t now);
    // False when the account did not hold it.
    bool revoke(soci::session& tx, std::int64_t account_id, std::string_view role, const std::string& scope);
    // Every role of every account, for `uslugi admin list-staff`.
    std::vector<StaffRole> all();
    std::vector<StaffRole> of(std::int64_t account_id);
    // The centres or authorities the account holds `role` for.
    std::vector<std::string> scopes(std::int64_t account_id, std::string_view role);
    bool has(std::int64_t account_id, std::string_view role, const std::string& scope);

private:
    // Rewrites identity_accounts.roles from the account's rows.
    void refresh_names(soci::session& tx, std::int64_t account_id);
    db::Database& db_;
};

}  // namespace uslugi::identity
