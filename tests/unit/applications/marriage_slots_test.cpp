// When a registry office registers marriages (applications/marriage_slots.hpp):
// weekdays, hours and breaks, the month-to-year window, public holidays, and
// the slot keys; and the rules shipped in data/marriage/offices.json.
#include <gtest/gtest.h>

#include "applications/marriage.hpp"
#include "applications/marriage_slots.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::applications::marriage;

namespace {

core::Date date(const char* iso) { return *core::parse_iso_date(iso); }

Rules sample_rules() {
    return parse_rules(nlohmann::json::parse(R"({
        "min_months": 1, "max_months": 12,
        "holidays": ["01-01", "01-05", "03-08"],
        "offices": [{"id": "moscow-zags", "weekdays": ["tue", "wed", "thu", "fri", "sat"],
                     "from": "10:00", "to": "17:30", "every": 30, "break": {"from": "13:00", "to": "14:00"}}]})"));
}

TEST(MarriageSlots, MonthsAreAddedOnTheCalendarAndClampedToTheMonthsEnd) {
    EXPECT_EQ(add_months(date("2026-12-03"), 1), date("2027-01-03"));
    EXPECT_EQ(add_months(date("2027-01-31"), 1), date("2027-02-28"));
    EXPECT_EQ(add_months(date("2028-01-31"), 1), date("2028-02-29"));
    EXPECT_EQ(add_months(date("2026-12-03"), 12), date("2027-12-03"));
}

TEST(MarriageSlots, TheWindowRunsFromAMonthToAYearAfterTheApplication) {
    const Rules r = sample_rules();
    const Office& o = *r.office("moscow-zags");
    const core::Date applied = date("2026-12-03");  // a Thursday
    const Window w = window(r, applied);
    EXPECT_EQ(w.first, date("2027-01-03"));
    EXPECT_EQ(w.last, date("2027-12-03"));
    EXPECT_FALSE(registers_on(r, o, date("2026-12-29"), applied));  // a Tuesday, but within the month
    EXPECT_FALSE(registers_on(r, o, date("2027-01-02"), applied));  // a Saturday, the day before the window
    EXPECT_TRUE(registers_on(r, o, date("2027-01-06"), applied));   // a Wednesday inside it
    EXPECT_TRUE(registers_on(r, o, date("2027-12-03"), applied));   // a Friday, the window's last day
    EXPECT_FALSE(registers_on(r, o, date("2027-12-04"), applied));  // a Saturday, past it
}

TEST(MarriageSlots, OnlyTheOfficesWeekdaysAndNoHolidays) {
    const Rules r = sample_rules();
    const Office& o = *r.office("moscow-zags");
    const core::Date applied = date("2026-12-03");
    EXPECT_FALSE(registers_on(r, o, date("2027-02-07"), applied));  // Sunday
    EXPECT_FALSE(registers_on(r, o, date("2027-02-08"), applied));  // Monday
    EXPECT_TRUE(registers_on(r, o, date("2027-02-09"), applied));   // Tuesday
    EXPECT_TRUE(registers_on(r, o, date("2027-02-13"), applied));   // Saturday
    EXPECT_TRUE(is_holiday(r, date("2027-01-05")));
    EXPECT_FALSE(registers_on(r, o, date("2027-01-05"), applied));  // a Tuesday, but a holiday
    EXPECT_FALSE(registers_on(r, o, date("2027-03-08"), applied));  // a Monday and a holiday
    const auto january = open_dates(r, o, applied, date("2027-01-01"), date("2027-01-31"));
    ASSERT_FALSE(january.empty());
    EXPECT_EQ(january.front(), date("2027-01-06"));  // 3 Jan is a Sunday, 4 a Monday, 5 a holiday
    EXPECT_EQ(january.size(), 19u);                  // Tue–Sat from the 6th, less nothing else
}

TEST(MarriageSlots, TimesEveryHalfHourAroundTheBreak) {
    const Rules r = sample_rules();
    const Office& o = *r.office("moscow-zags");
    const auto t = times(o);
    ASSERT_EQ(t.size(), 14u);  // 10:00 … 12:30 (6) and 14:00 … 17:30 (8)
    EXPECT_EQ(format_time(t.front()), "10:00");
    EXPECT_EQ(format_time(t.back()), "17:30");
    EXPECT_EQ(std::count(t.begin(), t.end(), 13 * 60 + 30), 0);
    const core::Date applied = date("2026-12-03");
    EXPECT_TRUE(is_slot(r, o, {date("2027-02-09"), 11 * 60 + 30}, applied));
    EXPECT_FALSE(is_slot(r, o, {date("2027-02-09"), 11 * 60 + 15}, applied));  // not on the half hour
    EXPECT_FALSE(is_slot(r, o, {date("2027-02-09"), 13 * 60}, applied));       // the break
    EXPECT_FALSE(is_slot(r, o, {date("2027-02-09"), 18 * 60}, applied));       // after hours
    EXPECT_FALSE(is_slot(r, o, {date("2027-02-08"), 11 * 60}, applied));       // a Monday
}

TEST(MarriageSlots, BothSpousesAreEighteenOnTheDay) {
    EXPECT_TRUE(of_age(date("2009-03-12"), date("2027-03-12")));   // the 18th birthday itself
    EXPECT_FALSE(of_age(date("2009-03-13"), date("2027-03-12")));  // a day short
    EXPECT_TRUE(of_age(date("2008-02-29"), date("2026-02-28")));   // born on 29 February: the month's last day
    EXPECT_FALSE(of_age(date("2008-02-29"), date("2026-02-27")));
}

TEST(MarriageSlots, KeysRoundTripAndNothingElseParses) {
    const Slot s{date("2027-03-12"), 11 * 60 + 30};
    EXPECT_EQ(slot_key(s), "2027-03-12T11:30");
    ASSERT_TRUE(parse_slot("2027-03-12T11:30"));
    EXPECT_EQ(*parse_slot("2027-03-12T11:30"), s);
    for (const char* bad : {"", "2027-03-12", "2027-02-30T10:00", "2027-03-12T25:00", "2027-03-12T10:60",
                            "2027-03-12 10:00", "2027-03-12T10:00Z", "T10:00", "2027-03-12T1000"})
        EXPECT_FALSE(parse_slot(bad)) << bad;
}

TEST(MarriageSlots, BrokenRulesAreRefusedWithTheirProblem) {
    const auto parse = [](const char* text) { return parse_rules(nlohmann::json::parse(text)); };
    EXPECT_THROW(parse(R"({"offices": [{"id": "x", "weekdays": ["funday"], "from": "10:00", "to": "12:00"}]})"),
                 std::invalid_argument);
    EXPECT_THROW(parse(R"({"offices": [{"id": "x", "weekdays": ["mon"], "from": "25:00", "to": "12:00"}]})"),
                 std::invalid_argument);
    EXPECT_THROW(parse(R"({"offices": [{"id": "x", "weekdays": ["mon"], "from": "12:00", "to": "10:00"}]})"),
                 std::invalid_argument);
    EXPECT_THROW(parse(R"({"holidays": ["13-01"], "offices": []})"), std::invalid_argument);
    EXPECT_THROW(parse("[]"), std::invalid_argument);
}

TEST(MarriageSlots, TheShippedOfficesRegisterSomewhereEveryMonthOfTheWindow) {
    const Rules r = load_rules(test_support::source_dir() + "/data/marriage/offices.json");
    ASSERT_GE(r.offices.size(), 3u);
    ASSERT_TRUE(r.office("moscow-zags"));
    const core::Date applied = date("2026-12-03");
    for (const auto& o : r.offices) {
        EXPECT_FALSE(times(o).empty()) << o.id;
        for (int m = 1; m <= 11; ++m) {
            const core::Date from = add_months(applied, m);
            EXPECT_FALSE(open_dates(r, o, applied, from, from + std::chrono::days(27)).empty()) << o.id << " +" << m;
        }
    }
}

}  // namespace
