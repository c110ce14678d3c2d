#pragma once
// The one place dates and times are parsed and formatted. The database and the
// JSON API hold UTC (unix seconds, "2026-11-23T19:05:00Z"); pages and messages
// show a time in the reader's zone, an IANA name resolved through the system's
// tzdb (Howard Hinnant's date/tz), so a change of Russia's zones reaches us
// with the tzdata package rather than a release of ours.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace uslugi::core {

using Date = std::chrono::sys_days;

// "YYYY-MM-DD" with a four-digit year; nullopt for anything else, including
// days the calendar does not have (2025-02-29, 2024-04-31).
std::optional<Date> parse_iso_date(std::string_view text);
// "DD.MM.YYYY", as Russian documents and forms write a date.
std::optional<Date> parse_ru_date(std::string_view text);
std::string format_iso_date(Date d);  // "2026-11-23"
std::string format_ru_date(Date d);   // "23.11.2026"
Date today_utc();
// A date as the language writes it in running text (ACC-2): "3 декабря 2026",
// "3 December 2026", "3. Dezember 2026", "1er décembre 2026". Other languages read as Russian.
std::string format_long_date(Date d, std::string_view lang);

// "2026-11-23T19:05:00Z" ↔ unix seconds; nothing else parses (no offsets, no
// fractions), so what we read is exactly what format_utc writes.
std::optional<std::int64_t> parse_utc(std::string_view text);
std::string format_utc(std::int64_t unix_seconds);
// "2026-11-23 19:05:00": operators' pages, which read times in UTC.
std::string format_utc_plain(std::int64_t unix_seconds);

// Moscow time (МСК): what the portal shows when nobody chose otherwise, and
// what the other Russian zones are named relative to.
inline constexpr std::string_view kMoscowTimeZone = "Europe/Moscow";

// Russia's eleven zones, west to east (Kaliningrad, MSK−1 … Kamchatka, MSK+9).
std::span<const std::string_view> russian_time_zones();
bool is_russian_time_zone(std::string_view name);
// Whether the tzdb knows the IANA name ("Asia/Omsk"; not "MSK" or "+03:00").
bool is_time_zone(std::string_view name);

// The functions below take a zone name and throw std::invalid_argument for one
// the tzdb does not know: callers hold names checked at the edge (the
// configuration at start, the settings form).

// "23.11.2026 22:05" in `zone`.
std::string format_local(std::int64_t unix_seconds, std::string_view zone);
// The same instant as the language writes a date and time: "23.11.2026 22:05"
// (ru), "23.11.2026, 22:05" (de), "23/11/2026 22:05" (fr), "23 Nov 2026, 22:05" (en:
// the month by name, since 11/23 and 23/11 both occur in English).
std::string format_local(std::int64_t unix_seconds, std::string_view zone, std::string_view lang);
// The zone's offset from UTC at that instant, in seconds.
std::int64_t utc_offset(std::string_view zone, std::int64_t unix_seconds);
// "UTC+3", "UTC−1" (a minus sign), "UTC+5:30", "UTC": the offset at that instant.
std::string utc_offset_label(std::string_view zone, std::int64_t unix_seconds);
// As utc_offset_label, relative to Moscow: "МСК" naming Moscow time is passed in
// (`msk`, localised); "МСК", "МСК+7", "МСК−1".
std::string msk_offset_label(std::string_view zone, std::int64_t unix_seconds, std::string_view msk);

}  // namespace uslugi::core
