#include "core/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace uslugi::core {

namespace {

struct NumberStyle {
    std::string_view decimal, group;
};

constexpr std::string_view kNarrowNbsp = "\u202f";
constexpr std::string_view kNbsp = "\u00a0";

NumberStyle style_of(std::string_view lang) {
    if (lang == "en") return {".", ","};
    if (lang == "de") return {",", "."};
    return {",", kNarrowNbsp};  // ru, fr
}

// "6000" → "6 000" with the language's separator between groups of three.
std::string group_digits(std::string_view digits, std::string_view separator) {
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
        out += digits[i];
    }
    return out;
}

}  // namespace

std::string format_number(double value, int fraction_digits, std::string_view lang) {
    if (fraction_digits < 0) fraction_digits = 0;
    if (fraction_digits > 6) fraction_digits = 6;
    if (!std::isfinite(value)) return "—";
    const NumberStyle s = style_of(lang);
    // fmt writes "-1234.50" in the C locale whatever the process's locale is.
    std::string plain = fmt::format("{:.{}f}", std::fabs(value), fraction_digits);
    const std::size_t dot = plain.find('.');
    std::string out = group_digits(std::string_view(plain).substr(0, dot), s.group);
    if (dot != std::string::npos) out += std::string(s.decimal) + plain.substr(dot + 1);
    const bool zero = plain.find_first_not_of("0.") == std::string::npos;
    return value < 0 && !zero ? "\u2212" + out : out;
}

std::string format_integer(long long value, std::string_view lang) {
    const unsigned long long magnitude =
        value < 0 ? 0ULL - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
    const std::string digits = std::to_string(magnitude);
    const std::string out = group_digits(digits, style_of(lang).group);
    return value < 0 ? "\u2212" + out : out;
}

std::string format_rubles(long long kopecks, std::string_view lang) {
    const long long magnitude = std::llabs(kopecks);
    std::string amount = format_integer(magnitude / 100, lang);
    if (magnitude % 100 != 0) amount += std::string(style_of(lang).decimal) + fmt::format("{:02d}", magnitude % 100);
    if (kopecks < 0) amount = "\u2212" + amount;
    if (lang == "en") return "RUB" + std::string(kNbsp) + amount;
    return amount + std::string(kNbsp) + "₽";
}

std::string format_distance_km(double km, std::string_view lang) {
    const bool ru = lang != "en" && lang != "de" && lang != "fr";
    const std::string space(kNbsp);
    if (!std::isfinite(km) || km < 0) return "—";
    if (km < 0.995) {
        // Under a kilometre: metres, to the nearest ten (no one walks 1 m more precisely).
        const long long metres = std::max(10LL, std::llround(km * 100) * 10);
        if (metres < 1000) return format_integer(metres, lang) + space + (ru ? "м" : "m");
    }
    const std::string unit = ru ? "км" : "km";
    if (km < 9.95) return format_number(km, 1, lang) + space + unit;
    return format_number(std::round(km), 0, lang) + space + unit;
}

}  // namespace uslugi::core
