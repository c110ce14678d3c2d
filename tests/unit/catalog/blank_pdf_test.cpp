#include <gtest/gtest.h>

#include "catalog/blank_pdf.hpp"

using namespace uslugi::catalog;

TEST(BlankPdf, RendersCyrillicBlankAsPdf) {
    Service s;
    s.id = "marriage";
    s.title.ru = "Регистрация брака";
    BlankForm form;
    form.name.ru = "Заявление о заключении брака (форма № 7)";
    for (const char* f : {"Фамилия, имя, отчество жениха", "Фамилия, имя, отчество невесты", "Дата регистрации"})
        form.fields.push_back(Text{f, "", "", ""});
    s.blank_form = form;
    Authority a;
    a.name.ru = "Управление ЗАГС Пермского края";
    const BlankTexts texts{"Заявление", "В", "Сведения о заявителях", "Подпись, дата", "Бланк с портала Услуги"};
    const std::string pdf = render_blank_pdf(s, &a, "ru", texts, "/usr/share/fonts/truetype/dejavu");
    ASSERT_GT(pdf.size(), 2000u);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    EXPECT_NE(pdf.find("%%EOF"), std::string::npos);
    EXPECT_NE(pdf.find("DejaVuSans"), std::string::npos) << "the Cyrillic font is embedded";
}

TEST(BlankPdf, ServiceWithoutBlankIsRefused) {
    Service s;
    s.id = "no-blank";
    EXPECT_THROW(render_blank_pdf(s, nullptr, "ru", {}, "/usr/share/fonts/truetype/dejavu"), std::runtime_error);
}
