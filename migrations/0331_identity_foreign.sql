-- The profile of a foreign citizen (ID-5), identity module. The document and
-- names are one sealed JSON document (personal data at rest); the Interior
-- Ministry's verdict on the document is kept in the clear with its time.
-- identity_accounts.kind becomes 'foreign' when the profile is first saved.
CREATE TABLE identity_foreign_profiles (
    account_id   BIGINT PRIMARY KEY REFERENCES identity_accounts (id),
    data_enc     TEXT NOT NULL,
    check_state  TEXT NOT NULL DEFAULT 'not_checked'
                 CHECK (check_state IN ('not_checked', 'valid', 'expired', 'not_found', 'mismatch', 'unavailable')),
    checked_at   BIGINT,
    updated_at   BIGINT NOT NULL
);
