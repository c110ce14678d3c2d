#pragma once
// The result document an officer issues (APP-3), as a PDF with Cyrillic
// (libharu with DejaVu fonts), made again from the application's row on every
// download: it holds nothing the row does not.
#include <string>

namespace uslugi::applications {

struct ResultDocument {
    std::string heading;      // "Результат предоставления услуги"
    std::string authority;    // the issuing authority's name
    std::string service;      // the service's title
    std::string number_line;  // "Заявление № 2026-00000042 от 03.12.2026"
    std::string applicant;    // "Заявитель: Дарья Соколова"
    std::string decision;     // the officer's text
    std::string issued_line;  // "Выдан 05.12.2026"
    std::string footer;
};

std::string render_result_pdf(const ResultDocument& doc, const std::string& font_dir);

}  // namespace uslugi::applications
