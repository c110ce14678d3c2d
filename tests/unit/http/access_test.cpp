// http/access.hpp and its enforcement by the pipeline (App): a route declares
// who may call it, and nobody else reaches its handler.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/i18n.hpp"
#include "db/database.hpp"
#include "http/app.hpp"
#include "http/csrf.hpp"
#include "http/session_store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

namespace {

http::AccountBrief account(int rank, std::vector<std::string> roles = {}) {
    http::AccountBrief a;
    a.id = 7;
    a.level_rank = rank;
    a.roles = std::move(roles);
    return a;
}

http::Access standard_level() {
    http::Access a = http::signed_in();
    a.min_level_rank = 2;
    a.level = "standard";
    return a;
}

}  // namespace

TEST(Access, AnyoneNeedsNoAccount) {
    EXPECT_EQ(http::check_access(http::anyone(), nullptr), http::Denial::none);
    const auto a = account(1);
    EXPECT_EQ(http::check_access(http::anyone(), &a), http::Denial::none);
}

TEST(Access, SignedInNeedsAnAccount) {
    EXPECT_EQ(http::check_access(http::signed_in(), nullptr), http::Denial::sign_in);
    const auto a = account(1);
    EXPECT_EQ(http::check_access(http::signed_in(), &a), http::Denial::none);
}

TEST(Access, ALevelIsAMinimum) {
    EXPECT_EQ(http::check_access(standard_level(), nullptr), http::Denial::sign_in);
    const auto simplified = account(1), standard = account(2), confirmed = account(3);
    EXPECT_EQ(http::check_access(standard_level(), &simplified), http::Denial::level);
    EXPECT_EQ(http::check_access(standard_level(), &standard), http::Denial::none);
    EXPECT_EQ(http::check_access(standard_level(), &confirmed), http::Denial::none);
}

TEST(Access, ARoleMustBeHeld) {
    const auto citizen = account(3), officer = account(3, {"officer"}), op = account(2, {"officer", "operator"});
    EXPECT_EQ(http::check_access(http::with_role("operator"), nullptr), http::Denial::sign_in);
    EXPECT_EQ(http::check_access(http::with_role("operator"), &citizen), http::Denial::role);
    EXPECT_EQ(http::check_access(http::with_role("operator"), &officer), http::Denial::role);
    EXPECT_EQ(http::check_access(http::with_role("operator"), &op), http::Denial::none);
}

namespace {

// The whole pipeline on a real session store, templates and locales: what a
// visitor gets from routes declared for someone else.
class AccessPipelineTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        const std::string root = test_support::source_dir();
        locales_.load(root + "/locales");
        templates_.load(root + "/templates", locales_);
        statics_.load(root + "/static");
        sessions_ = std::make_unique<http::SessionStore>(db());
        renderer_ = std::make_unique<http::Renderer>(templates_, locales_, statics_);
        app_ = std::make_unique<http::App>(config_, router_, *renderer_, *sessions_, metrics_);
        app_->set_csrf_cookies(csrf_cookies_);
        app_->set_account_loader([this](std::int64_t id) {
            auto a = std::make_shared<http::AccountBrief>(brief_);
            a->id = id;
            return a;
        });
        auto counted = [this](http::Request&) {
            ++handled_;
            return http::Response::text("ok");
        };
        router_.get("/open", counted);
        router_.get("/mine", counted, http::for_signed_in());
        router_.post("/mine", counted, http::for_signed_in());
        router_.get("/standard", counted, http::RouteOptions{.access = standard_level()});
        router_.get("/desk", counted, http::RouteOptions{.access = http::with_role("operator")});
    }

    // A signed-in session of account 7; returns its cookie value.
    std::string sign_in() {
        http::SessionData s;
        sessions_->create(s, "en");
        token_ = sessions_->sign_in(s, 7, false, "203.0.113.5", "Firefox · Linux");
        csrf_ = s.csrf_token;
        return token_;
    }

    http::Response send(http::bhttp::verb method, const std::string& target, bool json = false) {
        http::RawRequest raw{method, target, 11};
        raw.set(http::bhttp::field::host, "127.0.0.1:8080");
        raw.set(http::bhttp::field::accept_language, "en");
        if (json) raw.set(http::bhttp::field::accept, "application/json");
        if (!token_.empty()) raw.set(http::bhttp::field::cookie, "sid=" + token_);
        else if (!anonymous_cookie_.empty()) raw.set(http::bhttp::field::cookie, "csrf=" + anonymous_cookie_);
        if (method == http::bhttp::verb::post) {
            raw.set(http::bhttp::field::content_type, "application/x-www-form-urlencoded");
            raw.body() = "_csrf=" + csrf_;
            raw.prepare_payload();
        }
        return app_->handle(std::move(raw), http::Peer{"203.0.113.5"});
    }

    static std::string location(const http::Response& r) {
        const std::string* l = r.find_header("Location");
        return l ? *l : "";
    }

    core::Config config_;
    core::Locales locales_;
    http::Templates templates_;
    http::StaticFiles statics_;
    http::Router router_;
    http::Metrics metrics_;
    std::unique_ptr<http::SessionStore> sessions_;
    std::unique_ptr<http::Renderer> renderer_;
    std::unique_ptr<http::App> app_;
    http::AccountBrief brief_ = account(1);
    std::string token_, csrf_, anonymous_cookie_;
    http::CsrfCookies csrf_cookies_{std::string(32, 'k')};
    int handled_ = 0;
};

}  // namespace

TEST_P(AccessPipelineTest, AVisitorIsSentToSignInAndBack) {
    const auto page = send(http::bhttp::verb::get, "/mine?tab=2");
    EXPECT_EQ(page.status, http::Status::see_other);
    EXPECT_EQ(location(page), "/signin?next=%2Fmine%3Ftab%3D2");

    const auto api = send(http::bhttp::verb::get, "/mine", true);
    EXPECT_EQ(api.status, http::Status::unauthorized);
    EXPECT_NE(api.body.find("\"identity.signin_required\""), std::string::npos) << api.body;
    EXPECT_NE(api.body.find("Sign in to continue."), std::string::npos) << "the message is in the visitor's language";

    EXPECT_EQ(send(http::bhttp::verb::get, "/open").status, http::Status::ok);
    EXPECT_EQ(handled_, 1) << "only the open route's handler ran";
}

TEST_P(AccessPipelineTest, ASignedInAccountReachesItsPages) {
    sign_in();
    EXPECT_EQ(send(http::bhttp::verb::get, "/mine").status, http::Status::ok);
    EXPECT_EQ(send(http::bhttp::verb::post, "/mine").status, http::Status::ok);
    EXPECT_EQ(handled_, 2);
}

TEST_P(AccessPipelineTest, AnAnonymousPostIsTurnedAwayWithoutStoringASession) {
    // A valid anonymous form (signed CSRF cookie): the visitor would otherwise
    // be given a session row before the handler runs.
    const auto issued = csrf_cookies_.issue();
    anonymous_cookie_ = issued.cookie;
    csrf_ = issued.token;
    const auto r = send(http::bhttp::verb::post, "/mine");
    EXPECT_EQ(r.status, http::Status::see_other);
    EXPECT_EQ(location(r), "/signin?next=%2Fmine");
    EXPECT_EQ(handled_, 0);
    long long rows = -1;
    db::Connection c(db());
    *c << "SELECT COUNT(*) FROM http_sessions", soci::into(rows);
    EXPECT_EQ(rows, 0);
}

TEST_P(AccessPipelineTest, ALowLevelIsSentToTheLevelPage) {
    sign_in();
    const auto page = send(http::bhttp::verb::get, "/standard");
    EXPECT_EQ(page.status, http::Status::see_other);
    EXPECT_EQ(location(page), "/access?need=standard&next=%2Fstandard");
    const auto api = send(http::bhttp::verb::get, "/standard", true);
    EXPECT_EQ(api.status, http::Status::forbidden);
    EXPECT_NE(api.body.find("\"identity.level_required\""), std::string::npos) << api.body;
    EXPECT_EQ(handled_, 0);

    brief_.level_rank = 2;
    EXPECT_EQ(send(http::bhttp::verb::get, "/standard").status, http::Status::ok);
    EXPECT_EQ(handled_, 1);
}

TEST_P(AccessPipelineTest, AnotherRolesPageDoesNotExistForTheAccount) {
    sign_in();
    brief_.level_rank = 3;
    EXPECT_EQ(send(http::bhttp::verb::get, "/desk").status, http::Status::not_found);
    EXPECT_EQ(send(http::bhttp::verb::get, "/desk", true).status, http::Status::not_found);
    EXPECT_EQ(handled_, 0);

    brief_.roles = {"operator"};
    EXPECT_EQ(send(http::bhttp::verb::get, "/desk").status, http::Status::ok);
    EXPECT_EQ(handled_, 1);
}

USLUGI_STORE_TEST_SUITE(AccessPipelineTest);
