#pragma once
// When a registry office registers marriages (APP-5): the office's weekdays
// and hours cut into slots (every 30 minutes or so), no registrations on the
// public holidays, and the legal window — not before a month has passed since
// the application (Family Code, art. 11) and not more than twelve months ahead
// (Federal Law 143-FZ, art. 27). The offices' rules are data
// (data/marriage/offices.json), the slots are generated from them. Pure rules, no I/O.
#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace uslugi::applications::marriage {

struct Office {
    std::string id;                      // a catalog authority (moscow-zags …)
    std::array<bool, 7> weekdays{};      // index: 0 = Sunday … 6 = Saturday
    int first = 10 * 60, last = 17 * 60;  // the first and the last slot's start, minutes after midnight
    int every = 30;                      // minutes between slots
    int break_from = -1, break_to = -1;  // no slot starts in [break_from, break_to)
};

struct Rules {
    std::vector<Office> offices;
    std::set<std::pair<unsigned, unsigned>> holidays;  // (month, day), every year
    int min_months = 1, max_months = 12;
    const Office* office(std::string_view id) const;
};

// Parses data/marriage/offices.json; throws std::invalid_argument naming the problem.
Rules parse_rules(const nlohmann::json& doc);

// The same day `months` later, the month's last day when it has no such day (31 Jan + 1 month = 28/29 Feb).
core::Date add_months(core::Date d, int months);

struct Window {
    core::Date first, last;  // both included
};
Window window(const Rules& rules, core::Date applied);
bool is_holiday(const Rules& rules, core::Date d);
// Whether the office registers marriages on `d` for an application made on `applied`.
bool registers_on(const Rules& rules, const Office& office, core::Date d, core::Date applied);
// The start of every slot of a day, minutes after midnight.
std::vector<int> times(const Office& office);

struct Slot {
    core::Date date;
    int minute = 0;
    bool operator==(const Slot&) const = default;
};
// "2027-03-12T11:30", the office's local time: the key stored with a booking.
std::string slot_key(const Slot& s);
std::optional<Slot> parse_slot(std::string_view key);
std::string format_time(int minute);  // "11:30"
bool is_slot(const Rules& rules, const Office& office, const Slot& s, core::Date applied);
// The marriageable age (Family Code, art. 13): both spouses are 18 on the day
// of the registration. (A local authority may lower it to 16 for a good
// reason; that permission is given in person, not on the portal.)
inline constexpr int kMarriageAge = 18;
bool of_age(core::Date birth, core::Date on);
// The days of [from, to] the office registers on, within the window.
std::vector<core::Date> open_dates(const Rules& rules, const Office& office, core::Date applied, core::Date from,
                                   core::Date to);

}  // namespace uslugi::applications::marriage
