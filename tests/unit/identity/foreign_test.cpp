// A foreign citizen's profile (ID-5): every field's rules.
#include "identity/foreign.hpp"

#include <gtest/gtest.h>

namespace uslugi::identity {
namespace {

namespace chr = std::chrono;
const chr::year_month_day kToday{chr::year{2026}, chr::December, chr::day{3}};

std::map<std::string, std::string> good() {
    return {{"surname_latin", "Nurlanova"}, {"name_latin", "Aigerim"}, {"surname_cyrillic", "Нурланова"},
            {"name_cyrillic", "Айгерим"},   {"birth_date", "14.03.1992"}, {"citizenship", "KZ"},
            {"document_number", "n 1234-5678"}, {"issue_date", "2021-05-20"}, {"expiry_date", "2031-05-19"}};
}

TEST(ForeignProfile, AGoodOneIsNormalized) {
    auto r = parse_foreign_profile(good(), kToday);
    ASSERT_TRUE(r.ok()) << r.errors.begin()->first << ": " << r.errors.begin()->second;
    EXPECT_EQ(r.profile.birth_date, "1992-03-14");
    EXPECT_EQ(r.profile.document_number, "N12345678");
    EXPECT_EQ(r.profile.citizenship, "KZ");
    EXPECT_EQ(r.profile.snils, "");
}

TEST(ForeignProfile, AlphabetsAreChecked) {
    auto raw = good();
    raw["surname_latin"] = "Нурланова";
    raw["name_cyrillic"] = "Aigerim";
    auto r = parse_foreign_profile(raw, kToday);
    EXPECT_EQ(r.errors["surname_latin"], "identity_foreign.error.latin_only");
    EXPECT_EQ(r.errors["name_cyrillic"], "identity_foreign.error.cyrillic_only");
    raw = good();
    raw["name_latin"] = "";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["name_latin"], "identity.error.name_required");
}

TEST(ForeignProfile, CountryFromTheListButNotRussia) {
    auto raw = good();
    raw["citizenship"] = "RU";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["citizenship"], "identity_foreign.error.country");
    raw["citizenship"] = "ZZ";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["citizenship"], "identity_foreign.error.country");
    raw["citizenship"] = "";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["citizenship"], "profile.error.required");
}

TEST(ForeignProfile, DocumentNumberAndDates) {
    auto raw = good();
    raw["document_number"] = "12<34";
    raw["expiry_date"] = "2026-12-02";
    auto r = parse_foreign_profile(raw, kToday);
    EXPECT_EQ(r.errors["document_number"], "identity_foreign.error.document_format");
    EXPECT_EQ(r.errors["expiry_date"], "identity_foreign.error.expired");
    raw = good();
    raw["expiry_date"] = "2020-01-01";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["expiry_date"], "identity_foreign.error.expiry_before_issue");
    raw = good();
    raw["issue_date"] = "1990-01-01";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["issue_date"], "identity_foreign.error.issue_before_birth");
    raw = good();
    raw["birth_date"] = "2027-01-01";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["birth_date"], "identity_foreign.error.birth_future");
    raw = good();
    raw["issue_date"] = "31.02.2020";
    EXPECT_EQ(parse_foreign_profile(raw, kToday).errors["issue_date"], "profile.error.date_format");
}

TEST(ForeignProfile, OptionalSnilsAndInnAreValidated) {
    auto raw = good();
    raw["snils"] = "112-233-445 95";
    raw["inn"] = "500100732259";
    auto r = parse_foreign_profile(raw, kToday);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.profile.snils, "112-233-445 95");
    EXPECT_EQ(r.profile.inn, "500100732259");
    raw["snils"] = "112-233-445 96";
    raw["inn"] = "500100732258";
    r = parse_foreign_profile(raw, kToday);
    EXPECT_EQ(r.errors["snils"], "validation.snils.checksum");
    EXPECT_EQ(r.errors["inn"], "validation.inn_person.checksum");
}

TEST(ForeignCheck, NamesRoundTrip) {
    for (auto c : {ForeignCheck::not_checked, ForeignCheck::valid, ForeignCheck::expired, ForeignCheck::not_found,
                   ForeignCheck::mismatch, ForeignCheck::unavailable})
        EXPECT_EQ(foreign_check_from_string(to_string(c)), c);
}

}  // namespace
}  // namespace uslugi::identity
