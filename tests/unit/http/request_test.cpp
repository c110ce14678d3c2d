#include <gtest/gtest.h>

#include "http/request.hpp"

using namespace uslugi::http;

namespace {
Request make(bhttp::verb v, std::string target, std::string body = "", std::string content_type = "") {
    RawRequest raw{v, target, 11};
    raw.set(bhttp::field::host, "localhost");
    if (!content_type.empty()) raw.set(bhttp::field::content_type, content_type);
    raw.body() = std::move(body);
    raw.prepare_payload();
    return Request(std::move(raw));
}
}  // namespace

TEST(UrlDecode, DecodesPercentAndPlus) {
    EXPECT_EQ(url_decode("a%20b+c", true), "a b c");
    EXPECT_EQ(url_decode("a+b", false), "a+b");
    EXPECT_EQ(url_decode("%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82", true), "паспорт");
}

TEST(UrlDecode, RejectsMalformedEscapesAndNul) {
    EXPECT_THROW(url_decode("%", true), BadRequest);
    EXPECT_THROW(url_decode("%4", true), BadRequest);
    EXPECT_THROW(url_decode("%zz", true), BadRequest);
    EXPECT_THROW(url_decode("a%00b", true), BadRequest);
}

TEST(UrlEncode, RoundTrips) {
    const std::string s = "/search?q=паспорт & штрафы";
    EXPECT_EQ(url_decode(url_encode(s), false), s);
    EXPECT_EQ(url_encode("/a b?c=d&e"), "%2Fa%20b%3Fc%3Dd%26e");
}

TEST(Params, KeepsOrderAndRepeats) {
    Params p = parse_urlencoded("a=1&b=2&a=3&flag&=x&&c=%D1%8F");
    EXPECT_EQ(p.get_or("a", ""), "1");
    ASSERT_EQ(p.all("a").size(), 2u);
    EXPECT_EQ(p.all("a")[1], "3");
    EXPECT_TRUE(p.has("flag"));
    EXPECT_EQ(p.get_or("c", ""), "я");
    EXPECT_FALSE(p.has("missing"));
}

TEST(Cookies, ParsesHeaderFirstWins) {
    auto c = parse_cookie_header("sid=abc; theme=\"dark\"; sid=other; broken; =x");
    EXPECT_EQ(c.at("sid"), "abc");
    EXPECT_EQ(c.at("theme"), "dark");
    EXPECT_EQ(c.size(), 2u);
}

TEST(Request, SplitsPathAndQuery) {
    Request r = make(bhttp::verb::get, "/services/%D0%B0?q=1&x=%20");
    EXPECT_EQ(r.path(), "/services/а");
    EXPECT_EQ(r.query().get_or("q", ""), "1");
    EXPECT_EQ(r.query().get_or("x", ""), " ");
}

TEST(Request, RejectsTargetsThatAreNotPaths) {
    RawRequest raw{bhttp::verb::get, "http://example.org/", 11};
    EXPECT_THROW(Request{std::move(raw)}, BadRequest);
}

TEST(Request, ParsesUrlEncodedForm) {
    Request r = make(bhttp::verb::post, "/settings", "lang=en&vi=on&_csrf=t%2Bk",
                     "application/x-www-form-urlencoded; charset=UTF-8");
    EXPECT_EQ(r.form().get_or("lang", ""), "en");
    EXPECT_EQ(r.form().get_or("_csrf", ""), "t+k");
    EXPECT_TRUE(r.files().empty());
}

TEST(Request, ParsesMultipartFieldsAndFiles) {
    const std::string body =
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
        "Заявление\r\n"
        "--XyZ\r\n"
        "Content-Disposition: form-data; name=\"scan\"; filename=\"passport.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4 binary\x01\x02\r\n"
        "--XyZ--\r\n";
    Request r = make(bhttp::verb::post, "/upload", body, "multipart/form-data; boundary=XyZ");
    EXPECT_EQ(r.form().get_or("title", ""), "Заявление");
    ASSERT_EQ(r.files().size(), 1u);
    EXPECT_EQ(r.files()[0].field, "scan");
    EXPECT_EQ(r.files()[0].filename, "passport.pdf");
    EXPECT_EQ(r.files()[0].content_type, "application/pdf");
    EXPECT_EQ(r.files()[0].data, "%PDF-1.4 binary\x01\x02");
}

TEST(Request, MalformedMultipartIsABadRequest) {
    Request r = make(bhttp::verb::post, "/upload", "garbage without boundary", "multipart/form-data; boundary=XyZ");
    EXPECT_THROW(r.form(), BadRequest);
    Request r2 = make(bhttp::verb::post, "/upload", "x", "multipart/form-data");
    EXPECT_THROW(r2.form(), BadRequest);
}

// Found by fuzz/http_request: a NUL inside a quoted name passed, although
// url-encoded forms refuse NUL in every name and value.
TEST(Request, MultipartNamesWithNulAreABadRequest) {
    using namespace std::string_literals;  // literals with a NUL inside
    const std::string nul_in_name = "--XyZ\r\nContent-Disposition: form-data; name=\"tit\0le\"\r\n\r\nx\r\n--XyZ--\r\n"s;
    Request r = make(bhttp::verb::post, "/upload", nul_in_name, "multipart/form-data; boundary=XyZ");
    EXPECT_THROW(r.form(), BadRequest);
    const std::string nul_in_filename =
        "--XyZ\r\nContent-Disposition: form-data; name=\"scan\"; filename=\"a\0.pdf\"\r\n\r\nx\r\n--XyZ--\r\n"s;
    Request r2 = make(bhttp::verb::post, "/upload", nul_in_filename, "multipart/form-data; boundary=XyZ");
    EXPECT_THROW(r2.files(), BadRequest);
}

TEST(Request, JsonWantedForApiPathsAndAcceptHeader) {
    EXPECT_TRUE(make(bhttp::verb::get, "/api/v1/x").wants_json());
    EXPECT_FALSE(make(bhttp::verb::get, "/x").wants_json());
}
