#include <gtest/gtest.h>

#include "core/pdf.hpp"

#include <regex>
#include <stdexcept>

using uslugi::core::PdfWriter;

namespace {

const std::string kFonts = "/usr/share/fonts/truetype/dejavu";

// Page objects of the document ("/Type /Page", not the "/Pages" tree).
std::size_t pages(const std::string& pdf) {
    static const std::regex page(R"(/Type\s*/Page[^s])");
    return std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), page), std::sregex_iterator());
}

}  // namespace

TEST(PdfWriter, WritesACyrillicDocumentOnOnePage) {
    PdfWriter pdf(kFonts, "Выписка");
    pdf.text("Сведения о состоянии индивидуального лицевого счёта", true, 14, 6);
    pdf.rule();
    pdf.footer("Документ сформирован на портале Услуги");
    const std::string out = pdf.save();
    EXPECT_EQ(out.substr(0, 5), "%PDF-");
    EXPECT_NE(out.find("%%EOF"), std::string::npos);
    EXPECT_NE(out.find("DejaVuSans-Bold"), std::string::npos) << "the bold font is embedded";
    EXPECT_EQ(pages(out), 1u);
}

TEST(PdfWriter, LongTextContinuesOnNewPagesAndTheCursorMovesDown) {
    PdfWriter pdf(kFonts, "Решение");
    const float top = pdf.y();
    pdf.text("Строка", false, 10);
    EXPECT_LT(pdf.y(), top);
    for (int i = 0; i < 120; ++i) pdf.text("Абзац решения номер " + std::to_string(i), false, 11, 4);
    EXPECT_GE(pages(pdf.save()), 3u);
}

TEST(PdfWriter, SquaresMakeOnePathFilledAtOnce) {
    PdfWriter pdf(kFonts, "QR");
    for (int i = 0; i < 40; ++i) pdf.square(pdf.right() - 100 + (i % 8) * 4.0f, (i / 8) * 4.0f, 4);
    pdf.fill();
    pdf.text("После кода", false, 10);
    EXPECT_EQ(pages(pdf.save()), 1u) << "libharu accepted the path (save() throws on any error)";
}

TEST(PdfWriter, MissingFontsAreAnError) {
    EXPECT_THROW(PdfWriter("/nonexistent/fonts", "x"), std::runtime_error);
}
