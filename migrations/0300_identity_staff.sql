-- Staff roles (ID-3 operators of service centres, APP-3 officers of
-- authorities, operators of payments and of single sign-on) and how an account
-- reached the confirmed level (ID-3).
--
-- identity_accounts.roles repeats the role names of identity_staff_roles
-- (space-separated) so that the header and the access check of every signed-in
-- request read them with the account's row, without a second query.
ALTER TABLE identity_accounts ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_accounts ADD COLUMN confirmed_method TEXT;
ALTER TABLE identity_accounts ADD COLUMN confirmed_at BIGINT;

CREATE TABLE identity_staff_roles (
    account_id  BIGINT NOT NULL REFERENCES identity_accounts (id),
    role        TEXT NOT NULL,             -- operator | officer | payments | sso
    scope       TEXT NOT NULL DEFAULT '',  -- a centre or authority id of the catalog; '' for the whole portal
    granted_by  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, role, scope)
);
CREATE INDEX identity_staff_roles_scope ON identity_staff_roles (role, scope);
