#include "applications/result_pdf.hpp"

#include <stdexcept>

namespace uslugi::applications {

namespace {

// libharu reports errors through a C callback: the first one is kept and
// checked after each step (no exceptions through C frames).
void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
    auto* code = static_cast<HPDF_STATUS*>(user_data);
    if (!*code) *code = error_no ? error_no : detail_no;
}

}  // namespace

PdfDocument::PdfDocument(const std::string& font_dir, const std::string& title) : doc_(HPDF_New(on_error, &error_)) {
    if (!doc_) throw std::runtime_error("libharu: cannot create a document");
    HPDF_UseUTFEncodings(doc_);
    HPDF_SetCurrentEncoder(doc_, "UTF-8");
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    const char* regular_name = HPDF_LoadTTFontFromFile(doc_, (font_dir + "/DejaVuSans.ttf").c_str(), HPDF_TRUE);
    const char* bold_name = HPDF_LoadTTFontFromFile(doc_, (font_dir + "/DejaVuSans-Bold.ttf").c_str(), HPDF_TRUE);
    if (error_) {  // the destructor does not run for a constructor that throws
        HPDF_Free(doc_);
        check("loading fonts");
    }
    regular_ = HPDF_GetFont(doc_, regular_name, "UTF-8");
    bold_ = HPDF_GetFont(doc_, bold_name, "UTF-8");
    HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, title.c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "uslugi");
}

PdfDocument::~PdfDocument() { HPDF_Free(doc_); }

void PdfDocument::check(const char* step) const {
    if (error_) throw std::runtime_error(std::string("libharu failed at ") + step + ", error " + std::to_string(error_));
}

std::string PdfDocument::bytes() {
    HPDF_SaveToStream(doc_);
    check("saving");
    std::string out(HPDF_GetStreamSize(doc_), '\0');
    HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
    HPDF_ReadFromStream(doc_, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
    out.resize(size);
    check("reading the stream");
    return out;
}

std::string render_result_pdf(const ResultDocument& r, const std::string& font_dir) {
    PdfDocument pdf(font_dir, r.heading);
    HPDF_Doc doc = pdf.get();
    HPDF_Font regular = pdf.regular(), bold = pdf.bold();

    const float margin = 56;
    HPDF_Page page = HPDF_AddPage(doc);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    float y = HPDF_Page_GetHeight(page) - margin;
    const float width = HPDF_Page_GetWidth(page) - 2 * margin;
    // Wrapped text; a long decision continues on a new page.
    auto paragraph = [&](const std::string& text, HPDF_Font font, float size, float gap) {
        if (text.empty()) return;
        const float line = size * 1.4f;
        HPDF_Page_SetFontAndSize(page, font, size);
        const float lines = HPDF_Page_TextWidth(page, text.c_str()) / width + 1;
        if (y - lines * line < margin + 30) {
            page = HPDF_AddPage(doc);
            HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
            y = HPDF_Page_GetHeight(page) - margin;
            HPDF_Page_SetFontAndSize(page, font, size);
        }
        HPDF_Page_BeginText(page);
        HPDF_UINT len = 0;
        HPDF_Page_TextRect(page, margin, y, margin + width, y - lines * line - line, text.c_str(), HPDF_TALIGN_LEFT, &len);
        HPDF_Page_EndText(page);
        y -= (static_cast<int>(lines) + 0.3f) * line + gap;
    };
    paragraph(r.authority, regular, 10, 14);
    paragraph(r.heading, bold, 16, 6);
    paragraph(r.service, bold, 12, 10);
    paragraph(r.number_line, regular, 10, 4);
    paragraph(r.applicant, regular, 10, 16);
    paragraph(r.decision, regular, 11, 16);
    paragraph(r.issued_line, regular, 10, 4);
    HPDF_Page_SetFontAndSize(page, regular, 8);
    HPDF_Page_BeginText(page);
    HPDF_Page_TextOut(page, margin, margin - 20, r.footer.c_str());
    HPDF_Page_EndText(page);
    pdf.check("drawing");

    return pdf.bytes();
}

}  // namespace uslugi::applications
