// RFC 6238 (TOTP) and RFC 4226 (HOTP) published test vectors, and the base32
// spelling authenticator apps use for secrets (RFC 4648 §6).
#include <gtest/gtest.h>

#include "core/totp.hpp"

#include <string>
#include <utility>
#include <vector>

using namespace uslugi::core;

namespace {
// The 20-byte ASCII secret of both RFCs' appendices.
const std::string kSecret = "12345678901234567890";
}  // namespace

TEST(Hotp, Rfc4226AppendixDValues) {
    const std::vector<std::string> expected{"755224", "287082", "359152", "969429", "338314",
                                            "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t counter = 0; counter < expected.size(); ++counter)
        EXPECT_EQ(hotp(kSecret, counter), expected[counter]) << "counter " << counter;
}

TEST(Totp, Rfc6238AppendixBSha1Values) {
    const std::vector<std::pair<std::int64_t, std::string>> vectors{
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"}};
    for (const auto& [time, code] : vectors) EXPECT_EQ(totp(kSecret, time, 8), code) << "T = " << time;
}

TEST(Totp, SixDigitsAreTheLastSixOfTheRfcValues) {
    // Apps show 6 digits: the same truncation modulo 10^6.
    EXPECT_EQ(totp(kSecret, 59), "287082");
    EXPECT_EQ(totp(kSecret, 1111111109), "081804");
}

TEST(Totp, MatchAcceptsOneStepOfDriftAndSaysWhichStep) {
    const std::int64_t now = 1'700'000'015;
    const std::int64_t step = now / kTotpStep;
    EXPECT_EQ(totp_match(kSecret, totp(kSecret, now), now), step);
    EXPECT_EQ(totp_match(kSecret, totp(kSecret, now - 30), now), step - 1);
    EXPECT_EQ(totp_match(kSecret, totp(kSecret, now + 30), now), step + 1);
    EXPECT_FALSE(totp_match(kSecret, totp(kSecret, now - 90), now));
    EXPECT_FALSE(totp_match(kSecret, totp(kSecret, now + 90), now));
}

TEST(Totp, MatchIgnoresSpacesButRefusesWrongLengthsAndEmptySecrets) {
    const std::int64_t now = 1'700'000'015;
    std::string code = totp(kSecret, now);
    EXPECT_TRUE(totp_match(kSecret, code.substr(0, 3) + " " + code.substr(3), now));
    EXPECT_FALSE(totp_match(kSecret, code.substr(0, 5), now));
    EXPECT_FALSE(totp_match(kSecret, code + "0", now));
    EXPECT_FALSE(totp_match("", code, now));
    EXPECT_FALSE(totp_match(kSecret, "", now));
}

TEST(Base32, Rfc4648VectorsWithoutPadding) {
    const std::vector<std::pair<std::string, std::string>> vectors{
        {"", ""},          {"f", "MY"},          {"fo", "MZXQ"},         {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base32_encode(plain), encoded);
        EXPECT_EQ(base32_decode(encoded), plain);
    }
}

TEST(Base32, DecodeAcceptsLowerCaseSpacesHyphensAndPadding) {
    EXPECT_EQ(base32_decode("mzxw 6ytb-oi"), "foobar");
    EXPECT_EQ(base32_decode("MZXW6YQ="), "foob");
    EXPECT_EQ(base32_decode("MY======"), "f");
}

TEST(Base32, RoundTripsRandomSecrets) {
    for (int i = 0; i < 50; ++i) {
        const std::string secret = new_totp_secret();
        ASSERT_EQ(secret.size(), 20u);
        const std::string text = base32_encode(secret);
        EXPECT_EQ(text.size(), 32u);  // 160 bits in 5-bit letters
        EXPECT_EQ(base32_decode(text), secret);
    }
    EXPECT_NE(new_totp_secret(), new_totp_secret());
}

TEST(Base32, RefusesLettersOutsideTheAlphabet) {
    for (const char* bad : {"MZ1W", "MZ0W", "MZ8W", "MZ9W", "ABC!", "ЖЖ", "A.B"}) EXPECT_FALSE(base32_decode(bad)) << bad;
}

TEST(Totp, UriNamesIssuerAccountAndSecret) {
    const std::string uri = totp_uri("Госуслуги", "+79264337428", kSecret);
    EXPECT_EQ(uri.rfind("otpauth://totp/", 0), 0u);
    EXPECT_NE(uri.find("secret=" + base32_encode(kSecret)), std::string::npos);
    EXPECT_NE(uri.find("%2B79264337428"), std::string::npos);
    EXPECT_NE(uri.find("digits=6"), std::string::npos);
    EXPECT_NE(uri.find("period=30"), std::string::npos);
    EXPECT_EQ(uri.find(' '), std::string::npos);
}
