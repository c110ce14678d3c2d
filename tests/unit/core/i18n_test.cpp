#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/crypto.hpp"
#include "core/i18n.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

TEST(Negotiate, PicksTheBestSupportedLanguage) {
    EXPECT_EQ(core::Locales::negotiate("de-CH, de;q=0.9, en;q=0.8"), "de");
    EXPECT_EQ(core::Locales::negotiate("ja, en-GB;q=0.7, fr;q=0.9"), "fr");
    EXPECT_EQ(core::Locales::negotiate("EN-us"), "en");
    EXPECT_EQ(core::Locales::negotiate("ja, zh;q=0.5"), "");
    EXPECT_EQ(core::Locales::negotiate(""), "");
    EXPECT_EQ(core::Locales::negotiate("ru;q=garbage, en;q=0.1"), "en");
}

TEST(Locales, ProjectLocalesAreCompleteForRussianAndEnglish) {
    core::Locales locales;
    locales.load(test_support::source_dir() + "/locales");
    const auto& ru = locales.get("ru");
    const auto& en = locales.get("en");
    ASSERT_GT(ru.keys().size(), 50u);
    for (const auto& key : ru.keys()) EXPECT_TRUE(en.has(key)) << "en.json lacks " << key;
    for (const auto& key : en.keys()) EXPECT_TRUE(ru.has(key)) << "ru.json lacks " << key;
    // German and French: at least everything the layout and error pages show.
    for (std::string_view lang : {"de", "fr"}) {
        for (const auto& key : ru.keys()) {
            if (key.rfind("layout.", 0) == 0 || key.rfind("errors.", 0) == 0 || key.rfind("lang.", 0) == 0) {
                EXPECT_TRUE(locales.get(lang).has(key)) << lang << ".json lacks " << key;
            }
        }
    }
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
