#include "applications/result_pdf.hpp"

#include <hpdf.h>

#include <stdexcept>

namespace uslugi::applications {

namespace {

// libharu reports errors through a C callback: the first one is kept and
// checked after each step (no exceptions through C frames).
void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
    auto* code = static_cast<HPDF_STATUS*>(user_data);
    if (!*code) *code = error_no ? error_no : detail_no;
}

class Document {
public:
    Document() : doc_(HPDF_New(on_error, &error_)) {
        if (!doc_) throw std::runtime_error("libharu: cannot create a document");
    }
    ~Document() { HPDF_Free(doc_); }
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;
    HPDF_Doc get() const { return doc_; }
    void check(const char* step) const {
        if (error_) throw std::runtime_error(std::string("libharu failed at ") + step + ", error " + std::to_string(error_));
    }

private:
    HPDF_STATUS error_ = 0;
    HPDF_Doc doc_;
};

}  // namespace

std::string render_result_pdf(const ResultDocument& r, const std::string& font_dir) {
    Document pdf;
    HPDF_Doc doc = pdf.get();
    HPDF_UseUTFEncodings(doc);
    HPDF_SetCurrentEncoder(doc, "UTF-8");
    HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
    const char* regular_name = HPDF_LoadTTFontFromFile(doc, (font_dir + "/DejaVuSans.ttf").c_str(), HPDF_TRUE);
    const char* bold_name = HPDF_LoadTTFontFromFile(doc, (font_dir + "/DejaVuSans-Bold.ttf").c_str(), HPDF_TRUE);
    pdf.check("loading fonts");
    HPDF_Font regular = HPDF_GetFont(doc, regular_name, "UTF-8");
    HPDF_Font bold = HPDF_GetFont(doc, bold_name, "UTF-8");
    HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, r.heading.c_str());
    HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "uslugi");

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

    HPDF_SaveToStream(doc);
    pdf.check("saving");
    std::string out(HPDF_GetStreamSize(doc), '\0');
    HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
    HPDF_ReadFromStream(doc, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
    out.resize(size);
    pdf.check("reading the stream");
    return out;
}

}  // namespace uslugi::applications
