-- Marriage registration (APP-5): a slot of a registry office held for a
-- couple until the second spouse confirms from their own account.
--
-- marriage_slots is the slot itself, one row per taken (office, slot): a
-- hold is a conditional INSERT … ON CONFLICT DO NOTHING into it, so two
-- couples can never hold one slot however many try at once. The row goes
-- when a hold ends unconfirmed (declined or expired) and the slot is free again.
CREATE TABLE marriage_bookings (
    id              AUTO_ID_PRIMARY_KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id),
    office_id       TEXT NOT NULL,     -- the catalog authority (registry office)
    slot            TEXT NOT NULL,     -- "2027-03-12T11:30", the office's local time
    applicant_id    BIGINT NOT NULL REFERENCES identity_accounts (id),
    spouse_id       BIGINT NOT NULL REFERENCES identity_accounts (id),
    state           TEXT NOT NULL,     -- held | confirmed | declined | expired
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,   -- a hold not confirmed by then is let go (job marriage.expire)
    decided_at      BIGINT
);
CREATE INDEX marriage_bookings_applicant ON marriage_bookings (applicant_id, id);
CREATE INDEX marriage_bookings_spouse ON marriage_bookings (spouse_id, id);
CREATE UNIQUE INDEX marriage_bookings_application ON marriage_bookings (application_id);

CREATE TABLE marriage_slots (
    office_id   TEXT NOT NULL,
    slot        TEXT NOT NULL,
    booking_id  BIGINT NOT NULL REFERENCES marriage_bookings (id),
    PRIMARY KEY (office_id, slot)
);
