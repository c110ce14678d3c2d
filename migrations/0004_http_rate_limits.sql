-- Fixed-window request counters shared by every `serve` instance (http module):
-- sign-in attempts, code entries, live validation … keyed by purpose and client.
CREATE TABLE http_rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    hits          INTEGER NOT NULL
);
CREATE INDEX http_rate_limits_window ON http_rate_limits (window_start);
