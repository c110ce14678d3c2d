// The pure parts of the qualified-signature way (identity/signature_confirmation.hpp):
// the bytes a user signs are rebuilt exactly from what is stored, and SNILS
// is compared as the certificate carries it.
#include <gtest/gtest.h>

#include "identity/signature_confirmation.hpp"

using namespace uslugi::identity;

TEST(SignatureChallenge, BytesAreRebuiltFromAccountTokenAndTime) {
    const std::string a = challenge_bytes(42, "tok-EN_1", 1764754200);
    EXPECT_EQ(a, "uslugi identity confirmation by a qualified electronic signature\n"
                 "account: 42\n"
                 "challenge: tok-EN_1\n"
                 "issued: 2025-12-03T09:30:00Z\n");
    EXPECT_EQ(a, challenge_bytes(42, "tok-EN_1", 1764754200)) << "the same inputs give the same bytes";
    EXPECT_NE(a, challenge_bytes(43, "tok-EN_1", 1764754200)) << "another account";
    EXPECT_NE(a, challenge_bytes(42, "tok-EN_2", 1764754200)) << "another token";
    EXPECT_NE(a, challenge_bytes(42, "tok-EN_1", 1764754201)) << "another time";
    for (unsigned char c : a) EXPECT_LT(c, 0x80) << "ASCII only: no tool re-encodes it";
}

TEST(SignatureChallenge, SnilsDigitsAsCertificatesCarryThem) {
    EXPECT_EQ(snils_digits("088-391-325 03"), "08839132503");
    EXPECT_EQ(snils_digits("08839132503"), "08839132503");
    EXPECT_EQ(snils_digits(""), "");
}
