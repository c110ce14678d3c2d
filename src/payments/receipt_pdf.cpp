#include "payments/receipt_pdf.hpp"

#include <hpdf.h>
#include <qrencode.h>

#include <memory>
#include <stdexcept>

namespace uslugi::payments {

namespace {

// libharu reports errors through a C callback; the first one is kept and
// checked after each step instead of throwing through C frames.
struct HaruError {
    HPDF_STATUS code = 0;
};

void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
    auto* e = static_cast<HaruError*>(user_data);
    if (!e->code) e->code = error_no ? error_no : detail_no;
}

constexpr float kMargin = 50;
constexpr float kQrSize = 110;

class Writer {
public:
    explicit Writer(const std::string& font_dir) : doc_(HPDF_New(on_error, &error_)) {
        if (!doc_) throw std::runtime_error("libharu: cannot create a document");
        HPDF_UseUTFEncodings(doc_);
        HPDF_SetCurrentEncoder(doc_, "UTF-8");
        HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
        const char* regular = HPDF_LoadTTFontFromFile(doc_, (font_dir + "/DejaVuSans.ttf").c_str(), HPDF_TRUE);
        const char* bold = HPDF_LoadTTFontFromFile(doc_, (font_dir + "/DejaVuSans-Bold.ttf").c_str(), HPDF_TRUE);
        check("loading fonts");
        regular_ = HPDF_GetFont(doc_, regular, "UTF-8");
        bold_ = HPDF_GetFont(doc_, bold, "UTF-8");
        HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "uslugi");
        new_page();
    }
    ~Writer() { HPDF_Free(doc_); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void check(const char* step) const {
        if (error_.code)
            throw std::runtime_error(std::string("libharu failed at ") + step + ", error " + std::to_string(error_.code));
    }

    // Wrapped text from x to the right margin less `right_gap`.
    void text(const std::string& s, bool bold, float size, float x = kMargin, float right_gap = 0) {
        const float width = HPDF_Page_GetWidth(page_) - kMargin - x - right_gap;
        HPDF_Page_SetFontAndSize(page_, bold ? bold_ : regular_, size);
        const float line = size * 1.3f;
        const int lines = int(HPDF_Page_TextWidth(page_, s.c_str()) / width) + 1;
        need(lines * line + 4);
        HPDF_Page_BeginText(page_);
        HPDF_UINT len = 0;
        HPDF_Page_TextRect(page_, x, y_, x + width, y_ - lines * line - line, s.c_str(), HPDF_TALIGN_LEFT, &len);
        HPDF_Page_EndText(page_);
        y_ -= lines * line + 2;
    }

    void line_pair(const ReceiptLine& l, float right_gap) {
        const float label_width = 150;
        const float top = y_;
        text(l.label, false, 9, kMargin, HPDF_Page_GetWidth(page_) - 2 * kMargin - label_width + 4);
        const float after_label = y_;
        y_ = top;
        text(l.value, true, 9, kMargin + label_width, right_gap);
        y_ = std::min(y_, after_label) - 2;
    }

    // The QR code's modules as filled squares at the right edge, from the current line down.
    void qr(const std::string& payload) {
        QRcode* code = QRcode_encodeData(int(payload.size()), reinterpret_cast<const unsigned char*>(payload.data()), 0,
                                         QR_ECLEVEL_M);
        if (!code) throw std::runtime_error("libqrencode cannot encode the payment text");
        const std::unique_ptr<QRcode, decltype(&QRcode_free)> owned(code, &QRcode_free);
        need(kQrSize + 10);
        const float module = kQrSize / float(code->width);
        const float left = HPDF_Page_GetWidth(page_) - kMargin - kQrSize;
        HPDF_Page_SetRGBFill(page_, 0, 0, 0);
        for (int row = 0; row < code->width; ++row)
            for (int col = 0; col < code->width; ++col)
                if (code->data[row * code->width + col] & 1)
                    HPDF_Page_Rectangle(page_, left + col * module, y_ - (row + 1) * module, module, module);
        HPDF_Page_Fill(page_);
        qr_bottom_ = y_ - kQrSize - 6;
    }

    void rule() {
        need(10);
        HPDF_Page_SetLineWidth(page_, 0.5f);
        HPDF_Page_MoveTo(page_, kMargin, y_);
        HPDF_Page_LineTo(page_, HPDF_Page_GetWidth(page_) - kMargin, y_);
        HPDF_Page_Stroke(page_);
        y_ -= 10;
    }

    void below_qr() {
        y_ = std::min(y_, qr_bottom_);
        qr_bottom_ = 1e9f;
    }
    void gap(float h) { y_ -= h; }

    std::string save() {
        HPDF_SaveToStream(doc_);
        check("saving");
        std::string out(HPDF_GetStreamSize(doc_), '\0');
        HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
        HPDF_ReadFromStream(doc_, reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
        out.resize(size);
        check("reading the stream");
        return out;
    }

private:
    void new_page() {
        page_ = HPDF_AddPage(doc_);
        HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        y_ = HPDF_Page_GetHeight(page_) - kMargin;
        qr_bottom_ = 1e9f;
    }
    void need(float h) {
        if (y_ - h < kMargin) new_page();
    }

    HaruError error_;
    HPDF_Doc doc_;
    HPDF_Font regular_ = nullptr, bold_ = nullptr;
    HPDF_Page page_ = nullptr;
    float y_ = 0;
    float qr_bottom_ = 1e9f;
};

}  // namespace

std::string render_receipt_pdf(const ReceiptDoc& doc, const std::string& font_dir) {
    Writer w(font_dir);
    w.text(doc.title, true, 15);
    w.gap(6);
    for (const auto& l : doc.head) w.line_pair(l, 0);
    w.gap(6);
    for (const auto& part : doc.parts) {
        w.rule();
        w.text(part.heading, true, 11, kMargin, kQrSize + 10);
        if (!part.qr_text.empty()) w.qr(part.qr_text);
        for (const auto& l : part.lines) w.line_pair(l, kQrSize + 10);
        w.below_qr();
    }
    w.rule();
    w.line_pair({"Итого", doc.total_figures}, 0);
    w.line_pair({"Сумма прописью", doc.total_words}, 0);
    w.gap(10);
    if (!doc.footer.empty()) w.text(doc.footer, false, 8);
    w.check("drawing");
    return w.save();
}

}  // namespace uslugi::payments
