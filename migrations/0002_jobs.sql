-- Durable jobs and the outbox (jobs module). AUTO_ID_PRIMARY_KEY is expanded
-- per dialect by the migration runner (SQLite: INTEGER PRIMARY KEY AUTOINCREMENT,
-- so an id is never reused). Times are UTC seconds since the epoch.
CREATE TABLE jobs (
    id            AUTO_ID_PRIMARY_KEY,
    kind          TEXT NOT NULL,
    job_key       TEXT UNIQUE,
    payload       TEXT NOT NULL DEFAULT '{}',
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 10,
    run_at        BIGINT NOT NULL,
    lease_owner   TEXT,
    lease_until   BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);
