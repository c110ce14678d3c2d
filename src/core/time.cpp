#include "core/time.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace uslugi::core {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 11> kRussianZones{
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",     "Asia/Krasnoyarsk",
    "Asia/Irkutsk",       "Asia/Yakutsk",  "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka"};

// The digits text[from, from + n) as a number; -1 if any is not a digit.
int digits(std::string_view text, std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

std::optional<Date> make_date(int y, int m, int d) {
    if (y < 0 || m < 1 || d < 1) return std::nullopt;
    const chr::year_month_day ymd{chr::year{y}, chr::month{unsigned(m)}, chr::day{unsigned(d)}};
    if (!ymd.ok()) return std::nullopt;
    return Date{ymd};
}

const date::time_zone& zone_of(std::string_view name) {
    try {
        return *date::locate_zone(name);
    } catch (const std::runtime_error&) {
        throw std::invalid_argument(fmt::format("unknown time zone \"{}\"", name));
    }
}

chr::sys_seconds instant(std::int64_t unix_seconds) { return chr::sys_seconds{chr::seconds{unix_seconds}}; }

// "+3", "−1", "+5:30"; "" for zero.
std::string signed_hours(std::int64_t offset) {
    if (offset == 0) return {};
    const std::int64_t magnitude = offset < 0 ? -offset : offset;
    std::string out = offset < 0 ? "\u2212" : "+";
    out += std::to_string(magnitude / 3600);
    if (const std::int64_t minutes = magnitude % 3600 / 60; minutes != 0) out += fmt::format(":{:02d}", minutes);
    return out;
}

// Month names as they follow a day number: Russian in the genitive ("3 декабря").
using MonthNames = std::array<std::string_view, 12>;
constexpr MonthNames kRuMonths{"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                               "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
constexpr MonthNames kEnMonths{"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
constexpr MonthNames kDeMonths{"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                               "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
constexpr MonthNames kFrMonths{"janvier", "février", "mars",      "avril",   "mai",      "juin",
                               "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

struct CivilTime {
    date::year_month_day ymd;
    int hour, minute;
};

CivilTime civil_in(std::int64_t unix_seconds, std::string_view zone) {
    const auto local = zone_of(zone).to_local(instant(unix_seconds));
    const auto day = chr::floor<date::days>(local);
    const date::hh_mm_ss<chr::seconds> tod{local - day};
    return {date::year_month_day{day}, int(tod.hours().count()), int(tod.minutes().count())};
}

}  // namespace

std::optional<Date> parse_iso_date(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    return make_date(digits(t, 0, 4), digits(t, 5, 2), digits(t, 8, 2));
}

std::optional<Date> parse_ru_date(std::string_view t) {
    if (t.size() != 10 || t[2] != '.' || t[5] != '.') return std::nullopt;
    return make_date(digits(t, 6, 4), digits(t, 3, 2), digits(t, 0, 2));
}

std::string format_iso_date(Date d) {
    const chr::year_month_day ymd{d};
    return fmt::format("{:04d}-{:02d}-{:02d}", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
}

std::string format_ru_date(Date d) {
    const chr::year_month_day ymd{d};
    return fmt::format("{:02d}.{:02d}.{:04d}", unsigned(ymd.day()), unsigned(ymd.month()), int(ymd.year()));
}

std::string format_long_date(Date d, std::string_view lang) {
    const chr::year_month_day ymd{d};
    const unsigned day = unsigned(ymd.day()), month = unsigned(ymd.month()) - 1;
    const int year = int(ymd.year());
    if (lang == "en") return fmt::format("{} {} {}", day, kEnMonths[month], year);
    if (lang == "de") return fmt::format("{}. {} {}", day, kDeMonths[month], year);
    // French writes the first of the month as an ordinal: "1er mai".
    if (lang == "fr") return fmt::format("{}{} {} {}", day, day == 1 ? "er" : "", kFrMonths[month], year);
    return fmt::format("{} {} {}", day, kRuMonths[month], year);
}

Date today_utc() { return chr::floor<chr::days>(chr::system_clock::now()); }

std::optional<std::int64_t> parse_utc(std::string_view t) {
    if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') return std::nullopt;
    const auto day = parse_iso_date(t.substr(0, 10));
    const int h = digits(t, 11, 2), m = digits(t, 14, 2), s = digits(t, 17, 2);
    if (!day || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
    const chr::sys_seconds at = *day + chr::hours{h} + chr::minutes{m} + chr::seconds{s};
    return at.time_since_epoch().count();
}

std::string format_utc(std::int64_t unix_seconds) {
    const chr::sys_seconds at = instant(unix_seconds);
    const Date day = chr::floor<chr::days>(at);
    const chr::hh_mm_ss<chr::seconds> tod{at - day};
    return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", format_iso_date(day), tod.hours().count(), tod.minutes().count(),
                       tod.seconds().count());
}

std::string format_utc_plain(std::int64_t unix_seconds) {
    std::string s = format_utc(unix_seconds);
    s[10] = ' ';
    s.pop_back();
    return s;
}

std::span<const std::string_view> russian_time_zones() { return kRussianZones; }

bool is_russian_time_zone(std::string_view name) {
    return std::find(kRussianZones.begin(), kRussianZones.end(), name) != kRussianZones.end();
}

bool is_time_zone(std::string_view name) {
    // An empty or path-like name is not a zone, whatever the tzdb's lookup makes of it.
    if (name.empty() || name.size() > 64 || name.front() == '/' || name.find("..") != std::string_view::npos)
        return false;
    try {
        date::locate_zone(name);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

std::string format_local(std::int64_t unix_seconds, std::string_view zone) {
    return format_local(unix_seconds, zone, "ru");
}

std::string format_local(std::int64_t unix_seconds, std::string_view zone, std::string_view lang) {
    const CivilTime t = civil_in(unix_seconds, zone);
    const unsigned day = unsigned(t.ymd.day()), month = unsigned(t.ymd.month());
    const int year = int(t.ymd.year());
    if (lang == "en")
        return fmt::format("{} {} {}, {:02d}:{:02d}", day, kEnMonths[month - 1].substr(0, 3), year, t.hour, t.minute);
    if (lang == "de") return fmt::format("{:02d}.{:02d}.{:04d}, {:02d}:{:02d}", day, month, year, t.hour, t.minute);
    if (lang == "fr") return fmt::format("{:02d}/{:02d}/{:04d} {:02d}:{:02d}", day, month, year, t.hour, t.minute);
    return fmt::format("{:02d}.{:02d}.{:04d} {:02d}:{:02d}", day, month, year, t.hour, t.minute);
}

std::int64_t utc_offset(std::string_view zone, std::int64_t unix_seconds) {
    return zone_of(zone).get_info(instant(unix_seconds)).offset.count();
}

std::string utc_offset_label(std::string_view zone, std::int64_t unix_seconds) {
    return "UTC" + signed_hours(utc_offset(zone, unix_seconds));
}

std::string msk_offset_label(std::string_view zone, std::int64_t unix_seconds, std::string_view msk) {
    const std::int64_t delta = utc_offset(zone, unix_seconds) - utc_offset(kMoscowTimeZone, unix_seconds);
    return std::string(msk) + signed_hours(delta);
}

}  // namespace uslugi::core
