// static/: content types, ETag and If-None-Match, the gzipped copy, the
// fingerprinted URL that may be cached for a year, and that nothing outside
// the folder can be reached however the path is spelt.
#include <gtest/gtest.h>

#include "http/compress.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace uslugi::http;
namespace fs = std::filesystem;

namespace {

// tmp/static holds the assets; tmp/secret.txt sits next to it, outside.
class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (int i = 0; i < 40; ++i) css_ += ".card-" + std::to_string(i) + " { margin: 0 auto; padding: 1rem; }\n";
        write("static/css/site.css", css_);
        write("static/js/app.js", "document.documentElement.classList.add('js');\n");
        write("static/img/logo.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(600, 'x'));
        write("static/robots.txt", "User-agent: *\n");
        write("static/data.bin", "raw");
        write("secret.txt", "outside the static folder");
        statics_.load((root_ / "static").string());
        router_.get("/static/{path...}", [this](Request& req) { return statics_.serve(req, req.param("path")); });
    }
    void write(const std::string& relative, const std::string& bytes) { dir_.write(relative, bytes); }

    static Request request(const std::string& target, const std::string& if_none_match = "",
                           const std::string& accept_encoding = "") {
        RawRequest raw{bhttp::verb::get, target, 11};
        raw.set(bhttp::field::host, "localhost");
        if (!if_none_match.empty()) raw.set(bhttp::field::if_none_match, if_none_match);
        if (!accept_encoding.empty()) raw.set(bhttp::field::accept_encoding, accept_encoding);
        return Request(std::move(raw));
    }
    // The whole way a browser's request goes: the target is decoded into a
    // path, the router takes the tail after /static/, the files answer.
    Response get(const std::string& target, const std::string& if_none_match = "",
                 const std::string& accept_encoding = "") {
        Request req = request(target, if_none_match, accept_encoding);
        auto m = router_.match(req.method(), req.path(), &req.path_params);
        if (!m.route) return Response::text("no route", Status::not_found);
        return m.route->handler(req);
    }
    static std::string header(const Response& r, std::string_view name) {
        const std::string* v = r.find_header(name);
        return v ? *v : "";
    }

    uslugi::test_support::TempDir dir_{"uslugi-static-"};
    const fs::path& root_ = dir_.path();
    std::string css_;
    StaticFiles statics_;
    Router router_;
};

}  // namespace

TEST(ContentType, FollowsTheExtension) {
    EXPECT_EQ(content_type_for("css/site.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("js/app.js"), "application/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("img/favicon.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("img/logo.png"), "image/png");
    EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
    EXPECT_EQ(content_type_for("fonts/pt-sans.woff2"), "font/woff2");
    EXPECT_EQ(content_type_for("robots.txt"), "text/plain; charset=utf-8");
    EXPECT_EQ(content_type_for("manifest.webmanifest"), "application/manifest+json");
    EXPECT_EQ(content_type_for("receipt.pdf"), "application/pdf");
    EXPECT_EQ(content_type_for("data.bin"), "application/octet-stream");
    EXPECT_EQ(content_type_for("Makefile"), "application/octet-stream");
    EXPECT_EQ(content_type_for("site.css.map"), "application/octet-stream") << "the last extension counts";
}

TEST_F(StaticFilesTest, ServesAnAssetWithItsTypeAndAnETag) {
    EXPECT_EQ(statics_.size(), 5u) << "only what is inside the folder";
    const Response r = get("/static/js/app.js");
    EXPECT_EQ(r.status, Status::ok);
    EXPECT_EQ(r.content_type, "application/javascript; charset=utf-8");
    EXPECT_EQ(r.body, "document.documentElement.classList.add('js');\n");
    EXPECT_TRUE(std::regex_match(header(r, "ETag"), std::regex(R"("[0-9a-f]{16}")"))) << header(r, "ETag");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << "the plain URL must be revalidated";
    EXPECT_TRUE(r.cacheable);

    const Response png = get("/static/img/logo.png");
    EXPECT_EQ(png.content_type, "image/png");
    EXPECT_EQ(png.body.size(), 608u) << "binary bytes come through unchanged";
    EXPECT_NE(header(png, "ETag"), header(r, "ETag"));
}

TEST_F(StaticFilesTest, AMatchingIfNoneMatchIsAnswered304WithoutABody) {
    const std::string etag = header(get("/static/css/site.css"), "ETag");
    ASSERT_FALSE(etag.empty());
    for (const std::string& inm : {etag, std::string("*"), "\"0000000000000000\", " + etag, "W/" + etag}) {
        const Response r = get("/static/css/site.css", inm, "gzip");
        EXPECT_EQ(r.status, Status::not_modified) << inm;
        EXPECT_TRUE(r.body.empty()) << inm;
        EXPECT_EQ(header(r, "ETag"), etag) << inm;
        EXPECT_EQ(header(r, "Content-Encoding"), "") << inm;
    }
    const Response changed = get("/static/css/site.css", "\"0000000000000000\"");
    EXPECT_EQ(changed.status, Status::ok);
    EXPECT_EQ(changed.body, css_);
}

TEST_F(StaticFilesTest, SendsACompressedCopyOnlyToThoseWhoAcceptIt) {
    const Response plain = get("/static/css/site.css");
    EXPECT_EQ(plain.body, css_);
    EXPECT_EQ(header(plain, "Content-Encoding"), "");
    EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding") << "caches must keep the two copies apart";

    const Response brotli_copy = get("/static/css/site.css", "", "br, gzip");
    EXPECT_EQ(header(brotli_copy, "Content-Encoding"), "br");
    EXPECT_EQ(unbrotli(brotli_copy.body), css_);
    const Response zipped = get("/static/css/site.css", "", "gzip, br;q=0");
    EXPECT_EQ(header(zipped, "Content-Encoding"), "gzip");
    EXPECT_LT(zipped.body.size(), css_.size());
    EXPECT_EQ(gunzip(zipped.body), css_);
    EXPECT_EQ(header(zipped, "ETag"), header(plain, "ETag"));

    // Too small to be worth it, or not text: always as is, and no Vary.
    const Response js = get("/static/js/app.js", "", "gzip");
    EXPECT_EQ(header(js, "Content-Encoding"), "");
    EXPECT_EQ(header(js, "Vary"), "");
    const Response png = get("/static/img/logo.png", "", "gzip");
    EXPECT_EQ(header(png, "Content-Encoding"), "");
}

TEST_F(StaticFilesTest, TheFingerprintedUrlIsCachedForAYear) {
    const std::string& url = statics_.url("css/site.css");
    EXPECT_TRUE(std::regex_match(url, std::regex(R"(/static/css/site\.[0-9a-f]{10}\.css)"))) << url;
    const Response r = get(url);
    EXPECT_EQ(r.status, Status::ok);
    EXPECT_EQ(r.body, css_);
    EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
    EXPECT_EQ(header(r, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(statics_.url("robots.txt").rfind("/static/robots.", 0), 0u) << statics_.url("robots.txt");
    EXPECT_EQ(get(statics_.url("robots.txt")).body, "User-agent: *\n");
    EXPECT_THROW(statics_.url("css/none.css"), std::runtime_error);
}

TEST_F(StaticFilesTest, ANameWithSeveralDotsKeepsThemAroundTheFingerprint) {
    write("static/js/vendor.min.js", "var v = 1;\n");
    statics_.load((root_ / "static").string());
    const std::string& url = statics_.url("js/vendor.min.js");
    EXPECT_TRUE(std::regex_match(url, std::regex(R"(/static/js/vendor\.min\.[0-9a-f]{10}\.js)"))) << url;
    EXPECT_EQ(get(url).body, "var v = 1;\n");
    EXPECT_EQ(header(get(url), "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(StaticFilesTest, AStaleFingerprintIsNotFound) {
    // An old URL must not be served the new bytes under a year-long cache.
    EXPECT_EQ(get("/static/css/site.0123456789.css").status, Status::not_found);
    EXPECT_EQ(get("/static/css/site.x.css").status, Status::not_found);
    const std::string url = statics_.url("css/site.css");
    const std::string other_folder = "/static/js/" + url.substr(std::string("/static/css/").size());
    EXPECT_EQ(get(other_folder).status, Status::not_found) << other_folder;
}

TEST_F(StaticFilesTest, ChangedBytesGetANewFingerprintAndETag) {
    const std::string url = statics_.url("css/site.css");
    const std::string etag = header(get("/static/css/site.css"), "ETag");
    write("static/css/site.css", css_ + "/* one more rule */\n");
    statics_.load((root_ / "static").string());
    EXPECT_NE(statics_.url("css/site.css"), url);
    EXPECT_NE(header(get("/static/css/site.css"), "ETag"), etag);
    EXPECT_EQ(get(url).status, Status::not_found);
}

TEST_F(StaticFilesTest, MissingFilesAndFoldersAreNotFound) {
    EXPECT_EQ(get("/static/css/none.css").status, Status::not_found);
    EXPECT_EQ(get("/static/css").status, Status::not_found) << "a folder is not an asset";
    EXPECT_EQ(get("/static/css/").status, Status::not_found);
    EXPECT_EQ(get("/static/CSS/site.css").status, Status::not_found);
}

TEST_F(StaticFilesTest, NothingOutsideTheFolderCanBeReached) {
    for (const std::string& target : std::vector<std::string>{"/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/%2E%2E%2Fsecret.txt", "/static/css/../../secret.txt",
          "/static/css/%2e%2e/%2e%2e/secret.txt", "/static/..%5Csecret.txt", "/static//etc/passwd",
          "/static/%2Fetc%2Fpasswd", "/static/" + (root_ / "secret.txt").string(), "/static/./robots.txt/../../secret.txt"}) {
        const Response r = get(target);
        EXPECT_EQ(r.status, Status::not_found) << target;
        EXPECT_EQ(r.body.find("outside"), std::string::npos) << target;
    }
    // The same straight to serve(), past the router.
    const Request req = request("/");
    for (const std::string& path : std::vector<std::string>{"../secret.txt", "/etc/passwd", (root_ / "secret.txt").string(), "css/../../secret.txt",
                                   "./robots.txt", "css/../robots.txt"})
        EXPECT_EQ(statics_.serve(req, path).status, Status::not_found) << path;
}

TEST(StaticFiles, AMissingFolderFailsTheLoad) {
    StaticFiles statics;
    EXPECT_THROW(statics.load(uslugi::test_support::source_dir() + "/no-such-static"), std::runtime_error);
}

TEST(StaticFiles, LoadsTheProjectsStaticFolder) {
    StaticFiles statics;
    statics.load(uslugi::test_support::source_dir() + "/static");
    EXPECT_GT(statics.size(), 3u);
    // The layout links these by their fingerprinted URLs.
    EXPECT_TRUE(std::regex_match(statics.url("css/site.css"), std::regex(R"(/static/css/site\.[0-9a-f]{10}\.css)")));
    EXPECT_TRUE(std::regex_match(statics.url("js/app.js"), std::regex(R"(/static/js/app\.[0-9a-f]{10}\.js)")));
    RawRequest raw{bhttp::verb::get, "/favicon.ico", 11};
    const Request req(std::move(raw));
    EXPECT_EQ(statics.serve(req, "img/favicon.svg").content_type, "image/svg+xml");
}
