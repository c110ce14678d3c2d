-- A verification's events belong to it (identity module): an event never
-- outlives its verification (ProfileStore deletes the events first) and is
-- only written for one just created, so existing rows satisfy the key.
ALTER TABLE identity_verification_events
    ADD CONSTRAINT identity_verification_events_verification_fk
    FOREIGN KEY (verification_id) REFERENCES identity_verifications (id);
