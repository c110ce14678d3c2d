#include "db/rows.hpp"

namespace uslugi::db {

std::int64_t integer(const soci::row& r, std::size_t i) {
    if (r.get_indicator(i) != soci::i_ok) return 0;
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_integer: return r.get<int>(i);
        case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
        case soci::dt_double: return static_cast<std::int64_t>(r.get<double>(i));
        case soci::dt_string: return std::stoll(r.get<std::string>(i));
        default: return r.get<long long>(i);
    }
}

std::string text(const soci::row& r, std::size_t i) {
    return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string();
}

}  // namespace uslugi::db
