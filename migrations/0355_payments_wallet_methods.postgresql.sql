-- Payments from a mobile phone account and from an e-wallet (PAY-2) go through
-- the acquirer like a card: two more values of payments.method.
ALTER TABLE payments DROP CONSTRAINT payments_method_check;
ALTER TABLE payments ADD CONSTRAINT payments_method_check
    CHECK (method IN ('card', 'bank_receipt', 'mobile', 'wallet'));
CREATE INDEX payments_method ON payments (method, created_at);
