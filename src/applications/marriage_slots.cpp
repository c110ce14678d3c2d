#include "applications/marriage_slots.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace uslugi::applications::marriage {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 7> kWeekdays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

int two_digits(std::string_view s) {
    int v = -1;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && s.size() == 2 ? v : -1;
}

// "HH:MM" → minutes after midnight; -1 when it is not a time of day.
int parse_time(std::string_view s) {
    if (s.size() != 5 || s[2] != ':') return -1;
    const int h = two_digits(s.substr(0, 2)), m = two_digits(s.substr(3, 2));
    if (h < 0 || h > 23 || m < 0 || m > 59) return -1;
    return h * 60 + m;
}

int required_time(const nlohmann::json& o, const char* key, const std::string& id) {
    const int t = o.contains(key) && o[key].is_string() ? parse_time(o[key].get<std::string>()) : -1;
    if (t < 0) throw std::invalid_argument("office " + id + ": \"" + key + "\" is not HH:MM");
    return t;
}

Office parse_office(const nlohmann::json& o) {
    Office office;
    office.id = o.value("id", "");
    if (office.id.empty()) throw std::invalid_argument("an office without an id");
    for (const auto& w : o.value("weekdays", nlohmann::json::array())) {
        const auto it = std::find(kWeekdays.begin(), kWeekdays.end(), w.get<std::string>());
        if (it == kWeekdays.end()) throw std::invalid_argument("office " + office.id + ": unknown weekday " + w.dump());
        office.weekdays[static_cast<std::size_t>(it - kWeekdays.begin())] = true;
    }
    office.first = required_time(o, "from", office.id);
    office.last = required_time(o, "to", office.id);
    office.every = o.value("every", 30);
    if (office.every < 10 || office.every > 120 || office.last < office.first)
        throw std::invalid_argument("office " + office.id + ": the slots' times do not add up");
    if (o.contains("break")) {
        office.break_from = required_time(o["break"], "from", office.id);
        office.break_to = required_time(o["break"], "to", office.id);
    }
    return office;
}

}  // namespace

const Office* Rules::office(std::string_view id) const {
    for (const auto& o : offices)
        if (o.id == id) return &o;
    return nullptr;
}

Rules parse_rules(const nlohmann::json& doc) {
    if (!doc.is_object()) throw std::invalid_argument("the marriage offices' rules are not a JSON object");
    Rules r;
    r.min_months = doc.value("min_months", 1);
    r.max_months = doc.value("max_months", 12);
    for (const auto& h : doc.value("holidays", nlohmann::json::array())) {
        const std::string s = h.get<std::string>();
        const int m = s.size() == 5 && s[2] == '-' ? two_digits(std::string_view(s).substr(0, 2)) : -1;
        const int d = m > 0 ? two_digits(std::string_view(s).substr(3, 2)) : -1;
        if (m < 1 || m > 12 || d < 1 || d > 31) throw std::invalid_argument("holiday \"" + s + "\" is not MM-DD");
        r.holidays.insert({static_cast<unsigned>(m), static_cast<unsigned>(d)});
    }
    for (const auto& o : doc.value("offices", nlohmann::json::array())) r.offices.push_back(parse_office(o));
    return r;
}

core::Date add_months(core::Date d, int months) {
    const year_month_day ymd(d);
    const year_month ym = year_month(ymd.year(), ymd.month()) + std::chrono::months(months);
    const day last = year_month_day_last(ym.year(), month_day_last(ym.month())).day();
    return sys_days(year_month_day(ym.year(), ym.month(), std::min(ymd.day(), last)));
}

Window window(const Rules& rules, core::Date applied) {
    return {add_months(applied, rules.min_months), add_months(applied, rules.max_months)};
}

bool is_holiday(const Rules& rules, core::Date d) {
    const year_month_day ymd(d);
    return rules.holidays.count({static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())}) > 0;
}

bool registers_on(const Rules& rules, const Office& office, core::Date d, core::Date applied) {
    const Window w = window(rules, applied);
    if (d < w.first || d > w.last || is_holiday(rules, d)) return false;
    return office.weekdays[weekday(d).c_encoding()];
}

std::vector<int> times(const Office& office) {
    std::vector<int> out;
    for (int t = office.first; t <= office.last; t += office.every)
        if (t < office.break_from || t >= office.break_to) out.push_back(t);
    return out;
}

std::string format_time(int minute) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", (minute / 60) % 100, minute % 60);
    return buf;
}

std::string slot_key(const Slot& s) { return core::format_iso_date(s.date) + "T" + format_time(s.minute); }

std::optional<Slot> parse_slot(std::string_view key) {
    if (key.size() != 16 || key[10] != 'T') return std::nullopt;
    const auto date = core::parse_iso_date(key.substr(0, 10));
    const int minute = parse_time(key.substr(11));
    if (!date || minute < 0) return std::nullopt;
    return Slot{*date, minute};
}

bool is_slot(const Rules& rules, const Office& office, const Slot& s, core::Date applied) {
    if (!registers_on(rules, office, s.date, applied)) return false;
    const auto all = times(office);
    return std::find(all.begin(), all.end(), s.minute) != all.end();
}

bool of_age(core::Date birth, core::Date on) { return add_months(birth, 12 * kMarriageAge) <= on; }

std::vector<core::Date> open_dates(const Rules& rules, const Office& office, core::Date applied, core::Date from,
                                   core::Date to) {
    std::vector<core::Date> out;
    for (core::Date d = from; d <= to; d += days(1))
        if (registers_on(rules, office, d, applied)) out.push_back(d);
    return out;
}

}  // namespace uslugi::applications::marriage
