#include "core/pdf.hpp"

#include <hpdf.h>

#include <stdexcept>

namespace uslugi::core {

namespace {

void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
    auto* code = static_cast<HPDF_STATUS*>(user_data);
    if (!*code) *code = error_no ? error_no : detail_no;  // the first error is the one that explains
}

}  // namespace

struct PdfWriter::Doc {
    HPDF_STATUS error = 0;
    HPDF_Doc handle = nullptr;
    HPDF_Font regular = nullptr, bold = nullptr;
    HPDF_Page page = nullptr;
    ~Doc() {
        if (handle) HPDF_Free(handle);
    }
};

PdfWriter::PdfWriter(const std::string& font_dir, const std::string& title, PdfLayout layout)
    : layout_(layout), doc_(std::make_unique<Doc>()) {
    doc_->handle = HPDF_New(on_error, &doc_->error);
    if (!doc_->handle) throw std::runtime_error("libharu: cannot create a document");
    HPDF_Doc d = doc_->handle;
    HPDF_UseUTFEncodings(d);
    HPDF_SetCurrentEncoder(d, "UTF-8");
    HPDF_SetCompressionMode(d, HPDF_COMP_ALL);
    const char* regular = HPDF_LoadTTFontFromFile(d, (font_dir + "/DejaVuSans.ttf").c_str(), HPDF_TRUE);
    const char* bold = HPDF_LoadTTFontFromFile(d, (font_dir + "/DejaVuSans-Bold.ttf").c_str(), HPDF_TRUE);
    check("loading fonts");
    doc_->regular = HPDF_GetFont(d, regular, "UTF-8");
    doc_->bold = HPDF_GetFont(d, bold, "UTF-8");
    HPDF_SetInfoAttr(d, HPDF_INFO_TITLE, title.c_str());
    HPDF_SetInfoAttr(d, HPDF_INFO_CREATOR, "uslugi");
    new_page();
}

PdfWriter::~PdfWriter() = default;

void PdfWriter::new_page() {
    doc_->page = HPDF_AddPage(doc_->handle);
    HPDF_Page_SetSize(doc_->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y_ = HPDF_Page_GetHeight(doc_->page) - layout_.margin;
}

float PdfWriter::right() const { return HPDF_Page_GetWidth(doc_->page) - layout_.margin; }

void PdfWriter::need(float height) {
    if (y_ - height < layout_.margin + layout_.bottom_reserve) new_page();
}

void PdfWriter::text(const std::string& s, bool bold, float size, float gap_after, float x, float right_gap) {
    if (s.empty()) return;
    const float left = x > 0 ? x : layout_.margin;
    const float width = right() - left - right_gap;
    const float line = size * layout_.line_height;
    HPDF_Page_SetFontAndSize(doc_->page, bold ? doc_->bold : doc_->regular, size);
    // The box needs its number of lines up front: the text's width over the box's, rounded up.
    const int lines = static_cast<int>(HPDF_Page_TextWidth(doc_->page, s.c_str()) / width) + 1;
    need(lines * line);
    HPDF_Page_SetFontAndSize(doc_->page, bold ? doc_->bold : doc_->regular, size);  // a new page forgets the font
    HPDF_Page_BeginText(doc_->page);
    HPDF_UINT len = 0;
    HPDF_Page_TextRect(doc_->page, left, y_, left + width, y_ - lines * line - line, s.c_str(), HPDF_TALIGN_LEFT, &len);
    HPDF_Page_EndText(doc_->page);
    y_ -= lines * line + gap_after;
}

void PdfWriter::label(const std::string& s, bool bold, float size, float x) {
    HPDF_Page_SetFontAndSize(doc_->page, bold ? doc_->bold : doc_->regular, size);
    HPDF_Page_BeginText(doc_->page);
    HPDF_Page_TextOut(doc_->page, x > 0 ? x : layout_.margin, y_, s.c_str());
    HPDF_Page_EndText(doc_->page);
}

void PdfWriter::rule(float thickness, float gap_after) {
    need(gap_after);
    HPDF_Page_SetLineWidth(doc_->page, thickness);
    HPDF_Page_MoveTo(doc_->page, layout_.margin, y_);
    HPDF_Page_LineTo(doc_->page, right(), y_);
    HPDF_Page_Stroke(doc_->page);
    y_ -= gap_after;
}

void PdfWriter::footer(const std::string& s, float size) {
    if (s.empty()) return;
    HPDF_Page_SetFontAndSize(doc_->page, doc_->regular, size);
    HPDF_Page_BeginText(doc_->page);
    HPDF_Page_TextOut(doc_->page, layout_.margin, layout_.margin - 20, s.c_str());
    HPDF_Page_EndText(doc_->page);
}

void PdfWriter::square(float x, float y_below_cursor, float side) {
    // No colour change here: libharu allows none while a path is being built (fill is black by default).
    HPDF_Page_Rectangle(doc_->page, x, y_ - y_below_cursor - side, side, side);
}

void PdfWriter::fill() { HPDF_Page_Fill(doc_->page); }

void PdfWriter::check(const char* step) const {
    if (doc_->error)
        throw std::runtime_error(std::string("libharu failed at ") + step + ", error " + std::to_string(doc_->error));
}

std::string PdfWriter::save() {
    check("drawing");
    HPDF_SaveToStream(doc_->handle);
    check("saving");
    std::string out(HPDF_GetStreamSize(doc_->handle), '\0');
    auto size = static_cast<HPDF_UINT32>(out.size());
    HPDF_ReadFromStream(doc_->handle, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
    out.resize(size);
    check("reading the stream");
    return out;
}

}  // namespace uslugi::core
