// A catalog text's fallback (English, then Russian) and the language it reports,
// which pages write as a lang attribute (WCAG 3.1.2).
#include <gtest/gtest.h>

#include "catalog/model.hpp"

using uslugi::catalog::Text;

TEST(CatalogText, OwnLanguageIsShownAndReported) {
    const Text t{.ru = "Паспорт", .en = "Passport", .de = "Reisepass", .fr = "Passeport"};
    for (const char* lang : {"ru", "en", "de", "fr"}) EXPECT_EQ(t.language_in(lang), lang);
    EXPECT_EQ(t.in("de"), "Reisepass");
    EXPECT_EQ(t.in("fr"), "Passeport");
}

TEST(CatalogText, MissingGermanFallsBackToEnglishThenRussian) {
    const Text ru_en{.ru = "Паспорт", .en = "Passport"};
    EXPECT_EQ(ru_en.in("de"), "Passport");
    EXPECT_EQ(ru_en.language_in("de"), "en");
    EXPECT_EQ(ru_en.language_in("fr"), "en");
    EXPECT_EQ(ru_en.language_in("ru"), "ru");

    const Text ru_only{.ru = "Паспорт"};
    EXPECT_EQ(ru_only.in("fr"), "Паспорт");
    EXPECT_EQ(ru_only.language_in("fr"), "ru");
    EXPECT_EQ(ru_only.language_in("en"), "ru");
    EXPECT_EQ(ru_only.in("en"), "Паспорт");

    // A German text without an English one: a French page falls back to Russian, not German.
    const Text ru_de{.ru = "Паспорт", .de = "Reisepass"};
    EXPECT_EQ(ru_de.language_in("fr"), "ru");
    EXPECT_EQ(ru_de.in("fr"), "Паспорт");
}

TEST(CatalogText, NothingToShowIsNotMarked) {
    const Text empty{};
    EXPECT_EQ(empty.in("de"), "");
    EXPECT_EQ(empty.language_in("de"), "de");
    // What the JSON seeds hold: a bare string is Russian.
    const Text bare = Text::from_json(nlohmann::json("Паспорт"));
    EXPECT_EQ(bare.language_in("en"), "ru");
}
