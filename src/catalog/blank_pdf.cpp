#include "catalog/blank_pdf.hpp"

#include <hpdf.h>

#include <memory>
#include <stdexcept>

namespace uslugi::catalog {

namespace {

// libharu reports errors through a C callback; remember the first one and
// check it after each step instead of throwing through C frames.
struct HaruError {
    HPDF_STATUS code = 0;
};

void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
    auto* e = static_cast<HaruError*>(user_data);
    if (!e->code) e->code = error_no ? error_no : detail_no;
}

class Pdf {
public:
    Pdf() : doc_(HPDF_New(on_error, &error_)) {
        if (!doc_) throw std::runtime_error("libharu: cannot create a document");
    }
    ~Pdf() { HPDF_Free(doc_); }
    HPDF_Doc get() const { return doc_; }
    void check(const char* step) const {
        if (error_.code) throw std::runtime_error(std::string("libharu failed at ") + step + ", error " + std::to_string(error_.code));
    }

private:
    HaruError error_;
    HPDF_Doc doc_;
};

}  // namespace

std::string render_blank_pdf(const Service& service, const Authority* authority, const std::string& lang,
                             const BlankTexts& texts, const std::string& font_dir) {
    if (!service.blank_form) throw std::runtime_error("service " + service.id + " has no blank form");
    Pdf pdf;
    HPDF_Doc doc = pdf.get();
    HPDF_UseUTFEncodings(doc);
    HPDF_SetCurrentEncoder(doc, "UTF-8");
    HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
    const char* regular_name = HPDF_LoadTTFontFromFile(doc, (font_dir + "/DejaVuSans.ttf").c_str(), HPDF_TRUE);
    const char* bold_name = HPDF_LoadTTFontFromFile(doc, (font_dir + "/DejaVuSans-Bold.ttf").c_str(), HPDF_TRUE);
    pdf.check("loading fonts");
    HPDF_Font regular = HPDF_GetFont(doc, regular_name, "UTF-8");
    HPDF_Font bold = HPDF_GetFont(doc, bold_name, "UTF-8");
    HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, service.blank_form->name.in(lang).c_str());
    HPDF_SetInfoAttr(doc, HPDF_INFO_CREATOR, "uslugi");

    const float margin = 56;
    HPDF_Page page = HPDF_AddPage(doc);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    float y = HPDF_Page_GetHeight(page) - margin;
    const float text_width = HPDF_Page_GetWidth(page) - 2 * margin;

    auto new_page_if_needed = [&](float needed) {
        if (y - needed > margin + 40) return;
        page = HPDF_AddPage(doc);
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        y = HPDF_Page_GetHeight(page) - margin;
    };
    // Writes wrapped text and moves y below it.
    auto paragraph = [&](const std::string& text, HPDF_Font font, float size, float gap) {
        const float line = size * 1.35f;
        // Estimate lines for page breaks: the width of the text divided by the box.
        HPDF_Page_SetFontAndSize(page, font, size);
        const float estimated = HPDF_Page_TextWidth(page, text.c_str()) / text_width + 1;
        new_page_if_needed(estimated * line);
        HPDF_Page_BeginText(page);
        HPDF_UINT len = 0;
        HPDF_Page_TextRect(page, margin, y, margin + text_width, y - estimated * line - line, text.c_str(), HPDF_TALIGN_LEFT, &len);
        HPDF_Page_EndText(page);
        y -= (static_cast<int>(estimated) + 0.2f) * line + gap;
    };
    auto blank_line = [&](const std::string& label) {
        new_page_if_needed(40);
        HPDF_Page_SetFontAndSize(page, regular, 10);
        HPDF_Page_BeginText(page);
        HPDF_Page_TextOut(page, margin, y, label.c_str());
        HPDF_Page_EndText(page);
        y -= 22;
        HPDF_Page_SetLineWidth(page, 0.6f);
        HPDF_Page_MoveTo(page, margin, y);
        HPDF_Page_LineTo(page, margin + text_width, y);
        HPDF_Page_Stroke(page);
        y -= 18;
    };

    if (authority) paragraph(texts.to + " " + authority->name.in(lang), regular, 10, 12);
    paragraph(texts.heading, bold, 16, 4);
    paragraph(service.blank_form->name.in(lang), bold, 12, 8);
    paragraph(service.title.in(lang), regular, 10, 14);
    paragraph(texts.applicant, bold, 11, 14);
    for (const auto& field : service.blank_form->fields) blank_line(field.in(lang));
    y -= 12;
    blank_line(texts.signature);
    HPDF_Page_SetFontAndSize(page, regular, 8);
    HPDF_Page_BeginText(page);
    HPDF_Page_TextOut(page, margin, margin - 20, texts.footer.c_str());
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

}  // namespace uslugi::catalog
