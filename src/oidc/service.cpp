#include "oidc/service.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "db/transaction.hpp"
#include "http/request.hpp"

#include <algorithm>

namespace uslugi::oidc {

namespace {

constexpr std::string_view kAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
// OpenID Connect Back-Channel Logout 1.0 §2.4: the event's fixed name.
constexpr const char* kLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

std::string hash(const std::string& secret) { return core::sha256_hex(secret); }

ScopeSet scopes_of(const std::string& text) { return parse_scopes(text).value_or(ScopeSet{}); }

int level_rank(std::string_view level) { return acr_rank(level).value_or(1); }

}  // namespace

TokenAnswer TokenAnswer::error(int status, std::string code, std::string description) {
    TokenAnswer a;
    a.status = status;
    a.body = {{"error", std::move(code)}, {"error_description", std::move(description)}};
    return a;
}

std::string with_query(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params) {
    std::string out = uri;
    char sep = uri.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : params) {
        if (v.empty()) continue;
        out += sep + k + "=" + http::url_encode(v);
        sep = '&';
    }
    return out;
}

// ---- keys ----

void KeyRing::add(Alg alg, std::int64_t now) {
    Key key = Key::generate(alg);
    StoredKey k;
    k.kid = key.kid();
    k.alg = std::string(to_string(alg));
    k.private_enc = protector_.seal(key.to_private_pem(), core::SealContext("oidc_keys", "private_enc", k.kid));
    k.public_jwk = key.public_jwk().dump();
    k.created_at = now;
    store_.insert(k);
}

void KeyRing::ensure(std::int64_t now) {
    reload();
    for (Alg alg : {Alg::es256, Alg::rs256}) {
        bool fresh = false;
        {
            std::lock_guard lock(mutex_);
            for (const auto& k : keys_)
                if (k.key->alg() == alg && !k.retired_at && now - k.created_at < kSigningKeyMaxAge) fresh = true;
        }
        if (!fresh) {
            core::app_log().info("oidc: new {} signing key", to_string(alg));
            add(alg, now);
        }
    }
    reload();
}

void KeyRing::rotate(std::int64_t now) {
    store_.retire_all(now);
    add(Alg::es256, now);
    add(Alg::rs256, now);
    reload();
}

void KeyRing::reload() {
    std::vector<Loaded> loaded;
    for (const auto& k : store_.published(core::now_unix() - kRetiredKeyPublished)) {
        const auto alg = alg_from_string(k.alg);
        if (!alg) continue;
        const std::string pem = protector_.open(k.private_enc, core::SealContext("oidc_keys", "private_enc", k.kid));
        loaded.push_back({std::make_shared<const Key>(Key::from_private_pem(pem, *alg)), k.created_at, k.retired_at});
    }
    std::lock_guard lock(mutex_);
    keys_ = std::move(loaded);
}

std::shared_ptr<const Key> KeyRing::signing(Alg alg) {
    std::lock_guard lock(mutex_);
    for (const auto& k : keys_)
        if (k.key->alg() == alg && !k.retired_at) return k.key;
    throw std::runtime_error("oidc: no signing key in use");
}

std::vector<std::shared_ptr<const Key>> KeyRing::published() {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<const Key>> out;
    for (const auto& k : keys_) out.push_back(k.key);
    return out;
}

nlohmann::json KeyRing::jwks() {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : published()) keys.push_back(k->public_jwk());
    return {{"keys", keys}};
}

// ---- service ----

OidcService::OidcService(db::Database& db, const core::DataProtector& protector, const std::string& data_key,
                         identity::IdentityService& identity, identity::ProfileService& profiles, jobs::JobStore& jobs,
                         std::string issuer, cabinet::CabinetService* cabinet)
    : db_(db),
      identity_(identity),
      profiles_(profiles),
      cabinet_(cabinet),
      jobs_(jobs),
      issuer_(std::move(issuer)),
      signer_(data_key),
      clients_(db),
      key_store_(db),
      grants_(db),
      keys_(key_store_, protector) {
    while (!issuer_.empty() && issuer_.back() == '/') issuer_.pop_back();
    // Deleting an account ends what every site was given, in the deletion's transaction.
    identity_.on_erase([this](soci::session& tx, std::int64_t account_id) {
        grants_.erase_account(tx, account_id, core::now_unix());
    });
    // Signing out of the portal (its own button or a site's logout) ends the
    // grants of that sign-in and tells each site over the back channel.
    identity_.on_sign_out([this](const identity::Context& ctx, std::int64_t) {
        if (end_sign_in(ctx.session_hash, core::now_unix()) > 0) identity_.wake();
    });
}

nlohmann::json OidcService::discovery() const {
    nlohmann::json scopes = nlohmann::json::array(), claims = nlohmann::json::array({"sub", "acr", "auth_time"});
    for (const auto& s : scope_catalog()) {
        scopes.push_back(std::string(s.name));
        for (auto c : s.claims)
            if (c != "sub") claims.push_back(std::string(c));
    }
    return {{"issuer", issuer_},
            {"authorization_endpoint", issuer_ + "/oidc/authorize"},
            {"token_endpoint", issuer_ + "/oidc/token"},
            {"userinfo_endpoint", issuer_ + "/oidc/userinfo"},
            {"jwks_uri", issuer_ + "/oidc/jwks"},
            {"revocation_endpoint", issuer_ + "/oidc/revoke"},
            {"introspection_endpoint", issuer_ + "/oidc/introspect"},
            {"end_session_endpoint", issuer_ + "/oidc/logout"},
            {"scopes_supported", scopes},
            {"claims_supported", claims},
            {"response_types_supported", {"code"}},
            {"response_modes_supported", {"query"}},
            {"grant_types_supported", {"authorization_code", "refresh_token"}},
            {"subject_types_supported", {"pairwise"}},
            {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
            {"token_endpoint_auth_methods_supported", {"client_secret_basic", "private_key_jwt"}},
            {"token_endpoint_auth_signing_alg_values_supported", {"RS256", "ES256"}},
            {"revocation_endpoint_auth_methods_supported", {"client_secret_basic", "private_key_jwt"}},
            {"introspection_endpoint_auth_methods_supported", {"client_secret_basic", "private_key_jwt"}},
            {"code_challenge_methods_supported", {"S256"}},
            {"acr_values_supported", {"simplified", "standard", "confirmed"}},
            {"prompt_values_supported", {"none", "login", "consent"}},
            {"claims_parameter_supported", false},
            {"request_parameter_supported", false},
            {"authorization_response_iss_parameter_supported", true},
            {"backchannel_logout_supported", true},
            {"backchannel_logout_session_supported", true}};
}

std::string OidcService::subject(const std::string& client_id, std::int64_t account_id) const {
    return signer_.sign("oidc.sub:" + client_id, std::to_string(account_id)).substr(0, 40);
}

std::string OidcService::sid_of(const std::string& session_hash) const {
    return signer_.sign("oidc.sid", session_hash).substr(0, 32);
}

Alg OidcService::alg_of(const Client& c) const { return alg_from_string(c.alg).value_or(Alg::rs256); }

// ---- authorization ----

AuthorizeDecision OidcService::authorize(const AuthorizeRequest& r, const http::AccountBrief* account,
                                         const std::string& session_hash, std::int64_t auth_time, bool consented) {
    AuthorizeDecision d;
    d.client = clients_.find(r.client_id);
    if (!d.client) {
        d.error = "unknown_client";
        return d;
    }
    if (!redirect_matches(d.client->redirect_uris, r.redirect_uri)) {
        d.error = "bad_redirect_uri";
        return d;
    }
    auto back = [&](const std::string& error, const std::string& description) {
        d.kind = AuthorizeDecision::Kind::error_redirect;
        d.redirect = with_query(r.redirect_uri,
                                {{"error", error}, {"error_description", description}, {"state", r.state}, {"iss", issuer_}});
        return d;
    };
    if (const auto problem = check_authorize(r, d.client->scopes); !problem.ok())
        return back(problem.error, problem.description);
    d.scopes = scopes_of(r.scope);
    d.need_rank = std::max(level_rank(d.client->min_level), requested_rank(r.acr_values).value_or(1));
    if (!account) {
        if (r.prompt == "none") return back("login_required", "the user is not signed in");
        d.kind = AuthorizeDecision::Kind::sign_in;
        return d;
    }
    if (account->level_rank < d.need_rank) {
        if (r.prompt == "none") return back("interaction_required", "the account's level is too low");
        d.kind = AuthorizeDecision::Kind::level;
        return d;
    }
    const auto consent = grants_.consent(account->id, d.client->client_id);
    const bool remembered = consent && is_subset(d.scopes, scopes_of(consent->scope));
    if (!consented && (!remembered || r.prompt == "consent")) {
        if (r.prompt == "none") return back("consent_required", "the user has not allowed this site these data");
        d.kind = AuthorizeDecision::Kind::consent;
        return d;
    }
    d.kind = AuthorizeDecision::Kind::code;
    d.redirect = issue_code(r, *d.client, *account, session_hash, auth_time, d.scopes, consented);
    return d;
}

std::optional<std::string> OidcService::refuse(const AuthorizeRequest& r) {
    const auto client = clients_.find(r.client_id);
    if (!client || !redirect_matches(client->redirect_uris, r.redirect_uri)) return std::nullopt;
    return with_query(r.redirect_uri, {{"error", "access_denied"},
                                       {"error_description", "the user refused"},
                                       {"state", r.state},
                                       {"iss", issuer_}});
}

std::string OidcService::issue_code(const AuthorizeRequest& r, const Client& client, const http::AccountBrief& account,
                                    const std::string& session_hash, std::int64_t auth_time, const ScopeSet& scopes,
                                    bool save_consent) {
    const std::int64_t now = core::now_unix();
    const std::string code = core::random_token(32);
    Code c;
    c.code_hash = hash(code);
    c.client_id = client.client_id;
    c.account_id = account.id;
    c.redirect_uri = r.redirect_uri;
    c.scope = join_scopes(scopes);
    c.nonce = r.nonce;
    c.code_challenge = r.code_challenge;
    c.acr = std::string(acr_name(account.level_rank));
    c.auth_time = auth_time ? auth_time : now;
    c.sid = sid_of(session_hash);
    c.created_at = now;
    c.expires_at = now + kCodeTtl;
    db::transact(db_, [&](soci::session& tx) {
        if (save_consent) {
            // Remembered per site: the new set joins what was allowed before.
            ScopeSet all = scopes;
            if (auto old = grants_.consent(tx, account.id, client.client_id)) {
                const auto before = scopes_of(old->scope);
                all.insert(before.begin(), before.end());
            }
            grants_.save_consent(tx, account.id, client.client_id, join_scopes(all), now);
        }
        grants_.insert_code(tx, c);
    });
    return with_query(r.redirect_uri, {{"code", code}, {"state", r.state}, {"iss", issuer_}});
}

// ---- client authentication ----

std::optional<Client> OidcService::authenticate(const ClientCredentials& cred, TokenAnswer& failure) {
    if (!cred.client_assertion.empty() || !cred.client_assertion_type.empty())
        return authenticate_assertion(cred, failure);
    failure = TokenAnswer::error(401, "invalid_client", "client authentication failed");
    failure.basic_challenge = true;
    const std::string_view auth = cred.authorization;
    if (auth.size() < 6 || !std::equal(auth.begin(), auth.begin() + 6, "Basic ", [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
        return std::nullopt;
    const auto decoded = core::base64_decode(auth.substr(6));
    if (!decoded) return std::nullopt;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string id, secret;
    try {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        id = http::url_decode(decoded->substr(0, colon), true);
        secret = http::url_decode(decoded->substr(colon + 1), true);
    } catch (const http::BadRequest&) {
        return std::nullopt;
    }
    if (!cred.client_id.empty() && cred.client_id != id) return std::nullopt;
    auto client = clients_.find(id);
    // The hash is compared even for an unknown client, so timing tells nothing.
    const std::string stored = client && client->auth == ClientAuth::client_secret_basic ? client->secret_hash
                                                                                         : std::string(64, '0');
    if (!core::constant_time_equal(hash(secret), stored) || !client) return std::nullopt;
    return client;
}

std::optional<Client> OidcService::authenticate_assertion(const ClientCredentials& cred, TokenAnswer& failure) {
    failure = TokenAnswer::error(401, "invalid_client", "the client assertion is not valid");
    if (cred.client_assertion_type != kAssertionType) return std::nullopt;
    // Who claims to have signed: the unverified payload names the client whose keys decide.
    const std::string& jwt = cred.client_assertion;
    const auto dot1 = jwt.find('.'), dot2 = dot1 == std::string::npos ? dot1 : jwt.find('.', dot1 + 1);
    if (dot2 == std::string::npos) return std::nullopt;
    const auto payload_text = b64url_decode(std::string_view(jwt).substr(dot1 + 1, dot2 - dot1 - 1));
    if (!payload_text) return std::nullopt;
    const auto claimed = nlohmann::json::parse(*payload_text, nullptr, false);
    if (!claimed.is_object() || !claimed.contains("iss") || !claimed["iss"].is_string()) return std::nullopt;
    auto client = clients_.find(claimed["iss"].get<std::string>());
    if (!client || client->auth != ClientAuth::private_key_jwt) return std::nullopt;
    if (!cred.client_id.empty() && cred.client_id != client->client_id) return std::nullopt;
    const auto keys = keys_from_jwks(nlohmann::json::parse(client->jwks, nullptr, false));
    std::vector<const Key*> candidates;
    for (const auto& k : keys) candidates.push_back(&k);
    const auto verified = verify_jwt(jwt, candidates);
    if (!verified.jwt) return std::nullopt;
    const auto& p = verified.jwt->payload;
    const std::int64_t now = core::now_unix();
    auto aud_ok = [&](const nlohmann::json& a) {
        return a.is_string() && (a == issuer_ + "/oidc/token" || a == issuer_);
    };
    const bool audience = p.contains("aud") && (aud_ok(p["aud"]) || (p["aud"].is_array() &&
                                                                     std::any_of(p["aud"].begin(), p["aud"].end(), aud_ok)));
    if (p.value("iss", "") != client->client_id || p.value("sub", "") != client->client_id || !audience)
        return std::nullopt;
    if (!p.contains("exp") || !p["exp"].is_number_integer() || !p.contains("jti") || !p["jti"].is_string())
        return std::nullopt;
    const std::int64_t exp = p["exp"];
    if (exp <= now || exp > now + kAssertionMaxTtl) return std::nullopt;
    if (!grants_.first_use_of_assertion(hash(client->client_id + "\n" + p["jti"].get<std::string>()), exp))
        return std::nullopt;
    return client;
}

// ---- token endpoint ----

TokenAnswer OidcService::token(const ClientCredentials& cred, const http::Params& form, const std::string& ip) {
    TokenAnswer failure;
    const auto client = authenticate(cred, failure);
    if (!client) return failure;
    const std::string grant_type(form.get("grant_type").value_or(""));
    if (grant_type == "authorization_code") return exchange_code(*client, form);
    if (grant_type == "refresh_token") return refresh(*client, form);
    return TokenAnswer::error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
}

TokenAnswer OidcService::exchange_code(const Client& client, const http::Params& form) {
    const std::string code(form.get("code").value_or(""));
    const std::string redirect_uri(form.get("redirect_uri").value_or(""));
    const std::string verifier(form.get("code_verifier").value_or(""));
    const std::int64_t now = core::now_unix();
    const auto invalid = [](const std::string& why) { return TokenAnswer::error(400, "invalid_grant", why); };
    bool replay = false;
    auto answer = db::transact(db_, [&](soci::session& tx) -> TokenAnswer {
        const auto c = grants_.find_code(tx, hash(code));
        if (code.empty() || !c || c->client_id != client.client_id) return invalid("the code is unknown");
        if (!grants_.use_code(tx, c->code_hash, now)) {
            // A code presented twice was stolen or replayed: what it gave ends too.
            grants_.revoke_by_code(tx, c->code_hash, now);
            replay = true;
            return invalid("the code was already used");
        }
        if (c->expires_at <= now) return invalid("the code has expired");
        if (c->redirect_uri != redirect_uri) return invalid("redirect_uri differs from the authorization request's");
        if (!pkce_matches(verifier, c->code_challenge)) return invalid("the PKCE code_verifier does not match");
        Grant g;
        g.client_id = client.client_id;
        g.account_id = c->account_id;
        g.code_hash = c->code_hash;
        g.scope = c->scope;
        g.acr = c->acr;
        g.auth_time = c->auth_time;
        g.sid = c->sid;
        g.created_at = now;
        g.id = grants_.insert_grant(tx, g);
        grants_.touch_consent(tx, c->account_id, client.client_id, now);
        TokenAnswer ok;
        ok.body = issue(tx, client, g, c->nonce, now);
        return ok;
    });
    if (replay) core::app_log().warn("oidc: a used code was presented again by {}; its tokens are revoked", client.client_id);
    return answer;
}

TokenAnswer OidcService::refresh(const Client& client, const http::Params& form) {
    const std::string token(form.get("refresh_token").value_or(""));
    const std::int64_t now = core::now_unix();
    const auto invalid = [](const std::string& why) { return TokenAnswer::error(400, "invalid_grant", why); };
    return db::transact(db_, [&](soci::session& tx) -> TokenAnswer {
        const auto r = grants_.find_refresh(tx, hash(token));
        if (token.empty() || !r) return invalid("the refresh token is unknown");
        const auto g = grants_.find_grant(tx, r->grant_id);
        if (!g || g->client_id != client.client_id) return invalid("the refresh token is unknown");
        switch (judge_refresh(r->used_at != 0, g->revoked_at != 0, r->expires_at, now)) {
            case RefreshVerdict::revoked: return invalid("the refresh token was revoked");
            case RefreshVerdict::expired: return invalid("the refresh token has expired");
            case RefreshVerdict::reused:
                grants_.revoke_grant(tx, g->id, now);
                core::app_log().warn("oidc: a used refresh token of {} came back; its family is revoked", client.client_id);
                return invalid("the refresh token was already used; every token of this sign-in is revoked");
            case RefreshVerdict::rotate: break;
        }
        if (!grants_.use_refresh(tx, hash(token), now)) {  // lost a race with another use: the same as a reuse
            grants_.revoke_grant(tx, g->id, now);
            return invalid("the refresh token was already used");
        }
        grants_.touch_grant(tx, g->id, now);
        TokenAnswer ok;
        ok.body = issue(tx, client, *g, "", now);
        return ok;
    });
}

nlohmann::json OidcService::issue(soci::session& tx, const Client& client, const Grant& grant, const std::string& nonce,
                                  std::int64_t now) {
    const std::string refresh = core::random_token(32);
    grants_.insert_refresh(tx, hash(refresh), grant.id, now, now + kRefreshTokenTtl);
    return {{"access_token", access_token(client, grant, now)},
            {"token_type", "Bearer"},
            {"expires_in", kAccessTokenTtl},
            {"id_token", id_token(client, grant, nonce, now)},
            {"refresh_token", refresh},
            {"scope", grant.scope}};
}

std::string OidcService::access_token(const Client& client, const Grant& grant, std::int64_t now) {
    const nlohmann::json claims = {{"iss", issuer_},
                                   {"sub", subject(client.client_id, grant.account_id)},
                                   {"aud", client.client_id},
                                   {"client_id", client.client_id},
                                   {"iat", now},
                                   {"exp", now + kAccessTokenTtl},
                                   {"jti", core::random_token(16)},
                                   {"scope", grant.scope},
                                   {"acr", grant.acr},
                                   {"gid", grant.id}};
    // Only we verify access tokens (userinfo, introspection): ES256, much cheaper to sign than RSA.
    return sign_jwt(*keys_.signing(Alg::es256), claims, "at+jwt");
}

std::string OidcService::id_token(const Client& client, const Grant& grant, const std::string& nonce,
                                  std::int64_t now) {
    nlohmann::json claims = {{"iss", issuer_},
                             {"sub", subject(client.client_id, grant.account_id)},
                             {"aud", client.client_id},
                             {"azp", client.client_id},
                             {"iat", now},
                             {"exp", now + kAccessTokenTtl},
                             {"auth_time", grant.auth_time},
                             {"acr", grant.acr},
                             {"sid", grant.sid}};
    if (!nonce.empty()) claims["nonce"] = nonce;
    return sign_jwt(*keys_.signing(alg_of(client)), claims);
}

// ---- userinfo ----

std::optional<nlohmann::json> OidcService::our_jwt(const std::string& token, bool check_exp) {
    auto attempt = [&]() -> std::optional<nlohmann::json> {
        const auto published = keys_.published();
        std::vector<const Key*> keys;
        for (const auto& k : published) keys.push_back(k.get());
        const auto v = verify_jwt(token, keys);
        if (!v.jwt) {
            if (v.error == JwtError::unknown_key) return std::nullopt;
            return nlohmann::json();  // a definite no
        }
        return v.jwt->payload;
    };
    auto payload = attempt();
    if (!payload) {  // a kid we have not loaded: another instance may have rotated
        keys_.reload();
        payload = attempt();
    }
    if (!payload || !payload->is_object() || payload->value("iss", "") != issuer_) return std::nullopt;
    if (check_exp && (!payload->contains("exp") || !(*payload)["exp"].is_number_integer() ||
                      (*payload)["exp"].get<std::int64_t>() <= core::now_unix()))
        return std::nullopt;
    return payload;
}

nlohmann::json OidcService::claims_for(std::int64_t account_id, const ScopeSet& scopes) {
    nlohmann::json out = nlohmann::json::object();
    const auto view = profiles_.view(account_id);
    const auto& p = view.profile.data;
    auto set = [&](const char* claim, const std::string& value) {
        if (!value.empty()) out[claim] = value;
    };
    if (scopes.count("fullname")) {
        set("family_name", p.surname);
        set("given_name", p.name);
        set("middle_name", p.patronymic);
        std::string full = p.surname + " " + p.name + (p.patronymic.empty() ? "" : " " + p.patronymic);
        set("name", p.surname.empty() ? p.name : full);
    }
    if (scopes.count("birthdate")) set("birthdate", p.birth_date);
    if (scopes.count("birthplace")) set("birthplace", p.birth_place);
    if (scopes.count("gender")) set("gender", p.gender);
    if (scopes.count("snils")) set("snils", p.snils);
    if (scopes.count("inn")) set("inn", view.profile.inn);
    if (scopes.count("id_doc") && !p.passport.empty())
        out["id_doc"] = {{"type", p.document_type.empty() ? "passport_rf" : p.document_type},
                         {"series", p.passport_series()},
                         {"number", p.passport_number()},
                         {"issue_date", p.issue_date},
                         {"issued_by", p.issued_by},
                         {"department_code", p.department_code}};
    if (scopes.count("email") || scopes.count("mobile")) {
        const auto account = identity_.accounts().find(account_id);
        if (account && scopes.count("email") && !account->email.empty()) {
            out["email"] = account->email;
            out["email_verified"] = true;  // a contact is confirmed before it is saved (ID-1, ID-6)
        }
        if (account && scopes.count("mobile") && !account->phone.empty()) {
            out["phone_number"] = account->phone;
            out["phone_number_verified"] = true;
        }
    }
    if (scopes.count("addresses") && cabinet_) {
        if (const auto a = cabinet_->address_claim(account_id))
            out["address"] = {{"formatted", a->formatted}, {"street_address", a->street_address},
                              {"locality", a->locality},   {"region", a->region},
                              {"postal_code", a->postal_code}, {"country", a->country}};
    }
    return out;
}

TokenAnswer OidcService::userinfo(const std::string& bearer, const std::string& ip) {
    auto invalid = [] { return TokenAnswer::error(401, "invalid_token", "the access token is not valid"); };
    const auto payload = our_jwt(bearer, true);
    if (!payload || !payload->contains("gid") || !(*payload)["gid"].is_number_integer()) return invalid();
    const auto grant = grants_.find_grant((*payload)["gid"].get<std::int64_t>());
    const std::string client_id = payload->value("client_id", "");
    if (!grant || grant->revoked_at || grant->client_id != client_id) return invalid();
    const auto client = clients_.find(client_id);
    const auto account = identity_.accounts().find(grant->account_id);
    if (!client || !account || account->status != identity::AccountStatus::active) return invalid();
    const ScopeSet scopes = scopes_of(payload->value("scope", ""));
    TokenAnswer ok;
    ok.body = claims_for(grant->account_id, scopes);
    ok.body["sub"] = subject(client_id, grant->account_id);
    const std::int64_t now = core::now_unix();
    identity::AuditEntry entry;
    entry.at = now;
    entry.account_id = grant->account_id;
    entry.actor_kind = "site";
    entry.actor_id = client_id;
    entry.actor_name = client->name;
    entry.organisation = client->name;
    entry.action = "data_read";
    entry.fields = audit_fields(scopes);
    entry.reason = "sso";
    entry.ip = ip;
    db::transact(db_, [&](soci::session& tx) {
        if (!entry.fields.empty()) identity_.record_access(tx, entry);
        grants_.touch_grant(tx, grant->id, now);
        grants_.touch_consent(tx, grant->account_id, client_id, now);
    });
    return ok;
}

// ---- revocation and introspection ----

TokenAnswer OidcService::revoke(const ClientCredentials& cred, const http::Params& form) {
    TokenAnswer failure;
    const auto client = authenticate(cred, failure);
    if (!client) return failure;
    const std::string token(form.get("token").value_or(""));
    if (token.empty()) return TokenAnswer::error(400, "invalid_request", "token is missing");
    const std::int64_t now = core::now_unix();
    std::int64_t grant_id = 0;
    db::transact(db_, [&](soci::session& tx) {
        if (const auto r = grants_.find_refresh(tx, hash(token))) grant_id = r->grant_id;
    });
    if (!grant_id)
        if (const auto p = our_jwt(token, false); p && p->value("client_id", "") == client->client_id &&
                                                  p->contains("gid") && (*p)["gid"].is_number_integer())
            grant_id = (*p)["gid"];
    if (grant_id)
        db::transact(db_, [&](soci::session& tx) {
            const auto g = grants_.find_grant(tx, grant_id);
            // Another site's token is left alone, and the answer does not tell (RFC 7009 §2.2).
            if (g && g->client_id == client->client_id) grants_.revoke_grant(tx, grant_id, now);
        });
    TokenAnswer ok;
    ok.body = nlohmann::json::object();
    return ok;
}

TokenAnswer OidcService::introspect(const ClientCredentials& cred, const http::Params& form) {
    TokenAnswer failure;
    const auto client = authenticate(cred, failure);
    if (!client) return failure;
    const std::string token(form.get("token").value_or(""));
    TokenAnswer answer;
    answer.body = {{"active", false}};
    const std::int64_t now = core::now_unix();
    std::optional<Grant> grant;
    nlohmann::json extra;
    if (auto p = our_jwt(token, true); p && p->contains("gid") && (*p)["gid"].is_number_integer()) {
        grant = grants_.find_grant((*p)["gid"].get<std::int64_t>());
        extra = {{"token_type", "access_token"}, {"exp", (*p)["exp"]}, {"iat", p->value("iat", 0)}, {"scope", p->value("scope", "")}};
    } else if (!token.empty()) {
        std::optional<GrantStore::Refresh> r;
        db::transact(db_, [&](soci::session& tx) { r = grants_.find_refresh(tx, hash(token)); });
        if (r && !r->used_at && r->expires_at > now) {
            grant = grants_.find_grant(r->grant_id);
            extra = {{"token_type", "refresh_token"}, {"exp", r->expires_at}};
        }
    }
    // Only the site the token was issued to learns anything about it.
    if (!grant || grant->revoked_at || grant->client_id != client->client_id) return answer;
    answer.body = {{"active", true},
                   {"client_id", grant->client_id},
                   {"sub", subject(grant->client_id, grant->account_id)},
                   {"iss", issuer_},
                   {"acr", grant->acr},
                   {"scope", grant->scope}};
    answer.body.update(extra);
    return answer;
}

// ---- logout ----

OidcService::LogoutTarget OidcService::logout_target(const std::string& id_token_hint, const std::string& client_id,
                                                     const std::string& post_logout_redirect_uri,
                                                     const std::string& state) {
    LogoutTarget t;
    std::string id = client_id;
    if (!id_token_hint.empty()) {
        const auto p = our_jwt(id_token_hint, false);  // an expired ID token still names the site
        if (!p || !(*p)["aud"].is_string() || (!id.empty() && (*p)["aud"] != id)) {
            t.ok = false;
            return t;
        }
        id = (*p)["aud"];
    }
    if (!id.empty()) t.client = clients_.find(id);
    if (!post_logout_redirect_uri.empty()) {
        if (!t.client || !redirect_matches(t.client->logout_uris, post_logout_redirect_uri)) {
            t.ok = false;
            return t;
        }
        t.redirect = with_query(post_logout_redirect_uri, {{"state", state}});
    }
    return t;
}

void OidcService::enqueue_logout(soci::session& tx, const Client& client, const Grant& grant, std::int64_t now) {
    if (client.backchannel_uri.empty()) return;
    const nlohmann::json claims = {{"iss", issuer_},
                                   {"sub", subject(client.client_id, grant.account_id)},
                                   {"aud", client.client_id},
                                   {"iat", now},
                                   {"exp", now + kAccessTokenTtl},
                                   {"jti", core::random_token(16)},
                                   {"sid", grant.sid},
                                   {"events", {{kLogoutEvent, nlohmann::json::object()}}}};
    jobs::NewJob job;
    job.kind = std::string(kBackchannelLogoutKind);
    job.key = "oidc.logout:" + std::to_string(grant.id);
    job.payload = nlohmann::json{{"uri", client.backchannel_uri},
                                 {"logout_token", sign_jwt(*keys_.signing(alg_of(client)), claims, "logout+jwt")}}
                      .dump();
    job.max_attempts = 8;
    jobs_.enqueue(tx, job);
}

int OidcService::end_sign_in(const std::string& session_hash, std::int64_t now) {
    if (session_hash.empty()) return 0;
    const std::string sid = sid_of(session_hash);
    int ended = 0;
    db::transact(db_, [&](soci::session& tx) {
        for (const auto& g : grants_.live_by_sid(tx, sid)) {
            grants_.revoke_grant(tx, g.id, now);
            if (const auto client = clients_.find(g.client_id)) enqueue_logout(tx, *client, g, now);
            ++ended;
        }
    });
    return ended;
}

// ---- sites that have access ----

std::vector<SiteAccess> OidcService::sites(std::int64_t account_id) {
    std::vector<SiteAccess> out;
    for (const auto& c : grants_.consents(account_id)) {
        auto client = clients_.find(c.client_id);
        if (!client) continue;  // a site removed by the operator has no access left
        out.push_back({std::move(*client), c, c.last_used_at});
    }
    return out;
}

bool OidcService::revoke_site(const identity::Context& ctx, std::int64_t account_id, const std::string& client_id) {
    const std::int64_t now = core::now_unix();
    return db::transact(db_, [&](soci::session& tx) {
        if (!grants_.delete_consent(tx, account_id, client_id)) return false;
        grants_.revoke_for_client(tx, account_id, client_id, now);
        identity_.audit_self(tx, ctx, account_id, "site_access_revoked", "");
        return true;
    });
}

}  // namespace uslugi::oidc
