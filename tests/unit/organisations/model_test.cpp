// Rules of organisation and entrepreneur accounts (ID-5) with the worked
// examples of SPEC.md "Validators": OGRN 1027700132195, OGRNIP 304500116000157.
#include "organisations/model.hpp"

#include <gtest/gtest.h>

namespace uslugi::organisations {
namespace {

TEST(OrgId, AcceptsOgrnAndInnByLength) {
    std::string key;
    auto ogrn = parse_org_id("1027700132195", key);
    ASSERT_TRUE(ogrn) << key;
    EXPECT_EQ(ogrn->kind, OrgIdKind::ogrn);
    EXPECT_EQ(ogrn->value, "1027700132195");
    auto inn = parse_org_id(" 7707083893 ", key);
    ASSERT_TRUE(inn) << key;
    EXPECT_EQ(inn->kind, OrgIdKind::inn);
    EXPECT_EQ(inn->value, "7707083893");
}

TEST(OrgId, RefusesWrongControlDigitsAndLengths) {
    std::string key;
    EXPECT_FALSE(parse_org_id("1027700132196", key));
    EXPECT_EQ(key, "validation.ogrn.checksum");
    EXPECT_FALSE(parse_org_id("7707083894", key));
    EXPECT_EQ(key, "validation.inn_org.checksum");
    EXPECT_FALSE(parse_org_id("12345", key));
    EXPECT_EQ(key, "organisations.error.org_id_format");
    EXPECT_FALSE(parse_org_id("", key));
    EXPECT_EQ(key, "organisations.error.org_id_required");
    EXPECT_FALSE(parse_org_id(std::string(100, '1'), key));
    EXPECT_EQ(key, "organisations.error.org_id_format");
    // An entrepreneur's 12-digit INN names no organisation.
    EXPECT_FALSE(parse_org_id("500100732259", key));
}

TEST(Ogrnip, ControlDigitPerSpec) {
    std::string key;
    auto ok = parse_ogrnip("304500116000157", key);
    ASSERT_TRUE(ok) << key;
    EXPECT_EQ(*ok, "304500116000157");
    EXPECT_FALSE(parse_ogrnip("304500116000158", key));
    EXPECT_EQ(key, "validation.ogrnip.checksum");
    EXPECT_FALSE(parse_ogrnip("1027700132195", key));  // an OGRN is not an OGRNIP
    EXPECT_EQ(key, "validation.ogrnip.format");
    EXPECT_FALSE(parse_ogrnip("  ", key));
    EXPECT_EQ(key, "organisations.error.ogrnip_required");
}

Member member(std::int64_t id, Role role, MemberStatus status = MemberStatus::active,
              std::vector<std::string> services = {}) {
    return Member{id, 7, 100 + id, role, status, std::move(services)};
}

TEST(Roles, WhatEachRoleMayDo) {
    const Member head = member(1, Role::head), admin = member(2, Role::admin),
                 employee = member(3, Role::employee, MemberStatus::active, {"egrul-extract"}),
                 nobody = member(4, Role::none), invited = member(5, Role::admin, MemberStatus::invited),
                 removed = member(6, Role::employee, MemberStatus::removed, {"egrul-extract"});
    EXPECT_TRUE(may_see_organisation(head));
    EXPECT_TRUE(may_see_organisation(employee));
    EXPECT_FALSE(may_see_organisation(nobody));
    EXPECT_FALSE(may_see_organisation(invited));
    EXPECT_FALSE(may_see_organisation(removed));

    EXPECT_TRUE(may_manage_members(head));
    EXPECT_TRUE(may_manage_members(admin));
    EXPECT_FALSE(may_manage_members(employee));
    EXPECT_FALSE(may_manage_members(invited));

    EXPECT_TRUE(may_use_service(employee, "egrul-extract"));
    EXPECT_FALSE(may_use_service(employee, "other-service"));
    EXPECT_TRUE(may_use_service(admin, "other-service"));
    EXPECT_FALSE(may_use_service(removed, "egrul-extract"));
    EXPECT_FALSE(may_use_service(nobody, "egrul-extract"));
}

TEST(Roles, NobodyChangesTheHeadAndAnAdministratorNotThemself) {
    const Member head = member(1, Role::head), admin = member(2, Role::admin), employee = member(3, Role::employee);
    EXPECT_TRUE(may_change_member(head, admin));
    EXPECT_TRUE(may_change_member(admin, employee));
    EXPECT_FALSE(may_change_member(admin, head));
    EXPECT_FALSE(may_change_member(admin, admin));
    EXPECT_FALSE(may_change_member(employee, admin));
    Member elsewhere = employee;
    elsewhere.organisation_id = 8;
    EXPECT_FALSE(may_change_member(head, elsewhere));
    EXPECT_FALSE(is_assignable(Role::head));
    EXPECT_TRUE(is_assignable(Role::none));
}

TEST(Roles, NamesRoundTrip) {
    for (Role r : {Role::head, Role::admin, Role::employee, Role::none}) EXPECT_EQ(role_from_string(to_string(r)), r);
    EXPECT_FALSE(role_from_string("owner"));
    for (MemberStatus s : {MemberStatus::invited, MemberStatus::active, MemberStatus::declined, MemberStatus::withdrawn,
                           MemberStatus::removed})
        EXPECT_EQ(member_status_from_string(to_string(s)), s);
}

TEST(Membership, Transitions) {
    EXPECT_TRUE(can_transition(MemberStatus::invited, MemberStatus::active));
    EXPECT_TRUE(can_transition(MemberStatus::invited, MemberStatus::declined));
    EXPECT_TRUE(can_transition(MemberStatus::invited, MemberStatus::withdrawn));
    EXPECT_TRUE(can_transition(MemberStatus::active, MemberStatus::removed));
    EXPECT_FALSE(can_transition(MemberStatus::removed, MemberStatus::active));
    EXPECT_FALSE(can_transition(MemberStatus::declined, MemberStatus::active));
    EXPECT_FALSE(can_transition(MemberStatus::active, MemberStatus::invited));
}

TEST(Switching, TheChoiceCountsOnlyForAnActiveMemberWithARole) {
    std::vector<Member> mine{member(1, Role::employee), member(2, Role::none)};
    mine[1].organisation_id = 9;
    EXPECT_EQ(acting_for(0, mine), 0);
    EXPECT_EQ(acting_for(7, mine), 7);
    EXPECT_EQ(acting_for(9, mine), 0) << "no role: acts as a private person";
    EXPECT_EQ(acting_for(42, mine), 0) << "not a member";
    mine[0].status = MemberStatus::removed;
    EXPECT_EQ(acting_for(7, mine), 0) << "removed: the old choice opens nothing";
}

TEST(Switching, FormValues) {
    EXPECT_EQ(parse_switch_target("personal"), 0);
    EXPECT_EQ(parse_switch_target("12"), 12);
    EXPECT_FALSE(parse_switch_target("0"));
    EXPECT_FALSE(parse_switch_target("-3"));
    EXPECT_FALSE(parse_switch_target("12abc"));
    EXPECT_FALSE(parse_switch_target(""));
    EXPECT_FALSE(parse_switch_target("99999999999999999999999"));
}

}  // namespace
}  // namespace uslugi::organisations
