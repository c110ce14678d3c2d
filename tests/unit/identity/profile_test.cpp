#include <gtest/gtest.h>

#include "identity/profile.hpp"

#include <map>
#include <string>

using namespace uslugi::identity;
namespace chr = std::chrono;

namespace {

const chr::year_month_day kToday{chr::year{2026}, chr::November, chr::day{23}};

// Demo person p0001 of data/registries/people.json.
std::map<std::string, std::string> anna() {
    return {{"surname", "Смирнова"},
            {"name", "Анна"},
            {"patronymic", "Сергеевна"},
            {"gender", "female"},
            {"birth_date", "1990-04-12"},
            {"birth_place", "г. Пермь"},
            {"snils", "088-391-325 03"},
            {"citizenship", "RU"},
            {"document_type", "passport_rf"},
            {"passport", "5710 726989"},
            {"issue_date", "2010-04-26"},
            {"issued_by", "Отделом УФМС России по Пермскому краю в Дзержинском районе гор. Перми"},
            {"department_code", "590-014"}};
}

FieldErrors errors_with(const std::string& field, const std::string& value, SaveMode mode = SaveMode::submit) {
    auto raw = anna();
    raw[field] = value;
    return parse_profile(raw, mode, kToday).errors;
}

std::string error_of(const std::string& field, const std::string& value, SaveMode mode = SaveMode::submit) {
    const FieldErrors e = errors_with(field, value, mode);
    auto it = e.find(field);
    return it == e.end() ? "" : it->second;
}

}  // namespace

TEST(ProfileParse, AcceptsACompleteProfileAndNormalizesIt) {
    auto raw = anna();
    raw["snils"] = "08839132503";
    raw["passport"] = "57 10 726989";
    raw["department_code"] = "590014";
    raw["birth_date"] = "12.04.1990";
    raw["surname"] = "  Смирнова ";
    raw["birth_place"] = "г.  Пермь";
    raw["citizenship"] = "ru";
    const ProfileParse r = parse_profile(raw, SaveMode::submit, kToday);
    ASSERT_TRUE(r.ok()) << r.errors.begin()->first << ": " << r.errors.begin()->second;
    EXPECT_EQ(r.profile.surname, "Смирнова");
    EXPECT_EQ(r.profile.snils, "088-391-325 03");
    EXPECT_EQ(r.profile.passport, "5710 726989");
    EXPECT_EQ(r.profile.passport_series(), "5710");
    EXPECT_EQ(r.profile.passport_number(), "726989");
    EXPECT_EQ(r.profile.department_code, "590-014");
    EXPECT_EQ(r.profile.birth_date, "1990-04-12");
    EXPECT_EQ(r.profile.birth_place, "г. Пермь");
    EXPECT_EQ(r.profile.citizenship, "RU");
}

TEST(ProfileParse, PatronymicIsOptional) {
    EXPECT_EQ(error_of("patronymic", ""), "");
    EXPECT_EQ(error_of("patronymic", "Оглы-Кызы"), "");
}

TEST(ProfileParse, SubmitNeedsEveryRequiredField) {
    const FieldErrors e = parse_profile({{"surname", "Смирнова"}}, SaveMode::submit, kToday).errors;
    for (auto f : profile_fields()) {
        if (f == "surname" || f == "patronymic" || f == "document_type") continue;
        auto it = e.find(std::string(f));
        ASSERT_NE(it, e.end()) << f;
        EXPECT_EQ(it->second, "profile.error.required") << f;
    }
    EXPECT_EQ(e.count("surname"), 0u);
    EXPECT_EQ(e.count("patronymic"), 0u);
}

TEST(ProfileParse, DraftChecksOnlyTheFieldsGiven) {
    const ProfileParse ok = parse_profile({{"surname", "Смирнова"}, {"snils", "088-391-325 03"}}, SaveMode::draft, kToday);
    EXPECT_TRUE(ok.ok());
    EXPECT_EQ(ok.profile.snils, "088-391-325 03");
    EXPECT_EQ(ok.profile.passport, "");
    const ProfileParse bad = parse_profile({{"snils", "088-391-325 04"}}, SaveMode::draft, kToday);
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors.at("snils"), "validation.snils.checksum");
}

TEST(ProfileParse, IdentifiersSayWhichRuleFailed) {
    EXPECT_EQ(error_of("snils", "088-391-325 04"), "validation.snils.checksum");
    EXPECT_EQ(error_of("snils", "12345"), "validation.snils.format");
    EXPECT_EQ(error_of("passport", "5710 72698"), "validation.passport.format");
    EXPECT_EQ(error_of("passport", "AB10 726989"), "validation.passport.format");
    EXPECT_EQ(error_of("department_code", "59-014"), "validation.department_code.format");
    EXPECT_EQ(error_of("gender", "other"), "profile.error.gender");
    EXPECT_EQ(error_of("citizenship", "XX"), "profile.error.citizenship");
    EXPECT_EQ(error_of("document_type", "driver_licence"), "profile.error.document_type");
}

TEST(ProfileParse, DatesMustBeRealAndPlausible) {
    EXPECT_EQ(error_of("birth_date", "1990-02-30"), "profile.error.date_format");
    EXPECT_EQ(error_of("birth_date", "31.04.1990"), "profile.error.date_format");
    EXPECT_EQ(error_of("birth_date", "1990/04/12"), "profile.error.date_format");
    EXPECT_EQ(error_of("birth_date", "yesterday"), "profile.error.date_format");
    EXPECT_EQ(error_of("birth_date", "1899-12-31"), "profile.error.birth_too_early");
    EXPECT_EQ(error_of("birth_date", "2026-11-23"), "profile.error.birth_future");
    EXPECT_EQ(error_of("birth_date", "2030-01-01"), "profile.error.birth_future");
    EXPECT_EQ(error_of("birth_date", "2013-01-01"), "profile.error.too_young");
    // Born on 29 February: the 14th birthday falls on 28 February.
    auto leap = anna();
    leap["birth_date"] = "1996-02-29";
    leap["issue_date"] = "2010-02-28";
    EXPECT_TRUE(parse_profile(leap, SaveMode::submit, kToday).ok());
    leap["issue_date"] = "2010-02-27";
    EXPECT_EQ(parse_profile(leap, SaveMode::submit, kToday).errors.at("issue_date"), "profile.error.issue_before_14");
    EXPECT_EQ(error_of("issue_date", "2026-11-24"), "profile.error.issue_future");
    EXPECT_EQ(error_of("issue_date", "1997-09-30"), "profile.error.issue_too_early");
    // Issued before the 14th birthday (born 1990-04-12).
    EXPECT_EQ(error_of("issue_date", "2004-04-11"), "profile.error.issue_before_14");
    EXPECT_EQ(error_of("issue_date", "2004-04-12"), "");
    EXPECT_EQ(error_of("issue_date", "2026-11-23"), "");
}

TEST(ProfileParse, ARussianPassportNeedsRussianCitizenship) {
    EXPECT_EQ(error_of("citizenship", "KZ"), "profile.error.passport_needs_ru");
    auto raw = anna();
    raw["citizenship"] = "KZ";
    raw["passport"] = "";
    raw["document_type"] = "";
    EXPECT_EQ(parse_profile(raw, SaveMode::draft, kToday).errors.count("citizenship"), 0u);
}

TEST(ProfileParse, HostileValuesAreRefused) {
    for (const std::string field : {"surname", "name", "patronymic", "birth_place", "issued_by"}) {
        for (const std::string v : {"<script>alert(1)</script>", "<b>Анна</b>", "Анна\x01", "Анна\nИванова",
                                    "Анна\t", "{{page.csrf}}", "Анна\u202EаннА"}) {
            EXPECT_NE(error_of(field, v), "") << field << " accepted " << v;
        }
    }
    for (const std::string field : {"snils", "passport", "department_code", "birth_date", "issue_date", "gender",
                                    "citizenship"}) {
        EXPECT_NE(error_of(field, "1' OR '1'='1"), "") << field;
        EXPECT_NE(error_of(field, "<img src=x onerror=alert(1)>"), "") << field;
    }
}

TEST(ProfileParse, SqlLookingTextInAPlaceIsPlainText) {
    // Quotes and semicolons are ordinary in addresses; the store binds values,
    // so such a text is stored as it is, harmlessly.
    const ProfileParse r = parse_profile({{"birth_place", "г. Пермь'; DROP TABLE users; --"}},
                                         SaveMode::draft, kToday);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.profile.birth_place, "г. Пермь'; DROP TABLE users; --");
}

TEST(ProfileParse, OverlongValuesAreRefused) {
    EXPECT_EQ(error_of("surname", std::string(61, 'a')), "identity.error.name_too_long");
    EXPECT_EQ(error_of("birth_place", std::string(201, 'a')), "profile.error.place_too_long");
    EXPECT_EQ(error_of("birth_place", std::string(200, 'a')), "");
    EXPECT_EQ(error_of("issued_by", std::string(251, 'a')), "profile.error.issuer_too_long");
    EXPECT_EQ(error_of("issued_by", std::string(100000, 'a')), "profile.error.too_long");
    EXPECT_EQ(error_of("snils", std::string(100, '1')), "validation.snils.too_long");
    const ProfileParse r = parse_profile({{"issued_by", std::string(100000, 'a')}}, SaveMode::draft, kToday);
    EXPECT_TRUE(r.profile.issued_by.empty()) << "an overlong value is never handed back";
}

TEST(ProfileParse, InvalidValuesAreHandedBackAsTyped) {
    auto raw = anna();
    raw["snils"] = "088-391-325 04";
    const ProfileParse r = parse_profile(raw, SaveMode::submit, kToday);
    EXPECT_EQ(r.profile.snils, "088-391-325 04");
}

TEST(ProfileDates, ParsesBothSpellings) {
    auto a = parse_profile_date("2010-04-26");
    auto b = parse_profile_date("26.04.2010");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(format_iso(*a), "2010-04-26");
    EXPECT_EQ(format_ru("2010-04-26"), "26.04.2010");
    EXPECT_FALSE(parse_profile_date("2023-02-29"));
    EXPECT_TRUE(parse_profile_date("2024-02-29"));
    EXPECT_FALSE(parse_profile_date("2024-13-01"));
    EXPECT_FALSE(parse_profile_date("+2024-01-01"));
    EXPECT_FALSE(parse_profile_date(""));
}

TEST(ProfileChanges, OnlyCheckedFieldsSendItAgain) {
    const Profile before = parse_profile(anna(), SaveMode::submit, kToday).profile;
    Profile after = before;
    after.birth_place = "г. Соликамск";
    after.citizenship = "RU";
    EXPECT_FALSE(checked_data_changed(before, after));
    EXPECT_EQ(changed_fields(before, after), std::vector<std::string>{"birth_place"});
    for (const std::string f : {"surname", "name", "patronymic", "gender", "birth_date", "snils", "passport",
                                "issue_date", "issued_by", "department_code"}) {
        Profile changed = before;
        set_field(changed, f, field_value(before, f) + "x");
        EXPECT_TRUE(checked_data_changed(before, changed)) << f;
        EXPECT_TRUE(is_checked_field(f)) << f;
    }
    EXPECT_FALSE(is_checked_field("birth_place"));
    EXPECT_FALSE(is_checked_field("citizenship"));
}

TEST(VerificationMachine, OverallTransitions) {
    using V = VerificationState;
    EXPECT_TRUE(can_transition(V::not_sent, V::checking));
    EXPECT_TRUE(can_transition(V::checking, V::passed));
    EXPECT_TRUE(can_transition(V::checking, V::failed));
    EXPECT_TRUE(can_transition(V::checking, V::superseded));
    EXPECT_TRUE(can_transition(V::passed, V::superseded));
    EXPECT_FALSE(can_transition(V::not_sent, V::passed));
    EXPECT_FALSE(can_transition(V::passed, V::failed));
    EXPECT_FALSE(can_transition(V::passed, V::checking));
    EXPECT_FALSE(can_transition(V::failed, V::checking));
    EXPECT_FALSE(can_transition(V::failed, V::passed));
    EXPECT_FALSE(can_transition(V::failed, V::superseded));
    EXPECT_FALSE(can_transition(V::superseded, V::checking));
    EXPECT_FALSE(can_transition(V::checking, V::checking));
    for (auto s : {V::not_sent, V::checking, V::passed, V::failed, V::superseded})
        EXPECT_EQ(verification_state_from_string(to_string(s)), s);
    EXPECT_THROW(verification_state_from_string("done"), std::invalid_argument);
}

TEST(VerificationMachine, StepTransitions) {
    using S = StepState;
    EXPECT_TRUE(can_transition(S::pending, S::running));
    EXPECT_TRUE(can_transition(S::running, S::passed));
    EXPECT_TRUE(can_transition(S::running, S::failed));
    EXPECT_TRUE(can_transition(S::running, S::waiting));
    EXPECT_TRUE(can_transition(S::waiting, S::passed));
    EXPECT_TRUE(can_transition(S::waiting, S::failed));
    for (auto s : {S::pending, S::running, S::waiting}) EXPECT_TRUE(can_transition(s, S::cancelled));
    EXPECT_FALSE(can_transition(S::pending, S::passed));
    EXPECT_FALSE(can_transition(S::pending, S::waiting));
    EXPECT_FALSE(can_transition(S::waiting, S::running));
    EXPECT_FALSE(can_transition(S::waiting, S::waiting));
    for (auto s : {S::passed, S::failed, S::cancelled}) {
        EXPECT_TRUE(is_final(s));
        for (auto t : {S::pending, S::running, S::waiting, S::passed, S::failed, S::cancelled})
            EXPECT_FALSE(can_transition(s, t));
    }
    for (auto s : {S::pending, S::running, S::waiting, S::passed, S::failed, S::cancelled})
        EXPECT_EQ(step_state_from_string(to_string(s)), s);
    EXPECT_EQ(registry_from_string("mvd"), Registry::mvd);
    EXPECT_FALSE(registry_from_string("gibdd"));
}
