// Dates and times as the portal reads and shows them (core/time.hpp), against
// the system's tz database.
#include <gtest/gtest.h>

#include "core/time.hpp"

#include <stdexcept>
#include <string>

using namespace uslugi::core;
namespace chr = std::chrono;

namespace {
// 2026-11-23T19:05:00Z
constexpr std::int64_t kEvening = 1795460700;
// 2026-12-31T22:30:00Z: already the new year east of Moscow.
constexpr std::int64_t kNewYearsEve = 1798756200;

Date ymd(int y, unsigned m, unsigned d) { return Date{chr::year{y} / chr::month{m} / chr::day{d}}; }
}  // namespace

TEST(TimeIsoDate, ParsesRealCalendarDays) {
    EXPECT_EQ(parse_iso_date("2026-11-23"), ymd(2026, 11, 23));
    EXPECT_EQ(parse_iso_date("2024-02-29"), ymd(2024, 2, 29)) << "2024 is a leap year";
    EXPECT_EQ(parse_iso_date("2000-02-29"), ymd(2000, 2, 29)) << "divisible by 400: leap";
    EXPECT_EQ(parse_iso_date("1800-01-01"), ymd(1800, 1, 1));
}

TEST(TimeIsoDate, RejectsDaysTheCalendarDoesNotHave) {
    EXPECT_FALSE(parse_iso_date("2025-02-29")) << "2025 is not a leap year";
    EXPECT_FALSE(parse_iso_date("1900-02-29")) << "divisible by 100 but not 400: not leap";
    EXPECT_FALSE(parse_iso_date("2024-04-31"));
    EXPECT_FALSE(parse_iso_date("2024-13-01"));
    EXPECT_FALSE(parse_iso_date("2024-00-10"));
    EXPECT_FALSE(parse_iso_date("2024-01-00"));
}

TEST(TimeIsoDate, RejectsOtherSpellings) {
    for (const char* text : {"", "2024-1-05", "24-01-05", "2024/01/05", "2024-01-05 ", " 2024-01-05", "2024-01-0a",
                             "+024-01-05", "2024-01-05T00:00:00Z", "05.01.2024"})
        EXPECT_FALSE(parse_iso_date(text)) << text;
}

TEST(TimeRuDate, ParsesDayMonthYear) {
    EXPECT_EQ(parse_ru_date("26.04.2010"), ymd(2010, 4, 26));
    EXPECT_EQ(parse_ru_date("29.02.2024"), ymd(2024, 2, 29));
    EXPECT_FALSE(parse_ru_date("29.02.2023"));
    EXPECT_FALSE(parse_ru_date("2010-04-26"));
    EXPECT_FALSE(parse_ru_date("26.4.2010"));
    EXPECT_EQ(format_ru_date(ymd(2010, 4, 6)), "06.04.2010");
    EXPECT_EQ(parse_ru_date(format_ru_date(ymd(1999, 12, 31))), ymd(1999, 12, 31));
}

TEST(TimeIsoDate, FormatsWhatItParses) {
    EXPECT_EQ(format_iso_date(ymd(2026, 1, 5)), "2026-01-05");
    EXPECT_EQ(format_iso_date(*parse_iso_date("0999-12-31")), "0999-12-31");
}

TEST(TimeUtc, FormatsAndParsesTheApiSpelling) {
    EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_utc(kEvening), "2026-11-23T19:05:00Z");
    EXPECT_EQ(parse_utc("2026-11-23T19:05:00Z"), kEvening);
    EXPECT_EQ(parse_utc(format_utc(kNewYearsEve)), kNewYearsEve);
    EXPECT_EQ(format_utc(-1), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_utc_plain(kEvening), "2026-11-23 19:05:00");
}

TEST(TimeUtc, RejectsAnythingButTheApiSpelling) {
    for (const char* text : {"2026-11-23T19:05:00", "2026-11-23T19:05:00+03:00", "2026-11-23 19:05:00Z",
                             "2026-11-23T24:00:00Z", "2026-11-23T19:60:00Z", "2026-11-23T19:05:60Z",
                             "2025-02-29T10:00:00Z", "2026-11-23T19:05:00.5Z", "2026-11-23t19:05:00z"})
        EXPECT_FALSE(parse_utc(text)) << text;
}

TEST(TimeZones, ShowsAnInstantInTheReadersZone) {
    EXPECT_EQ(format_local(kEvening, "Europe/Moscow"), "23.11.2026 22:05");
    EXPECT_EQ(format_local(kEvening, "Europe/Kaliningrad"), "23.11.2026 21:05");
    EXPECT_EQ(format_local(kEvening, "Asia/Vladivostok"), "24.11.2026 05:05") << "UTC+10: already the next day";
    EXPECT_EQ(format_local(kNewYearsEve, "Asia/Kamchatka"), "01.01.2027 10:30");
    EXPECT_EQ(format_local(kNewYearsEve, "Europe/Kaliningrad"), "01.01.2027 00:30");
    EXPECT_EQ(format_local(kNewYearsEve, "Europe/Moscow"), "01.01.2027 01:30");
}

TEST(TimeZones, OffsetsComeFromTheTzDatabaseNotAFixedRule) {
    EXPECT_EQ(utc_offset("Asia/Vladivostok", kEvening), 10 * 3600);
    EXPECT_EQ(utc_offset("Europe/Kaliningrad", kEvening), 2 * 3600);
    // From March 2011 to October 2014 Moscow kept "summer" time all year, UTC+4.
    const std::int64_t june_2012 = 1338552000;  // 2012-06-01T12:00:00Z
    EXPECT_EQ(utc_offset("Europe/Moscow", june_2012), 4 * 3600);
    EXPECT_EQ(format_local(june_2012, "Europe/Moscow"), "01.06.2012 16:00");
}

TEST(TimeZones, LabelsOffsetsFromUtcAndFromMoscow) {
    EXPECT_EQ(utc_offset_label("Europe/Moscow", kEvening), "UTC+3");
    EXPECT_EQ(utc_offset_label("Asia/Yekaterinburg", kEvening), "UTC+5");
    EXPECT_EQ(utc_offset_label("Etc/UTC", kEvening), "UTC");
    EXPECT_EQ(utc_offset_label("America/Sao_Paulo", kEvening), "UTC\u22123");
    EXPECT_EQ(utc_offset_label("Asia/Kolkata", kEvening), "UTC+5:30");
    EXPECT_EQ(msk_offset_label("Europe/Moscow", kEvening, "МСК"), "МСК");
    EXPECT_EQ(msk_offset_label("Europe/Kaliningrad", kEvening, "МСК"), "МСК\u22121");
    EXPECT_EQ(msk_offset_label("Asia/Kamchatka", kEvening, "MSK"), "MSK+9");
}

TEST(TimeZones, KnowsRussiasElevenZonesAndRejectsUnknownOnes) {
    ASSERT_EQ(russian_time_zones().size(), 11u);
    std::int64_t previous = -1;
    for (std::string_view zone : russian_time_zones()) {
        EXPECT_TRUE(is_time_zone(zone)) << zone;
        EXPECT_TRUE(is_russian_time_zone(zone)) << zone;
        const std::int64_t offset = utc_offset(zone, kEvening);
        EXPECT_EQ(offset, previous < 0 ? 2 * 3600 : previous + 3600) << zone << ": west to east, an hour apart";
        previous = offset;
    }
    EXPECT_TRUE(is_time_zone("Europe/Berlin"));
    EXPECT_FALSE(is_russian_time_zone("Europe/Berlin"));
    for (const char* name : {"", "Mars/Olympus_Mons", "europe/moscow", "MSK+1", "../../etc/passwd", "/etc/localtime",
                             "Europe/Moscow/"})
        EXPECT_FALSE(is_time_zone(name)) << name;
    EXPECT_THROW(format_local(kEvening, "Mars/Olympus_Mons"), std::invalid_argument);
    EXPECT_THROW(utc_offset_label("", kEvening), std::invalid_argument);
}

TEST(LanguageDates, LongDatesInEachLanguage) {
    const Date d = *parse_iso_date("2026-12-03");
    EXPECT_EQ(format_long_date(d, "ru"), "3 декабря 2026");
    EXPECT_EQ(format_long_date(d, "en"), "3 December 2026");
    EXPECT_EQ(format_long_date(d, "de"), "3. Dezember 2026");
    EXPECT_EQ(format_long_date(d, "fr"), "3 décembre 2026");
    const Date first = *parse_iso_date("2026-05-01");
    EXPECT_EQ(format_long_date(first, "fr"), "1er mai 2026");
    EXPECT_EQ(format_long_date(first, "ru"), "1 мая 2026");
    EXPECT_EQ(format_long_date(*parse_iso_date("2027-03-15"), "de"), "15. März 2027");
}

TEST(LanguageDates, LocalTimesInEachLanguage) {
    const std::int64_t at = *parse_utc("2026-11-23T19:05:00Z");
    EXPECT_EQ(format_local(at, "Asia/Vladivostok", "ru"), "24.11.2026 05:05");
    EXPECT_EQ(format_local(at, "Asia/Vladivostok", "de"), "24.11.2026, 05:05");
    EXPECT_EQ(format_local(at, "Asia/Vladivostok", "fr"), "24/11/2026 05:05");
    EXPECT_EQ(format_local(at, "Asia/Vladivostok", "en"), "24 Nov 2026, 05:05");
    EXPECT_EQ(format_local(at, "Europe/Moscow"), format_local(at, "Europe/Moscow", "ru"));
}
