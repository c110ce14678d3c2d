// The choices of the version for the visually impaired are packed into the
// session's vi_mode column: zero is the default look, every choice round-trips,
// and a value outside the choices is refused.
#include "http/render.hpp"
#include "http/session_store.hpp"
#include "store_fixture.hpp"

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

// The choices share the vi_mode column: stored, switched off and on, carried through sign-out.
class ViOptionsStoreTest : public test_support::StoreTest {};

TEST_P(ViOptionsStoreTest, TheChoicesAreKeptWithTheModeAndWithoutIt) {
    SessionStore store(db());
    SessionData s;
    const std::string token = store.create(s, "ru");
    s.vi_mode = true;
    s.vi_options = *pack_vi_options({"huge", "blue", "wide"});
    store.save_preferences(s);
    auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->vi_mode);
    EXPECT_EQ(unpack_vi_options(found->vi_options).scheme, "blue");

    s.vi_mode = false;  // the mode off keeps the choices for next time
    store.save_preferences(s);
    found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->vi_mode);
    EXPECT_EQ(unpack_vi_options(found->vi_options).size, "huge");

    // A row written before the choices existed (vi_mode = 1) reads as the mode with the default look.
    db::Connection c(db());
    *c << "UPDATE http_sessions SET vi_mode = 1 WHERE id_hash = :h", soci::use(s.id_hash);
    found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->vi_mode);
    EXPECT_EQ(found->vi_options, 0);

    SessionData chosen = *found;
    chosen.vi_options = *pack_vi_options({"normal", "wb", "normal"});
    store.save_preferences(chosen);
    const std::string fresh = store.sign_out(chosen);
    found = store.find(fresh);
    ASSERT_TRUE(found);
    EXPECT_EQ(unpack_vi_options(found->vi_options).scheme, "wb") << "signing out keeps the look";
}

USLUGI_STORE_TEST_SUITE(ViOptionsStoreTest);

}  // namespace
}  // namespace uslugi::http
