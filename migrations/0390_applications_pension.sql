-- The pension account statement (APP-5): one row per application of the
-- service, written in the sending transaction with the SNILS of the
-- applicant's profile; the Pension Fund's statement arrives into it (sealed
-- JSON) at once, or later by the job when the Fund was down.
CREATE TABLE applications_pension_statements (
    application_id  BIGINT PRIMARY KEY REFERENCES applications (id),
    account_id      BIGINT NOT NULL REFERENCES identity_accounts (id),
    snils_enc       TEXT NOT NULL,        -- sealed; an empty SNILS sealed when the profile had none
    statement_enc   TEXT,                 -- sealed JSON; NULL until the Fund answered
    email_copy      INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,  -- failed attempts to ask the Fund
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    fetched_at      BIGINT
);
CREATE INDEX applications_pension_statements_account ON applications_pension_statements (account_id);
