#include "oidc/store.hpp"

#include "db/dialect.hpp"
#include "db/rows.hpp"
#include "db/transaction.hpp"

namespace uslugi::oidc {

namespace {

using db::integer;
using db::text;

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t nl = s.find('\n', pos);
        if (nl == std::string::npos) nl = s.size();
        if (nl > pos) out.push_back(s.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
    return out;
}

constexpr const char* kClientColumns =
    "client_id, name, logo_url, auth_method, secret_hash, jwks, alg, redirect_uris, logout_uris, backchannel_uri, "
    "scopes, min_level, created_at, updated_at";

Client client_from(const soci::row& r) {
    Client c;
    c.client_id = text(r, 0);
    c.name = text(r, 1);
    c.logo_url = text(r, 2);
    c.auth = client_auth_from_string(text(r, 3)).value_or(ClientAuth::client_secret_basic);
    c.secret_hash = text(r, 4);
    c.jwks = text(r, 5);
    c.alg = text(r, 6);
    c.redirect_uris = lines(text(r, 7));
    c.logout_uris = lines(text(r, 8));
    c.backchannel_uri = text(r, 9);
    c.scopes = parse_scopes(text(r, 10)).value_or(ScopeSet{"openid"});
    c.min_level = text(r, 11);
    c.created_at = integer(r, 12);
    c.updated_at = integer(r, 13);
    return c;
}

constexpr const char* kGrantColumns =
    "id, client_id, account_id, code_hash, scope, acr, auth_time, sid, created_at, last_used_at, revoked_at";

Grant grant_from(const soci::row& r) {
    Grant g;
    g.id = integer(r, 0);
    g.client_id = text(r, 1);
    g.account_id = integer(r, 2);
    g.code_hash = text(r, 3);
    g.scope = text(r, 4);
    g.acr = text(r, 5);
    g.auth_time = integer(r, 6);
    g.sid = text(r, 7);
    g.created_at = integer(r, 8);
    g.last_used_at = integer(r, 9);
    g.revoked_at = integer(r, 10);
    return g;
}

int affected(soci::statement& st) { return int(st.get_affected_rows()); }

}  // namespace

// ---- clients ----

bool ClientStore::create(const Client& c) {
    const std::string auth(to_string(c.auth)), uris = joined(c.redirect_uris), logout = joined(c.logout_uris),
        scopes = join_scopes(c.scopes);
    soci::indicator secret_ind = c.secret_hash.empty() ? soci::i_null : soci::i_ok;
    soci::indicator jwks_ind = c.jwks.empty() ? soci::i_null : soci::i_ok;
    const long long t = c.created_at;
    try {
        db::transact(db_, [&](soci::session& tx) {
            tx << "INSERT INTO oidc_clients (client_id, name, logo_url, auth_method, secret_hash, jwks, alg, "
                  "redirect_uris, logout_uris, backchannel_uri, scopes, min_level, created_at, updated_at) VALUES "
                  "(:id, :n, :l, :a, :s, :j, :alg, :r, :lo, :b, :sc, :m, :c, :u)",
                soci::use(c.client_id), soci::use(c.name), soci::use(c.logo_url), soci::use(auth),
                soci::use(c.secret_hash, secret_ind), soci::use(c.jwks, jwks_ind), soci::use(c.alg), soci::use(uris),
                soci::use(logout), soci::use(c.backchannel_uri), soci::use(scopes), soci::use(c.min_level),
                soci::use(t), soci::use(t);
        });
    } catch (const soci::soci_error& e) {
        if (db::is_unique_violation(e)) return false;
        throw;
    }
    return true;
}

std::optional<Client> ClientStore::find(const std::string& client_id) {
    db::Connection c(db_);
    soci::rowset<soci::row> rows = (c->prepare << std::string("SELECT ") + kClientColumns +
                                                      " FROM oidc_clients WHERE client_id = :id",
                                    soci::use(client_id));
    for (const auto& r : rows) return client_from(r);
    return std::nullopt;
}

std::vector<Client> ClientStore::list() {
    std::vector<Client> out;
    db::Connection c(db_);
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kClientColumns + " FROM oidc_clients ORDER BY client_id");
    for (const auto& r : rows) out.push_back(client_from(r));
    return out;
}

bool ClientStore::set_secret(const std::string& client_id, const std::string& secret_hash, std::int64_t now) {
    const long long t = now;
    return db::transact(db_, [&](soci::session& tx) {
        soci::statement st = (tx.prepare << "UPDATE oidc_clients SET secret_hash = :h, updated_at = :t "
                                            "WHERE client_id = :id AND auth_method = 'client_secret_basic'",
                              soci::use(secret_hash), soci::use(t), soci::use(client_id));
        st.execute(true);
        return affected(st) == 1;
    });
}

bool ClientStore::remove(soci::session& tx, const std::string& client_id) {
    soci::statement st = (tx.prepare << "DELETE FROM oidc_clients WHERE client_id = :id", soci::use(client_id));
    st.execute(true);
    return affected(st) == 1;
}

// ---- keys ----

void KeyStore::insert(const StoredKey& k) {
    const long long t = k.created_at;
    db::transact(db_, [&](soci::session& tx) {
        tx << "INSERT INTO oidc_keys (kid, alg, private_enc, public_jwk, created_at) VALUES (:k, :a, :p, :j, :t)",
            soci::use(k.kid), soci::use(k.alg), soci::use(k.private_enc), soci::use(k.public_jwk), soci::use(t);
    });
}

std::vector<StoredKey> KeyStore::published(std::int64_t published_since) {
    std::vector<StoredKey> out;
    const long long since = published_since;
    db::Connection c(db_);
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT kid, alg, private_enc, public_jwk, created_at, retired_at FROM oidc_keys "
                       "WHERE retired_at IS NULL OR retired_at > :s ORDER BY created_at DESC, kid",
         soci::use(since));
    for (const auto& r : rows)
        out.push_back({text(r, 0), text(r, 1), text(r, 2), text(r, 3), integer(r, 4), integer(r, 5)});
    return out;
}

int KeyStore::retire_all(std::int64_t now) {
    const long long t = now;
    return db::transact(db_, [&](soci::session& tx) {
        soci::statement st =
            (tx.prepare << "UPDATE oidc_keys SET retired_at = :t WHERE retired_at IS NULL", soci::use(t));
        st.execute(true);
        return affected(st);
    });
}

// ---- codes ----

void GrantStore::insert_code(soci::session& tx, const Code& c) {
    const long long account = c.account_id, auth = c.auth_time, created = c.created_at, expires = c.expires_at;
    tx << "INSERT INTO oidc_codes (code_hash, client_id, account_id, redirect_uri, scope, nonce, code_challenge, acr, "
          "auth_time, sid, created_at, expires_at) VALUES (:h, :c, :a, :r, :s, :n, :p, :acr, :at, :sid, :t, :e)",
        soci::use(c.code_hash), soci::use(c.client_id), soci::use(account), soci::use(c.redirect_uri),
        soci::use(c.scope), soci::use(c.nonce), soci::use(c.code_challenge), soci::use(c.acr), soci::use(auth),
        soci::use(c.sid), soci::use(created), soci::use(expires);
}

std::optional<Code> GrantStore::find_code(soci::session& tx, const std::string& code_hash) {
    soci::rowset<soci::row> rows =
        (tx.prepare << "SELECT code_hash, client_id, account_id, redirect_uri, scope, nonce, code_challenge, acr, "
                       "auth_time, sid, created_at, expires_at, used_at FROM oidc_codes WHERE code_hash = :h",
         soci::use(code_hash));
    for (const auto& r : rows) {
        Code c;
        c.code_hash = text(r, 0);
        c.client_id = text(r, 1);
        c.account_id = integer(r, 2);
        c.redirect_uri = text(r, 3);
        c.scope = text(r, 4);
        c.nonce = text(r, 5);
        c.code_challenge = text(r, 6);
        c.acr = text(r, 7);
        c.auth_time = integer(r, 8);
        c.sid = text(r, 9);
        c.created_at = integer(r, 10);
        c.expires_at = integer(r, 11);
        c.used_at = integer(r, 12);
        return c;
    }
    return std::nullopt;
}

bool GrantStore::use_code(soci::session& tx, const std::string& code_hash, std::int64_t now) {
    const long long t = now;
    soci::statement st =
        (tx.prepare << "UPDATE oidc_codes SET used_at = :t WHERE code_hash = :h AND used_at IS NULL", soci::use(t),
         soci::use(code_hash));
    st.execute(true);
    return affected(st) == 1;
}

// ---- grants ----

std::int64_t GrantStore::insert_grant(soci::session& tx, const Grant& g) {
    const long long account = g.account_id, auth = g.auth_time, t = g.created_at;
    long long id = 0;
    tx << "INSERT INTO oidc_grants (client_id, account_id, code_hash, scope, acr, auth_time, sid, created_at, "
          "last_used_at) VALUES (:c, :a, :h, :s, :acr, :at, :sid, :t, :u) RETURNING id",
        soci::use(g.client_id), soci::use(account), soci::use(g.code_hash), soci::use(g.scope), soci::use(g.acr),
        soci::use(auth), soci::use(g.sid), soci::use(t), soci::use(t), soci::into(id);
    return id;
}

std::optional<Grant> GrantStore::find_grant(soci::session& s, std::int64_t id) {
    const long long gid = id;
    soci::rowset<soci::row> rows =
        (s.prepare << std::string("SELECT ") + kGrantColumns + " FROM oidc_grants WHERE id = :id", soci::use(gid));
    for (const auto& r : rows) return grant_from(r);
    return std::nullopt;
}

std::optional<Grant> GrantStore::find_grant(std::int64_t id) {
    db::Connection c(db_);
    return find_grant(*c, id);
}

int GrantStore::revoke_by_code(soci::session& tx, const std::string& code_hash, std::int64_t now) {
    const long long t = now;
    soci::statement st = (tx.prepare << "UPDATE oidc_grants SET revoked_at = :t WHERE revoked_at IS NULL AND "
                                        "code_hash = :h",
                          soci::use(t), soci::use(code_hash));
    st.execute(true);
    return affected(st);
}

int GrantStore::revoke_grant(soci::session& tx, std::int64_t grant_id, std::int64_t now) {
    const long long t = now, id = grant_id;
    soci::statement st =
        (tx.prepare << "UPDATE oidc_grants SET revoked_at = :t WHERE revoked_at IS NULL AND id = :id", soci::use(t),
         soci::use(id));
    st.execute(true);
    return affected(st);
}

int GrantStore::revoke_for_client(soci::session& tx, std::int64_t account_id, const std::string& client_id,
                                  std::int64_t now) {
    const long long t = now, a = account_id;
    soci::statement st = (tx.prepare << "UPDATE oidc_grants SET revoked_at = :t WHERE revoked_at IS NULL AND "
                                        "account_id = :a AND client_id = :c",
                          soci::use(t), soci::use(a), soci::use(client_id));
    st.execute(true);
    return affected(st);
}

int GrantStore::revoke_all_for_client(soci::session& tx, const std::string& client_id, std::int64_t now) {
    const long long t = now;
    soci::statement st = (tx.prepare << "UPDATE oidc_grants SET revoked_at = :t WHERE revoked_at IS NULL AND "
                                        "client_id = :c",
                          soci::use(t), soci::use(client_id));
    st.execute(true);
    return affected(st);
}

std::vector<Grant> GrantStore::live_by_sid(soci::session& tx, const std::string& sid) {
    std::vector<Grant> out;
    soci::rowset<soci::row> rows =
        (tx.prepare << std::string("SELECT ") + kGrantColumns +
                           " FROM oidc_grants WHERE sid = :s AND revoked_at IS NULL ORDER BY id",
         soci::use(sid));
    for (const auto& r : rows) out.push_back(grant_from(r));
    return out;
}

void GrantStore::touch_grant(soci::session& tx, std::int64_t grant_id, std::int64_t now) {
    const long long id = grant_id, t = now;
    tx << "UPDATE oidc_grants SET last_used_at = :t WHERE id = :id", soci::use(t), soci::use(id);
}

// ---- refresh tokens ----

void GrantStore::insert_refresh(soci::session& tx, const std::string& token_hash, std::int64_t grant_id,
                                std::int64_t now, std::int64_t expires_at) {
    const long long g = grant_id, t = now, e = expires_at;
    tx << "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES (:h, :g, :t, :e)",
        soci::use(token_hash), soci::use(g), soci::use(t), soci::use(e);
}

std::optional<GrantStore::Refresh> GrantStore::find_refresh(soci::session& tx, const std::string& token_hash) {
    soci::rowset<soci::row> rows =
        (tx.prepare << "SELECT grant_id, expires_at, used_at FROM oidc_refresh_tokens WHERE token_hash = :h",
         soci::use(token_hash));
    for (const auto& r : rows) return Refresh{integer(r, 0), integer(r, 1), integer(r, 2)};
    return std::nullopt;
}

bool GrantStore::use_refresh(soci::session& tx, const std::string& token_hash, std::int64_t now) {
    const long long t = now;
    soci::statement st =
        (tx.prepare << "UPDATE oidc_refresh_tokens SET used_at = :t WHERE token_hash = :h AND used_at IS NULL",
         soci::use(t), soci::use(token_hash));
    st.execute(true);
    return affected(st) == 1;
}

// ---- consents ----

std::optional<Consent> GrantStore::consent(soci::session& s, std::int64_t account_id, const std::string& client_id) {
    const long long a = account_id;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT account_id, client_id, scope, created_at, updated_at, last_used_at FROM oidc_consents "
                      "WHERE account_id = :a AND client_id = :c",
         soci::use(a), soci::use(client_id));
    for (const auto& r : rows) return Consent{integer(r, 0), text(r, 1), text(r, 2), integer(r, 3), integer(r, 4), integer(r, 5)};
    return std::nullopt;
}

std::optional<Consent> GrantStore::consent(std::int64_t account_id, const std::string& client_id) {
    db::Connection c(db_);
    return consent(*c, account_id, client_id);
}

void GrantStore::save_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id,
                              const std::string& scope, std::int64_t now) {
    const long long a = account_id, t = now;
    tx << "INSERT INTO oidc_consents (account_id, client_id, scope, created_at, updated_at) VALUES (:a, :c, :s, :t, :u) "
          "ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope, updated_at = excluded.updated_at",
        soci::use(a), soci::use(client_id), soci::use(scope), soci::use(t), soci::use(t);
}

void GrantStore::touch_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id,
                               std::int64_t now) {
    const long long a = account_id, t = now;
    tx << "UPDATE oidc_consents SET last_used_at = :t WHERE account_id = :a AND client_id = :c", soci::use(t),
        soci::use(a), soci::use(client_id);
}

bool GrantStore::delete_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id) {
    const long long a = account_id;
    soci::statement st = (tx.prepare << "DELETE FROM oidc_consents WHERE account_id = :a AND client_id = :c",
                          soci::use(a), soci::use(client_id));
    st.execute(true);
    return affected(st) == 1;
}

std::vector<Consent> GrantStore::consents(std::int64_t account_id) {
    std::vector<Consent> out;
    const long long a = account_id;
    db::Connection c(db_);
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT account_id, client_id, scope, created_at, updated_at, last_used_at FROM oidc_consents "
                       "WHERE account_id = :a ORDER BY created_at, client_id",
         soci::use(a));
    for (const auto& r : rows) out.push_back({integer(r, 0), text(r, 1), text(r, 2), integer(r, 3), integer(r, 4), integer(r, 5)});
    return out;
}

bool GrantStore::first_use_of_assertion(const std::string& jti_hash, std::int64_t expires_at) {
    const long long e = expires_at;
    return db::transact(db_, [&](soci::session& tx) {
        soci::statement st = (tx.prepare << "INSERT INTO oidc_assertions (jti_hash, expires_at) VALUES (:h, :e) "
                                            "ON CONFLICT (jti_hash) DO NOTHING",
                              soci::use(jti_hash), soci::use(e));
        st.execute(true);
        return affected(st) == 1;
    });
}

void GrantStore::erase_account(soci::session& tx, std::int64_t account_id, std::int64_t now) {
    const long long a = account_id, t = now;
    tx << "DELETE FROM oidc_consents WHERE account_id = :a", soci::use(a);
    tx << "DELETE FROM oidc_codes WHERE account_id = :a", soci::use(a);
    tx << "UPDATE oidc_grants SET revoked_at = :t WHERE account_id = :a AND revoked_at IS NULL", soci::use(t), soci::use(a);
}

void GrantStore::purge(std::int64_t now) {
    const long long t = now, refresh_cutoff = now - kRefreshTokenTtl;
    db::transact(db_, [&](soci::session& tx) {
        tx << "DELETE FROM oidc_codes WHERE expires_at < :t", soci::use(t);
        tx << "DELETE FROM oidc_assertions WHERE expires_at < :t", soci::use(t);
        tx << "DELETE FROM oidc_refresh_tokens WHERE expires_at < :t", soci::use(refresh_cutoff);
    });
}

}  // namespace uslugi::oidc
