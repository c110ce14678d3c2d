#include <gtest/gtest.h>

#include "http/router.hpp"

using namespace uslugi::http;

namespace {
Handler named(std::string name) {
    return [name](Request&) { return Response::text(name); };
}
}  // namespace

TEST(Router, MatchesLiteralsParamsAndTails) {
    Router r;
    r.get("/", named("home"));
    r.get("/services/{id}", named("service"));
    r.get("/services/{id}/apply", named("apply"));
    r.get("/static/{path...}", named("static"));
    std::map<std::string, std::string, std::less<>> params;

    auto m = r.match(bhttp::verb::get, "/", &params);
    ASSERT_TRUE(m.route);
    EXPECT_EQ(m.route->pattern, "/");

    m = r.match(bhttp::verb::get, "/services/passport", &params);
    ASSERT_TRUE(m.route);
    EXPECT_EQ(m.route->pattern, "/services/{id}");
    EXPECT_EQ(params.at("id"), "passport");

    params.clear();
    m = r.match(bhttp::verb::get, "/services/passport/apply/", &params);
    ASSERT_TRUE(m.route);
    EXPECT_EQ(m.route->pattern, "/services/{id}/apply");

    params.clear();
    m = r.match(bhttp::verb::get, "/static/css/site.abc.css", &params);
    ASSERT_TRUE(m.route);
    EXPECT_EQ(params.at("path"), "css/site.abc.css");
}

TEST(Router, DistinguishesNotFoundFromWrongMethod) {
    Router r;
    r.get("/settings", named("get"));
    r.post("/settings", named("post"));
    auto m = r.match(bhttp::verb::delete_, "/settings", nullptr);
    EXPECT_FALSE(m.route);
    EXPECT_TRUE(m.path_matched);
    EXPECT_EQ(m.allowed.size(), 2u);

    m = r.match(bhttp::verb::get, "/nothing", nullptr);
    EXPECT_FALSE(m.route);
    EXPECT_FALSE(m.path_matched);

    m = r.match(bhttp::verb::get, "/services//", nullptr);
    EXPECT_FALSE(m.route);
}

TEST(Router, HeadIsServedByGet) {
    Router r;
    r.get("/x", named("x"));
    EXPECT_TRUE(r.match(bhttp::verb::head, "/x", nullptr).route);
}

TEST(Router, EmptyParamDoesNotMatch) {
    Router r;
    r.get("/services/{id}", named("service"));
    EXPECT_FALSE(r.match(bhttp::verb::get, "/services/", nullptr).route);
}
