// Take / assign in the applications table (see ApplicationStore::assign).
#include "applications/store.hpp"

namespace uslugi::applications {

bool ApplicationStore::assign(soci::session& tx, std::int64_t id, std::int64_t expected, std::int64_t officer,
                              std::int64_t now) {
    const long long key = id, was = expected, to = officer, t = now;
    // The owner read by the officer is part of the condition: of two officers
    // who both saw "nobody", only the first UPDATE matches a row.
    soci::statement q = (tx.prepare << "UPDATE applications SET officer_id = :o, updated_at = :t "
                                       "WHERE id = :id AND COALESCE(officer_id, 0) = :was "
                                       "AND status NOT IN ('provided', 'refused', 'cancelled')",
                         soci::use(to), soci::use(t), soci::use(key), soci::use(was));
    q.execute(true);
    return q.get_affected_rows() > 0;
}

}  // namespace uslugi::applications
