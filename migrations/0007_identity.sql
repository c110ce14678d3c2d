-- Identity (identity module, ID-1 … ID-6): accounts, one-time challenges,
-- brute-force counters and the audit log. Personal data is sealed (*_enc:
-- secretbox under the data key) and found through keyed blind indexes
-- (*_bidx: HMAC-SHA-256), see DESIGN.md "Data".
CREATE TABLE identity_accounts (
    id                    AUTO_ID_PRIMARY_KEY,
    kind                  TEXT NOT NULL DEFAULT 'citizen',
    level                 TEXT NOT NULL DEFAULT 'simplified',   -- simplified | standard | confirmed
    status                TEXT NOT NULL DEFAULT 'active',       -- active | deleted
    surname_enc           TEXT,
    name_enc              TEXT,
    phone_enc             TEXT,
    phone_bidx            TEXT UNIQUE,
    email_enc             TEXT,
    email_bidx            TEXT UNIQUE,
    snils_bidx            TEXT UNIQUE,                          -- set when the Pension Fund confirmed it
    passport_bidx         TEXT UNIQUE,                          -- set when the Interior Ministry confirmed it
    password_hash         TEXT,
    password_changed_at   BIGINT,
    security_question     TEXT,
    security_answer_hash  TEXT,
    two_factor            TEXT NOT NULL DEFAULT 'off',          -- off | sms | totp
    totp_secret_enc       TEXT,
    totp_last_step        BIGINT NOT NULL DEFAULT 0,            -- replay guard for authenticator codes
    notify_signin         INTEGER NOT NULL DEFAULT 0,
    lang                  TEXT NOT NULL DEFAULT 'ru',
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    deleted_at            BIGINT
);

-- A code or link in flight: registration, two-step sign-in, recovery, a new
-- contact. Bound to the browser session that asked for it; the code itself
-- is kept only as a keyed hash.
CREATE TABLE identity_challenges (
    id                AUTO_ID_PRIMARY_KEY,
    purpose           TEXT NOT NULL,          -- register | signin | recover | contact
    session_hash      TEXT NOT NULL,
    account_id        BIGINT,
    channel           TEXT NOT NULL,          -- sms | email | totp
    destination_enc   TEXT,
    destination_bidx  TEXT,
    payload_enc       TEXT,
    code_hash         TEXT,
    link_hash         TEXT UNIQUE,
    code_expires_at   BIGINT NOT NULL DEFAULT 0,
    code_sent_at      BIGINT NOT NULL DEFAULT 0,
    code_failures     INTEGER NOT NULL DEFAULT 0,
    failures          INTEGER NOT NULL DEFAULT 0,
    sends             INTEGER NOT NULL DEFAULT 0,
    confirmed_at      BIGINT,
    used_at           BIGINT,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);
CREATE INDEX identity_challenges_session ON identity_challenges (session_hash, purpose);
CREATE INDEX identity_challenges_expires ON identity_challenges (expires_at);

-- Failed attempts per account, per address and per destination: growing waits, then a lock.
CREATE TABLE identity_throttles (
    key              TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at  BIGINT NOT NULL,
    blocked_until    BIGINT NOT NULL
);

-- Append-only: the store has no UPDATE or DELETE for it, except the erasure
-- of the network details of a deleted account (ID-6).
CREATE TABLE identity_audit (
    id            AUTO_ID_PRIMARY_KEY,
    at            BIGINT NOT NULL,
    account_id    BIGINT NOT NULL,
    actor_kind    TEXT NOT NULL,     -- self | officer | operator | site | system
    actor_id      TEXT,
    actor_name    TEXT,
    organisation  TEXT,
    action        TEXT NOT NULL,
    fields        TEXT,
    reason        TEXT,
    ip            TEXT,
    device        TEXT
);
CREATE INDEX identity_audit_account ON identity_audit (account_id, at);
CREATE INDEX identity_audit_others ON identity_audit (account_id, actor_kind, at);
