-- Applying on behalf of an organisation (ID-5, APP-2): a service for legal
-- entities applied for by someone acting for an organisation is the
-- organisation's application; its head and administrators see all of them.
-- The id is the organisations module's; no foreign key across modules.
ALTER TABLE applications ADD COLUMN organisation_id BIGINT;
CREATE INDEX applications_organisation ON applications (organisation_id, submitted_at);
