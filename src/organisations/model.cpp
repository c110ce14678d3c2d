#include "organisations/model.hpp"

#include "core/validators.hpp"

#include <algorithm>
#include <charconv>

namespace uslugi::organisations {

namespace {

std::string digits_of(std::string_view typed) {
    std::string out;
    for (char c : typed)
        if (c >= '0' && c <= '9') out += c;
    return out;
}

bool has_role(const Member& m) { return m.status == MemberStatus::active && m.role != Role::none; }

}  // namespace

std::optional<OrgId> parse_org_id(std::string_view typed, std::string& error_key) {
    if (typed.size() > core::kMaxIdentifierBytes) {
        error_key = "organisations.error.org_id_format";
        return std::nullopt;
    }
    // The length tells which number was typed; the validator then checks its control digits.
    const std::string digits = digits_of(typed);
    const bool ogrn = digits.size() == 13;
    if (!ogrn && digits.size() != 10) {
        error_key = digits.empty() ? "organisations.error.org_id_required" : "organisations.error.org_id_format";
        return std::nullopt;
    }
    const core::ValidationResult r = ogrn ? core::validate_ogrn(typed) : core::validate_inn_org(typed);
    if (!r) {
        error_key = r.message_key();
        return std::nullopt;
    }
    return OrgId{ogrn ? OrgIdKind::ogrn : OrgIdKind::inn, digits_of(r.normalized)};
}

std::optional<std::string> parse_ogrnip(std::string_view typed, std::string& error_key) {
    if (digits_of(typed).empty() && typed.size() <= core::kMaxIdentifierBytes) {
        error_key = "organisations.error.ogrnip_required";
        return std::nullopt;
    }
    const core::ValidationResult r = core::validate_ogrnip(typed);
    if (!r) {
        error_key = r.message_key();
        return std::nullopt;
    }
    return digits_of(r.normalized);
}

std::string_view to_string(Role r) {
    switch (r) {
        case Role::head: return "head";
        case Role::admin: return "admin";
        case Role::employee: return "employee";
        case Role::none: return "none";
    }
    return "none";
}

std::optional<Role> role_from_string(std::string_view s) {
    for (Role r : {Role::head, Role::admin, Role::employee, Role::none})
        if (to_string(r) == s) return r;
    return std::nullopt;
}

bool is_assignable(Role r) { return r != Role::head; }

std::string_view to_string(MemberStatus s) {
    switch (s) {
        case MemberStatus::invited: return "invited";
        case MemberStatus::active: return "active";
        case MemberStatus::declined: return "declined";
        case MemberStatus::withdrawn: return "withdrawn";
        case MemberStatus::removed: return "removed";
    }
    return "removed";
}

std::optional<MemberStatus> member_status_from_string(std::string_view s) {
    for (MemberStatus m : {MemberStatus::invited, MemberStatus::active, MemberStatus::declined,
                           MemberStatus::withdrawn, MemberStatus::removed})
        if (to_string(m) == s) return m;
    return std::nullopt;
}

bool can_transition(MemberStatus from, MemberStatus to) {
    if (from == MemberStatus::invited)
        return to == MemberStatus::active || to == MemberStatus::declined || to == MemberStatus::withdrawn;
    return from == MemberStatus::active && to == MemberStatus::removed;
}

bool may_see_organisation(const Member& m) { return has_role(m); }

bool may_manage_members(const Member& m) {
    return m.status == MemberStatus::active && (m.role == Role::head || m.role == Role::admin);
}

bool may_use_service(const Member& m, std::string_view service_id) {
    if (may_manage_members(m)) return true;
    if (!has_role(m) || m.role != Role::employee) return false;
    return std::find(m.services.begin(), m.services.end(), service_id) != m.services.end();
}

bool may_change_member(const Member& actor, const Member& target) {
    if (!may_manage_members(actor) || actor.organisation_id != target.organisation_id) return false;
    if (target.role == Role::head) return false;
    return actor.id != target.id;
}

std::int64_t acting_for(std::int64_t chosen, const std::vector<Member>& memberships) {
    if (chosen == 0) return 0;
    for (const Member& m : memberships)
        if (m.organisation_id == chosen && has_role(m)) return chosen;
    return 0;
}

std::optional<std::int64_t> parse_switch_target(std::string_view typed) {
    if (typed == "personal") return 0;
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(typed.data(), typed.data() + typed.size(), id);
    if (ec != std::errc{} || end != typed.data() + typed.size() || id <= 0) return std::nullopt;
    return id;
}

}  // namespace uslugi::organisations
