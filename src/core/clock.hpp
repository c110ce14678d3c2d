#pragma once
// Times are UTC seconds since the epoch everywhere in the database. Pages and
// messages show them in Moscow time (UTC+3, no daylight saving), as the
// portal's hotline and authorities do; the label says so.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace uslugi::core {

inline std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline constexpr std::int64_t kMoscowOffset = 3 * 3600;

// "23.11.2026 22:05" in Moscow time.
inline std::string format_moscow(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds + kMoscowOffset);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%d.%m.%Y %H:%M", &tm);
    return buf;
}

// "2026-11-23T19:05:00Z"
inline std::string format_utc(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace uslugi::core
