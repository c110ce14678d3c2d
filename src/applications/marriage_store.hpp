#pragma once
// The marriage tables (migrations/0380_marriage.sql): bookings and the slots
// they hold. Taking a slot is one conditional INSERT, never a check and then
// an act: the (office, slot) primary key decides between concurrent holds.
#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace uslugi::applications::marriage {

struct Booking {
    std::int64_t id = 0, application_id = 0;
    std::string office_id, slot;
    std::int64_t applicant_id = 0, spouse_id = 0;
    std::string state = "held";  // held | confirmed | declined | expired
    std::int64_t created_at = 0, expires_at = 0, decided_at = 0;
    bool involves(std::int64_t account_id) const { return account_id == applicant_id || account_id == spouse_id; }
};

class MarriageStore {
public:
    explicit MarriageStore(db::Database& db) : db_(db) {}

    // Inserts the booking and takes its slot in the caller's transaction:
    // false when the slot is taken (the caller rolls back; nothing of the
    // booking stays). Sets b.id. A hold past its time (as of b.created_at) or
    // of a withdrawn application does not count as taken.
    bool hold(soci::session& tx, Booking& b);
    std::optional<Booking> find(std::int64_t id);
    std::optional<Booking> find(soci::session& tx, std::int64_t id);
    std::optional<Booking> of_application(std::int64_t application_id);
    // The bookings an account is a spouse in (as applicant or as second spouse), newest first.
    std::vector<Booking> of_account(std::int64_t account_id);
    // The taken slots of an office between two keys (both included).
    std::set<std::string> taken(const std::string& office_id, const std::string& from_key, const std::string& to_key);
    // held → `to`, conditional on the booking still being held (and, for
    // "expired", on its time being up): false when something else settled it first.
    bool settle(soci::session& tx, std::int64_t id, const std::string& to, std::int64_t now);
    // Frees the booking's slot (after a decline or expiry).
    void release(soci::session& tx, std::int64_t id);

private:
    db::Database& db_;
};

}  // namespace uslugi::applications::marriage
