#pragma once
// The SQL of the OpenID Connect provider (migrations/0360_oidc.sql): relying
// parties, our signing keys (sealed), codes, grants, refresh tokens, consents
// and the assertions already seen. Only this module reads these tables.
#include "db/database.hpp"
#include "oidc/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::oidc {

struct Client {
    std::string client_id, name, logo_url;
    ClientAuth auth = ClientAuth::client_secret_basic;
    std::string secret_hash;  // sha256 hex of the secret (client_secret_basic)
    std::string jwks;         // JSON (private_key_jwt)
    std::string alg = "RS256";
    std::vector<std::string> redirect_uris, logout_uris;
    std::string backchannel_uri;
    ScopeSet scopes;
    std::string min_level = "simplified";
    std::int64_t created_at = 0, updated_at = 0;
};

class ClientStore {
public:
    explicit ClientStore(db::Database& db) : db_(db) {}
    // False when the client id is taken.
    bool create(const Client& c);
    std::optional<Client> find(const std::string& client_id);
    std::vector<Client> list();
    bool set_secret(const std::string& client_id, const std::string& secret_hash, std::int64_t now);
    bool remove(soci::session& tx, const std::string& client_id);

private:
    db::Database& db_;
};

struct StoredKey {
    std::string kid, alg, private_enc, public_jwk;
    std::int64_t created_at = 0, retired_at = 0;  // 0: in use
};

class KeyStore {
public:
    explicit KeyStore(db::Database& db) : db_(db) {}
    void insert(const StoredKey& k);
    // Keys in use and retired ones retired after `published_since`, newest first.
    std::vector<StoredKey> published(std::int64_t published_since);
    // The keys in use (not retired) are retired at `now`.
    int retire_all(std::int64_t now);

private:
    db::Database& db_;
};

struct Code {
    std::string code_hash, client_id, redirect_uri, scope, nonce, code_challenge, acr, sid;
    std::int64_t account_id = 0, auth_time = 0, created_at = 0, expires_at = 0, used_at = 0;
};

struct Grant {
    std::int64_t id = 0, account_id = 0, auth_time = 0, created_at = 0, last_used_at = 0, revoked_at = 0;
    std::string client_id, code_hash, scope, acr, sid;
};

struct Consent {
    std::int64_t account_id = 0;
    std::string client_id, scope;
    std::int64_t created_at = 0, updated_at = 0, last_used_at = 0;
};

class GrantStore {
public:
    explicit GrantStore(db::Database& db) : db_(db) {}

    void insert_code(soci::session& tx, const Code& c);
    std::optional<Code> find_code(soci::session& tx, const std::string& code_hash);
    // Marks the code used; false when it already was (a replay).
    bool use_code(soci::session& tx, const std::string& code_hash, std::int64_t now);

    std::int64_t insert_grant(soci::session& tx, const Grant& g);
    std::optional<Grant> find_grant(soci::session& s, std::int64_t id);
    std::optional<Grant> find_grant(std::int64_t id);
    // Grants revoked now: the one(s) issued from a code, an account's for a client, a sign-in's.
    int revoke_by_code(soci::session& tx, const std::string& code_hash, std::int64_t now);
    int revoke_grant(soci::session& tx, std::int64_t grant_id, std::int64_t now);
    int revoke_for_client(soci::session& tx, std::int64_t account_id, const std::string& client_id, std::int64_t now);
    int revoke_all_for_client(soci::session& tx, const std::string& client_id, std::int64_t now);
    // Live grants of a portal sign-in (sid), for back-channel logout.
    std::vector<Grant> live_by_sid(soci::session& tx, const std::string& sid);
    void touch_grant(soci::session& tx, std::int64_t grant_id, std::int64_t now);

    void insert_refresh(soci::session& tx, const std::string& token_hash, std::int64_t grant_id, std::int64_t now,
                        std::int64_t expires_at);
    struct Refresh {
        std::int64_t grant_id = 0, expires_at = 0, used_at = 0;
    };
    std::optional<Refresh> find_refresh(soci::session& tx, const std::string& token_hash);
    bool use_refresh(soci::session& tx, const std::string& token_hash, std::int64_t now);

    std::optional<Consent> consent(soci::session& s, std::int64_t account_id, const std::string& client_id);
    std::optional<Consent> consent(std::int64_t account_id, const std::string& client_id);
    void save_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id,
                      const std::string& scope, std::int64_t now);
    void touch_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id, std::int64_t now);
    bool delete_consent(soci::session& tx, std::int64_t account_id, const std::string& client_id);
    std::vector<Consent> consents(std::int64_t account_id);

    // An assertion's (client, jti) seen for the first time: true, and remembered until `expires_at`.
    bool first_use_of_assertion(const std::string& jti_hash, std::int64_t expires_at);
    // An account deleted (ID-6): its consents and codes go, its grants are revoked.
    void erase_account(soci::session& tx, std::int64_t account_id, std::int64_t now);
    // Ended codes, refresh tokens and assertions.
    void purge(std::int64_t now);

private:
    db::Database& db_;
};

}  // namespace uslugi::oidc
