#include "catalog/blank_pdf.hpp"

#include "core/pdf.hpp"

#include <stdexcept>

namespace uslugi::catalog {

std::string render_blank_pdf(const Service& service, const Authority* authority, const std::string& lang,
                             const BlankTexts& texts, const std::string& font_dir) {
    if (!service.blank_form) throw std::runtime_error("service " + service.id + " has no blank form");
    core::PdfWriter pdf(font_dir, service.blank_form->name.in(lang), {.bottom_reserve = 40});
    // A label with a line to write on under it.
    auto blank_line = [&](const std::string& label) {
        pdf.need(40);
        pdf.label(label, false, 10);
        pdf.gap(22);
        pdf.rule(0.6f, 18);
    };

    if (authority) pdf.text(texts.to + " " + authority->name.in(lang), false, 10, 12);
    pdf.text(texts.heading, true, 16, 4);
    pdf.text(service.blank_form->name.in(lang), true, 12, 8);
    pdf.text(service.title.in(lang), false, 10, 14);
    pdf.text(texts.applicant, true, 11, 14);
    for (const auto& field : service.blank_form->fields) blank_line(field.in(lang));
    pdf.gap(12);
    blank_line(texts.signature);
    pdf.footer(texts.footer);
    return pdf.save();
}

}  // namespace uslugi::catalog
