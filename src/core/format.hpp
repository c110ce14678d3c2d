#pragma once
// Numbers, money and distances as each interface language writes them (ACC-2).
// A small table of four languages rather than ICU: the output is fixed by this
// table (tests and pages do not change with the CLDR version of the system's
// libicu), and four languages need four rows. Unknown languages read as Russian.
//
//            decimal  grouping                 money             distance
//   ru       ,        U+202F (narrow nbsp)     6 000,50 ₽        1,2 км
//   de       ,        .                        6.000,50 ₽        1,2 km
//   fr       ,        U+202F (narrow nbsp)     6 000,50 ₽        1,2 km
//   en       .        ,                        RUB 6,000.50      1.2 km
//
// English writes the ISO code before the amount, as English texts and CLDR's
// English data do for roubles; the others put the sign after a no-break space.
// Whole amounts of money show no kopecks ("6 000 ₽").
#include <string>
#include <string_view>

namespace uslugi::core {

// `value` rounded to `fraction_digits` (0…6) decimals, grouped by thousands.
std::string format_number(double value, int fraction_digits, std::string_view lang);
// An integer, grouped by thousands.
std::string format_integer(long long value, std::string_view lang);
// An amount in kopecks as roubles.
std::string format_rubles(long long kopecks, std::string_view lang);
// A distance: metres (rounded to 10 m) under 1 km, one decimal under 10 km, whole km beyond.
std::string format_distance_km(double km, std::string_view lang);

}  // namespace uslugi::core
