#pragma once
// Marriage registration (APP-5), the flagship service with a slot: the form
// (both spouses, the registry office) goes through the one form engine; then
// the applicant picks a free date and time among the office's slots and holds
// it — the hold and the application are one transaction, and the slot is
// taken by one conditional INSERT (marriage_store.hpp). The second spouse,
// found by the e-mail, phone or SNILS of their account, is notified and
// confirms or declines from their own cabinet; only a confirmed hold sends
// the application to the office (status "sent", in its officers' queue). A
// hold not confirmed within --marriage-hold-seconds expires through a job and
// frees the slot. Both spouses see the booking; anyone else gets 404.
#include "applications/marriage_slots.hpp"
#include "applications/marriage_store.hpp"
#include "applications/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "jobs/store.hpp"

#include <set>

namespace CLI {
class App;
}
namespace uslugi::core {
struct Config;
}
namespace uslugi::jobs {
class JobRunner;
}

namespace uslugi::applications::marriage {

inline constexpr const char* kServiceId = "marriage-registration";
inline constexpr const char* kExpireKind = "marriage.expire";

struct Options {
    std::int64_t hold_seconds = 3 * 24 * 3600;  // how long the second spouse has to confirm
    std::string rules_file;                     // "" → <root>/data/marriage/offices.json
};
// --marriage-hold-seconds for `uslugi serve`.
void add_options(CLI::App& serve, Options& options);
// Reads and checks the offices' rules; throws std::invalid_argument.
Rules load_rules(const std::string& path);

enum class HoldOutcome {
    ok,
    not_found,       // no such draft of this person's, or not a marriage draft
    invalid,         // the form has errors (first_step says where)
    level_too_low,
    bad_slot,        // not a slot of the office (a weekday it does not register on, outside the window …)
    slot_taken,      // another couple holds it
    spouse_unknown,  // no account with that e-mail, phone or SNILS (or it is the applicant's own)
    under_age,       // a spouse is not 18 on the day of the registration
};

struct HoldResult {
    HoldOutcome outcome = HoldOutcome::ok;
    std::int64_t booking_id = 0;
    FieldErrors errors;
    std::optional<std::size_t> first_step;
    identity::LevelGate gate;
};

// What expiry needs, shared by the service and the job's handler (which runs
// in `worker` too, without the applications service).
struct Expiry {
    db::Database& db;
    MarriageStore& bookings;
    ApplicationStore& applications;
    identity::IdentityService& identity;
    // held → expired when its time is up: the slot freed, the application
    // cancelled, both spouses told. False when it was settled before (idempotent).
    bool run(std::int64_t booking_id, std::int64_t now);
};

class MarriageService {
public:
    MarriageService(db::Database& db, ApplicationService& applications, identity::IdentityService& identity,
                    jobs::JobStore& jobs, Rules rules, Options options);

    const Rules& rules() const { return rules_; }
    ApplicationService& applications() { return applications_; }
    std::set<std::string> taken(const std::string& office, core::Date from, core::Date to);

    // Validates the draft and holds `slot_key` at the draft's office for the
    // couple; the application is registered (not yet sent) with the booking.
    HoldResult hold(const http::AccountBrief& account, std::int64_t draft_id, const std::string& slot_key,
                    core::Date today);
    // The booking the applicant's draft with this submit key became, if it was held already (a double click).
    std::optional<std::int64_t> booking_by_key(std::int64_t account_id, const std::string& submit_key);
    // The booking, to either spouse; nullopt to anyone else.
    std::optional<Booking> booking_for(std::int64_t account_id, std::int64_t booking_id);
    std::vector<Booking> bookings_of(std::int64_t account_id) { return bookings_.of_account(account_id); }
    // The second spouse's answer: confirmed sends the application to the
    // office; declined frees the slot and cancels it. not_found for anyone
    // but the second spouse; wrong_status once the hold is settled.
    Outcome confirm(std::int64_t account_id, std::int64_t booking_id);
    Outcome decline(std::int64_t account_id, std::int64_t booking_id);
    bool expire(std::int64_t booking_id, std::int64_t now) { return expiry_.run(booking_id, now); }

private:
    std::optional<std::int64_t> find_spouse(const Values& values, std::int64_t applicant_id);
    void notify_spouse(soci::session& tx, const Booking& b, const Application& a);
    db::Database& db_;
    ApplicationService& applications_;
    identity::IdentityService& identity_;
    jobs::JobStore& jobs_;
    MarriageStore bookings_;
    Rules rules_;
    Options options_;
    Expiry expiry_;
};

// The slot picker, the hold, and both spouses' booking pages.
void register_routes(http::Router& router, const http::Renderer& renderer, MarriageService& service);
// The handler of marriage.expire (`serve` and `worker`).
void register_job_handlers(jobs::JobRunner& runner, db::Database& db, const core::Config& cfg);

}  // namespace uslugi::applications::marriage
