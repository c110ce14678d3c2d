#pragma once
// Use cases of the OpenID Connect provider (ID-7, the "sites" part of ID-6):
// signing keys and their rotation, the authorization request, consents,
// codes, the token endpoint (code + PKCE, refresh with rotation and reuse
// detection), userinfo with exactly the consented data (each read recorded
// in "Who accessed my data"), revocation, introspection and logout.
//
// Personal data is read only through identity's and the cabinet's services,
// never their tables.
// The subject a site sees is pairwise (a keyed hash of the account and the
// site), so two sites cannot join their users by `sub`.
#include "cabinet/service.hpp"
#include "core/crypto.hpp"
#include "http/request.hpp"
#include "identity/service.hpp"
#include "identity/verification.hpp"
#include "jobs/store.hpp"
#include "oidc/jose.hpp"
#include "oidc/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::oidc {

inline constexpr std::string_view kBackchannelLogoutKind = "oidc.backchannel_logout";

// Our signing keys: sealed in oidc_keys with the data key, opened once and
// kept in memory; reloaded when a token names a kid not yet seen (another
// instance rotated).
class KeyRing {
public:
    KeyRing(KeyStore& store, const core::DataProtector& protector) : store_(store), protector_(protector) {}
    // Makes sure a key of each algorithm is in use and young enough.
    void ensure(std::int64_t now);
    // Retires the keys in use and makes new ones; the old stay published
    // until the tokens they signed have expired.
    void rotate(std::int64_t now);
    std::shared_ptr<const Key> signing(Alg alg);
    // Every published key, for verification.
    std::vector<std::shared_ptr<const Key>> published();
    nlohmann::json jwks();
    void reload();

private:
    void add(Alg alg, std::int64_t now);
    struct Loaded {
        std::shared_ptr<const Key> key;
        std::int64_t created_at = 0, retired_at = 0;
    };
    KeyStore& store_;
    const core::DataProtector& protector_;
    std::mutex mutex_;
    std::vector<Loaded> keys_;  // newest first
};

// What the authorization endpoint decided.
struct AuthorizeDecision {
    enum class Kind {
        fatal,           // unknown client or redirect URI: a page, never a redirect
        error_redirect,  // back to the site with error=…
        sign_in,         // the user must sign in first
        level,           // the account's level is below what the site needs
        consent,         // ask the user
        code,            // redirect with a code
    } kind = Kind::fatal;
    std::string error, description;  // fatal: "unknown_client" | "bad_redirect_uri"
    std::string redirect;            // error_redirect, code: the full URL
    std::optional<Client> client;
    ScopeSet scopes;
    int need_rank = 1;
};

// Token endpoint and friends: an OAuth error or a JSON answer.
struct TokenAnswer {
    int status = 200;
    nlohmann::json body;
    bool basic_challenge = false;  // 401 invalid_client with WWW-Authenticate: Basic
    static TokenAnswer error(int status, std::string code, std::string description);
};

// The client a request authenticated as (client_secret_basic or private_key_jwt).
struct ClientCredentials {
    std::string authorization;  // the Authorization header
    std::string client_id, client_assertion_type, client_assertion;
};

struct SiteAccess {
    Client client;
    Consent consent;
    std::int64_t last_used_at = 0;
};

class OidcService {
public:
    OidcService(db::Database& db, const core::DataProtector& protector, const std::string& data_key,
                identity::IdentityService& identity, identity::ProfileService& profiles, jobs::JobStore& jobs,
                std::string issuer, cabinet::CabinetService* cabinet = nullptr);

    const std::string& issuer() const { return issuer_; }
    nlohmann::json discovery() const;
    KeyRing& keys() { return keys_; }
    ClientStore& clients() { return clients_; }
    db::Database& database() { return db_; }
    GrantStore& grants() { return grants_; }

    // The authorization request of a signed-in account (nullptr: nobody).
    // `session_hash` names the portal sign-in (for logout); `consented`:
    // the user pressed "allow" on the consent screen just now.
    AuthorizeDecision authorize(const AuthorizeRequest& r, const http::AccountBrief* account,
                                const std::string& session_hash, std::int64_t auth_time, bool consented);
    // The user refused: the redirect with access_denied (nullopt when the request itself is not trusted).
    std::optional<std::string> refuse(const AuthorizeRequest& r);

    TokenAnswer token(const ClientCredentials& cred, const http::Params& form, const std::string& ip);
    // 401 answers carry WWW-Authenticate: Bearer error="invalid_token".
    TokenAnswer userinfo(const std::string& bearer, const std::string& ip);
    TokenAnswer revoke(const ClientCredentials& cred, const http::Params& form);
    TokenAnswer introspect(const ClientCredentials& cred, const http::Params& form);

    // RP-initiated logout: the client named by a valid id_token_hint (or
    // client_id) and the post-logout redirect, if it is registered.
    struct LogoutTarget {
        std::optional<Client> client;
        std::string redirect;  // "" : show our own page
        bool ok = true;        // false: a redirect URI that is not registered, or a hint we did not sign
    };
    LogoutTarget logout_target(const std::string& id_token_hint, const std::string& client_id,
                               const std::string& post_logout_redirect_uri, const std::string& state);
    // The portal sign-in `session_hash` ended: its grants are revoked and every
    // site with a back-channel URI is told (jobs, in the same transaction).
    int end_sign_in(const std::string& session_hash, std::int64_t now);

    // "Sites that have access" (ID-6).
    std::vector<SiteAccess> sites(std::int64_t account_id);
    // The consent goes and the site's tokens end at once; false when there was none.
    bool revoke_site(const identity::Context& ctx, std::int64_t account_id, const std::string& client_id);

    // The pairwise subject of an account at a site.
    std::string subject(const std::string& client_id, std::int64_t account_id) const;
    std::string sid_of(const std::string& session_hash) const;
    void purge(std::int64_t now) { grants_.purge(now); }

private:
    std::optional<Client> authenticate(const ClientCredentials& cred, TokenAnswer& failure);
    std::optional<Client> authenticate_assertion(const ClientCredentials& cred, TokenAnswer& failure);
    TokenAnswer exchange_code(const Client& client, const http::Params& form);
    TokenAnswer refresh(const Client& client, const http::Params& form);
    // Access token, ID token (nonce when given) and a new refresh token for a grant.
    nlohmann::json issue(soci::session& tx, const Client& client, const Grant& grant, const std::string& nonce,
                         std::int64_t now);
    std::string access_token(const Client& client, const Grant& grant, std::int64_t now);
    std::string id_token(const Client& client, const Grant& grant, const std::string& nonce, std::int64_t now);
    std::string issue_code(const AuthorizeRequest& r, const Client& client, const http::AccountBrief& account,
                           const std::string& session_hash, std::int64_t auth_time, const ScopeSet& scopes,
                           bool save_consent);
    // A JWT of ours (any published key), with iss checked; nullopt otherwise.
    std::optional<nlohmann::json> our_jwt(const std::string& token, bool check_exp);
    nlohmann::json claims_for(std::int64_t account_id, const ScopeSet& scopes);
    void enqueue_logout(soci::session& tx, const Client& client, const Grant& grant, std::int64_t now);
    Alg alg_of(const Client& c) const;

    db::Database& db_;
    identity::IdentityService& identity_;
    identity::ProfileService& profiles_;
    cabinet::CabinetService* cabinet_;  // the "addresses" scope; null: no address is ever given
    jobs::JobStore& jobs_;
    std::string issuer_;
    core::Signer signer_;
    ClientStore clients_;
    KeyStore key_store_;
    GrantStore grants_;
    KeyRing keys_;
};

// "https://site/cb" + {code, state, iss}: query parameters appended to a registered URI.
std::string with_query(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace uslugi::oidc
