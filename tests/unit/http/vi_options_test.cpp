// The choices of the version for the visually impaired are packed into the
// session's vi_mode column: zero is the default look, every choice round-trips,
// and a value outside the choices is refused.
#include "http/render.hpp"

#include <gtest/gtest.h>

namespace uslugi::http {
namespace {

TEST(ViOptions, ZeroIsTheDefaultLook) {
    const ViOptions o = unpack_vi_options(0);
    EXPECT_EQ(o.size, "large");
    EXPECT_EQ(o.scheme, "bw");
    EXPECT_EQ(o.spacing, "normal");
    EXPECT_EQ(pack_vi_options(ViOptions{}), 0);
}

TEST(ViOptions, EveryChoiceRoundTrips) {
    for (const char* size : kViSizes)
        for (const char* scheme : kViSchemes)
            for (const char* spacing : kViSpacings) {
                const auto packed = pack_vi_options({size, scheme, spacing});
                ASSERT_TRUE(packed.has_value());
                const ViOptions back = unpack_vi_options(*packed);
                EXPECT_EQ(back.size, size);
                EXPECT_EQ(back.scheme, scheme);
                EXPECT_EQ(back.spacing, spacing);
            }
}

TEST(ViOptions, UnknownValuesAreRefused) {
    EXPECT_FALSE(pack_vi_options({"gigantic", "bw", "normal"}).has_value());
    EXPECT_FALSE(pack_vi_options({"large", "", "normal"}).has_value());
    EXPECT_FALSE(pack_vi_options({"large", "bw", "wider"}).has_value());
    // A stored number from a future version still shows a page: unknown bits fall back.
    EXPECT_EQ(unpack_vi_options(3).size, "large");
}

}  // namespace
}  // namespace uslugi::http
