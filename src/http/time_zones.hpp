#pragma once
// Times as a page shows them: in the request's zone (Request::time_zone), with
// the zone named in the reader's language where the page explains it.
#include "core/i18n.hpp"
#include "http/request.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace uslugi::http {

// "12.03.2026 14:05" in the request's zone, written as the request's language
// writes a date and time ("12/03/2026 14:05" in French, core::format_local).
std::string local_time(const Request& request, std::int64_t unix_seconds);
// "UTC+5": the request's zone at that instant, to stand next to a shown time.
std::string zone_offset(const Request& request, std::int64_t unix_seconds);
// "Екатеринбург (МСК+2, UTC+5)" for one of Russia's zones (time_zones.<city>
// in the locales), the IANA name with its offset for any other.
std::string zone_name(const core::Locale& locale, std::string_view zone, std::int64_t at);

}  // namespace uslugi::http
