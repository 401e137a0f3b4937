-- Payments as the back-office handles them: how each one was paid, payments received by hand
-- (cheque, bank transfer, cash), and the reversing entry that cancels one recorded by mistake.

-- How the money came: `card` through the PSP, or by hand.
ALTER TABLE orders ADD COLUMN method TEXT NOT NULL DEFAULT 'card'
    CHECK (method IN ('card', 'cheque', 'transfer', 'cash'));
-- The cheque's number or the transfer's reference.
ALTER TABLE orders ADD COLUMN payment_reference TEXT;
-- Who recorded a payment received by hand.
ALTER TABLE orders ADD COLUMN recorded_by INTEGER REFERENCES people (id);
-- A payment recorded by hand is never edited. A mistake is cancelled by a reversing entry:
-- when, by whom and why; its counted amount goes to nothing, and the right payment is recorded
-- anew.
ALTER TABLE orders ADD COLUMN reversed_at INTEGER;
ALTER TABLE orders ADD COLUMN reversed_by INTEGER REFERENCES people (id);
ALTER TABLE orders ADD COLUMN reversal_reason TEXT;
-- A token of the request that reversed it, so that its audit entry is written by that request
-- only, and once.
ALTER TABLE orders ADD COLUMN reversal_token TEXT;

-- The payments list and the export walk the orders by date: the payment's, or the order's
-- while it is not paid.
CREATE INDEX orders_by_date ON orders (coalesce(paid_at, created_at), id);
