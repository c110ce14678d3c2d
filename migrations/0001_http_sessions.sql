-- Server-side sessions (http module). Only the SHA-256 of the cookie token is stored.
CREATE TABLE http_sessions (
    id_hash       TEXT PRIMARY KEY,
    csrf_token    TEXT NOT NULL,
    account_id    BIGINT,
    lang          TEXT NOT NULL DEFAULT 'ru',
    vi_mode       INTEGER NOT NULL DEFAULT 0,
    region        TEXT,
    settlement    TEXT,
    remember      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    idle_timeout  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX http_sessions_expires_at ON http_sessions (expires_at);
CREATE INDEX http_sessions_account_id ON http_sessions (account_id);
