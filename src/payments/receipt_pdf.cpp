#include "payments/receipt_pdf.hpp"

#include "core/pdf.hpp"

#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace uslugi::payments {

namespace {

constexpr float kMargin = 50;
constexpr float kQrSize = 110;

// The receipt's pieces on top of the shared writer: label-value pairs in two
// columns and the payment QR code at the right edge beside a charge's lines.
class Writer {
public:
    Writer(const std::string& font_dir, const std::string& title)
        : pdf_(font_dir, title, {.margin = kMargin, .bottom_reserve = 0, .line_height = 1.3f}) {}

    void text(const std::string& s, bool bold, float size, float x = 0, float right_gap = 0) {
        pdf_.text(s, bold, size, 2, x, right_gap);
    }

    void line_pair(const ReceiptLine& l, float right_gap) {
        const float label_width = 150;
        const float top = pdf_.y();
        text(l.label, false, 9, kMargin, pdf_.right() - kMargin - label_width + 4);
        const float after_label = pdf_.y();
        pdf_.set_y(top);
        text(l.value, true, 9, kMargin + label_width, right_gap);
        pdf_.set_y(std::min(pdf_.y(), after_label) - 2);
    }

    // The QR code's modules as filled squares at the right edge, from the current line down.
    void qr(const std::string& payload) {
        QRcode* code = QRcode_encodeData(int(payload.size()), reinterpret_cast<const unsigned char*>(payload.data()), 0,
                                         QR_ECLEVEL_M);
        if (!code) throw std::runtime_error("libqrencode cannot encode the payment text");
        const std::unique_ptr<QRcode, decltype(&QRcode_free)> owned(code, &QRcode_free);
        pdf_.need(kQrSize + 10);
        const float module = kQrSize / float(code->width);
        const float left = pdf_.right() - kQrSize;
        for (int row = 0; row < code->width; ++row)
            for (int col = 0; col < code->width; ++col)
                if (code->data[row * code->width + col] & 1) pdf_.square(left + col * module, row * module, module);
        pdf_.fill();
        qr_bottom_ = pdf_.y() - kQrSize - 6;
    }

    void rule() { pdf_.rule(0.5f, 10); }
    void below_qr() {
        pdf_.set_y(std::min(pdf_.y(), qr_bottom_));
        qr_bottom_ = 1e9f;
    }
    void gap(float h) { pdf_.gap(h); }
    std::string save() { return pdf_.save(); }

private:
    core::PdfWriter pdf_;
    float qr_bottom_ = 1e9f;
};

}  // namespace

std::string render_receipt_pdf(const ReceiptDoc& doc, const std::string& font_dir) {
    Writer w(font_dir, doc.title);
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
    return w.save();
}

}  // namespace uslugi::payments
