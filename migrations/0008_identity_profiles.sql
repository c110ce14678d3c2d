-- The profile behind the "standard" level (identity module, ID-2) and its
-- automatic checks by the Pension Fund, the Interior Ministry and the tax
-- service. Personal data is sealed (*_enc: secretbox under the data key).
--
-- identity_profiles.version is bumped on every change of the data the
-- registries check (names, gender, birth date, SNILS, passport): a
-- verification remembers the version it checked, so a check of data that has
-- changed since is recognised and ignored.
CREATE TABLE identity_profiles (
    account_id    BIGINT PRIMARY KEY,
    data_enc      TEXT NOT NULL,          -- sealed JSON of every ID-2 field
    inn_enc       TEXT,                   -- sealed INN found by the tax service
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    BIGINT NOT NULL,
    submitted_at  BIGINT                  -- first sent for checking
);

-- One attempt to check one version of a profile. The overall state and each
-- registry step follow the state machines of src/identity/profile.hpp.
CREATE TABLE identity_verifications (
    id               AUTO_ID_PRIMARY_KEY,
    account_id       BIGINT NOT NULL,
    profile_version  INTEGER NOT NULL,
    state            TEXT NOT NULL DEFAULT 'checking',   -- checking | passed | failed | superseded
    reason           TEXT,                               -- why it failed (a stable code)
    pfr_state        TEXT NOT NULL DEFAULT 'pending',    -- pending | running | waiting | passed | failed | cancelled
    pfr_reason       TEXT,
    pfr_detail       TEXT,
    mvd_state        TEXT NOT NULL DEFAULT 'pending',
    mvd_reason       TEXT,
    mvd_detail       TEXT,
    fns_state        TEXT NOT NULL DEFAULT 'pending',
    fns_reason       TEXT,
    fns_detail       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    finished_at      BIGINT
);
CREATE INDEX identity_verifications_account ON identity_verifications (account_id, id);

-- Every transition of a verification or one of its steps, with its time and actor.
CREATE TABLE identity_verification_events (
    id               AUTO_ID_PRIMARY_KEY,
    verification_id  BIGINT NOT NULL,
    at               BIGINT NOT NULL,
    actor            TEXT NOT NULL,    -- system | user
    subject          TEXT NOT NULL,    -- overall | pfr | mvd | fns
    from_state       TEXT NOT NULL,
    to_state         TEXT NOT NULL,
    reason           TEXT
);
CREATE INDEX identity_verification_events_verification ON identity_verification_events (verification_id, id);
