-- The OpenID Connect provider (oidc module, ID-7). Times are UTC seconds.
-- Secrets, codes and tokens are stored as SHA-256 hex, never themselves;
-- signing keys are sealed with the data key (private_enc).

-- Relying parties registered by an operator (`uslugi admin sso-client`).
CREATE TABLE oidc_clients (
    client_id        TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    logo_url         TEXT NOT NULL DEFAULT '',
    auth_method      TEXT NOT NULL CHECK (auth_method IN ('client_secret_basic', 'private_key_jwt')),
    secret_hash      TEXT,                     -- client_secret_basic
    jwks             TEXT,                     -- private_key_jwt: the client's public keys
    alg              TEXT NOT NULL DEFAULT 'RS256',  -- how its ID and access tokens are signed
    redirect_uris    TEXT NOT NULL,            -- one a line, matched exactly
    logout_uris      TEXT NOT NULL DEFAULT '', -- post_logout_redirect_uri values, one a line
    backchannel_uri  TEXT NOT NULL DEFAULT '',
    scopes           TEXT NOT NULL,            -- what it may ask for, space-separated
    min_level        TEXT NOT NULL DEFAULT 'simplified',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Our signing keys; retired ones stay published until their tokens expired.
CREATE TABLE oidc_keys (
    kid          TEXT PRIMARY KEY,
    alg          TEXT NOT NULL,
    private_enc  TEXT NOT NULL,
    public_jwk   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT
);

-- Authorization codes: single use, a minute long.
CREATE TABLE oidc_codes (
    code_hash       TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL,
    account_id      BIGINT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scope           TEXT NOT NULL,
    nonce           TEXT NOT NULL DEFAULT '',
    code_challenge  TEXT NOT NULL,
    acr             TEXT NOT NULL,
    auth_time       BIGINT NOT NULL,
    sid             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX oidc_codes_expires ON oidc_codes (expires_at);

-- What one code exchange started: the access, ID and refresh tokens issued
-- from it and its refreshes. Revoking the grant ends them all.
CREATE TABLE oidc_grants (
    id            AUTO_ID_PRIMARY_KEY,
    client_id     TEXT NOT NULL,
    account_id    BIGINT NOT NULL,
    code_hash     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    acr           TEXT NOT NULL,
    auth_time     BIGINT NOT NULL,
    sid           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX oidc_grants_account ON oidc_grants (account_id, client_id);
CREATE INDEX oidc_grants_code ON oidc_grants (code_hash);
CREATE INDEX oidc_grants_sid ON oidc_grants (sid);

-- Refresh tokens, rotated on use; a used one presented again revokes its grant.
CREATE TABLE oidc_refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id);

-- What a user allowed a site to read, remembered per site and scope set.
CREATE TABLE oidc_consents (
    account_id    BIGINT NOT NULL,
    client_id     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    PRIMARY KEY (account_id, client_id)
);

-- private_key_jwt assertions seen (client and jti), so none is accepted twice.
CREATE TABLE oidc_assertions (
    jti_hash    TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);
