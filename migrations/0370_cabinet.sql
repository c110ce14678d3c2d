-- The cabinet's documents and addresses (CAB-3, CAB-5), owned by the cabinet
-- module. Everything personal is sealed (data_enc: sealed JSON under the data
-- key, bound to its table, column and row). A document's number is also kept
-- as a keyed blind index, so one account cannot hold the same document twice
-- while the number itself stays unreadable in the database.
CREATE TABLE cabinet_documents (
    id            AUTO_ID_PRIMARY_KEY,
    account_id    BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('driver_licence', 'vehicle', 'oms', 'foreign_passport')),
    number_index  TEXT NOT NULL,   -- blind index of kind and canonical number
    data_enc      TEXT NOT NULL,   -- sealed JSON of the document's fields
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX cabinet_documents_number ON cabinet_documents (account_id, number_index);
CREATE INDEX cabinet_documents_account ON cabinet_documents (account_id, kind, id);

-- One address of each kind per account: registration (place of residence),
-- actual and postal.
CREATE TABLE cabinet_addresses (
    account_id    BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('registration', 'actual', 'postal')),
    data_enc      TEXT NOT NULL,   -- sealed JSON of the structured address
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind)
);
