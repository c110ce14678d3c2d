-- Refunds of succeeded payments (payments module, PAY-2: succeeded → refunds).
-- A payments operator asks for one, in full or in part, with a reason; the
-- acquirer is asked with the refund's own idempotency key, so a repeat never
-- refunds twice. refund_reserved grows by a conditional UPDATE before the
-- acquirer is asked (never past the payment's amount, however many operators
-- click at once); refunded_amount grows when the acquirer said yes.
ALTER TABLE payments ADD COLUMN refund_reserved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0;

CREATE TABLE payments_refunds (
    id                 AUTO_ID_PRIMARY_KEY,
    public_id          TEXT NOT NULL UNIQUE,      -- in URLs and the acquirer's refund reference
    payment_id         BIGINT NOT NULL REFERENCES payments (id),
    idempotency_key    TEXT NOT NULL,             -- the operator's attempt
    request_hash       TEXT NOT NULL,             -- what was asked with the key: another request with it is refused
    amount             BIGINT NOT NULL CHECK (amount > 0),
    reason             TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    acquirer_refund_id TEXT,
    failure            TEXT,                      -- why the acquirer refused (a stable code)
    actor              TEXT NOT NULL,             -- "operator:<account id>"
    checks             INTEGER NOT NULL DEFAULT 0, -- times the sweeper asked the acquirer
    created_at         BIGINT NOT NULL,
    finished_at        BIGINT,
    UNIQUE (payment_id, idempotency_key)
);
CREATE INDEX payments_refunds_payment ON payments_refunds (payment_id);
CREATE INDEX payments_refunds_state ON payments_refunds (state);
