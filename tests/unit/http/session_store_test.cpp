#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "http/session_store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

class SessionStoreTest : public test_support::StoreTest {};

TEST_P(SessionStoreTest, CreatesAndFindsBySecretTokenOnly) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "en");
    EXPECT_GE(token.size(), 43u) << "256 random bits, base64url";
    EXPECT_EQ(s.id_hash, core::sha256_hex(token));

    auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->lang, "en");
    EXPECT_EQ(found->csrf_token, s.csrf_token);
    EXPECT_FALSE(found->account_id);

    // The stored hash is not a key that opens the session.
    EXPECT_FALSE(store.find(s.id_hash));
    EXPECT_FALSE(store.find(core::random_token(32)));
    EXPECT_FALSE(store.find("short"));

    db::Connection c(db());
    int plain = 0;
    *c << "SELECT COUNT(*) FROM http_sessions WHERE id_hash = :t OR csrf_token = :t2", soci::use(token),
        soci::use(token), soci::into(plain);
    EXPECT_EQ(plain, 0) << "the cookie token must never be stored";
}

TEST_P(SessionStoreTest, SavesPreferences) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "ru");
    s.lang = "fr";
    s.vi_mode = true;
    s.region = "59";
    store.save_preferences(s);
    auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->lang, "fr");
    EXPECT_TRUE(found->vi_mode);
    EXPECT_EQ(found->region, "59");
    EXPECT_EQ(found->settlement, "");
}

TEST_P(SessionStoreTest, EndedSessionsAreNotFoundAndArePurged) {
    http::SessionStore store(db());
    http::SessionData live, idle, old;
    const std::string live_token = store.create(live, "ru");
    const std::string idle_token = store.create(idle, "ru");
    const std::string old_token = store.create(old, "ru");
    {
        db::Connection c(db());
        *c << "UPDATE http_sessions SET last_seen_at = last_seen_at - idle_timeout - 1 WHERE id_hash = :h",
            soci::use(idle.id_hash);
        *c << "UPDATE http_sessions SET expires_at = 1 WHERE id_hash = :h", soci::use(old.id_hash);
    }
    EXPECT_EQ(store.purge_expired(), 2);
    EXPECT_TRUE(store.find(live_token));
    EXPECT_FALSE(store.find(idle_token));
    EXPECT_FALSE(store.find(old_token));
}

TEST_P(SessionStoreTest, DestroyEndsTheSession) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "de");
    store.destroy(s.id_hash);
    EXPECT_FALSE(store.find(token));
}

USLUGI_STORE_TEST_SUITE(SessionStoreTest);
