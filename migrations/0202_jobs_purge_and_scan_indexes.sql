-- Indexes for the jobs module's purge and scans (jobs/store.cpp), so none
-- walks the whole table; the queue's own scan has jobs_state_run_at (0002).
-- JobStore::purge_done: finished jobs older than the retention.
CREATE INDEX jobs_state_finished_at ON jobs (state, finished_at);
-- JobStore::lease: running jobs whose lease has run out.
CREATE INDEX jobs_state_lease_until ON jobs (state, lease_until);
-- JobStore::list_dead: the newest dead jobs first.
CREATE INDEX jobs_state_updated_at ON jobs (state, updated_at);
