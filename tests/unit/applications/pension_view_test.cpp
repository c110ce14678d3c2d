// The pension statement as the reader sees it (pension_view.hpp): the rows,
// the years before 2015 without their own IPK, the totals in the reader's
// language, and a PDF with Cyrillic that runs onto a second page.
#include <gtest/gtest.h>

#include "applications/pension_view.hpp"

using namespace uslugi;
using namespace uslugi::applications;
namespace chr = std::chrono;

namespace {

registries::Date d(int y, unsigned m, unsigned day) { return registries::Date{chr::year{y} / chr::month{m} / chr::day{day}}; }

registries::PensionStatement sample(int years) {
    registries::PensionStatement s;
    s.snils = "088-391-325 03";
    s.surname = "Смирнова";
    s.name = "Анна";
    s.patronymic = "Сергеевна";
    s.birth_date = d(1990, 4, 12);
    s.as_of = d(2026, 12, 3);
    s.periods = {{"ООО «Камская долина»", "5906701156", d(2010, 9, 1), d(2016, 5, 31)},
                 {"АО «ТехноСтрой»", "1656727391", d(2016, 7, 1), std::nullopt}};
    s.record = registries::insurance_record(s.periods, s.as_of);
    for (int y = 2026 - years; y < 2026; ++y) {
        const std::int64_t wage = 600'000'00;
        const std::int64_t contributions = registries::insurance_contributions(y, wage, true);
        s.years.push_back({y, wage, contributions, registries::year_ipk_milli(y, contributions)});
    }
    s.ipk_before_2015_milli = 12'345;
    s.ipk_total_milli = registries::sum_ipk_milli(s);
    return s;
}

const core::Locales& locales() {
    static const core::Locales l = [] {
        core::Locales x;
        x.load(std::string(USLUGI_SOURCE_DIR) + "/locales");
        return x;
    }();
    return l;
}

}  // namespace

TEST(PensionView, RowsTotalsAndTheYearsBefore2015) {
    const auto s = sample(16);  // 2010 … 2025
    const StatementView v = statement_view(s, "2026-00000042", locales().get("ru"));
    ASSERT_EQ(v.periods.size(), 2u);
    EXPECT_EQ(v.periods[1][3], "по настоящее время");
    ASSERT_EQ(v.years.size(), 16u);
    EXPECT_EQ(v.years[0][0], "2010");
    EXPECT_EQ(v.years[0][3], "—") << "a year before 2015 is in the converted IPK";
    EXPECT_NE(v.years[15][3], "—");
    ASSERT_EQ(v.totals.size(), 3u);
    EXPECT_EQ(v.totals[1].first, "Итого ИПК");
    EXPECT_NE(v.number_line.find("2026-00000042"), std::string::npos);
    EXPECT_EQ(record_text({3, 1, 15}, locales().get("ru")), "3 г. 1 мес. 15 дн.");
    const StatementView en = statement_view(s, "2026-00000042", locales().get("en"));
    EXPECT_EQ(en.totals[1].first, "Total IPK");
}

TEST(PensionView, PdfWithCyrillicOverPages) {
    const auto s = sample(45);  // 1981 … 2025
    const std::string pdf = render_pension_pdf(statement_view(s, "2026-00000042", locales().get("ru")),
                                               "/usr/share/fonts/truetype/dejavu");
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.find("DejaVuSans"), std::string::npos);
    EXPECT_NE(pdf.find("/Count 2"), std::string::npos) << "the long table goes on to a second page";
}
