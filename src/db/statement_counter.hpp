#pragma once
// A count of the SQL statements run on the calling thread, for figures such
// as "statements per page view" (bench/applications.sh): every pooled
// session reports each statement it prepares. Counting costs an increment;
// the HTTP layer shows a request's count only when asked (USLUGI_DEBUG_SQL_COUNT).
#include <soci/soci.h>

#include <cstdint>

namespace uslugi::db {

void count_statements(soci::session& s);
std::uint64_t statements_on_this_thread();
// A kept statement (db/prepared.hpp) counts once each time it runs; the
// preparation it needs once per connection is not counted as a request's.
void count_execution();
class NotCounted {
public:
    NotCounted() : at_(statements_on_this_thread()) {}
    ~NotCounted();
    NotCounted(const NotCounted&) = delete;
    NotCounted& operator=(const NotCounted&) = delete;

private:
    std::uint64_t at_;
};

}  // namespace uslugi::db
