-- Tirelire's first schema: organisations run campaigns, donors place orders, and the PSP's
-- webhook events are recorded once each.
--
-- Money columns hold integer minor units (cents); times are Unix seconds.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    slug             TEXT    NOT NULL UNIQUE,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    currency         TEXT    NOT NULL CHECK (currency = 'EUR'),
    -- A JSON array of the amounts offered as one-tap choices, in minor units.
    preset_amounts   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(preset_amounts)),
    min_amount       INTEGER NOT NULL CHECK (min_amount > 0),
    max_amount       INTEGER NOT NULL CHECK (max_amount >= min_amount),
    goal_amount      INTEGER CHECK (goal_amount > 0),
    -- Kept by the trigger below; never written by application code.
    raised_amount    INTEGER NOT NULL DEFAULT 0,
    donation_count   INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);

-- The web origins (scheme, host and port) whose pages may start a checkout for a campaign.
CREATE TABLE campaign_origins (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    origin       TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, origin)
) WITHOUT ROWID;

CREATE TABLE orders (
    id              TEXT    PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT    NOT NULL,
    first_name      TEXT    NOT NULL,
    last_name       TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    consent_at      INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'expired', 'failed', 'refunded')),
    psp             TEXT    NOT NULL,
    psp_session_id  TEXT    UNIQUE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    paid_at         INTEGER
);

CREATE INDEX orders_by_campaign ON orders (campaign_id, status);

-- One row per PSP event ever applied; the primary key makes a repeated delivery a no-op.
CREATE TABLE webhook_events (
    id           TEXT    PRIMARY KEY,
    psp          TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    order_id     TEXT    REFERENCES orders (id),
    received_at  INTEGER NOT NULL
);

-- The campaign totals move in the same statement as the order's status, so they can neither
-- drift from the orders nor count a payment twice: an order enters 'paid' at most once, because
-- the application only updates a status from one of its allowed predecessors.
CREATE TRIGGER orders_paid_counts_towards_campaign
AFTER UPDATE OF status ON orders
WHEN NEW.status = 'paid' AND OLD.status <> 'paid'
BEGIN
    UPDATE campaigns
    SET raised_amount = raised_amount + NEW.amount,
        donation_count = donation_count + 1
    WHERE id = NEW.campaign_id;
END;

CREATE TRIGGER orders_refund_leaves_campaign
AFTER UPDATE OF status ON orders
WHEN NEW.status = 'refunded' AND OLD.status = 'paid'
BEGIN
    UPDATE campaigns
    SET raised_amount = raised_amount - NEW.amount,
        donation_count = donation_count - 1
    WHERE id = NEW.campaign_id;
END;
