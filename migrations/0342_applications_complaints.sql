-- Pre-trial complaints (APP-4) about an authority's decision on an
-- application or an official's actions, routed to the superior authority
-- (the catalog parent of the one complained about), tracked like applications.
CREATE TABLE applications_complaints (
    id              AUTO_ID_PRIMARY_KEY,
    account_id      BIGINT NOT NULL REFERENCES identity_accounts (id),
    application_id  BIGINT REFERENCES applications (id),
    authority_id    TEXT NOT NULL,    -- complained about
    handler_id      TEXT NOT NULL,    -- the superior authority that answers
    subject         TEXT NOT NULL,    -- decision | official
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,    -- submitted | answered
    answer          TEXT NOT NULL DEFAULT '',
    answered_by     BIGINT,
    created_at      BIGINT NOT NULL,
    answered_at     BIGINT
);
CREATE INDEX applications_complaints_account ON applications_complaints (account_id, created_at);
CREATE INDEX applications_complaints_handler ON applications_complaints (handler_id, status, created_at);
