#include <gtest/gtest.h>

#include <stdexcept>

#include "http/host_policy.hpp"

using uslugi::http::default_public_url;
using uslugi::http::HostPolicy;

TEST(HostPolicy, ATrialOnLoopbackAnswersToItsAddressAndLocalhost) {
    const HostPolicy p(default_public_url("127.0.0.1", 8080), {}, "127.0.0.1", 8080);
    EXPECT_EQ(p.base_url(), "http://127.0.0.1:8080");
    EXPECT_TRUE(p.allows("127.0.0.1:8080"));
    EXPECT_TRUE(p.allows("localhost:8080"));
    EXPECT_TRUE(p.allows("LocalHost:8080"));
    EXPECT_TRUE(p.allows("[::1]:8080"));
    EXPECT_FALSE(p.allows("127.0.0.1:8081"));
    EXPECT_FALSE(p.allows("evil.example"));
    EXPECT_FALSE(p.allows("evil.example:8080"));
    EXPECT_FALSE(p.allows("127.0.0.1:8080.evil.example"));
    EXPECT_FALSE(p.allows(""));
    EXPECT_FALSE(p.allows("127.0.0.1:8080/x"));
    EXPECT_FALSE(p.allows("127.0.0.1:8080 "));
}

TEST(HostPolicy, ProductionAnswersToThePublicHostWithOrWithoutItsDefaultPort) {
    const HostPolicy p("https://Uslugi.Example/", {"www.uslugi.example", "10.0.0.5:8080"}, "0.0.0.0", 8080);
    EXPECT_EQ(p.base_url(), "https://uslugi.example");
    EXPECT_TRUE(p.allows("uslugi.example"));
    EXPECT_TRUE(p.allows("uslugi.example:443"));
    EXPECT_TRUE(p.allows("USLUGI.EXAMPLE"));
    EXPECT_TRUE(p.allows("www.uslugi.example"));
    EXPECT_TRUE(p.allows("10.0.0.5:8080"));
    EXPECT_FALSE(p.allows("uslugi.example:8443"));
    EXPECT_FALSE(p.allows("localhost:8080")) << "not a trial: loopback names are not added";
    EXPECT_FALSE(p.allows("uslugi.example.evil.example"));
}

TEST(HostPolicy, APublicListenerNeedsAConfiguredPublicUrl) {
    EXPECT_EQ(default_public_url("0.0.0.0", 8080), "");
    EXPECT_EQ(default_public_url("192.0.2.10", 8080), "");
    EXPECT_EQ(default_public_url("::1", 8080), "http://[::1]:8080");
}

TEST(HostPolicy, MalformedPublicUrlsAreRefused) {
    for (const char* url : {"", "uslugi.example", "ftp://uslugi.example", "https://", "https://uslugi.example/path",
                            "https://uslu gi.example", "https://a@b.example"})
        EXPECT_THROW(HostPolicy(url, {}, "127.0.0.1", 8080), std::invalid_argument) << url;
    EXPECT_THROW(HostPolicy("https://uslugi.example", {"bad host"}, "127.0.0.1", 8080), std::invalid_argument);
}

TEST(HostPolicy, WithoutConfigurationEveryHostPasses) {
    const HostPolicy p;
    EXPECT_TRUE(p.allows("anything.example"));
}
