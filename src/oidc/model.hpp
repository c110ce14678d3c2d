#pragma once
// Rules of the OpenID Connect provider (ID-7) with no I/O: which data each
// scope opens, what a relying party may ask for, PKCE, the exact match of
// redirect URIs, what a remembered consent covers, and how long codes and
// tokens live. Unit tested in tests/unit/oidc/.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::oidc {

// ---- Scopes ----------------------------------------------------------------------------------
// The data the seeds list, one scope per item the consent screen names (as
// ESIA names them). "openid" opens only the pairwise subject identifier.
struct ScopeInfo {
    std::string_view name;
    std::vector<std::string_view> claims;  // userinfo / ID token claims it opens
    // The "Who accessed my data" field names (security.data.<name>) it reads.
    std::string_view audit_fields;
};
const std::vector<ScopeInfo>& scope_catalog();
const ScopeInfo* find_scope(std::string_view name);

using ScopeSet = std::set<std::string>;
// "openid fullname snils" → the set; nullopt when a name is unknown or repeated spaces hide an empty one.
std::optional<ScopeSet> parse_scopes(std::string_view text);
std::string join_scopes(const ScopeSet& s);
// Data scopes of the set, in the catalog's order (what the consent screen lists).
std::vector<std::string> data_scopes(const ScopeSet& s);
// "fullname,snils": the audit's field names for the data scopes of the set.
std::string audit_fields(const ScopeSet& s);
bool is_subset(const ScopeSet& inner, const ScopeSet& outer);

// ---- Clients ---------------------------------------------------------------------------------
enum class ClientAuth { client_secret_basic, private_key_jwt };
std::string_view to_string(ClientAuth a);
std::optional<ClientAuth> client_auth_from_string(std::string_view s);

// A redirect URI a client may register: absolute http(s), no fragment, no
// user info; http only for loopback hosts (a site in development).
bool valid_redirect_uri(std::string_view uri);
// Client ids are chosen by the operator: 3–64 of [a-z0-9._-].
bool valid_client_id(std::string_view id);
// RFC 6749 §3.1.2.3 / OIDC: simple string comparison, nothing else.
bool redirect_matches(const std::vector<std::string>& registered, std::string_view given);
// "https://site.example:8443" of an absolute http(s) URI; "" when it is not one.
std::string origin_of(std::string_view uri);

// ---- PKCE (RFC 7636) -------------------------------------------------------------------------
// A code_challenge must be 43 base64url characters (a SHA-256), a verifier
// 43–128 unreserved characters; only S256 is accepted.
bool valid_code_challenge(std::string_view challenge);
bool valid_code_verifier(std::string_view verifier);
// base64url(SHA-256(verifier)) == challenge, in constant time.
bool pkce_matches(std::string_view verifier, std::string_view challenge);

// ---- Levels of assurance -----------------------------------------------------------------------
// acr values are the account levels' names ("simplified", "standard",
// "confirmed"); a request's acr_values asks for the lowest of the ones it lists.
// Rank 1..3 as identity::Level; nullopt when none of the values is a level.
std::optional<int> acr_rank(std::string_view name);
std::optional<int> requested_rank(std::string_view acr_values);
std::string_view acr_name(int rank);

// ---- Lifetimes (seconds) -----------------------------------------------------------------------
inline constexpr std::int64_t kCodeTtl = 60;                      // an authorization code
inline constexpr std::int64_t kAccessTokenTtl = 10 * 60;          // access and ID tokens
inline constexpr std::int64_t kRefreshTokenTtl = 30LL * 24 * 3600;
inline constexpr std::int64_t kAssertionMaxTtl = 10 * 60;        // a private_key_jwt assertion's exp - now
// A retired signing key stays in the JWKS this long: every token it signed has expired by then.
inline constexpr std::int64_t kRetiredKeyPublished = 2 * kAccessTokenTtl;
// The signing key is renewed when older than this.
inline constexpr std::int64_t kSigningKeyMaxAge = 90LL * 24 * 3600;

// ---- Refresh tokens ---------------------------------------------------------------------------
// What presenting a refresh token means, given what is stored of it.
enum class RefreshVerdict { rotate, reused, expired, revoked };
RefreshVerdict judge_refresh(bool already_used, bool grant_revoked, std::int64_t expires_at, std::int64_t now);

// ---- Authorization request ------------------------------------------------------------------
// Errors answered to the user (never redirected: the redirect URI or client is not trusted).
enum class FatalError { none, unknown_client, bad_redirect_uri };
// Errors redirected to the client (RFC 6749 §4.1.2.1).
struct AuthorizeRequest {
    std::string client_id, redirect_uri, response_type, scope, state, nonce;
    std::string code_challenge, code_challenge_method, acr_values, prompt;
};
// The first problem of a request whose client and redirect URI are fine:
// "" or an OAuth error code (invalid_request, unsupported_response_type,
// invalid_scope) with a description.
struct RequestProblem {
    std::string error, description;
    bool ok() const { return error.empty(); }
};
RequestProblem check_authorize(const AuthorizeRequest& r, const ScopeSet& allowed);

}  // namespace uslugi::oidc
