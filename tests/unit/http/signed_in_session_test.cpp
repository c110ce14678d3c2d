// http/session_store.hpp for signed-in sessions (ID-5, ID-6): sign-in
// replaces the session, "remember me" sets the timeouts, and an account's
// sessions can be listed and ended.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "http/session_store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

namespace {

class SignedInSessionTest : public test_support::StoreTest {
protected:
    static http::SessionPolicy tiny() {
        http::SessionPolicy p;
        p.signed_in_idle = 30;
        p.signed_in_absolute = 100;
        p.remembered_idle = 3000;
        p.remembered_absolute = 10000;
        return p;
    }
    // Moves a session's clock back by `seconds`, as if that much time had passed.
    void age(const std::string& id_hash, std::int64_t seconds) {
        const long long s = seconds;
        db::Connection c(db());
        *c << "UPDATE http_sessions SET last_seen_at = last_seen_at - :s, created_at = created_at - :s2, "
              "expires_at = expires_at - :s3, signed_in_at = signed_in_at - :s4 WHERE id_hash = :h",
            soci::use(s), soci::use(s), soci::use(s), soci::use(s), soci::use(id_hash);
    }
    long long sessions() {
        long long n = 0;
        db::Connection c(db());
        *c << "SELECT COUNT(*) FROM http_sessions", soci::into(n);
        return n;
    }
    // A signed-in session of `account`; returns its token, fills `s`.
    std::string signed_in(http::SessionStore& store, http::SessionData& s, std::int64_t account, bool remember,
                          const std::string& ip = "203.0.113.5", const std::string& device = "Firefox · Linux") {
        store.create(s, "ru");
        return store.sign_in(s, account, remember, ip, device);
    }
};

}  // namespace

TEST_P(SignedInSessionTest, SignInReplacesTheSessionAndKeepsPreferences) {
    http::SessionStore store(db(), tiny());
    http::SessionData s;
    const std::string old_token = store.create(s, "fr");
    s.vi_mode = true;
    s.region = "59";
    s.settlement = "perm";
    store.save_preferences(s);
    const std::string old_hash = s.id_hash, old_csrf = s.csrf_token;

    const std::int64_t before = core::now_unix();
    const std::string token = store.sign_in(s, 42, false, "203.0.113.5", "Firefox · Linux");
    EXPECT_NE(token, old_token);
    EXPECT_EQ(s.id_hash, core::sha256_hex(token));
    EXPECT_NE(s.id_hash, old_hash);
    EXPECT_NE(s.csrf_token, old_csrf) << "a token planted before sign-in is worthless after it";

    EXPECT_FALSE(store.find(old_token)) << "the old session ended";
    const auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->account_id, 42);
    EXPECT_EQ(found->csrf_token, s.csrf_token);
    EXPECT_EQ(found->lang, "fr");
    EXPECT_TRUE(found->vi_mode);
    EXPECT_EQ(found->region, "59");
    EXPECT_EQ(found->settlement, "perm");
    EXPECT_FALSE(found->remember);
    EXPECT_GE(found->signed_in_at, before);
    EXPECT_EQ(found->ip, "203.0.113.5");
    EXPECT_EQ(found->device, "Firefox · Linux");
    EXPECT_EQ(sessions(), 1);
}

TEST_P(SignedInSessionTest, SignInWithoutAPreviousSession) {
    http::SessionStore store(db(), tiny());
    http::SessionData s;
    s.lang = "de";
    const std::string token = store.sign_in(s, 7, true, "", "");
    const auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->account_id, 7);
    EXPECT_EQ(found->lang, "de");
    EXPECT_EQ(found->ip, "");
    EXPECT_EQ(found->device, "");
}

TEST_P(SignedInSessionTest, LongAddressAndDeviceAreCut) {
    http::SessionStore store(db(), tiny());
    http::SessionData s;
    const std::string token = signed_in(store, s, 7, false, std::string(100, '1'), std::string(500, 'd'));
    const auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->ip.size(), 64u);
    EXPECT_EQ(found->device.size(), 120u);
}

TEST_P(SignedInSessionTest, RememberMeDecidesTheTimeouts) {
    const http::SessionPolicy p = tiny();
    http::SessionStore store(db(), p);
    http::SessionData browser, remembered;
    const std::string browser_token = signed_in(store, browser, 1, false);
    const std::string remembered_token = signed_in(store, remembered, 1, true);

    EXPECT_EQ(browser.idle_timeout, p.signed_in_idle);
    EXPECT_EQ(browser.expires_at - browser.created_at, p.signed_in_absolute);
    EXPECT_FALSE(browser.remember);
    EXPECT_EQ(remembered.idle_timeout, p.remembered_idle);
    EXPECT_EQ(remembered.expires_at - remembered.created_at, p.remembered_absolute);
    EXPECT_TRUE(remembered.remember);
    EXPECT_TRUE(store.find(remembered_token)->remember);

    // Idle a little longer than a browser session may be.
    age(browser.id_hash, p.signed_in_idle + 1);
    age(remembered.id_hash, p.signed_in_idle + 1);
    EXPECT_FALSE(store.find(browser_token)) << "idle too long without “remember me”";
    ASSERT_TRUE(store.find(remembered_token)) << "remembered sessions wait longer";

    // Past the remembered idle timeout as well.
    age(remembered.id_hash, p.remembered_idle);
    EXPECT_FALSE(store.find(remembered_token));
}

TEST_P(SignedInSessionTest, AbsoluteLimitEndsEvenAnActiveSession) {
    const http::SessionPolicy p = tiny();
    http::SessionStore store(db(), p);
    http::SessionData s;
    const std::string token = signed_in(store, s, 1, false);
    {
        // Seen a moment ago, but signed in longer ago than the absolute limit.
        const long long expired = core::now_unix() - 1;
        db::Connection c(db());
        *c << "UPDATE http_sessions SET expires_at = :e WHERE id_hash = :h", soci::use(expired), soci::use(s.id_hash);
    }
    EXPECT_FALSE(store.find(token));
}

TEST_P(SignedInSessionTest, ListForAccountShowsOnlyItsLiveSessions) {
    http::SessionStore store(db(), tiny());
    http::SessionData phone, laptop, idle, foreign, anonymous;
    signed_in(store, phone, 7, true, "198.51.100.7", "Chrome · Android");
    signed_in(store, laptop, 7, false, "203.0.113.5", "Firefox · Linux");
    signed_in(store, idle, 7, false);
    signed_in(store, foreign, 8, false);
    store.create(anonymous, "ru");
    age(idle.id_hash, tiny().signed_in_idle + 1);
    age(phone.id_hash, 5);  // seen longer ago than the laptop

    const auto list = store.list_for_account(7, laptop.id_hash);
    ASSERT_EQ(list.size(), 2u) << "the idle session is over, the other account's are not shown";
    EXPECT_EQ(list[0].device, "Firefox · Linux") << "most recently seen first";
    EXPECT_TRUE(list[0].current);
    EXPECT_FALSE(list[0].remember);
    EXPECT_EQ(list[0].handle, laptop.id_hash.substr(0, 16));
    EXPECT_EQ(list[1].device, "Chrome · Android");
    EXPECT_EQ(list[1].ip, "198.51.100.7");
    EXPECT_FALSE(list[1].current);
    EXPECT_TRUE(list[1].remember);
    EXPECT_EQ(list[1].handle, phone.id_hash.substr(0, 16));
    EXPECT_GT(list[1].signed_in_at, 0);
    EXPECT_GT(list[1].expires_at, list[1].last_seen_at);
    for (const auto& info : list) EXPECT_EQ(info.handle.size(), 16u) << "a handle, not the session's hash";

    EXPECT_TRUE(store.list_for_account(9, "").empty());
}

TEST_P(SignedInSessionTest, EndForAccountKeepsTheCurrentOneAndOtherAccounts) {
    http::SessionStore store(db(), tiny());
    http::SessionData a1, a2, a3, b1, anonymous;
    const std::string t1 = signed_in(store, a1, 7, false);
    const std::string t2 = signed_in(store, a2, 7, true);
    const std::string t3 = signed_in(store, a3, 7, false);
    const std::string tb = signed_in(store, b1, 8, false);
    const std::string ta = store.create(anonymous, "ru");

    EXPECT_EQ(store.end_for_account(7, a1.id_hash), 2);
    EXPECT_TRUE(store.find(t1)) << "the session that asked stays";
    EXPECT_FALSE(store.find(t2));
    EXPECT_FALSE(store.find(t3));
    EXPECT_TRUE(store.find(tb)) << "another account's session stays";
    EXPECT_TRUE(store.find(ta)) << "anonymous sessions stay";

    EXPECT_EQ(store.end_for_account(7, ""), 1) << "all of them, e.g. after a password change by recovery";
    EXPECT_FALSE(store.find(t1));
    EXPECT_TRUE(store.find(tb));
}

TEST_P(SignedInSessionTest, EndByHandleOnlyForTheOwner) {
    http::SessionStore store(db(), tiny());
    http::SessionData mine, other, theirs;
    const std::string t_mine = signed_in(store, mine, 7, false);
    const std::string t_other = signed_in(store, other, 7, false);
    const std::string t_theirs = signed_in(store, theirs, 8, false);

    EXPECT_FALSE(store.end_by_handle(7, theirs.id_hash.substr(0, 16))) << "another account's handle does nothing";
    EXPECT_TRUE(store.find(t_theirs));

    const std::vector<std::string> malformed{"", "%", "%%%%%%%%%%%%%%%%", "________________",
                                             other.id_hash.substr(0, 15), other.id_hash.substr(0, 17), other.id_hash,
                                             "ZZZZZZZZZZZZZZZZ"};
    for (const std::string& bad : malformed)
        EXPECT_FALSE(store.end_by_handle(7, bad)) << "'" << bad << "'";
    std::string upper = other.id_hash.substr(0, 16);
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper != other.id_hash.substr(0, 16)) {
        EXPECT_FALSE(store.end_by_handle(7, upper));
    }
    EXPECT_TRUE(store.find(t_other)) << "no wildcard or malformed handle ended anything";
    EXPECT_TRUE(store.find(t_mine));

    EXPECT_TRUE(store.end_by_handle(7, other.id_hash.substr(0, 16)));
    EXPECT_FALSE(store.find(t_other));
    EXPECT_TRUE(store.find(t_mine));
    EXPECT_TRUE(store.find(t_theirs));
    EXPECT_FALSE(store.end_by_handle(7, other.id_hash.substr(0, 16))) << "already ended";
}

TEST_P(SignedInSessionTest, SignOutEndsTheSessionAndKeepsPreferences) {
    http::SessionStore store(db(), tiny());
    http::SessionData s;
    store.create(s, "fr");
    s.vi_mode = true;
    s.region = "59";
    store.save_preferences(s);
    const std::string signed_token = store.sign_in(s, 7, true, "203.0.113.5", "Firefox · Linux");
    const std::string signed_csrf = s.csrf_token;

    const std::string token = store.sign_out(s);
    EXPECT_NE(token, signed_token);
    EXPECT_FALSE(store.find(signed_token)) << "the signed-in session is gone";
    const auto found = store.find(token);
    ASSERT_TRUE(found);
    EXPECT_FALSE(found->account_id);
    EXPECT_FALSE(s.account_id);
    EXPECT_EQ(found->lang, "fr");
    EXPECT_TRUE(found->vi_mode);
    EXPECT_EQ(found->region, "59");
    EXPECT_NE(found->csrf_token, signed_csrf);
    EXPECT_EQ(found->signed_in_at, 0);
    EXPECT_EQ(found->idle_timeout, tiny().anonymous_idle);
    EXPECT_TRUE(store.list_for_account(7, "").empty());
    EXPECT_EQ(sessions(), 1);
}

USLUGI_STORE_TEST_SUITE(SignedInSessionTest);
