// The oidc store on SQLite and PostgreSQL: single use of codes and refresh
// tokens (the conditional UPDATEs the reuse detection relies on), consents
// remembered per site, revocation by code, client and account, keys published
// until their retirement is old enough.
#include "db/transaction.hpp"
#include "oidc/store.hpp"
#include "store_fixture.hpp"

namespace uslugi::oidc {
namespace {

class OidcStore : public test_support::StoreTest {};

Code a_code(const std::string& hash, std::int64_t account) {
    Code c;
    c.code_hash = hash;
    c.client_id = "site-a";
    c.account_id = account;
    c.redirect_uri = "https://a.example/cb";
    c.scope = "openid fullname";
    c.code_challenge = std::string(43, 'A');
    c.acr = "standard";
    c.auth_time = 100;
    c.sid = "sid-1";
    c.created_at = 100;
    c.expires_at = 160;
    return c;
}

Grant a_grant(const std::string& code_hash, std::int64_t account, const std::string& client = "site-a") {
    Grant g;
    g.client_id = client;
    g.account_id = account;
    g.code_hash = code_hash;
    g.scope = "openid fullname";
    g.acr = "standard";
    g.auth_time = 100;
    g.sid = "sid-1";
    g.created_at = 100;
    return g;
}

TEST_P(OidcStore, CodesAndRefreshTokensAreUsedOnce) {
    GrantStore store(db());
    std::int64_t grant = 0;
    db::transact(db(), [&](soci::session& tx) {
        store.insert_code(tx, a_code("c1", 7));
        EXPECT_TRUE(store.use_code(tx, "c1", 110));
        EXPECT_FALSE(store.use_code(tx, "c1", 111));
        const auto c = store.find_code(tx, "c1");
        ASSERT_TRUE(c);
        EXPECT_EQ(c->used_at, 110);
        EXPECT_EQ(c->account_id, 7);
        grant = store.insert_grant(tx, a_grant("c1", 7));
        store.insert_refresh(tx, "r1", grant, 110, 1000);
        EXPECT_TRUE(store.use_refresh(tx, "r1", 120));
        EXPECT_FALSE(store.use_refresh(tx, "r1", 121));
        EXPECT_EQ(store.find_refresh(tx, "r1")->grant_id, grant);
        EXPECT_FALSE(store.find_code(tx, "nope"));
    });
    EXPECT_GT(grant, 0);
    EXPECT_EQ(store.find_grant(grant)->revoked_at, 0);
}

TEST_P(OidcStore, RevocationByCodeClientAndAccount) {
    GrantStore store(db());
    std::int64_t g1 = 0, g2 = 0, g3 = 0;
    db::transact(db(), [&](soci::session& tx) {
        g1 = store.insert_grant(tx, a_grant("c1", 7));
        g2 = store.insert_grant(tx, a_grant("c2", 7, "site-b"));
        g3 = store.insert_grant(tx, a_grant("c3", 8));
        EXPECT_EQ(store.revoke_by_code(tx, "c1", 200), 1);
        EXPECT_EQ(store.revoke_by_code(tx, "c1", 201), 0);  // already revoked: the first time stays
        EXPECT_EQ(store.revoke_for_client(tx, 7, "site-b", 202), 1);
        EXPECT_EQ(store.live_by_sid(tx, "sid-1").size(), 1u);
    });
    EXPECT_EQ(store.find_grant(g1)->revoked_at, 200);
    EXPECT_EQ(store.find_grant(g2)->revoked_at, 202);
    EXPECT_EQ(store.find_grant(g3)->revoked_at, 0);
    db::transact(db(), [&](soci::session& tx) { store.erase_account(tx, 8, 300); });
    EXPECT_EQ(store.find_grant(g3)->revoked_at, 300);
}

TEST_P(OidcStore, ConsentsAreRememberedPerSite) {
    GrantStore store(db());
    db::transact(db(), [&](soci::session& tx) {
        store.save_consent(tx, 7, "site-a", "openid fullname", 100);
        store.save_consent(tx, 7, "site-a", "openid fullname snils", 150);  // the same site: replaced
        store.save_consent(tx, 7, "site-b", "openid", 160);
        store.touch_consent(tx, 7, "site-a", 170);
    });
    const auto a = store.consent(7, "site-a");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->scope, "openid fullname snils");
    EXPECT_EQ(a->created_at, 100);
    EXPECT_EQ(a->updated_at, 150);
    EXPECT_EQ(a->last_used_at, 170);
    EXPECT_EQ(store.consents(7).size(), 2u);
    EXPECT_FALSE(store.consent(8, "site-a"));
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(store.delete_consent(tx, 7, "site-a"));
        EXPECT_FALSE(store.delete_consent(tx, 7, "site-a"));
    });
    EXPECT_EQ(store.consents(7).size(), 1u);
}

TEST_P(OidcStore, AssertionsAreAcceptedOnce) {
    GrantStore store(db());
    EXPECT_TRUE(store.first_use_of_assertion("j1", 500));
    EXPECT_FALSE(store.first_use_of_assertion("j1", 500));
    store.purge(600);  // expired: forgotten (the assertion itself has expired by then)
    EXPECT_TRUE(store.first_use_of_assertion("j1", 700));
}

TEST_P(OidcStore, ClientsAndKeys) {
    ClientStore clients(db());
    Client c;
    c.client_id = "site-a";
    c.name = "Сайт А";
    c.redirect_uris = {"https://a.example/cb", "https://a.example/cb2"};
    c.scopes = {"openid", "snils"};
    c.secret_hash = "h";
    c.created_at = c.updated_at = 1;
    EXPECT_TRUE(clients.create(c));
    EXPECT_FALSE(clients.create(c));  // the id is taken
    const auto found = clients.find("site-a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->redirect_uris, c.redirect_uris);
    EXPECT_EQ(found->scopes, c.scopes);
    EXPECT_TRUE(clients.set_secret("site-a", "h2", 2));
    EXPECT_EQ(clients.find("site-a")->secret_hash, "h2");

    KeyStore keys(db());
    keys.insert({"k1", "ES256", "sealed", "{}", 10, 0});
    EXPECT_EQ(keys.retire_all(50), 1);
    keys.insert({"k2", "ES256", "sealed", "{}", 50, 0});
    EXPECT_EQ(keys.published(40).size(), 2u);  // k1 retired at 50, still published
    EXPECT_EQ(keys.published(60).size(), 1u);  // … until its tokens have expired
    EXPECT_EQ(keys.published(60)[0].kid, "k2");
}

USLUGI_STORE_TEST_SUITE(OidcStore);

}  // namespace
}  // namespace uslugi::oidc
