-- Payments from a mobile phone account and from an e-wallet (PAY-2) go through
-- the acquirer like a card: two more values of payments.method.
-- SQLite cannot alter a CHECK constraint, and rebuilding `payments` would break
-- the foreign keys of its items, events and ledger (enforced on every
-- connection). SQLite's documented way for a CHECK change is to edit the
-- table's text in the schema; RESET reloads it on this connection, and the
-- CREATE INDEX bumps the schema cookie so every other connection reloads it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (method IN (''card'', ''bank_receipt''))',
                     'CHECK (method IN (''card'', ''bank_receipt'', ''mobile'', ''wallet''))')
 WHERE type = 'table' AND name = 'payments';
PRAGMA writable_schema = RESET;
CREATE INDEX payments_method ON payments (method, created_at);
