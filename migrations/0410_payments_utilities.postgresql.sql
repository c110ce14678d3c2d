-- Charges of utilities payees (payments module, PAY-1): the source 'utilities'.
ALTER TABLE payments_charges DROP CONSTRAINT payments_charges_source_check;
ALTER TABLE payments_charges ADD CONSTRAINT payments_charges_source_check
    CHECK (source IN ('gibdd', 'fns', 'fssp', 'fee', 'utilities'));
