-- A hint on the account row that the person has (or had) a place in an
-- organisation (ID-5). The organisations module sets it, through the identity
-- service, in the transaction that adds the membership; the header's switcher
-- then looks memberships up only for these accounts, so the great majority of
-- signed-in requests cost no query for it. It is never cleared: a stale hint
-- costs one indexed query, a missing one would hide an organisation.
ALTER TABLE identity_accounts ADD COLUMN in_organisations INTEGER NOT NULL DEFAULT 0;
UPDATE identity_accounts SET in_organisations = 1 WHERE id IN (SELECT account_id FROM org_members);
