// The arithmetic of the Pension Fund's statement (pension_statement.hpp):
// contributions, a year's IPK against the maximum base and its cap, the
// conversion of the rights before 2015, the insurance record, the totals, and
// the wire form both ways.
#include <gtest/gtest.h>

#include "registries/pension_statement.hpp"

using namespace uslugi::registries;
namespace chr = std::chrono;

namespace {
Date d(int y, unsigned m, unsigned day) { return Date{chr::year{y} / chr::month{m} / chr::day{day}}; }
}  // namespace

TEST(PensionStatement, ContributionsAre16PercentUpToTheBase) {
    EXPECT_EQ(insurance_contributions(2024, 100'000'00, false), 16'000'00);
    // Above the base (2 225 000 ₽ in 2024) nothing more counts.
    EXPECT_EQ(insurance_contributions(2024, 3'000'000'00, false), 2'225'000'00LL * 16 / 100);
    // 2002–2013 with pension savings: 10 % to the insurance pension, 6 % saved.
    EXPECT_EQ(insurance_contributions(2010, 100'000'00, true), 10'000'00);
    EXPECT_EQ(insurance_contributions(2014, 100'000'00, true), 16'000'00);
}

TEST(PensionStatement, AYearsIpkIsTenTimesTheShareOfTheMaximum) {
    const std::int64_t full_2024 = insurance_contributions(2024, max_contribution_base(2024), false);
    EXPECT_EQ(year_ipk_milli(2024, full_2024), 10'000);
    EXPECT_EQ(year_ipk_milli(2024, full_2024 / 2), 5'000);
    // 600 000 ₽ in 2023: 10 × 96 000 / (16 % of 1 917 000) = 3.130
    EXPECT_EQ(year_ipk_milli(2023, insurance_contributions(2023, 600'000'00, false)), 3'130);
    // The cap of 2015 (7.39) though the wage reached the base.
    EXPECT_EQ(year_ipk_milli(2015, insurance_contributions(2015, max_contribution_base(2015), false)), 7'390);
    EXPECT_EQ(year_ipk_milli(2014, 1'000'000), 0);  // before 2015: converted as a whole instead
    EXPECT_EQ(max_year_ipk_milli(2019), 9'130);
    EXPECT_EQ(max_year_ipk_milli(2030), 10'000);
}

TEST(PensionStatement, RightsBefore2015AreConvertedAt64Roubles10) {
    // 1 461 480 ₽ of contributions: / 228 months = 6 410 ₽ a month = 100 IPK.
    EXPECT_EQ(ipk_before_2015_milli(1'461'480'00), 100'000);
    EXPECT_EQ(ipk_before_2015_milli(0), 0);
}

TEST(PensionStatement, TheRecordCountsCalendarYearsMonthsAndDays) {
    const std::vector<PensionPeriod> periods{{"А", "1", d(2010, 1, 1), d(2012, 12, 31)},
                                             {"Б", "2", d(2013, 3, 1), d(2013, 4, 15)}};
    const InsuranceRecord r = insurance_record(periods, d(2026, 1, 1));
    EXPECT_EQ(r.years, 3);
    EXPECT_EQ(r.months, 1);
    EXPECT_EQ(r.days, 15);
    // An open period runs to the statement's date; a future one does not count.
    const InsuranceRecord open = insurance_record({{"В", "3", d(2020, 1, 1), std::nullopt}, {"Г", "4", d(2030, 1, 1), std::nullopt}},
                                                  d(2020, 12, 31));
    EXPECT_EQ(open.years, 1);
    EXPECT_EQ(open.months, 0);
    EXPECT_EQ(open.days, 0);
}

TEST(PensionStatement, TotalsAddUpAndSurviveTheWire) {
    PensionStatement s;
    s.snils = "112-233-445 95";
    s.surname = "Соколова";
    s.name = "Дарья";
    s.birth_date = d(1985, 3, 15);
    s.as_of = d(2026, 12, 3);
    s.periods = {{"ООО «Камская долина»", "5906701156", d(2008, 9, 1), std::nullopt}};
    s.record = insurance_record(s.periods, s.as_of);
    s.years = {{2014, 400'000'00, insurance_contributions(2014, 400'000'00, true), 0},
               {2015, 450'000'00, insurance_contributions(2015, 450'000'00, true), 0},
               {2025, 1'200'000'00, insurance_contributions(2025, 1'200'000'00, true), 0}};
    for (auto& y : s.years) y.ipk_milli = year_ipk_milli(y.year, y.contributions);
    s.ipk_before_2015_milli = ipk_before_2015_milli(s.years[0].contributions);
    s.ipk_total_milli = sum_ipk_milli(s);
    EXPECT_EQ(s.ipk_total_milli, s.ipk_before_2015_milli + s.years[1].ipk_milli + s.years[2].ipk_milli);
    EXPECT_EQ(format_ipk(7'391), "7.391");
    EXPECT_EQ(format_ipk(5), "0.005");

    const PensionStatement back = pension_statement_from_json(nlohmann::json::parse(to_json(s).dump()));
    EXPECT_EQ(back.snils, s.snils);
    EXPECT_EQ(back.ipk_total_milli, s.ipk_total_milli);
    ASSERT_EQ(back.years.size(), 3u);
    EXPECT_EQ(back.years[2].ipk_milli, s.years[2].ipk_milli);
    EXPECT_EQ(back.years[1].contributions, s.years[1].contributions);
    EXPECT_FALSE(back.periods[0].to.has_value());
    EXPECT_EQ(back.record.years, s.record.years);

    nlohmann::json broken = to_json(s);
    broken["years"][0].erase("ipk");
    EXPECT_THROW(pension_statement_from_json(broken), std::invalid_argument);
    broken = to_json(s);
    broken["as_of"] = "03.12.2026";
    EXPECT_THROW(pension_statement_from_json(broken), std::invalid_argument);
}
