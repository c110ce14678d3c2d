#include "http/time_zones.hpp"

#include "core/time.hpp"

#include <algorithm>
#include <cctype>

namespace uslugi::http {

std::string local_time(const Request& request, std::int64_t unix_seconds) {
    return core::format_local(unix_seconds, request.time_zone, request.lang);
}

std::string zone_offset(const Request& request, std::int64_t unix_seconds) {
    return core::utc_offset_label(request.time_zone, unix_seconds);
}

std::string zone_name(const core::Locale& locale, std::string_view zone, std::int64_t at) {
    const std::string utc = core::utc_offset_label(zone, at);
    if (!core::is_russian_time_zone(zone)) return std::string(zone) + " (" + utc + ")";
    // "Asia/Yekaterinburg" → time_zones.yekaterinburg
    std::string city(zone.substr(zone.rfind('/') + 1));
    std::transform(city.begin(), city.end(), city.begin(), [](unsigned char c) { return std::tolower(c); });
    return locale.text("time_zones." + city) + " (" +
           core::msk_offset_label(zone, at, locale.text("time_zones.msk")) + ", " + utc + ")";
}

}  // namespace uslugi::http
