-- Applications to authorities (applications module, APP-1 … APP-3).
--
-- The form definitions of data/forms are loaded by `uslugi seed` into
-- applications_forms, so every `serve` instance reads the same ones. A form's
-- values (drafts and applications) hold personal data and are sealed
-- (data_enc: AEAD under the data key, bound to the owner's account id).
CREATE TABLE applications_forms (
    service_id  TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,        -- the data/forms document as JSON
    loaded_at   BIGINT NOT NULL
);

-- A form being filled in: the user's alone, saved on every step.
CREATE TABLE applications_drafts (
    id          AUTO_ID_PRIMARY_KEY,
    account_id  BIGINT NOT NULL REFERENCES identity_accounts (id),
    service_id  TEXT NOT NULL,
    step        BIGINT NOT NULL DEFAULT 0,
    data_enc    TEXT NOT NULL,
    submit_key  TEXT NOT NULL,        -- carried by the summary's form: sending twice makes one application
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX applications_drafts_account ON applications_drafts (account_id, updated_at);

CREATE TABLE applications (
    id            AUTO_ID_PRIMARY_KEY,
    number        TEXT NOT NULL UNIQUE,
    account_id    BIGINT NOT NULL REFERENCES identity_accounts (id),
    service_id    TEXT NOT NULL,
    authority_id  TEXT NOT NULL,      -- the catalog authority it was routed to
    status        TEXT NOT NULL,
    data_enc      TEXT NOT NULL,
    submit_key    TEXT NOT NULL UNIQUE,
    officer_id    BIGINT,             -- who has taken it
    submitted_at  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    request_text  TEXT NOT NULL DEFAULT '',   -- the authority's open question, if any
    result_text   TEXT NOT NULL DEFAULT '',   -- the decision's text (result document or refusal)
    refusal_code  TEXT NOT NULL DEFAULT '',
    decided_at    BIGINT
);
CREATE INDEX applications_account ON applications (account_id, submitted_at);
CREATE INDEX applications_queue ON applications (authority_id, status, submitted_at);

-- Every status change: when, who, why.
CREATE TABLE applications_history (
    id              AUTO_ID_PRIMARY_KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id),
    at              BIGINT NOT NULL,
    status          TEXT NOT NULL,
    actor_kind      TEXT NOT NULL,    -- applicant | officer | system
    actor_id        BIGINT,
    comment         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX applications_history_application ON applications_history (application_id, id);
