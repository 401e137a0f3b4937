-- Every kind of collection: memberships, event tickets and crowdfunding beside donations, with
-- order lines, limited stock (seats, quotas, promo code uses), tickets, members, and monthly
-- gifts paid by subscription.

-- The kinds a campaign may collect. A column's CHECK cannot be changed in place: the column is
-- made again.
ALTER TABLE campaigns ADD COLUMN collects TEXT NOT NULL DEFAULT 'donation'
    CHECK (collects IN ('donation', 'membership', 'event', 'crowdfunding'));
UPDATE campaigns SET collects = kind;
ALTER TABLE campaigns DROP COLUMN kind;
ALTER TABLE campaigns RENAME COLUMN collects TO kind;

-- An order may now come to nothing (free seats, a whole discount): the CHECK on its amount is
-- widened, which SQLite only allows by making the table again, with every column, index and
-- trigger it had. Foreign keys from other tables name `orders` and find it again once renamed.
PRAGMA defer_foreign_keys = on;

CREATE TABLE orders_rebuilt (
    id                 TEXT    PRIMARY KEY,
    campaign_id        INTEGER NOT NULL REFERENCES campaigns (id),
    amount             INTEGER NOT NULL CHECK (amount >= 0),
    currency           TEXT    NOT NULL,
    first_name         TEXT    NOT NULL,
    last_name          TEXT    NOT NULL,
    email              TEXT    NOT NULL,
    locale             TEXT    NOT NULL,
    consent_at         INTEGER NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'paid', 'expired', 'failed', 'refunded')),
    psp                TEXT    NOT NULL,
    psp_session_id     TEXT    UNIQUE,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    paid_at            INTEGER,
    attempt_key        TEXT
                       CHECK (attempt_key IS NULL OR length(attempt_key) BETWEEN 16 AND 64),
    checkout_url       TEXT,
    psp_request        TEXT,
    psp_payment_id     TEXT,
    refunded_amount    INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
    dispute_status     TEXT
                       CHECK (dispute_status IS NULL OR dispute_status IN ('open', 'won', 'lost')),
    disputed_amount    INTEGER NOT NULL DEFAULT 0 CHECK (disputed_amount >= 0),
    consent_version    TEXT,
    consent_text       TEXT,
    erased_at          INTEGER,
    counted_amount     INTEGER GENERATED ALWAYS AS (
        CASE WHEN status IN ('paid', 'refunded')
             THEN max(amount - refunded_amount
                      - CASE WHEN dispute_status = 'lost' THEN disputed_amount ELSE 0 END, 0)
             ELSE 0 END
    ) VIRTUAL,
    method             TEXT    NOT NULL DEFAULT 'card'
                       CHECK (method IN ('card', 'cheque', 'transfer', 'cash')),
    payment_reference  TEXT,
    recorded_by        INTEGER REFERENCES people (id),
    reversed_at        INTEGER,
    reversed_by        INTEGER REFERENCES people (id),
    reversal_reason    TEXT,
    reversal_token     TEXT
);

INSERT INTO orders_rebuilt (
    id, campaign_id, amount, currency, first_name, last_name, email, locale, consent_at, status,
    psp, psp_session_id, created_at, updated_at, paid_at, attempt_key, checkout_url, psp_request,
    psp_payment_id, refunded_amount, dispute_status, disputed_amount, consent_version,
    consent_text, erased_at, method, payment_reference, recorded_by, reversed_at, reversed_by,
    reversal_reason, reversal_token)
SELECT
    id, campaign_id, amount, currency, first_name, last_name, email, locale, consent_at, status,
    psp, psp_session_id, created_at, updated_at, paid_at, attempt_key, checkout_url, psp_request,
    psp_payment_id, refunded_amount, dispute_status, disputed_amount, consent_version,
    consent_text, erased_at, method, payment_reference, recorded_by, reversed_at, reversed_by,
    reversal_reason, reversal_token
FROM orders;

DROP TABLE orders;
ALTER TABLE orders_rebuilt RENAME TO orders;

CREATE INDEX orders_by_campaign ON orders (campaign_id, status);
CREATE UNIQUE INDEX orders_by_attempt ON orders (campaign_id, attempt_key)
    WHERE attempt_key IS NOT NULL;
CREATE INDEX orders_by_payment ON orders (psp_payment_id) WHERE psp_payment_id IS NOT NULL;
CREATE INDEX orders_by_status_age ON orders (status, created_at);
CREATE INDEX orders_by_date ON orders (coalesce(paid_at, created_at), id);

CREATE TRIGGER orders_count_towards_campaign
AFTER UPDATE ON orders
WHEN NEW.counted_amount IS NOT OLD.counted_amount
BEGIN
    UPDATE campaigns
    SET raised_amount = raised_amount + NEW.counted_amount - OLD.counted_amount,
        donation_count = donation_count + (NEW.counted_amount > 0) - (OLD.counted_amount > 0)
    WHERE id = NEW.campaign_id;
END;

-- What an order is made of; the lines add up to its amount. `key` names the tier, rate or
-- reward (kind 'item') or the promo code (kind 'discount').
CREATE TABLE order_lines (
    order_id     TEXT    NOT NULL REFERENCES orders (id),
    position     INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('gift', 'item', 'discount', 'fee')),
    key          TEXT    NOT NULL DEFAULT '',
    label        TEXT    NOT NULL DEFAULT '',
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    unit_amount  INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

-- The answers to the campaign's own questions, as a JSON object; personal data, erased with
-- the names.
ALTER TABLE orders ADD COLUMN answers TEXT CHECK (answers IS NULL OR json_valid(answers));
-- Whether the campaign said its gifts may be receipted for tax relief when the order was made.
ALTER TABLE orders ADD COLUMN tax_receipt INTEGER NOT NULL DEFAULT 0;
-- A monthly gift: the first order carries the PSP's subscription and, once stopped, when; each
-- later instalment is an order of its own, paid, that names the first and the PSP's invoice.
ALTER TABLE orders ADD COLUMN monthly INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN psp_subscription_id TEXT;
ALTER TABLE orders ADD COLUMN subscription_ended_at INTEGER;
ALTER TABLE orders ADD COLUMN parent_order_id TEXT REFERENCES orders (id);
ALTER TABLE orders ADD COLUMN psp_invoice_id TEXT;
-- Where the order came from, for the links its mails carry: the edge that took it, with the
-- signed token of the donor's own page there (tickets, member card, stopping a monthly gift),
-- and the association's page that carried the form (to renew a membership).
ALTER TABLE orders ADD COLUMN edge_url TEXT;
ALTER TABLE orders ADD COLUMN donor_token TEXT;
ALTER TABLE orders ADD COLUMN page_url TEXT;
CREATE UNIQUE INDEX orders_by_invoice ON orders (psp_invoice_id)
    WHERE psp_invoice_id IS NOT NULL;
CREATE INDEX orders_by_subscription ON orders (psp_subscription_id)
    WHERE psp_subscription_id IS NOT NULL;

-- What each order holds of its campaign's counters: one seat per ticket (`capacity`), one unit
-- per item with a quota (`item:{key}`), one use per promo code (`promo:{code}`). The one
-- definition serves taking, giving back and counting again.
CREATE VIEW order_holds (order_id, counter, quantity) AS
    SELECT order_id, 'capacity', quantity FROM order_lines WHERE kind = 'item'
    UNION ALL
    SELECT order_id, 'item:' || key, quantity FROM order_lines WHERE kind = 'item'
    UNION ALL
    SELECT order_id, 'promo:' || key, 1 FROM order_lines WHERE kind = 'discount';

-- The limited things a campaign offers. `taken` counts what pending and paid orders hold; the
-- CHECK refuses any statement that would take more than there is, and with it the whole batch
-- of the checkout that tried: overselling cannot be written.
CREATE TABLE stock (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    counter      TEXT    NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity >= 0),
    taken        INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    CONSTRAINT stock_within_capacity CHECK (taken <= capacity),
    PRIMARY KEY (campaign_id, counter)
) WITHOUT ROWID;

-- An order that ends without being kept (expired, failed, refunded in full) gives back what it
-- held, once: an order reaches each of these statuses at most once.
CREATE TRIGGER orders_give_back_stock
AFTER UPDATE OF status ON orders
WHEN NEW.status IN ('expired', 'failed', 'refunded') AND OLD.status IN ('pending', 'paid')
BEGIN
    UPDATE stock
    SET taken = taken - (SELECT coalesce(sum(h.quantity), 0) FROM order_holds h
                         WHERE h.order_id = NEW.id AND h.counter = stock.counter)
    WHERE campaign_id = NEW.campaign_id;
END;

-- The counters follow the campaign's settings, however they are written (back-office, seed):
-- a counter no longer in the settings goes, a new one starts from what live orders hold, and a
-- capacity lowered below what is taken is refused.
CREATE TRIGGER campaigns_stock_on_insert
AFTER INSERT ON campaigns
BEGIN
    INSERT INTO stock (campaign_id, counter, capacity)
    SELECT NEW.id, counter, capacity FROM (
        SELECT 'capacity' AS counter, json_extract(NEW.settings, '$.capacity') AS capacity
        WHERE json_extract(NEW.settings, '$.capacity') IS NOT NULL
        UNION ALL
        SELECT 'item:' || json_extract(value, '$.key'), json_extract(value, '$.quota')
        FROM json_each(NEW.settings, '$.items')
        WHERE json_extract(value, '$.quota') IS NOT NULL
        UNION ALL
        SELECT 'promo:' || json_extract(value, '$.code'), json_extract(value, '$.limit')
        FROM json_each(NEW.settings, '$.promo_codes')
        WHERE json_extract(value, '$.limit') IS NOT NULL
    ) WHERE true
    ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER campaigns_stock_follows_settings
AFTER UPDATE OF settings ON campaigns
BEGIN
    DELETE FROM stock WHERE campaign_id = NEW.id AND counter NOT IN (
        SELECT 'capacity' WHERE json_extract(NEW.settings, '$.capacity') IS NOT NULL
        UNION ALL
        SELECT 'item:' || json_extract(value, '$.key') FROM json_each(NEW.settings, '$.items')
        WHERE json_extract(value, '$.quota') IS NOT NULL
        UNION ALL
        SELECT 'promo:' || json_extract(value, '$.code')
        FROM json_each(NEW.settings, '$.promo_codes')
        WHERE json_extract(value, '$.limit') IS NOT NULL
    );
    INSERT INTO stock (campaign_id, counter, capacity, taken)
    SELECT NEW.id, wanted.counter, wanted.capacity,
           (SELECT coalesce(sum(h.quantity), 0)
            FROM order_holds h JOIN orders o ON o.id = h.order_id
            WHERE o.campaign_id = NEW.id AND o.status IN ('pending', 'paid')
              AND h.counter = wanted.counter)
    FROM (
        SELECT 'capacity' AS counter, json_extract(NEW.settings, '$.capacity') AS capacity
        WHERE json_extract(NEW.settings, '$.capacity') IS NOT NULL
        UNION ALL
        SELECT 'item:' || json_extract(value, '$.key'), json_extract(value, '$.quota')
        FROM json_each(NEW.settings, '$.items')
        WHERE json_extract(value, '$.quota') IS NOT NULL
        UNION ALL
        SELECT 'promo:' || json_extract(value, '$.code'), json_extract(value, '$.limit')
        FROM json_each(NEW.settings, '$.promo_codes')
        WHERE json_extract(value, '$.limit') IS NOT NULL
    ) AS wanted WHERE true
    ON CONFLICT (campaign_id, counter) DO UPDATE SET capacity = excluded.capacity;
END;

-- One ticket per seat, made with the order; it admits only once its order is paid. Its QR code
-- carries the id and a signature, so a forged or altered one is refused before any lookup.
CREATE TABLE tickets (
    id           TEXT    PRIMARY KEY,
    order_id     TEXT    NOT NULL REFERENCES orders (id),
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id),
    item_key     TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    seat         INTEGER NOT NULL,
    -- What the QR code carries: the id and its signature.
    token        TEXT    NOT NULL UNIQUE,
    used_at      INTEGER,
    used_by      INTEGER REFERENCES people (id)
);
CREATE INDEX tickets_by_order ON tickets (order_id);
CREATE INDEX tickets_by_campaign ON tickets (campaign_id, used_at);

-- The association's members, one per email address (lower case), whatever campaign they
-- joined through. Their standing comes from their memberships, never stored twice.
CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL UNIQUE,
    first_name  TEXT    NOT NULL,
    last_name   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One period per paid membership order. A renewal adds a period that starts where the last
-- one ends; a refund in full cancels its period.
CREATE TABLE memberships (
    order_id      TEXT    PRIMARY KEY REFERENCES orders (id),
    member_id     INTEGER NOT NULL REFERENCES members (id),
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    tier          TEXT    NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL CHECK (ends_on >= starts_on),
    cancelled_at  INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX memberships_by_member ON memberships (member_id, ends_on);

CREATE TRIGGER orders_refund_cancels_membership
AFTER UPDATE OF status ON orders
WHEN NEW.status = 'refunded'
BEGIN
    UPDATE memberships SET cancelled_at = NEW.updated_at
    WHERE order_id = NEW.id AND cancelled_at IS NULL;
END;

-- Each member's standing: the first day and the last day of their periods not cancelled, and
-- the campaign of the latest, whose reminder settings apply.
CREATE VIEW member_periods (member_id, starts_on, ends_on, campaign_id) AS
    SELECT member_id, min(starts_on), max(ends_on),
           (SELECT m2.campaign_id FROM memberships m2
            WHERE m2.member_id = m.member_id AND m2.cancelled_at IS NULL
            ORDER BY m2.ends_on DESC LIMIT 1)
    FROM memberships m WHERE cancelled_at IS NULL GROUP BY member_id;

-- The renewal reminders sent: one per member, membership end and offset, whatever the number
-- of times the scheduled handler runs.
CREATE TABLE member_reminders (
    member_id    INTEGER NOT NULL REFERENCES members (id),
    ends_on      TEXT    NOT NULL,
    offset_days  INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL,
    PRIMARY KEY (member_id, ends_on, offset_days)
) WITHOUT ROWID;

-- Keys the edge draws for itself on first use (signing tickets and the links to a donor's own
-- page), so that the deployer has no secret more to set.
CREATE TABLE signing_keys (
    name        TEXT    PRIMARY KEY,
    key         TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

PRAGMA defer_foreign_keys = off;
