-- A verification's events belong to it (identity module): an event never
-- outlives its verification (ProfileStore deletes the events first) and is
-- only written for one just created, so existing rows satisfy the key.
-- SQLite cannot add a foreign key to a table: the table is rebuilt with it,
-- ids kept. Every connection enforces it (PRAGMA foreign_keys=ON, db/database.cpp).
CREATE TABLE identity_verification_events_new (
    id               AUTO_ID_PRIMARY_KEY,
    verification_id  BIGINT NOT NULL REFERENCES identity_verifications (id),
    at               BIGINT NOT NULL,
    actor            TEXT NOT NULL,    -- system | user
    subject          TEXT NOT NULL,    -- overall | pfr | mvd | fns
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    reason           TEXT
);
INSERT INTO identity_verification_events_new (id, verification_id, at, actor, subject, from_state, to_state, reason)
    SELECT id, verification_id, at, actor, subject, from_state, to_state, reason FROM identity_verification_events;
DROP TABLE identity_verification_events;
ALTER TABLE identity_verification_events_new RENAME TO identity_verification_events;
CREATE INDEX identity_verification_events_verification ON identity_verification_events (verification_id, id);
