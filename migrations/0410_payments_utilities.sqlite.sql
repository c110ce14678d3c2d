-- Charges of utilities payees (payments module, PAY-1): the source 'utilities'.
-- SQLite cannot change a CHECK constraint, so payments_charges is rebuilt with
-- the same columns (see 0350) and the wider check.
CREATE TABLE payments_charges_0410 (
    uin              TEXT PRIMARY KEY,
    source           TEXT NOT NULL CHECK (source IN ('gibdd', 'fns', 'fssp', 'fee', 'utilities')),
    account_id       BIGINT,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    amount_due       BIGINT NOT NULL CHECK (amount_due >= 0),
    discount_percent INTEGER NOT NULL DEFAULT 0,
    discount_until   TEXT,
    due_date         TEXT,
    purpose          TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    payee            TEXT NOT NULL,
    reference        TEXT,
    paid_by          BIGINT,
    seen_at          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
INSERT INTO payments_charges_0410 (uin, source, account_id, amount, amount_due, discount_percent, discount_until,
    due_date, purpose, legal_basis, payee, reference, paid_by, seen_at, created_at)
SELECT uin, source, account_id, amount, amount_due, discount_percent, discount_until, due_date, purpose,
    legal_basis, payee, reference, paid_by, seen_at, created_at FROM payments_charges;
DROP TABLE payments_charges;
ALTER TABLE payments_charges_0410 RENAME TO payments_charges;
CREATE INDEX payments_charges_account ON payments_charges (account_id);
