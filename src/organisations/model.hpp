#pragma once
// Account kinds beyond a citizen (ID-5), the rules without I/O: the numbers
// that name an organisation or an entrepreneur (OGRN, OGRNIP, INN with their
// control digits, SPEC "Validators"), the roles of an organisation's members
// and what each may do, and which "hat" a person wears right now (personal or
// one of their organisations).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::organisations {

// ---- Numbers -------------------------------------------------------------------------------

// How an organisation was looked for: its OGRN (13 digits) or its INN (10 digits).
enum class OrgIdKind { ogrn, inn };
struct OrgId {
    OrgIdKind kind;
    std::string value;  // digits only
};
// The OGRN or INN of an organisation as typed ("1027700132195", "77 0708 3893");
// nullopt with `error_key` (a locale key) when neither is valid.
std::optional<OrgId> parse_org_id(std::string_view typed, std::string& error_key);
// An OGRNIP as typed; nullopt with `error_key` when its length or control digit is wrong.
std::optional<std::string> parse_ogrnip(std::string_view typed, std::string& error_key);

// ---- Members and roles ---------------------------------------------------------------------

// head: the person the tax service lists as the organisation's head (one, cannot be removed);
// admin: manages members and roles; employee: uses the services chosen for them;
// none: joined, but given no role yet — sees nothing of the organisation.
enum class Role { head, admin, employee, none };
std::string_view to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);
// Roles the head or an administrator may give (never "head").
bool is_assignable(Role r);

// invited → active (the invitee accepted) | declined | withdrawn; active → removed.
enum class MemberStatus { invited, active, declined, withdrawn, removed };
std::string_view to_string(MemberStatus s);
std::optional<MemberStatus> member_status_from_string(std::string_view s);
bool can_transition(MemberStatus from, MemberStatus to);

struct Member {
    std::int64_t id = 0;
    std::int64_t organisation_id = 0;
    std::int64_t account_id = 0;
    Role role = Role::none;
    MemberStatus status = MemberStatus::invited;
    std::vector<std::string> services;  // catalog service ids an employee may use
};

// What a member may do. Only an active membership gives anything.
bool may_see_organisation(const Member& m);  // the organisation's data (requisites, its services)
bool may_manage_members(const Member& m);    // invite, give roles, remove
bool may_use_service(const Member& m, std::string_view service_id);
// May `actor` change or remove `target`? Nobody touches the head; an
// administrator cannot act on themself (so an organisation never loses its last manager by accident).
bool may_change_member(const Member& actor, const Member& target);

// ---- Switching -----------------------------------------------------------------------------

// Whom a person acts for: 0 is "personal", else an organisation id.
// The stored choice counts only while the person is still an active member
// with a role; otherwise they act for themself (an ex-employee's old choice opens nothing).
std::int64_t acting_for(std::int64_t chosen, const std::vector<Member>& memberships);
// The value of the switcher's form ("personal" or an organisation id); nullopt when neither.
std::optional<std::int64_t> parse_switch_target(std::string_view typed);

}  // namespace uslugi::organisations
