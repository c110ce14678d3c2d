// The pension account statement as a PDF (A4, Cyrillic): the person, the
// insurance record, the periods of work, the years' contributions and IPK,
// the totals. Made again from the stored statement on every download.
#include "applications/pension_view.hpp"
#include "core/pdf.hpp"

namespace uslugi::applications {

namespace {

constexpr float kMargin = 48;

// Table rows on top of the shared writer: each cell starts at its column's x
// (points from the margin), one line high.
void row(core::PdfWriter& pdf, const std::vector<std::string>& cells, const std::vector<float>& columns, bool bold) {
    const float size = 8.5f;
    pdf.need(size * 1.6f);
    pdf.gap(size);  // down to the baseline
    for (std::size_t i = 0; i < cells.size() && i < columns.size(); ++i)
        pdf.label(cells[i], bold, size, kMargin + columns[i]);
    pdf.gap(size * 0.6f);
}

}  // namespace

std::string render_pension_pdf(const StatementView& v, const std::string& font_dir) {
    core::PdfWriter pdf(font_dir, v.heading, {.margin = kMargin, .bottom_reserve = 0, .line_height = 1.4f});
    pdf.text(v.authority, false, 9, 10);
    pdf.text(v.heading, true, 14, 4);
    pdf.text(v.number_line, false, 9, 10);
    for (const auto& [label, value] : v.facts) pdf.text(label + ": " + value, false, 10, 2);
    pdf.gap(10);
    pdf.text(v.periods_title, true, 11, 4);
    const std::vector<float> period_columns{0, 270, 350, 425};
    row(pdf, v.period_head, period_columns, true);
    for (const auto& p : v.periods) row(pdf, p, period_columns, false);
    pdf.gap(10);
    pdf.text(v.years_title, true, 11, 4);
    const std::vector<float> year_columns{0, 60, 200, 340};
    row(pdf, v.year_head, year_columns, true);
    for (const auto& y : v.years) row(pdf, y, year_columns, false);
    pdf.text(v.years_note, false, 8);
    pdf.gap(10);
    for (const auto& [label, value] : v.totals) pdf.text(label + ": " + value, true, 10, 2);
    pdf.gap(12);
    pdf.text(v.footer, false, 8);
    return pdf.save();
}

}  // namespace uslugi::applications
