-- Registered letters with a confirmation code (ID-3 b). The code is kept as a
-- keyed hash (code_hash) for checking; its sealed copy (code_enc) lives only
-- until the Post has accepted the letter that carries it, so a Post that is
-- down loses nothing and a letter is never sent without its code.
CREATE TABLE identity_confirm_letters (
    id            AUTO_ID_PRIMARY_KEY,
    account_id    BIGINT NOT NULL REFERENCES identity_accounts (id),
    address_enc   TEXT NOT NULL,           -- sealed JSON: postcode, region, city, street, house, flat
    code_hash     TEXT NOT NULL,
    code_enc      TEXT,                    -- sealed code until the Post accepted the letter
    tracking      TEXT,                    -- the Post's tracking number, once accepted
    status        TEXT NOT NULL DEFAULT 'ordered',  -- ordered | accepted | in_transit | arrived | handed_over
    failures      INTEGER NOT NULL DEFAULT 0,       -- wrong codes typed
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX identity_confirm_letters_account ON identity_confirm_letters (account_id, id);
