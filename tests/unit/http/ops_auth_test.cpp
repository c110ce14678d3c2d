#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "http/ops_auth.hpp"

using namespace uslugi;
using namespace uslugi::http;

namespace {
Request with_auth(const std::string& authorization) {
    RawRequest raw{bhttp::verb::get, "/ops/jobs", 11};
    raw.set(bhttp::field::host, "localhost");
    if (!authorization.empty()) raw.set(bhttp::field::authorization, authorization);
    return Request(std::move(raw));
}
const std::string kToken = "s3cret-operator-token-0123";
}  // namespace

TEST(Base64, DecodesStandardBase64AndRejectsGarbage) {
    EXPECT_EQ(core::base64_decode("b3A6czNjcmV0").value(), "op:s3cret");
    EXPECT_EQ(core::base64_decode("").value(), "");
    EXPECT_EQ(core::base64_decode("0L/QsNGA0L7Qu9GM").value(), "пароль");
    EXPECT_FALSE(core::base64_decode("not base64!"));
    EXPECT_FALSE(core::base64_decode("b3A6czNjcmV0 trailing"));
}

TEST(OpsGuard, AcceptsTheTokenAsBasicPasswordOrBearer) {
    const OpsGuard guard(kToken);
    ASSERT_TRUE(guard.enabled());
    const std::string basic = "Basic " + std::string("b3BlcmF0b3I6") +  // "operator:"
                              "czNjcmV0LW9wZXJhdG9yLXRva2VuLTAxMjM=";  // the token
    EXPECT_TRUE(guard.allows(with_auth(basic)));
    EXPECT_TRUE(guard.allows(with_auth("basic b3BlcmF0b3I6czNjcmV0LW9wZXJhdG9yLXRva2VuLTAxMjM=")))
        << "the scheme is case-insensitive";
    EXPECT_TRUE(guard.allows(with_auth("Bearer " + kToken)));
}

TEST(OpsGuard, RefusesEverythingElse) {
    const OpsGuard guard(kToken);
    EXPECT_FALSE(guard.allows(with_auth("")));
    EXPECT_FALSE(guard.allows(with_auth("Bearer " + kToken + "x")));
    EXPECT_FALSE(guard.allows(with_auth("Bearer")));
    EXPECT_FALSE(guard.allows(with_auth("Basic b3BlcmF0b3I6d3Jvbmc=")));  // operator:wrong
    EXPECT_FALSE(guard.allows(with_auth("Basic !!!")));
    EXPECT_FALSE(guard.allows(with_auth("Basic czNjcmV0LW9wZXJhdG9yLXRva2VuLTAxMjM=")))
        << "the token without the user-name colon is not Basic credentials";
    EXPECT_FALSE(guard.allows(with_auth("Token " + kToken)));
}

TEST(OpsGuard, DisabledWithoutATokenAndRefusesShortOnes) {
    const OpsGuard off("");
    EXPECT_FALSE(off.enabled());
    EXPECT_FALSE(off.allows(with_auth("Bearer ")));
    EXPECT_THROW(OpsGuard("short"), std::invalid_argument);
}

