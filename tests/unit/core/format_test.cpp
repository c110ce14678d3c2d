#include <gtest/gtest.h>

#include "core/format.hpp"

#include <limits>
#include <string>

using namespace uslugi;

namespace {
const std::string kNarrow = "\u202f", kNbsp = "\u00a0";
}

TEST(FormatNumber, DecimalCommaAndGroupingFollowTheLanguage) {
    EXPECT_EQ(core::format_number(1234567.891, 2, "ru"), "1" + kNarrow + "234" + kNarrow + "567,89");
    EXPECT_EQ(core::format_number(1234567.891, 2, "fr"), "1" + kNarrow + "234" + kNarrow + "567,89");
    EXPECT_EQ(core::format_number(1234567.891, 2, "de"), "1.234.567,89");
    EXPECT_EQ(core::format_number(1234567.891, 2, "en"), "1,234,567.89");
    EXPECT_EQ(core::format_number(1.27, 1, "de"), "1,3");  // rounded, not cut
    EXPECT_EQ(core::format_number(999, 0, "en"), "999");
    EXPECT_EQ(core::format_number(-1500.5, 1, "en"), "\u22121,500.5");
    EXPECT_EQ(core::format_number(-0.01, 1, "ru"), "0,0");  // no "−0,0"
    EXPECT_EQ(core::format_number(0.5, 0, "xx"), "0");      // unknown language reads as Russian
}

TEST(FormatNumber, Integers) {
    EXPECT_EQ(core::format_integer(6000, "ru"), "6" + kNarrow + "000");
    EXPECT_EQ(core::format_integer(6000, "de"), "6.000");
    EXPECT_EQ(core::format_integer(100, "en"), "100");
    EXPECT_EQ(core::format_integer(-1000000, "en"), "\u22121,000,000");
    EXPECT_EQ(core::format_integer(std::numeric_limits<long long>::min(), "en"),
              "\u22129,223,372,036,854,775,808");
}

TEST(FormatRubles, EachLanguageWritesTheAmountItsWay) {
    EXPECT_EQ(core::format_rubles(600050, "ru"), "6" + kNarrow + "000,50" + kNbsp + "₽");
    EXPECT_EQ(core::format_rubles(600050, "de"), "6.000,50" + kNbsp + "₽");
    EXPECT_EQ(core::format_rubles(600050, "fr"), "6" + kNarrow + "000,50" + kNbsp + "₽");
    EXPECT_EQ(core::format_rubles(600050, "en"), "RUB" + kNbsp + "6,000.50");
    // Whole roubles show no kopecks; single kopecks keep two digits.
    EXPECT_EQ(core::format_rubles(600000, "de"), "6.000" + kNbsp + "₽");
    EXPECT_EQ(core::format_rubles(205, "en"), "RUB" + kNbsp + "2.05");
    EXPECT_EQ(core::format_rubles(35000, "ru"), "350" + kNbsp + "₽");
}

TEST(FormatDistance, MetresThenOneDecimalThenWholeKilometres) {
    EXPECT_EQ(core::format_distance_km(1.234, "ru"), "1,2" + kNbsp + "км");
    EXPECT_EQ(core::format_distance_km(1.234, "en"), "1.2" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(1.234, "de"), "1,2" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(1.234, "fr"), "1,2" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(0.347, "ru"), "350" + kNbsp + "м");
    EXPECT_EQ(core::format_distance_km(0.001, "en"), "10" + kNbsp + "m");
    EXPECT_EQ(core::format_distance_km(0.998, "fr"), "1,0" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(12.6, "en"), "13" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(1234.4, "de"), "1.234" + kNbsp + "km");
    EXPECT_EQ(core::format_distance_km(-1, "ru"), "—");
}
