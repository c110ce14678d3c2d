-- identity/store.cpp ThrottleStore::purge deletes the rows whose last failure
-- is old and whose block has run out: an index range scan, not a walk of the
-- whole table. (Sessions' idle expiry, rate-limit windows and challenges'
-- expiry already have theirs: 0200, 0004, 0007.)
CREATE INDEX identity_throttles_last_failure ON identity_throttles (last_failure_at);
