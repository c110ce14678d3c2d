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
