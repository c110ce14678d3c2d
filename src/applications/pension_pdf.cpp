// The pension account statement as a PDF (A4, Cyrillic): the person, the
// insurance record, the periods of work, the years' contributions and IPK,
// the totals. Made again from the stored statement on every download.
#include "applications/pension_view.hpp"
#include "applications/result_pdf.hpp"

namespace uslugi::applications {

namespace {

constexpr float kMargin = 48;

// A page cursor: text lines and table rows, a new page when the bottom is near.
class Writer {
public:
    explicit Writer(PdfDocument& pdf) : pdf_(pdf) { new_page(); }

    void line(const std::string& text, bool bold, float size, float gap = 4) {
        need(size * 1.4f + gap);
        put(kMargin, text, bold, size);
        y_ -= size * 1.4f + gap;
    }
    // One row of a table: each cell starts at its column's x (points from the margin).
    void row(const std::vector<std::string>& cells, const std::vector<float>& columns, bool bold) {
        const float size = 8.5f;
        need(size * 1.6f);
        for (std::size_t i = 0; i < cells.size() && i < columns.size(); ++i) put(kMargin + columns[i], cells[i], bold, size);
        y_ -= size * 1.6f;
    }
    void space(float points) { y_ -= points; }

private:
    void need(float height) {
        if (y_ - height < kMargin) new_page();
    }
    void new_page() {
        page_ = HPDF_AddPage(pdf_.get());
        HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        y_ = HPDF_Page_GetHeight(page_) - kMargin;
    }
    void put(float x, const std::string& text, bool bold, float size) {
        HPDF_Page_SetFontAndSize(page_, bold ? pdf_.bold() : pdf_.regular(), size);
        HPDF_Page_BeginText(page_);
        HPDF_Page_TextOut(page_, x, y_ - size, text.c_str());
        HPDF_Page_EndText(page_);
    }

    PdfDocument& pdf_;
    HPDF_Page page_ = nullptr;
    float y_ = 0;
};

}  // namespace

std::string render_pension_pdf(const StatementView& v, const std::string& font_dir) {
    PdfDocument pdf(font_dir, v.heading);
    Writer w(pdf);
    w.line(v.authority, false, 9, 10);
    w.line(v.heading, true, 14, 4);
    w.line(v.number_line, false, 9, 10);
    for (const auto& [label, value] : v.facts) w.line(label + ": " + value, false, 10, 2);
    w.space(10);
    w.line(v.periods_title, true, 11, 4);
    const std::vector<float> period_columns{0, 270, 350, 425};
    w.row(v.period_head, period_columns, true);
    for (const auto& p : v.periods) w.row(p, period_columns, false);
    w.space(10);
    w.line(v.years_title, true, 11, 4);
    const std::vector<float> year_columns{0, 60, 200, 340};
    w.row(v.year_head, year_columns, true);
    for (const auto& y : v.years) w.row(y, year_columns, false);
    w.line(v.years_note, false, 8);
    w.space(10);
    for (const auto& [label, value] : v.totals) w.line(label + ": " + value, true, 10, 2);
    w.space(12);
    w.line(v.footer, false, 8);
    pdf.check("drawing");
    return pdf.bytes();
}

}  // namespace uslugi::applications
