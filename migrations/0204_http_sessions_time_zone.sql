-- The time zone a visitor chose in /settings (http module): an IANA name such as
-- Asia/Vladivostok; NULL shows times in the portal's configured default zone.
ALTER TABLE http_sessions ADD COLUMN time_zone TEXT;
