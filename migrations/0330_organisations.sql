-- Organisations and individual entrepreneurs (ID-5), owned by the
-- organisations module. Requisites come from the tax service's register
-- (public data, stored in the clear). Members point at identity accounts by
-- id only; an account may be invited again after it left, so one open
-- membership per account and organisation is kept by the service, not a key.
CREATE TABLE org_organisations (
    id               AUTO_ID_PRIMARY_KEY,
    ogrn             TEXT NOT NULL UNIQUE,
    inn              TEXT NOT NULL,
    kpp              TEXT NOT NULL DEFAULT '',
    short_name       TEXT NOT NULL,
    full_name        TEXT NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    head_account_id  BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE org_members (
    id               AUTO_ID_PRIMARY_KEY,
    organisation_id  BIGINT NOT NULL REFERENCES org_organisations (id),
    account_id       BIGINT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('head', 'admin', 'employee', 'none')),
    status           TEXT NOT NULL CHECK (status IN ('invited', 'active', 'declined', 'withdrawn', 'removed')),
    services         TEXT NOT NULL DEFAULT '',   -- catalog service ids, space-separated
    invited_by       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX org_members_account ON org_members (account_id, status);
CREATE INDEX org_members_organisation ON org_members (organisation_id, status);

-- Whom a browser session acts for (the switcher in the header). Read with the
-- memberships on every request, so a removed member's choice counts for nothing.
CREATE TABLE org_session_choice (
    session_hash     TEXT PRIMARY KEY,
    account_id       BIGINT NOT NULL,
    organisation_id  BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE org_entrepreneurs (
    account_id       BIGINT PRIMARY KEY,
    ogrnip           TEXT NOT NULL UNIQUE,
    inn              TEXT NOT NULL,
    short_name       TEXT NOT NULL,
    full_name        TEXT NOT NULL,
    registered_date  TEXT NOT NULL DEFAULT '',
    okved            TEXT NOT NULL DEFAULT '',
    checked_at       BIGINT NOT NULL
);
