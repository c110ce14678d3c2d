-- Take / assign in the back-office (APP-3): who handles an application is
-- recorded in its history, but an internal assignment is not the applicant's
-- business: such entries are marked internal, shown to officers only and
-- never notified.
ALTER TABLE applications_history ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
