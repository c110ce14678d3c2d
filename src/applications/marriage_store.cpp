#include "applications/marriage_store.hpp"

#include "db/rows.hpp"
#include "db/transaction.hpp"

#include <limits>

namespace uslugi::applications::marriage {

namespace {

constexpr const char* kColumns =
    "id, application_id, office_id, slot, applicant_id, spouse_id, state, created_at, expires_at, decided_at";

using db::integer;
using db::text;

Booking booking_from(const soci::row& r) {
    Booking b;
    b.id = integer(r, 0);
    b.application_id = integer(r, 1);
    b.office_id = text(r, 2);
    b.slot = text(r, 3);
    b.applicant_id = integer(r, 4);
    b.spouse_id = integer(r, 5);
    b.state = text(r, 6);
    b.created_at = integer(r, 7);
    b.expires_at = integer(r, 8);
    b.decided_at = integer(r, 9);
    return b;
}

std::optional<Booking> first(soci::rowset<soci::row>& rows) {
    for (const auto& r : rows) return booking_from(r);
    return std::nullopt;
}

}  // namespace

bool MarriageStore::hold(soci::session& tx, Booking& b) {
    long long id = 0;
    const long long app = b.application_id, applicant = b.applicant_id, spouse = b.spouse_id, created = b.created_at,
                    expires = b.expires_at;
    tx << "INSERT INTO marriage_bookings (application_id, office_id, slot, applicant_id, spouse_id, state, "
          "created_at, expires_at) VALUES (:a, :o, :s, :ap, :sp, :st, :c, :e) RETURNING id",
        soci::use(app), soci::use(b.office_id), soci::use(b.slot), soci::use(applicant), soci::use(spouse),
        soci::use(b.state), soci::use(created), soci::use(expires), soci::into(id);
    // A hold whose time is up (its job not run yet) or whose application was
    // withdrawn gives the slot way; conditional in one statement, so two
    // newcomers still meet at the primary key below.
    tx << "DELETE FROM marriage_slots WHERE office_id = :o AND slot = :s AND booking_id IN ("
          "SELECT b.id FROM marriage_bookings b JOIN applications a ON a.id = b.application_id "
          "WHERE b.state = 'held' AND (b.expires_at <= :t OR a.status = 'cancelled'))",
        soci::use(b.office_id), soci::use(b.slot), soci::use(created);
    // The one statement that decides: on PostgreSQL a concurrent holder's
    // uncommitted row makes this wait, then do nothing once it commits.
    soci::statement claim = (tx.prepare << "INSERT INTO marriage_slots (office_id, slot, booking_id) VALUES (:o, :s, :b) "
                                           "ON CONFLICT DO NOTHING",
                             soci::use(b.office_id), soci::use(b.slot), soci::use(id));
    claim.execute(true);
    if (claim.get_affected_rows() != 1) return false;
    b.id = id;
    return true;
}

std::optional<Booking> MarriageStore::find(std::int64_t id) {
    db::Connection c(db_);
    return find(*c, id);
}

std::optional<Booking> MarriageStore::find(soci::session& tx, std::int64_t id) {
    const long long key = id;
    soci::rowset<soci::row> rows =
        (tx.prepare << std::string("SELECT ") + kColumns + " FROM marriage_bookings WHERE id = :id", soci::use(key));
    return first(rows);
}

std::optional<Booking> MarriageStore::of_application(std::int64_t application_id) {
    db::Connection c(db_);
    const long long key = application_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kColumns + " FROM marriage_bookings WHERE application_id = :id",
         soci::use(key));
    return first(rows);
}

std::vector<Booking> MarriageStore::of_account(std::int64_t account_id) {
    db::Connection c(db_);
    const long long a = account_id;
    std::vector<Booking> out;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kColumns +
                           " FROM marriage_bookings WHERE applicant_id = :a OR spouse_id = :b ORDER BY id DESC LIMIT 50",
         soci::use(a), soci::use(a));
    for (const auto& r : rows) out.push_back(booking_from(r));
    return out;
}

std::set<std::string> MarriageStore::taken(const std::string& office_id, const std::string& from_key,
                                           const std::string& to_key) {
    db::Connection c(db_);
    std::set<std::string> out;
    soci::rowset<std::string> rows =
        (c->prepare << "SELECT slot FROM marriage_slots WHERE office_id = :o AND slot >= :f AND slot <= :t",
         soci::use(office_id), soci::use(from_key), soci::use(to_key));
    for (const auto& s : rows) out.insert(s);
    return out;
}

bool MarriageStore::settle(soci::session& tx, std::int64_t id, const std::string& to, std::int64_t now) {
    const long long key = id, t = now, due = to == "expired" ? now : std::numeric_limits<long long>::max();
    soci::statement q = (tx.prepare << "UPDATE marriage_bookings SET state = :s, decided_at = :t "
                                       "WHERE id = :id AND state = 'held' AND expires_at <= :due",
                         soci::use(to), soci::use(t), soci::use(key), soci::use(due));
    q.execute(true);
    return q.get_affected_rows() == 1;
}

void MarriageStore::release(soci::session& tx, std::int64_t id) {
    const long long key = id;
    tx << "DELETE FROM marriage_slots WHERE booking_id = :b", soci::use(key);
}

}  // namespace uslugi::applications::marriage
