-- Payments (payments module, PAY-1 … PAY-3). Money is integer kopecks, times
-- UTC seconds. No card data anywhere: the card is typed on the acquirer's page.

-- Charges the portal has seen (looked up at an authority, or created for a
-- state fee): what is owed, to whom and why. Public look-ups keep no trace of
-- who asked (account_id stays NULL); a fee belongs to the account it is for.
CREATE TABLE payments_charges (
    uin              TEXT PRIMARY KEY,
    source           TEXT NOT NULL CHECK (source IN ('gibdd', 'fns', 'fssp', 'fee')),
    account_id       BIGINT,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    amount_due       BIGINT NOT NULL CHECK (amount_due >= 0),
    discount_percent INTEGER NOT NULL DEFAULT 0,
    discount_until   TEXT,                      -- YYYY-MM-DD, last day of the discount
    due_date         TEXT,                      -- YYYY-MM-DD
    purpose          TEXT NOT NULL,
    legal_basis      TEXT NOT NULL,
    payee            TEXT NOT NULL,             -- JSON: name, inn, kpp, account, bank_name, bic, corr_account, kbk, oktmo
    reference        TEXT,                      -- the caller's reference of a fee ("application:17")
    paid_by          BIGINT,                    -- payments.id that paid it
    seen_at          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX payments_charges_account ON payments_charges (account_id);

-- Charges found automatically for an account (its documents) and not yet shown.
CREATE TABLE payments_account_charges (
    account_id  BIGINT NOT NULL,
    uin         TEXT NOT NULL,
    found_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, uin)
);

-- One payment: one attempt of one account to pay one or more charges. The
-- idempotency key of the attempt is unique per account, so repeats of the
-- same request (double click, retry, lost answer) find the same payment.
CREATE TABLE payments (
    id               AUTO_ID_PRIMARY_KEY,
    public_id        TEXT NOT NULL UNIQUE,      -- in URLs and the acquirer's order id
    account_id       BIGINT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,             -- what was asked with the key: another request with it is refused
    method           TEXT NOT NULL CHECK (method IN ('card', 'mobile', 'wallet', 'bank_receipt')),
    state            TEXT NOT NULL CHECK (state IN ('created', 'awaiting_confirmation', 'succeeded', 'failed',
                                                    'cancelled', 'expired', 'refunded')),
    amount           BIGINT NOT NULL CHECK (amount > 0),
    acquirer_id      TEXT,                      -- the acquirer's payment id
    action_url       TEXT,                      -- the acquirer's page the payer goes to
    failure          TEXT,                      -- why it failed (a stable code)
    card_last4       TEXT,
    checks           INTEGER NOT NULL DEFAULT 0, -- times the sweeper asked the acquirer
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX payments_account_created ON payments (account_id, created_at);
CREATE INDEX payments_state_expires ON payments (state, expires_at);

-- The charges one payment pays. `active` is 1 while the payment holds the
-- charge (created, awaiting, succeeded) and NULL after it failed: a charge is
-- held by one payment at most, so it is never paid twice.
CREATE TABLE payments_items (
    payment_id   BIGINT NOT NULL REFERENCES payments (id),
    uin          TEXT NOT NULL,
    source       TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    purpose      TEXT NOT NULL,
    payee        TEXT NOT NULL,
    active       INTEGER,
    reported_at  BIGINT,                        -- the authority was told it is paid
    PRIMARY KEY (payment_id, uin)
);
CREATE UNIQUE INDEX payments_items_one_holder ON payments_items (uin) WHERE active = 1;

-- Every transition of a payment, with time and actor.
CREATE TABLE payments_events (
    id          AUTO_ID_PRIMARY_KEY,
    payment_id  BIGINT NOT NULL REFERENCES payments (id),
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,                  -- "account:12", "acquirer", "sweeper", "operator:3"
    note        TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX payments_events_payment ON payments_events (payment_id);

-- Double-entry ledger: each movement is a group of rows summing to zero.
CREATE TABLE payments_ledger (
    id          AUTO_ID_PRIMARY_KEY,
    payment_id  BIGINT NOT NULL REFERENCES payments (id),
    movement    TEXT NOT NULL,                  -- received | refunded
    account     TEXT NOT NULL,                  -- acquirer | payee:<uin>
    amount      BIGINT NOT NULL,                -- + debit, − credit
    at          BIGINT NOT NULL,
    UNIQUE (payment_id, movement, account)
);
