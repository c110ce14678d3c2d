// http/csrf.hpp: the signed CSRF cookie of visitors without a session.
#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "http/csrf.hpp"

using namespace uslugi;

namespace {
const std::string kKey(32, 'k');
const std::string kOtherKey(32, 'o');
}  // namespace

TEST(CsrfCookies, ATokenMatchesTheCookieItWasIssuedWith) {
    const http::CsrfCookies csrf(kKey);
    const auto issued = csrf.issue();
    EXPECT_EQ(csrf.token_for(issued.cookie), issued.token);
    EXPECT_EQ(issued.cookie.find(issued.token), std::string::npos) << "the page must not reveal the HttpOnly cookie";
    // Another instance with the same data key accepts it.
    EXPECT_EQ(http::CsrfCookies(kKey).token_for(issued.cookie), issued.token);
}

TEST(CsrfCookies, ATokenFromAnotherBrowserDoesNotMatch) {
    const http::CsrfCookies csrf(kKey);
    const auto mine = csrf.issue(), theirs = csrf.issue();
    EXPECT_NE(mine.cookie, theirs.cookie);
    EXPECT_NE(csrf.token_for(mine.cookie), theirs.token);
}

TEST(CsrfCookies, ForgedCookiesHaveNoToken) {
    const http::CsrfCookies csrf(kKey);
    const auto issued = csrf.issue();
    const auto dot = issued.cookie.find('.');
    ASSERT_NE(dot, std::string::npos);
    const std::string value = issued.cookie.substr(0, dot);

    EXPECT_EQ(http::CsrfCookies(kOtherKey).token_for(issued.cookie), "") << "signed under another key";
    EXPECT_EQ(csrf.token_for(value), "") << "no signature";
    EXPECT_EQ(csrf.token_for(value + "." + std::string(64, '0')), "") << "a made-up signature";
    std::string altered = issued.cookie;
    altered[0] = altered[0] == 'A' ? 'B' : 'A';
    EXPECT_EQ(csrf.token_for(altered), "") << "another value under the old signature";
    EXPECT_EQ(csrf.token_for(core::random_token(32) + "." + issued.cookie.substr(dot + 1)), "");
    EXPECT_EQ(csrf.token_for(""), "");
    EXPECT_EQ(csrf.token_for("."), "");
    EXPECT_EQ(csrf.token_for(issued.token), "") << "the token is not a cookie";
}
