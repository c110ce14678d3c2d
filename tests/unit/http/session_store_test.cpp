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

TEST_P(SessionStoreTest, AnAnonymousSessionReadAfterASignedInOneOnTheSameConnectionHasNoAccount) {
    // One pooled connection: both lookups run the same kept statement, whose
    // variables still hold the signed-in row when the anonymous one is read.
    db::Database one(url(), 1);
    http::SessionStore store(one);
    http::SessionData signed_in;
    store.create(signed_in, "ru");
    signed_in.region = "77";
    signed_in.time_zone = "Europe/Moscow";
    const std::string signed_token = store.sign_in(signed_in, 42, true, "203.0.113.7", "Firefox");
    http::SessionData anonymous;
    const std::string anonymous_token = store.create(anonymous, "en");

    const auto a = store.find(signed_token);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->account_id, 42);
    EXPECT_EQ(a->ip, "203.0.113.7");
    EXPECT_EQ(a->region, "77");
    const auto b = store.find(anonymous_token);
    ASSERT_TRUE(b);
    EXPECT_FALSE(b->account_id) << "the previous row's account must not carry over";
    EXPECT_EQ(b->signed_in_at, 0);
    EXPECT_EQ(b->ip, "");
    EXPECT_EQ(b->device, "");
    EXPECT_EQ(b->region, "");
    EXPECT_EQ(b->time_zone, "");
    EXPECT_EQ(b->lang, "en");
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

TEST_P(SessionStoreTest, TheTimeZoneIsKeptThroughSignInAndSignOut) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "ru");
    auto fresh = store.find(token);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->time_zone, "") << "none chosen: the configured default applies";

    s.time_zone = "Asia/Vladivostok";
    store.save_preferences(s);
    auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->time_zone, "Asia/Vladivostok");

    const std::string signed_in = store.sign_in(*found, 42, false, "192.0.2.1", "Firefox");
    auto after_sign_in = store.find(signed_in);
    ASSERT_TRUE(after_sign_in);
    EXPECT_EQ(after_sign_in->time_zone, "Asia/Vladivostok");

    const std::string signed_out = store.sign_out(*after_sign_in);
    auto after_sign_out = store.find(signed_out);
    ASSERT_TRUE(after_sign_out);
    EXPECT_EQ(after_sign_out->time_zone, "Asia/Vladivostok");

    after_sign_out->time_zone.clear();
    store.save_preferences(*after_sign_out);
    auto cleared = store.find(signed_out);
    ASSERT_TRUE(cleared);
    EXPECT_EQ(cleared->time_zone, "");
}

TEST_P(SessionStoreTest, EndedSessionsAreNotFoundAndArePurged) {
    // Stores whose anonymous sessions end as soon as they are made, by the idle
    // timeout and by the absolute limit, share the database with a normal one.
    http::SessionPolicy idle_policy, absolute_policy;
    idle_policy.anonymous_idle = 0;
    absolute_policy.anonymous_absolute = 0;
    http::SessionStore store(db()), idle_store(db(), idle_policy), absolute_store(db(), absolute_policy);
    http::SessionData live, idle, old, signed_in, remembered;
    const std::string live_token = store.create(live, "ru");
    const std::string idle_token = idle_store.create(idle, "ru");
    const std::string old_token = absolute_store.create(old, "ru");
    store.create(signed_in, "ru");
    const std::string signed_in_token = store.sign_in(signed_in, 7, false, "203.0.113.5", "Firefox · Linux");
    store.create(remembered, "ru");
    const std::string remembered_token = store.sign_in(remembered, 8, true, "203.0.113.6", "Chrome · Android");

    EXPECT_EQ(store.purge_expired(), 2);
    EXPECT_EQ(store.purge_expired(), 0) << "nothing else ends";
    EXPECT_TRUE(store.find(live_token));
    EXPECT_TRUE(store.find(signed_in_token));
    EXPECT_TRUE(store.find(remembered_token));
    EXPECT_FALSE(store.find(idle_token));
    EXPECT_FALSE(store.find(old_token));
    db::Connection c(db());
    int left = 0;
    *c << "SELECT COUNT(*) FROM http_sessions", soci::into(left);
    EXPECT_EQ(left, 3);
}

TEST_P(SessionStoreTest, ARequestKeepsTheSessionFromThePurge) {
    http::SessionPolicy p;
    p.anonymous_idle = 100;
    p.touch_interval = 0;
    http::SessionStore store(db(), p);
    http::SessionData s;
    const std::string token = store.create(s, "ru");
    db::Connection c(db());
    // Seen 60 s ago: the session ends in 40 s unless a request comes.
    *c << "UPDATE http_sessions SET created_at = created_at - 60, last_seen_at = last_seen_at - 60, "
          "expires_at = expires_at - 60, ends_at = ends_at - 60 WHERE id_hash = :h",
        soci::use(s.id_hash);
    long long before = 0, after = 0;
    *c << "SELECT ends_at FROM http_sessions WHERE id_hash = :h", soci::use(s.id_hash), soci::into(before);
    ASSERT_TRUE(store.find(token));
    *c << "SELECT ends_at FROM http_sessions WHERE id_hash = :h", soci::use(s.id_hash), soci::into(after);
    EXPECT_GE(after - before, 60) << "the request moved the end of the session";
    EXPECT_EQ(store.purge_expired(), 0);
}

TEST_P(SessionStoreTest, AnonymousSessionsLiveHoursNotMonths) {
    http::SessionStore store(db());
    http::SessionData anonymous, signed_in;
    store.create(anonymous, "ru");
    EXPECT_LE(anonymous.idle_timeout, 6 * 3600);
    EXPECT_LE(anonymous.expires_at - anonymous.created_at, 24 * 3600);
    // Signed-in sessions keep their own lifetimes.
    store.create(signed_in, "ru");
    store.sign_in(signed_in, 7, true, "203.0.113.5", "Firefox · Linux");
    EXPECT_EQ(signed_in.idle_timeout, store.policy().remembered_idle);
    EXPECT_EQ(signed_in.expires_at - signed_in.created_at, store.policy().remembered_absolute);
}

TEST_P(SessionStoreTest, TheSessionTakesOverAGivenCsrfToken) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "ru", "token-from-the-csrf-cookie");
    auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->csrf_token, "token-from-the-csrf-cookie");
}

TEST_P(SessionStoreTest, ThePurgeHasAnIndex) {
    db::Connection c(db());
    int n = 0;
    if (GetParam() == db::Backend::sqlite)
        *c << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'http_sessions' "
              "AND sql LIKE '%(ends_at)%'",
            soci::into(n);
    else
        // From the catalogs, not pg_indexes: its indexdef column reads every
        // schema's indexes, and another test dropping its schema meanwhile
        // makes that fail.
        *c << "SELECT COUNT(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
              "JOIN pg_namespace ns ON ns.oid = t.relnamespace "
              "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
              "WHERE ns.nspname = current_schema() AND t.relname = 'http_sessions' AND i.indnatts = 1 "
              "AND a.attname = 'ends_at'",
            soci::into(n);
    EXPECT_EQ(n, 1);
}

TEST_P(SessionStoreTest, DestroyEndsTheSession) {
    http::SessionStore store(db());
    http::SessionData s;
    const std::string token = store.create(s, "de");
    store.destroy(s.id_hash);
    EXPECT_FALSE(store.find(token));
}

USLUGI_STORE_TEST_SUITE(SessionStoreTest);
