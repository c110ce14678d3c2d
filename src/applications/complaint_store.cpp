// Complaint status changes beyond the answer (see ComplaintStore).
#include "applications/store.hpp"

namespace uslugi::applications {

bool ComplaintStore::review(soci::session& tx, std::int64_t id, std::int64_t officer_id) {
    const long long key = id, officer = officer_id;
    // Conditional: of two officers taking it up at once, one changes it.
    soci::statement q = (tx.prepare << "UPDATE applications_complaints SET status = 'in_review', answered_by = :o "
                                       "WHERE id = :id AND status = 'submitted'",
                         soci::use(officer), soci::use(key));
    q.execute(true);
    return q.get_affected_rows() > 0;
}

}  // namespace uslugi::applications
