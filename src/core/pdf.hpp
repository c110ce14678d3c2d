#pragma once
// A4 documents with Cyrillic text (libharu with the DejaVu fonts) written from
// the top down: blank forms, result documents, receipts, statements. The
// writer keeps a cursor that moves below what was drawn and starts a new page
// when the next piece would not fit. libharu reports errors through a C
// callback; they surface here as std::runtime_error at the next check.
#include <memory>
#include <string>

namespace uslugi::core {

struct PdfLayout {
    float margin = 56;          // on every side, in points
    float bottom_reserve = 30;  // kept free above the bottom margin (for a footer)
    float line_height = 1.35f;  // times the font size
};

class PdfWriter {
public:
    // Loads DejaVuSans.ttf and DejaVuSans-Bold.ttf from `font_dir`; throws if it cannot.
    PdfWriter(const std::string& font_dir, const std::string& title, PdfLayout layout = {});
    ~PdfWriter();
    PdfWriter(const PdfWriter&) = delete;
    PdfWriter& operator=(const PdfWriter&) = delete;

    // Wrapped text from `x` (0: the left margin) to the right margin less
    // `right_gap`; the cursor ends `gap_after` points below its last line.
    void text(const std::string& s, bool bold, float size, float gap_after = 2, float x = 0, float right_gap = 0);
    // One line of text at the cursor, without wrapping or moving the cursor.
    void label(const std::string& s, bool bold, float size, float x = 0);
    // A horizontal line across the text width at the cursor.
    void rule(float thickness = 0.5f, float gap_after = 10);
    // One line of small text under the bottom margin of the current page.
    void footer(const std::string& s, float size = 8);
    // A black square at (x, y) measured from the top-left of the cursor's line; squares
    // are one path, drawn at fill().
    void square(float x, float y_below_cursor, float side);
    void fill();
    // Starts a new page unless `height` points still fit above the reserve.
    void need(float height);
    void gap(float height) { y_ -= height; }

    float y() const { return y_; }
    void set_y(float y) { y_ = y; }
    float left() const { return layout_.margin; }
    float right() const;  // the right margin's x

    // Throws std::runtime_error naming `step` if libharu failed since it started.
    void check(const char* step) const;
    // The finished document's bytes.
    std::string save();

private:
    struct Doc;
    void new_page();

    PdfLayout layout_;
    std::unique_ptr<Doc> doc_;
    float y_ = 0;
};

}  // namespace uslugi::core
