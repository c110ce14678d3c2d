#include <gtest/gtest.h>

#include "http/compress.hpp"
#include "http/render.hpp"

using namespace uslugi::http;

TEST(Gzip, RoundTripsAndShrinksText) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "<li>Госуслуги — услуга номер " + std::to_string(i) + "</li>\n";
    const std::string z = gzip(text);
    EXPECT_LT(z.size(), text.size() / 3);
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
    EXPECT_EQ(gunzip(z), text);
    EXPECT_THROW(gunzip("not gzip"), std::runtime_error);
}

TEST(Gzip, KnowsWhatIsText) {
    EXPECT_TRUE(is_compressible("text/html; charset=utf-8"));
    EXPECT_TRUE(is_compressible("application/json"));
    EXPECT_FALSE(is_compressible("image/png"));
}

TEST(SafeNext, OnlyLocalPaths) {
    EXPECT_EQ(safe_next("/services/1?x=2"), "/services/1?x=2");
    EXPECT_EQ(safe_next("//evil.example/"), "/");
    EXPECT_EQ(safe_next("/\\evil.example"), "/");
    EXPECT_EQ(safe_next("https://evil.example/"), "/");
    EXPECT_EQ(safe_next(""), "/");
    EXPECT_EQ(safe_next("/a\r\nSet-Cookie: x"), "/");
}

TEST(LocalizeTemplate, ReplacesLocaleTagsWithEscapedText) {
    uslugi::core::Locales locales;
    locales.load(std::string(USLUGI_SOURCE_DIR) + "/locales");
    const std::string out = localize_template("<h1>{{t.home.heading}}</h1>{{name}}{{{content}}}{{t.no.such}}",
                                              locales.get("en"));
    EXPECT_EQ(out, "<h1>Government services online</h1>{{name}}{{{content}}}no.such");
}

TEST(CollapseWhitespace, FoldsLineBreaksAndIndentation) {
    EXPECT_EQ(collapse_whitespace("<ul>\n  <li>a</li>\n  <li>b\n    c</li>\n</ul>\n"), "<ul> <li>a</li> <li>b c</li> </ul>");
    // Inline elements on separate lines stay apart, as the browser would show them.
    EXPECT_EQ(collapse_whitespace("<a>x</a>\n  <span>y</span>"), "<a>x</a> <span>y</span>");
    EXPECT_EQ(collapse_whitespace("text\n  more"), "text more");
}

TEST(EscapeHtml, MatchesKainjowsEscaping) {
    for (const std::string s : {"", "plain текст", "<script>alert('x')</script> & \"q\"", "&&&", "a<b", ">"})
        EXPECT_EQ(escape_html(s), kainjow::mustache::html_escape<std::string>(s)) << s;
}
