#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/crypto.hpp"
#include "core/i18n.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"

using namespace uslugi;

TEST(Negotiate, PicksTheBestSupportedLanguage) {
    EXPECT_EQ(core::Locales::negotiate("de-CH, de;q=0.9, en;q=0.8"), "de");
    EXPECT_EQ(core::Locales::negotiate("ja, en-GB;q=0.7, fr;q=0.9"), "fr");
    EXPECT_EQ(core::Locales::negotiate("EN-us"), "en");
    EXPECT_EQ(core::Locales::negotiate("ja, zh;q=0.5"), "");
    EXPECT_EQ(core::Locales::negotiate(""), "");
    EXPECT_EQ(core::Locales::negotiate("ru;q=garbage, en;q=0.1"), "en");
}

TEST(Locales, EveryKeyExistsInAllFourLanguagesInEveryFolder) {
    const std::string dir = test_support::source_dir() + "/locales";
    core::Locales locales;
    locales.load(dir);
    ASSERT_GT(locales.get("de").size(), 500u);
    // One line per missing or empty text, naming the file and the key.
    for (const auto& gap : core::locale_gaps(dir)) ADD_FAILURE() << gap;
    // The merged trees agree as well (a key may not hide in one language's folder only).
    const auto ru_keys = locales.get("ru").keys();
    for (std::string_view lang : core::kLanguages) EXPECT_EQ(locales.get(lang).keys(), ru_keys) << lang;
}

TEST(Locales, GapsAreFoundInAnyFolderAndLanguage) {
    test_support::TempDir dir;
    for (const char* lang : {"ru", "en", "de", "fr"})
        dir.write(std::string(lang) + ".json", R"({"a":{"b":"x","c":"y"}})");
    dir.write("ru.json", R"({"a":{"b":"x","c":"y","d":"z"}})");
    // A folder nobody has heard of is checked too; French is missing there, German is empty.
    dir.write("newarea/ru.json", R"({"n":{"k":"текст"}})");
    dir.write("newarea/en.json", R"({"n":{"k":"text"}})");
    dir.write("newarea/de.json", R"({"n":{"k":""}})");
    const auto gaps = core::locale_gaps(dir.path().string());
    const std::string root = dir.path().filename().string();
    const std::set<std::string> got(gaps.begin(), gaps.end());
    const std::set<std::string> want{root + "/en.json lacks a.d", root + "/de.json lacks a.d",
                                     root + "/fr.json lacks a.d", root + "/newarea/de.json has an empty n.k",
                                     root + "/newarea/fr.json lacks n.k"};
    EXPECT_EQ(got, want);
    EXPECT_EQ(gaps.size(), want.size());
}

TEST(Locales, FallsBackToEnglishThenRussianThenKey) {
    core::Locales locales;
    locales.load(test_support::source_dir() + "/locales");
    EXPECT_EQ(locales.get("de").text("no.such.key"), "no.such.key");
    EXPECT_EQ(locales.get("xx").code(), "ru");
    EXPECT_NE(locales.get("en").text("layout.portal_name"), locales.get("ru").text("layout.portal_name"));
}

TEST(Crypto, TokensAreRandomAndUrlSafe) {
    const std::string a = core::random_token(32), b = core::random_token(32);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.size(), 43u);
    EXPECT_TRUE(std::regex_match(a, std::regex("^[A-Za-z0-9_-]+$")));
    EXPECT_EQ(core::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_TRUE(core::constant_time_equal("abc", "abc"));
    EXPECT_FALSE(core::constant_time_equal("abc", "abd"));
    EXPECT_FALSE(core::constant_time_equal("abc", "abcd"));
}
