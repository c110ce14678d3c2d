#pragma once
// The result document an officer issues (APP-3), as a PDF with Cyrillic
// (libharu with DejaVu fonts), made again from the application's row on every
// download: it holds nothing the row does not.
#include <hpdf.h>

#include <string>

namespace uslugi::applications {

// A libharu document set up the way every PDF of applications is: UTF-8 text
// in DejaVu Sans (regular and bold, embedded), compressed. Errors of libharu
// are kept (no exceptions through its C frames) and thrown by check().
class PdfDocument {
public:
    PdfDocument(const std::string& font_dir, const std::string& title);
    ~PdfDocument();
    PdfDocument(const PdfDocument&) = delete;
    PdfDocument& operator=(const PdfDocument&) = delete;
    HPDF_Doc get() const { return doc_; }
    HPDF_Font regular() const { return regular_; }
    HPDF_Font bold() const { return bold_; }
    // Throws std::runtime_error naming `step` when libharu reported an error.
    void check(const char* step) const;
    // The finished document's bytes.
    std::string bytes();

private:
    HPDF_STATUS error_ = 0;
    HPDF_Doc doc_;
    HPDF_Font regular_ = nullptr, bold_ = nullptr;
};

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
