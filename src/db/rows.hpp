#pragma once
// Reading a soci::row whatever the backend made of a column: SQLite hands a
// small integer back as int and PostgreSQL a BIGINT as long long, an
// aggregate may come as double or text, and NULL reads as 0 or "".
#include <soci/soci.h>

#include <cstdint>
#include <string>

namespace uslugi::db {

std::int64_t integer(const soci::row& r, std::size_t i);
std::string text(const soci::row& r, std::size_t i);

}  // namespace uslugi::db
