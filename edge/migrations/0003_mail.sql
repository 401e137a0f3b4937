-- Mail: every message the edge owes someone, written in the same batch as the change that
-- causes it, then sent after the answer and retried by the sweep until it is sent or dead.

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    -- What the message is about and which template: `donor_receipt:ord_…`. A second write
    -- for the same key is a no-op, so an event applied once gives one message.
    key              TEXT    NOT NULL UNIQUE,
    template         TEXT    NOT NULL,
    locale           TEXT    NOT NULL CHECK (locale IN ('fr', 'en')),
    recipient        TEXT    NOT NULL,
    -- The values the template is filled with, as they were when the message was written.
    params           TEXT    NOT NULL CHECK (json_valid(params)),
    order_id         TEXT    REFERENCES orders (id),
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'dead')),
    -- Attempts begun. An attempt claims the message by moving `next_attempt_at` past its own
    -- end, so that two senders never send it at once.
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  INTEGER NOT NULL,
    -- What the provider said last, for the treasurer and the deployer.
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_order ON outbox (order_id) WHERE order_id IS NOT NULL;
