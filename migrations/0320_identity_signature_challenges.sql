-- Challenges of the qualified-signature way to the confirmed level (ID-3c,
-- identity/signature_confirmation.hpp): bound to the account and the browser
-- session that asked, single use, limited tries, short-lived. Only the
-- SHA-256 of the random token is kept; the bytes the user signs are rebuilt
-- from it, the account number and created_at.
CREATE TABLE identity_signature_challenges (
    id            AUTO_ID_PRIMARY_KEY,
    account_id    BIGINT NOT NULL,
    session_hash  TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    failures      INTEGER NOT NULL DEFAULT 0,
    certificate   TEXT,                     -- serial / issuer of the certificate that confirmed
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX identity_signature_challenges_account ON identity_signature_challenges (account_id, created_at);
