#include "core/text.hpp"

#include <gtest/gtest.h>

namespace uslugi::text {
namespace {

bool ascii_space(char32_t cp) { return cp == U' ' || cp == U'\t'; }
bool any_unicode_space(char32_t cp) { return ascii_space(cp) || cp == 0x00A0 || cp == 0x3000; }

TEST(CollapseBlanks, TrimsAndFoldsRunsIntoOneSpace) {
    EXPECT_EQ(collapse_blanks("  Анна \t  Мария  ", ascii_space), "Анна Мария");
    EXPECT_EQ(collapse_blanks("", ascii_space), "");
    EXPECT_EQ(collapse_blanks(" \t ", ascii_space), "");
    EXPECT_EQ(collapse_blanks("one", ascii_space), "one");
}

TEST(CollapseBlanks, OnlyWhatTheCallerCountsAsBlank) {
    const std::string nbsp_inside = "Иван\u00A0\u00A0Петров";
    EXPECT_EQ(collapse_blanks(nbsp_inside, ascii_space), nbsp_inside);
    EXPECT_EQ(collapse_blanks(nbsp_inside, any_unicode_space), "Иван Петров");
    EXPECT_EQ(collapse_blanks("\u3000東京\u3000", any_unicode_space), "東京");
}

TEST(CollapseBlanks, KeepsOtherCharactersAndRepairsBrokenUtf8) {
    EXPECT_EQ(collapse_blanks("a\x01  b", ascii_space), "a\x01 b");
    EXPECT_EQ(collapse_blanks("a \xFF b", ascii_space), "a \xEF\xBF\xBD b");
}

}  // namespace
}  // namespace uslugi::text
