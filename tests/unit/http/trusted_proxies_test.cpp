#include <gtest/gtest.h>

#include "http/trusted_proxies.hpp"

#include <stdexcept>

using namespace uslugi::http;

namespace {
boost::asio::ip::address addr(const char* text) { return boost::asio::ip::make_address(text); }
}  // namespace

TEST(ParseIp, AcceptsOnlyAddressesAndNormalisesMappedIpv4) {
    EXPECT_EQ(parse_ip("203.0.113.7")->to_string(), "203.0.113.7");
    EXPECT_EQ(parse_ip(" 2001:db8::1 ")->to_string(), "2001:db8::1");
    EXPECT_EQ(parse_ip("::ffff:198.51.100.4")->to_string(), "198.51.100.4");
    EXPECT_TRUE(parse_ip("::ffff:198.51.100.4")->is_v4());
    for (const char* bad : {"", "  ", "unknown", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:80", "[::1]",
                            "fe80::1%eth0", "<script>", "1.2.3.4 5.6.7.8", "evil\r\nX: y"})
        EXPECT_FALSE(parse_ip(bad)) << bad;
}

TEST(Cidr, MatchesItsBlockOnly) {
    const Cidr v4 = Cidr::parse("10.1.0.0/16");
    EXPECT_TRUE(v4.contains(addr("10.1.0.0")));
    EXPECT_TRUE(v4.contains(addr("10.1.255.254")));
    EXPECT_FALSE(v4.contains(addr("10.2.0.1")));
    EXPECT_FALSE(v4.contains(addr("::1")));
    EXPECT_TRUE(v4.contains(addr("::ffff:10.1.2.3"))) << "a dual-stack socket reports IPv4 peers as mapped";

    const Cidr odd = Cidr::parse("192.0.2.64/27");  // .64 – .95
    EXPECT_FALSE(odd.contains(addr("192.0.2.63")));
    EXPECT_TRUE(odd.contains(addr("192.0.2.64")));
    EXPECT_TRUE(odd.contains(addr("192.0.2.95")));
    EXPECT_FALSE(odd.contains(addr("192.0.2.96")));

    const Cidr v6 = Cidr::parse("2001:db8:abcd::/48");
    EXPECT_TRUE(v6.contains(addr("2001:db8:abcd:12::1")));
    EXPECT_FALSE(v6.contains(addr("2001:db8:abce::1")));
    EXPECT_FALSE(v6.contains(addr("10.0.0.1")));
}

TEST(Cidr, SingleAddressesAndWholeSpaces) {
    EXPECT_TRUE(Cidr::parse("198.51.100.4").contains(addr("198.51.100.4")));
    EXPECT_FALSE(Cidr::parse("198.51.100.4").contains(addr("198.51.100.5")));
    EXPECT_EQ(Cidr::parse("198.51.100.4").to_string(), "198.51.100.4/32");
    EXPECT_EQ(Cidr::parse("10.9.8.7/8").to_string(), "10.0.0.0/8") << "host bits cleared";
    EXPECT_TRUE(Cidr::parse("0.0.0.0/0").contains(addr("203.0.113.1")));
    EXPECT_FALSE(Cidr::parse("0.0.0.0/0").contains(addr("2001:db8::1")));
    EXPECT_TRUE(Cidr::parse("::/0").contains(addr("2001:db8::1")));
    EXPECT_TRUE(Cidr::parse("::1").contains(addr("::1")));
    EXPECT_FALSE(Cidr::parse("::1").contains(addr("::2")));
}

TEST(Cidr, RefusesMalformedBlocksWithTheirText) {
    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0/8",
                            "host.example", "10.0.0.0/8/8", "::ffff:10.0.0.0/104"}) {
        try {
            Cidr::parse(bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
}

TEST(TrustedProxies, ParsesAList) {
    const TrustedProxies p = TrustedProxies::parse(" 10.0.0.0/8, 2001:db8::/32 ,,192.0.2.1 ");
    EXPECT_EQ(p.to_string(), "10.0.0.0/8,2001:db8::/32,192.0.2.1/32");
    EXPECT_TRUE(p.trusts("10.200.0.1"));
    EXPECT_TRUE(p.trusts("2001:db8:1::5"));
    EXPECT_TRUE(p.trusts("192.0.2.1"));
    EXPECT_FALSE(p.trusts("192.0.2.2"));
    EXPECT_FALSE(p.trusts("not an address"));
    EXPECT_TRUE(TrustedProxies::parse("").empty());
    EXPECT_THROW(TrustedProxies::parse("10.0.0.0/8,nginx"), std::invalid_argument);
}

TEST(TrustedProxies, LoopbackShorthand) {
    TrustedProxies p;
    p.add_loopback();
    EXPECT_TRUE(p.trusts("127.0.0.1"));
    EXPECT_TRUE(p.trusts("127.255.0.9"));
    EXPECT_TRUE(p.trusts("::1"));
    EXPECT_TRUE(p.trusts("::ffff:127.0.0.1"));
    EXPECT_FALSE(p.trusts("10.0.0.1"));
    EXPECT_FALSE(p.trusts("::2"));
}

TEST(TrustedProxiesResolve, AnUntrustedPeerIsTheClientWhateverItClaims) {
    const TrustedProxies p = TrustedProxies::parse("10.0.0.0/8");
    const ClientOrigin o = p.resolve("203.0.113.9", "198.51.100.1", "https");
    EXPECT_EQ(o.ip, "203.0.113.9");
    EXPECT_FALSE(o.secure);
    EXPECT_EQ(TrustedProxies().resolve("127.0.0.1", "198.51.100.1", "https").ip, "127.0.0.1") << "no proxies trusted";
}

TEST(TrustedProxiesResolve, TakesTheRightMostAddressThatIsNotOurProxy) {
    const TrustedProxies p = TrustedProxies::parse("10.0.0.0/8");
    // The client forged the first entry; our proxy appended the real one.
    EXPECT_EQ(p.resolve("10.0.0.2", "1.1.1.1, 203.0.113.9", "").ip, "203.0.113.9");
    // Two of our proxies in a row.
    EXPECT_EQ(p.resolve("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.3", "").ip, "203.0.113.9");
    // Repeated fields joined in order, as a proxy that adds its own line produces.
    EXPECT_EQ(p.resolve("10.0.0.2", "1.1.1.1,203.0.113.9", "").ip, "203.0.113.9");
    EXPECT_EQ(p.resolve("10.0.0.2", "2001:db8::7", "").ip, "2001:db8::7");
    EXPECT_EQ(p.resolve("10.0.0.2", "::ffff:203.0.113.9", "").ip, "203.0.113.9");
}

TEST(TrustedProxiesResolve, FallsBackToThePeerOnAnythingButAnAddress) {
    const TrustedProxies p = TrustedProxies::parse("10.0.0.0/8");
    for (const char* bad : {"", " ", "unknown", "203.0.113.9:4711", "<b>x</b>", "203.0.113.9,", "1.1.1.1, , 10.0.0.5",
                            "1.1.1.1, garbage"})
        EXPECT_EQ(p.resolve("10.0.0.2", bad, "").ip, "10.0.0.2") << bad;
    // Left of an invalid entry nothing counts, even a good-looking address.
    EXPECT_EQ(p.resolve("10.0.0.2", "203.0.113.9, garbage, 10.0.0.7", "").ip, "10.0.0.2");
}

TEST(TrustedProxiesResolve, OnlyProxiesInTheChainGiveTheFarthestOne) {
    const TrustedProxies p = TrustedProxies::parse("10.0.0.0/8");
    EXPECT_EQ(p.resolve("10.0.0.2", "10.0.0.9, 10.0.0.3", "").ip, "10.0.0.9");
}

TEST(TrustedProxiesResolve, ForwardedProtoCountsOnlyFromATrustedPeer) {
    TrustedProxies p;
    p.add_loopback();
    EXPECT_TRUE(p.resolve("127.0.0.1", "", "https").secure);
    EXPECT_TRUE(p.resolve("127.0.0.1", "", " HTTPS ").secure);
    EXPECT_FALSE(p.resolve("127.0.0.1", "", "http").secure);
    EXPECT_FALSE(p.resolve("192.0.2.1", "", "https").secure);
}
