-- Signed-in sessions (http module): where and on what a session was opened,
-- for the list of active sessions in the account settings (ID-6).
ALTER TABLE http_sessions ADD COLUMN signed_in_at BIGINT;
ALTER TABLE http_sessions ADD COLUMN ip TEXT;
ALTER TABLE http_sessions ADD COLUMN device TEXT;
