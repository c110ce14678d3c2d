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

TEST(Brotli, RoundTripsAndBeatsGzipOnText) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "<li>Госуслуги — услуга номер " + std::to_string(i) + "</li>\n";
    const std::string b = brotli(text);
    EXPECT_LT(b.size(), gzip(text).size());
    EXPECT_EQ(unbrotli(b), text);
    EXPECT_THROW(unbrotli("not brotli at all"), std::runtime_error);
}

TEST(ChooseEncoding, FollowsQValues) {
    EXPECT_EQ(choose_encoding("", true), Encoding::identity);
    EXPECT_EQ(choose_encoding("gzip, deflate, br", true), Encoding::br);
    EXPECT_EQ(choose_encoding("gzip, deflate, br", false), Encoding::gzip);
    EXPECT_EQ(choose_encoding("br;q=0.5, gzip", true), Encoding::gzip);
    EXPECT_EQ(choose_encoding("gzip;q=0", true), Encoding::identity);
    EXPECT_EQ(choose_encoding("gzip;q=0, br;q=0", true), Encoding::identity);
    EXPECT_EQ(choose_encoding("*", false), Encoding::gzip);
    EXPECT_EQ(choose_encoding("*;q=0.1, gzip;q=0", true), Encoding::br);
    EXPECT_EQ(choose_encoding("GZIP", false), Encoding::gzip);
    EXPECT_EQ(choose_encoding("identity", true), Encoding::identity);
    EXPECT_EQ(choose_encoding("gzip;q=abc", true), Encoding::identity);  // malformed: refused, not guessed
    EXPECT_EQ(choose_encoding("gzip; q=0.8 , br ; q=0.9", true), Encoding::br);
}

TEST(Precompressed, AnswersInTheAcceptedCoding) {
    std::string page;
    for (int i = 0; i < 100; ++i) page += "<p>Замена паспорта гражданина РФ в 20 и 45 лет</p>\n";
    const Precompressed p = Precompressed::make(page, "W/\"abc\"", true, 9, 5);
    ASSERT_TRUE(p.varies());
    Response br, gz, plain;
    p.answer("gzip, br", br);
    p.answer("gzip", gz);
    p.answer("", plain);
    EXPECT_EQ(*br.find_header("Content-Encoding"), "br");
    EXPECT_EQ(unbrotli(br.body), page);
    EXPECT_EQ(*gz.find_header("Content-Encoding"), "gzip");
    EXPECT_EQ(gunzip(gz.body), page);
    EXPECT_EQ(plain.find_header("Content-Encoding"), nullptr);
    EXPECT_EQ(plain.body, page);
    // Small bodies and images stay as they are.
    EXPECT_FALSE(Precompressed::make("<p>short</p>", "\"x\"", true).varies());
    EXPECT_FALSE(Precompressed::make(page, "\"x\"", false).varies());
}

TEST(EtagMatches, WeakComparisonOverAList) {
    EXPECT_TRUE(etag_matches("W/\"abc\"", "W/\"abc\""));
    EXPECT_TRUE(etag_matches("\"abc\"", "W/\"abc\""));
    EXPECT_TRUE(etag_matches("\"x\", W/\"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches(" * ", "\"abc\""));
    EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
    EXPECT_FALSE(etag_matches("", "\"abc\""));
    EXPECT_FALSE(etag_matches("W/", "\"abc\""));
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
