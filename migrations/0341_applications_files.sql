-- Attachments of applications (APP-1): the bytes live outside the database
-- in a folder of content-hashed files (--files-dir); a row says whose file it
-- is, where it belongs (a draft, then the application it was sent with) and
-- the name and type it is served with.
CREATE TABLE applications_files (
    id              AUTO_ID_PRIMARY_KEY,
    account_id      BIGINT NOT NULL REFERENCES identity_accounts (id),
    draft_id        BIGINT,
    application_id  BIGINT REFERENCES applications (id),
    field           TEXT NOT NULL,        -- the form's file field, or "answer"
    hash            TEXT NOT NULL,        -- SHA-256 of the content: the file's name on disk
    name            TEXT NOT NULL,        -- cleaned name as uploaded
    content_type    TEXT NOT NULL,        -- application/pdf | image/jpeg | image/png, from the content
    size            BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX applications_files_draft ON applications_files (account_id, draft_id);
CREATE INDEX applications_files_application ON applications_files (application_id);
