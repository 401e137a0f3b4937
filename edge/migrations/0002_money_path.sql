-- The money path made safe: refunds and disputes reach the totals, the widget's attempts are
-- idempotent, PSP events gate every change, anomalies are kept for the treasurer, checkout
-- counters live here (KV cannot count), and allowed origins are stored in the form browsers
-- send.

-- What the order needs to be replayed, refunded, disputed and, once abandoned, erased.
ALTER TABLE orders ADD COLUMN attempt_key TEXT
    CHECK (attempt_key IS NULL OR length(attempt_key) BETWEEN 16 AND 64);
ALTER TABLE orders ADD COLUMN checkout_url TEXT;
-- The exact body of the request that opens the PSP's payment page. Sent again with the same
-- idempotency key, it can only ever give back the same page.
ALTER TABLE orders ADD COLUMN psp_request TEXT;
-- The PSP's id for the payment itself (Stripe's payment intent), which refunds and disputes name.
ALTER TABLE orders ADD COLUMN psp_payment_id TEXT;
ALTER TABLE orders ADD COLUMN refunded_amount INTEGER NOT NULL DEFAULT 0
    CHECK (refunded_amount >= 0);
ALTER TABLE orders ADD COLUMN dispute_status TEXT
    CHECK (dispute_status IS NULL OR dispute_status IN ('open', 'won', 'lost'));
ALTER TABLE orders ADD COLUMN disputed_amount INTEGER NOT NULL DEFAULT 0
    CHECK (disputed_amount >= 0);
ALTER TABLE orders ADD COLUMN consent_version TEXT;
ALTER TABLE orders ADD COLUMN consent_text TEXT;
-- When the donor's personal data was erased from an order that was never paid.
ALTER TABLE orders ADD COLUMN erased_at INTEGER;
-- What the order adds to its campaign's total: the amount once paid, less what went back to the
-- donor by refund or lost dispute. Computed by SQLite, so no code can get it wrong.
ALTER TABLE orders ADD COLUMN counted_amount INTEGER GENERATED ALWAYS AS (
    CASE WHEN status IN ('paid', 'refunded')
         THEN max(amount - refunded_amount
                  - CASE WHEN dispute_status = 'lost' THEN disputed_amount ELSE 0 END, 0)
         ELSE 0 END
) VIRTUAL;

CREATE UNIQUE INDEX orders_by_attempt ON orders (campaign_id, attempt_key)
    WHERE attempt_key IS NOT NULL;
CREATE INDEX orders_by_payment ON orders (psp_payment_id) WHERE psp_payment_id IS NOT NULL;
CREATE INDEX orders_by_status_age ON orders (status, created_at);

-- One trigger keeps every total: whatever changes an order's counted amount (a payment, a
-- refund, a lost dispute) moves its campaign by exactly the difference, in the same statement.
DROP TRIGGER orders_paid_counts_towards_campaign;
DROP TRIGGER orders_refund_leaves_campaign;
CREATE TRIGGER orders_count_towards_campaign
AFTER UPDATE ON orders
WHEN NEW.counted_amount IS NOT OLD.counted_amount
BEGIN
    UPDATE campaigns
    SET raised_amount = raised_amount + NEW.counted_amount - OLD.counted_amount,
        donation_count = donation_count + (NEW.counted_amount > 0) - (OLD.counted_amount > 0)
    WHERE id = NEW.campaign_id;
END;

-- Each delivery that records an event leaves its own token; only the delivery whose token is
-- there may apply the event, so a repeated event is recorded once and applied once.
ALTER TABLE webhook_events ADD COLUMN delivery TEXT;

-- What the webhook or the sweep met and could not simply apply: an amount that differs from the
-- order's, an event from the other mode (live or test), a payment for an order already closed.
CREATE TABLE anomalies (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    psp         TEXT    NOT NULL,
    event_id    TEXT,
    order_id    TEXT    REFERENCES orders (id),
    detail      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX anomalies_once_per_event ON anomalies (kind, event_id)
    WHERE event_id IS NOT NULL;

-- Where the sweep stopped reading each PSP's list of events.
CREATE TABLE psp_cursors (
    psp         TEXT    PRIMARY KEY,
    cursor      TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Checkout attempts counted per window, for the limits longer than a minute. The key is a hash
-- of what is counted (an address, an email), never the thing itself.
CREATE TABLE rate_counters (
    key           TEXT    NOT NULL,
    window_start  INTEGER NOT NULL,
    window_end    INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_counters_by_end ON rate_counters (window_end);

-- Allowed origins in the form browsers send: lower case, no default port, no trailing slash.
-- An origin written otherwise is brought to that form when inserted; what cannot be an origin
-- (a path, `null`) is refused, rather than stored where it would never match.
CREATE TABLE campaign_origins_checked (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    origin       TEXT    NOT NULL CHECK (
        origin = lower(origin)
        AND (origin GLOB 'https://?*' OR origin GLOB 'http://?*')
        AND instr(substr(origin, instr(origin, '://') + 3), '/') = 0
        AND origin NOT GLOB '*[?#@ \]*'
        AND origin NOT GLOB 'https://*:443'
        AND origin NOT GLOB 'http://*:80'
    ),
    PRIMARY KEY (campaign_id, origin)
) WITHOUT ROWID;

INSERT INTO campaign_origins_checked (campaign_id, origin)
SELECT campaign_id, normalised FROM (
    SELECT campaign_id,
           CASE WHEN t GLOB 'https://*:443' THEN substr(t, 1, length(t) - 4)
                WHEN t GLOB 'http://*:80' THEN substr(t, 1, length(t) - 3)
                ELSE t END AS normalised
    FROM (SELECT campaign_id, rtrim(lower(trim(origin)), '/') AS t FROM campaign_origins)
)
WHERE (normalised GLOB 'https://?*' OR normalised GLOB 'http://?*')
  AND instr(substr(normalised, instr(normalised, '://') + 3), '/') = 0
  AND normalised NOT GLOB '*[?#@ \]*'
ON CONFLICT DO NOTHING;

DROP TABLE campaign_origins;
ALTER TABLE campaign_origins_checked RENAME TO campaign_origins;

CREATE TRIGGER campaign_origins_normalised
BEFORE INSERT ON campaign_origins
WHEN NEW.origin IS NOT (
    CASE WHEN rtrim(lower(trim(NEW.origin)), '/') GLOB 'https://*:443'
         THEN substr(rtrim(lower(trim(NEW.origin)), '/'), 1,
                     length(rtrim(lower(trim(NEW.origin)), '/')) - 4)
         WHEN rtrim(lower(trim(NEW.origin)), '/') GLOB 'http://*:80'
         THEN substr(rtrim(lower(trim(NEW.origin)), '/'), 1,
                     length(rtrim(lower(trim(NEW.origin)), '/')) - 3)
         ELSE rtrim(lower(trim(NEW.origin)), '/') END
)
BEGIN
    INSERT INTO campaign_origins (campaign_id, origin)
    VALUES (
        NEW.campaign_id,
        CASE WHEN rtrim(lower(trim(NEW.origin)), '/') GLOB 'https://*:443'
             THEN substr(rtrim(lower(trim(NEW.origin)), '/'), 1,
                         length(rtrim(lower(trim(NEW.origin)), '/')) - 4)
             WHEN rtrim(lower(trim(NEW.origin)), '/') GLOB 'http://*:80'
             THEN substr(rtrim(lower(trim(NEW.origin)), '/'), 1,
                         length(rtrim(lower(trim(NEW.origin)), '/')) - 3)
             ELSE rtrim(lower(trim(NEW.origin)), '/') END
    )
    ON CONFLICT DO NOTHING;
    SELECT RAISE(IGNORE);
END;
