-- Sessions (http module): when a session ends unless a request comes first,
-- the earlier of last_seen_at + idle_timeout and expires_at, kept in a column
-- of its own so that purging ended sessions is an index range scan.
ALTER TABLE http_sessions ADD COLUMN ends_at BIGINT NOT NULL DEFAULT 0;
-- Anonymous sessions used to live 180 days idle and a year in all; they now
-- live 4 hours idle and a day in all (SessionPolicy), and the old ones too.
UPDATE http_sessions SET idle_timeout = 14400 WHERE account_id IS NULL AND idle_timeout > 14400;
UPDATE http_sessions SET expires_at = created_at + 86400 WHERE account_id IS NULL AND expires_at > created_at + 86400;
UPDATE http_sessions SET ends_at = CASE WHEN last_seen_at + idle_timeout < expires_at
                                        THEN last_seen_at + idle_timeout ELSE expires_at END;
CREATE INDEX http_sessions_ends_at ON http_sessions (ends_at);
