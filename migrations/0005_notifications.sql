-- The notification outbox (notifications module, NOTE-1). AUTO_ID_PRIMARY_KEY
-- is expanded per dialect by the migration runner. One row per message: written in the same transaction as the event
-- that causes it, together with a "notify.deliver" job (jobs table) that
-- delivers it. UNIQUE (event_key, recipient, channel): one event never makes
-- two messages to one recipient over one channel. Times are UTC seconds.
--
-- address holds an e-mail or a phone number in the clear for now: encryption
-- of personal data at rest (DESIGN.md "Data") arrives with the identity
-- module, which will encrypt this column (secretbox) like its own.
CREATE TABLE notifications_outbox (
    id           AUTO_ID_PRIMARY_KEY,
    event_key    TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    address      TEXT NOT NULL,
    lang         TEXT NOT NULL DEFAULT 'ru',
    template     TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'sent', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    provider_id  TEXT,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT,
    updated_at   BIGINT NOT NULL,
    UNIQUE (event_key, recipient, channel)
);
CREATE INDEX notifications_outbox_recipient ON notifications_outbox (recipient, created_at);
