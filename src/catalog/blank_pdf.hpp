#pragma once
// Downloadable paper application blanks (CAT-1), generated with libharu in
// the reader's language; DejaVu fonts carry Cyrillic.
#include <string>

#include "catalog/model.hpp"

namespace uslugi::catalog {

struct BlankTexts {
    std::string heading;     // "Заявление"
    std::string to;          // "В"
    std::string applicant;   // "Сведения о заявителе"
    std::string signature;   // "Подпись / дата"
    std::string footer;      // printed at the bottom
};

// Throws std::runtime_error if the service has no blank form or the PDF cannot be made.
std::string render_blank_pdf(const Service& service, const Authority* authority, const std::string& lang,
                             const BlankTexts& texts, const std::string& font_dir);

}  // namespace uslugi::catalog
