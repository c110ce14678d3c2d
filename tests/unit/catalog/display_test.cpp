// How the catalog shows contact details: websites decoded from punycode for
// reading, phones as numbers a phone can dial.
#include "catalog/route_kit.hpp"

#include <gtest/gtest.h>

namespace uslugi::catalog {
namespace {

TEST(ReadableWebsite, DecodesPunycodeAndDropsTheScheme) {
    EXPECT_EQ(readable_website("https://xn--b1aew.xn--p1ai"), "мвд.рф");
    EXPECT_EQ(readable_website("https://xn--b1aew.xn--p1ai/"), "мвд.рф");
    EXPECT_EQ(readable_website("https://xn--b1aew.xn--p1ai/mvd/structure1"), "мвд.рф/mvd/structure1");
    EXPECT_EQ(readable_website("http://kremlin.ru"), "kremlin.ru");
    EXPECT_EQ(readable_website("https://mchs.gov.ru/?a=1"), "mchs.gov.ru/?a=1");
}

TEST(ReadableWebsite, KeepsWhatItCannotDecode) {
    EXPECT_EQ(readable_website("https://xn--zz.example"), "xn--zz.example");
    EXPECT_EQ(readable_website(""), "");
}

TEST(PhoneLinks, DialsDigitsAndALeadingPlus) {
    const http::Data list = phone_links({"8 800 100-70-10", "+7 (342) 217-80-00", "доб."});
    const auto& items = list.list_value();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].get("href")->string_value(), "tel:88001007010");
    EXPECT_EQ(items[0].get("text")->string_value(), "8 800 100-70-10");
    EXPECT_EQ(items[1].get("href")->string_value(), "tel:+73422178000");
    EXPECT_EQ(items[2].get("href"), nullptr);  // nothing to dial: plain text
}

}  // namespace
}  // namespace uslugi::catalog
