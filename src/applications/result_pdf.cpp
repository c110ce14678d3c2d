#include "applications/result_pdf.hpp"

#include "core/pdf.hpp"

namespace uslugi::applications {

std::string render_result_pdf(const ResultDocument& r, const std::string& font_dir) {
    core::PdfWriter pdf(font_dir, r.heading, {.line_height = 1.4f});
    pdf.text(r.authority, false, 10, 14);
    pdf.text(r.heading, true, 16, 6);
    pdf.text(r.service, true, 12, 10);
    pdf.text(r.number_line, false, 10, 4);
    pdf.text(r.applicant, false, 10, 16);
    pdf.text(r.decision, false, 11, 16);  // a long decision continues on a new page
    pdf.text(r.issued_line, false, 10, 4);
    pdf.footer(r.footer);
    return pdf.save();
}

}  // namespace uslugi::applications
