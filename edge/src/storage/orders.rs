//! Orders: written `pending` before the PSP is called, then moved only along the domain's
//! state machine, every update guarded by the statuses the target may come from.
//!
//! The insert runs in one batch with the checkout counters it must respect, so that a client
//! over its limit adds no order, and two requests with the same attempt key add one.

use serde::{Deserialize, Serialize};
use tirelire_domain::{
    CampaignSlug, Currency, Locale, Money, OrderStatus, ValidDonation, api::OrderView,
};
use worker::{D1PreparedStatement, query};

use super::{Storage, StorageError, changes};
use crate::guard::rate::Window;
use crate::mail::Notices;

/// A donation to record before the donor is sent to the PSP.
pub struct NewOrder<'a> {
    /// The order's id.
    pub id: &'a str,
    /// The campaign's row id.
    pub campaign_id: i64,
    /// What the donor gave, validated.
    pub donation: &'a ValidDonation,
    /// The donor's language.
    pub locale: Locale,
    /// The PSP the order is paid through.
    pub psp: &'a str,
    /// The widget's key for this attempt, if it sent one.
    pub attempt_key: Option<&'a str>,
    /// The body of the request that opens the payment page, kept to send it again.
    pub psp_request: Option<&'a str>,
    /// The counters this checkout adds to, and must stay within.
    pub windows: &'a [Window],
    /// The tickets the order makes, one per seat, each with its signed token.
    pub tickets: &'a [NewTicket],
    /// Whether the campaign's gifts may be receipted for tax relief.
    pub tax_receipt: bool,
    /// The edge that takes the order, for the links in its mails.
    pub edge_url: &'a str,
    /// The signed token of the donor's own page.
    pub donor_token: &'a str,
    /// The page that carried the form.
    pub page_url: &'a str,
    /// Whether the order comes to nothing and is confirmed at once, without the PSP; it then
    /// writes the messages in `notices`.
    pub settle_free: Option<&'a Notices>,
    /// The current Unix time.
    pub now: i64,
}

/// A ticket made with its order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewTicket {
    /// Its id.
    pub id: String,
    /// What its QR code carries: the id, signed.
    pub token: String,
    /// The rate's key.
    pub item_key: String,
    /// The rate's label.
    pub label: String,
    /// Its number within the order, from 1.
    pub seat: u32,
}

/// What inserting an order did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The order is recorded.
    Recorded,
    /// A counter is over its limit: nothing was recorded. Holds the window that is full.
    OverLimit(Window),
    /// Another order already has this attempt key.
    SameAttempt,
}

/// An order as the webhook, the sweep and the checkout's retries need it.
#[derive(Clone, Debug)]
pub struct StoredOrder {
    /// The order's id.
    pub id: String,
    /// The campaign's slug, to refresh its cached totals.
    pub campaign_slug: CampaignSlug,
    /// The amount.
    pub amount: Money,
    /// Where the order stands.
    pub status: OrderStatus,
    /// The PSP's session, once attached.
    pub session_id: Option<String>,
    /// The PSP's payment, once paid.
    pub payment_id: Option<String>,
    /// Whether it is a monthly gift.
    pub monthly: bool,
    /// The PSP's subscription, once a monthly gift is paid.
    pub subscription_id: Option<String>,
    /// The payment page, once opened.
    pub checkout_url: Option<String>,
    /// The request that opens the payment page.
    pub psp_request: Option<String>,
}

#[derive(Deserialize)]
struct OrderRow {
    id: String,
    campaign_slug: String,
    amount: i64,
    currency: String,
    status: String,
    psp_session_id: Option<String>,
    psp_payment_id: Option<String>,
    checkout_url: Option<String>,
    psp_request: Option<String>,
    monthly: i64,
    psp_subscription_id: Option<String>,
}

impl OrderRow {
    fn into_order(self) -> Result<StoredOrder, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("order {}: {what}", self.id));
        let currency = Currency::from_code(&self.currency).ok_or_else(|| corrupt("currency"))?;
        let status = OrderStatus::from_name(&self.status).ok_or_else(|| corrupt("status"))?;
        let campaign_slug =
            CampaignSlug::parse(&self.campaign_slug).map_err(|_| corrupt("campaign"))?;
        Ok(StoredOrder {
            amount: Money::new(self.amount, currency),
            status,
            campaign_slug,
            session_id: self.psp_session_id,
            payment_id: self.psp_payment_id,
            monthly: self.monthly != 0,
            subscription_id: self.psp_subscription_id,
            checkout_url: self.checkout_url,
            psp_request: self.psp_request,
            id: self.id,
        })
    }
}

/// A query for [`StoredOrder`]s: every column it needs, and `rest` (the `WHERE` clause and
/// what follows it).
fn orders_where(rest: &str) -> String {
    format!(
        "SELECT o.id, c.slug AS campaign_slug, o.amount, o.currency, o.status,
                o.psp_session_id, o.psp_payment_id, o.checkout_url, o.psp_request,
                o.monthly, o.psp_subscription_id
         FROM orders o JOIN campaigns c ON c.id = o.campaign_id
         WHERE {rest}"
    )
}

/// `values` as one JSON array, to bind where SQL reads it with `json_each`.
pub(super) fn json_list<T: serde::Serialize>(
    values: impl IntoIterator<Item = T>,
) -> Result<String, StorageError> {
    let values: Vec<T> = values.into_iter().collect();
    serde_json::to_string(&values).map_err(|error| StorageError::Corrupt(error.to_string()))
}

/// The one order a statement finds, if any.
async fn one_order(statement: D1PreparedStatement) -> Result<Option<StoredOrder>, StorageError> {
    statement
        .first::<OrderRow>(None)
        .await?
        .map(OrderRow::into_order)
        .transpose()
}

#[derive(Deserialize)]
struct Count {
    count: i64,
}

/// What the donor's own page shows of an order.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderPage {
    /// The order's id.
    pub id: String,
    /// Its status's name.
    pub status: String,
    /// Its amount, in minor units.
    pub amount: i64,
    /// Its currency's code.
    pub currency: String,
    /// The donor's language.
    pub locale: String,
    /// The donor's first name.
    pub first_name: String,
    /// The donor's last name.
    pub last_name: String,
    /// The campaign's kind.
    pub kind: String,
    /// The campaign's title.
    pub campaign: String,
    /// The association's name.
    pub organisation: String,
    /// Whether it is a monthly gift (1) or not (0).
    pub monthly: i64,
    /// The PSP's subscription, for a monthly gift.
    pub subscription_id: Option<String>,
    /// When the monthly gift stopped.
    pub subscription_ended_at: Option<i64>,
    /// The first day of the membership it bought.
    pub starts_on: Option<String>,
    /// The last day of the membership it bought.
    pub ends_on: Option<String>,
    /// The tier or first rate picked.
    pub tier: Option<String>,
}

#[derive(Deserialize)]
struct OrderViewRow {
    id: String,
    status: String,
    amount: i64,
    currency: String,
}

impl Storage {
    /// Records a `pending` order with its lines, answers and tickets, counting the checkout in
    /// each window and refusing it when a window is full, and taking what it holds of the
    /// campaign's stock; all in one transaction, which fails whole with
    /// [`StorageError::OutOfStock`] when too little is left. A free order is paid in the same
    /// transaction.
    pub async fn insert_pending_order(
        &self,
        order: &NewOrder<'_>,
    ) -> Result<Inserted, StorageError> {
        let donation = order.donation;
        let lines = json_list(&donation.priced.lines)?;
        let answers = (!donation.priced.answers.is_empty())
            .then(|| {
                let object: serde_json::Map<String, serde_json::Value> = donation
                    .priced
                    .answers
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone().into()))
                    .collect();
                serde_json::to_string(&object)
            })
            .transpose()
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        let mut statements = Vec::with_capacity(order.windows.len() + 5);
        for window in order.windows {
            statements.push(query!(
                &self.db,
                "INSERT INTO rate_counters (key, window_start, window_end, count)
                 VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1
                 RETURNING count",
                window.key,
                window.start,
                window.end,
            )?);
        }
        // The order goes in only if no window is over its limit, bound as one JSON array of
        // [key, start, limit] triples.
        let guards = json_list(
            order
                .windows
                .iter()
                .map(|window| (window.key.as_str(), window.start, window.limit)),
        )?;
        statements.push(query!(
            &self.db,
            "INSERT INTO orders (id, campaign_id, amount, currency, first_name, last_name, email,
                                 locale, consent_at, consent_version, consent_text, status, psp,
                                 attempt_key, psp_request, created_at, updated_at, answers,
                                 monthly, tax_receipt, edge_url, donor_token, page_url)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12, ?13, ?14, ?9, ?9,
                    ?16, ?17, ?18, ?19, ?20, ?21
             WHERE NOT EXISTS (
                 SELECT 1 FROM json_each(?15) AS guard
                 JOIN rate_counters r
                   ON r.key = json_extract(guard.value, '$[0]')
                  AND r.window_start = json_extract(guard.value, '$[1]')
                 WHERE r.count > json_extract(guard.value, '$[2]')
             )
             ON CONFLICT DO NOTHING",
            order.id,
            order.campaign_id,
            donation.amount.minor,
            donation.amount.currency.code(),
            donation.first_name,
            donation.last_name,
            donation.email,
            order.locale.tag(),
            order.now,
            donation.consent_version,
            donation.consent_text,
            order.psp,
            order.attempt_key,
            order.psp_request,
            guards,
            answers,
            donation.priced.monthly,
            order.tax_receipt,
            order.edge_url,
            order.donor_token,
            order.page_url,
        )?);
        let insert_index = statements.len() - 1;
        // What follows is written only with the order: its id is new, so it exists only if
        // the insert above took place.
        statements.push(query!(
            &self.db,
            "INSERT INTO order_lines (order_id, position, kind, key, label, quantity,
                                      unit_amount, amount)
             SELECT ?1, line.key, json_extract(line.value, '$.kind'),
                    json_extract(line.value, '$.key'), json_extract(line.value, '$.label'),
                    json_extract(line.value, '$.quantity'), json_extract(line.value, '$.unit'),
                    json_extract(line.value, '$.amount')
             FROM json_each(?2) AS line
             WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?1)",
            order.id,
            lines,
        )?);
        statements.push(query!(
            &self.db,
            "UPDATE stock
             SET taken = taken + (SELECT coalesce(sum(h.quantity), 0) FROM order_holds h
                                  WHERE h.order_id = ?1 AND h.counter = stock.counter)
             WHERE campaign_id = ?2",
            order.id,
            order.campaign_id,
        )?);
        if !order.tickets.is_empty() {
            let tickets = json_list(order.tickets)?;
            statements.push(query!(
                &self.db,
                "INSERT INTO tickets (id, order_id, campaign_id, item_key, label, seat, token)
                 SELECT json_extract(t.value, '$.id'), ?1, ?2, json_extract(t.value, '$.item_key'),
                        json_extract(t.value, '$.label'), json_extract(t.value, '$.seat'),
                        json_extract(t.value, '$.token')
                 FROM json_each(?3) AS t
                 WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?1)",
                order.id,
                order.campaign_id,
                tickets,
            )?);
        }
        if let Some(notices) = order.settle_free {
            statements.push(self.move_statement(order.id, OrderStatus::Paid, order.now, None)?);
            statements.extend(self.paid_notices(order.id, notices, order.now)?);
        }
        let results = self.db.batch(statements).await?;
        let counters = results.get(..order.windows.len()).unwrap_or_default();
        let insert = results.get(insert_index);
        if insert.map(changes).transpose()?.unwrap_or(0) > 0 {
            return Ok(Inserted::Recorded);
        }
        for (window, result) in order.windows.iter().zip(counters) {
            let count = result
                .results::<Count>()?
                .first()
                .map_or(0, |row| row.count);
            if count > i64::from(window.limit) {
                return Ok(Inserted::OverLimit(window.clone()));
            }
        }
        Ok(Inserted::SameAttempt)
    }

    /// The order made for an attempt key in the last `within_secs` seconds, if any.
    pub async fn order_for_attempt(
        &self,
        campaign_id: i64,
        attempt_key: &str,
        since: i64,
    ) -> Result<Option<StoredOrder>, StorageError> {
        let statement = query!(
            &self.db,
            &orders_where("o.campaign_id = ?1 AND o.attempt_key = ?2 AND o.created_at >= ?3"),
            campaign_id,
            attempt_key,
            since,
        )?;
        one_order(statement).await
    }

    /// The order with this id.
    pub async fn order(&self, order_id: &str) -> Result<Option<StoredOrder>, StorageError> {
        let statement = query!(&self.db, &orders_where("o.id = ?1"), order_id,)?;
        one_order(statement).await
    }

    /// The order paid through this PSP payment.
    pub async fn order_for_payment(
        &self,
        payment_id: &str,
    ) -> Result<Option<StoredOrder>, StorageError> {
        let statement = query!(&self.db, &orders_where("o.psp_payment_id = ?1"), payment_id,)?;
        one_order(statement).await
    }

    /// The monthly gift that opened this PSP subscription.
    pub async fn order_for_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<Option<StoredOrder>, StorageError> {
        let statement = query!(
            &self.db,
            &orders_where("o.psp_subscription_id = ?1 AND o.monthly = 1"),
            subscription_id,
        )?;
        one_order(statement).await
    }

    /// Months of monthly gifts that were paid through an invoice whose payment the edge does
    /// not know yet, as (order id, invoice id), at most `limit`: without it, a refund of the
    /// month could not be matched, nor made from the back-office.
    pub async fn instalments_without_payment(
        &self,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            psp_invoice_id: String,
        }
        let rows = query!(
            &self.db,
            "SELECT id, psp_invoice_id FROM orders
             WHERE psp_invoice_id IS NOT NULL AND psp_payment_id IS NULL
               AND status IN ('paid', 'refunded')
             ORDER BY updated_at LIMIT ?1",
            limit,
        )?
        .all()
        .await?
        .results::<Row>()?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id, row.psp_invoice_id))
            .collect())
    }

    /// Keeps the payment that paid a month's invoice, unless the order names one already.
    pub async fn set_instalment_payment(
        &self,
        order_id: &str,
        payment_id: &str,
    ) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE orders SET psp_payment_id = ?2
             WHERE id = ?1 AND psp_payment_id IS NULL",
            order_id,
            payment_id,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Orders still `pending`, created between `from` and `until`, with or without a session,
    /// the least recently updated first, at most `limit`.
    pub async fn pending_orders(
        &self,
        with_session: bool,
        from: i64,
        until: i64,
        limit: u32,
    ) -> Result<Vec<StoredOrder>, StorageError> {
        let statement = query!(
            &self.db,
            &orders_where(
                "o.status = 'pending' AND o.created_at BETWEEN ?1 AND ?2
                   AND (o.psp_session_id IS NOT NULL) = ?3
                 ORDER BY o.updated_at LIMIT ?4"
            ),
            from,
            until,
            with_session,
            limit,
        )?;
        statement
            .all()
            .await?
            .results::<OrderRow>()?
            .into_iter()
            .map(OrderRow::into_order)
            .collect()
    }

    /// Marks an order as just looked at, so that the sweep's next run looks at others first.
    pub async fn touch_order(&self, order_id: &str, now: i64) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE orders SET updated_at = ?2 WHERE id = ?1",
            order_id,
            now
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Remembers the PSP session an order is paid through and its page.
    pub async fn attach_session(
        &self,
        order_id: &str,
        session_id: &str,
        checkout_url: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE orders
             SET psp_session_id = COALESCE(psp_session_id, ?2),
                 checkout_url = COALESCE(checkout_url, ?3),
                 updated_at = ?4
             WHERE id = ?1",
            order_id,
            session_id,
            checkout_url,
            now,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Moves an order to `next` if the state machine allows it from where it stands. Returns
    /// whether it moved.
    pub async fn move_order(
        &self,
        order_id: &str,
        next: OrderStatus,
        now: i64,
    ) -> Result<bool, StorageError> {
        let result = self
            .move_statement(order_id, next, now, None)?
            .run()
            .await?;
        Ok(changes(&result)? > 0)
    }

    /// The guarded update behind every status change, from the checkout, the sweep and PSP
    /// events alike. The allowed previous statuses come from the domain's state machine, bound
    /// as one JSON array. With a `gate` (an event id and a delivery token), the order moves only
    /// if that delivery is the one that recorded the event.
    ///
    /// A refund that came before the payment was recorded (deliveries can cross) is already in
    /// `refunded_amount`: a payment refunded in full lands as `refunded`.
    pub(super) fn move_statement(
        &self,
        order_id: &str,
        next: OrderStatus,
        now: i64,
        gate: Option<(&str, &str)>,
    ) -> Result<D1PreparedStatement, StorageError> {
        let from = json_list(next.predecessors().iter().map(|status| status.as_str()))?;
        let (event_id, delivery) = gate.unzip();
        Ok(query!(
            &self.db,
            "UPDATE orders
             SET status = CASE WHEN ?2 = 'paid' AND refunded_amount > 0
                                    AND refunded_amount >= amount
                               THEN 'refunded' ELSE ?2 END,
                 updated_at = ?3,
                 paid_at = CASE WHEN ?2 = 'paid' THEN ?3 ELSE paid_at END
             WHERE id = ?1 AND status IN (SELECT value FROM json_each(?4))
               AND (?5 IS NULL OR EXISTS (SELECT 1 FROM webhook_events
                                          WHERE id = ?5 AND delivery = ?6))",
            order_id,
            next.as_str(),
            now,
            from,
            event_id,
            delivery,
        )?)
    }

    /// What the donor's own page shows of an order, unless its data was erased.
    pub async fn order_page(&self, order_id: &str) -> Result<Option<OrderPage>, StorageError> {
        Ok(query!(
            &self.db,
            "SELECT o.id, o.status, o.amount, o.currency, o.locale, o.first_name, o.last_name,
                    c.kind, c.title AS campaign, g.name AS organisation, o.monthly,
                    o.psp_subscription_id AS subscription_id, o.subscription_ended_at,
                    m.starts_on, m.ends_on,
                    (SELECT label FROM order_lines WHERE order_id = o.id AND kind = 'item'
                     LIMIT 1) AS tier
             FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             JOIN organisations g ON g.id = c.organisation_id
             LEFT JOIN memberships m ON m.order_id = o.id AND m.cancelled_at IS NULL
             WHERE o.id = ?1 AND o.erased_at IS NULL",
            order_id
        )?
        .first::<OrderPage>(None)
        .await?)
    }

    /// Records that a monthly gift stopped, once; it never starts again. Stopped from the
    /// back-office, the person who did it is in the audit log, in the same batch.
    pub async fn end_subscription(
        &self,
        order_id: &str,
        by: Option<i64>,
        now: i64,
    ) -> Result<bool, StorageError> {
        let mut statements = vec![query!(
            &self.db,
            "UPDATE orders SET subscription_ended_at = ?2, updated_at = ?2
             WHERE id = ?1 AND monthly = 1 AND subscription_ended_at IS NULL",
            order_id,
            now,
        )?];
        if let Some(person) = by {
            statements.push(self.audit_statement(
                &super::staff::AuditEntry {
                    actor: super::Actor::Person(person),
                    action: "monthly_gift_stopped",
                    subject: format!("order:{order_id}"),
                    detail: None,
                },
                now,
            )?);
        }
        let results = self.db.batch(statements).await?;
        Ok(results.first().map(changes).transpose()?.unwrap_or(0) > 0)
    }

    /// The public view of an order.
    pub async fn order_view(&self, order_id: &str) -> Result<Option<OrderView>, StorageError> {
        let statement = query!(
            &self.db,
            "SELECT id, status, amount, currency FROM orders WHERE id = ?1",
            order_id
        )?;
        let Some(row) = statement.first::<OrderViewRow>(None).await? else {
            return Ok(None);
        };
        let corrupt = |what: &str| StorageError::Corrupt(format!("order {}: {what}", row.id));
        let status = OrderStatus::from_name(&row.status).ok_or_else(|| corrupt("status"))?;
        let currency = Currency::from_code(&row.currency).ok_or_else(|| corrupt("currency"))?;
        Ok(Some(OrderView {
            amount: Money::new(row.amount, currency),
            status,
            id: row.id,
        }))
    }

    /// Erases the donor's name, email and the request that carried them from orders that were
    /// never paid and are older than `before`, at most `limit` of them; amounts, dates and
    /// statuses stay for the accounts. Returns how many were erased.
    pub async fn erase_unpaid(
        &self,
        before: i64,
        limit: u32,
        now: i64,
    ) -> Result<usize, StorageError> {
        let result = query!(
            &self.db,
            "UPDATE orders
             SET first_name = '', last_name = '', email = '', psp_request = NULL,
                 checkout_url = NULL, answers = NULL, erased_at = ?2, updated_at = ?2
             WHERE id IN (
                 SELECT id FROM orders
                 WHERE status IN ('pending', 'expired', 'failed') AND created_at < ?1
                   AND erased_at IS NULL
                 LIMIT ?3
             )",
            before,
            now,
            limit,
        )?
        .run()
        .await?;
        changes(&result)
    }

    /// Forgets attempt keys older than `before`, so that a key may serve again, and drops the
    /// counters of windows that have ended.
    pub async fn forget_old_attempts(&self, before: i64, now: i64) -> Result<(), StorageError> {
        self.db
            .batch(vec![
                query!(
                    &self.db,
                    "UPDATE orders SET attempt_key = NULL
                     WHERE attempt_key IS NOT NULL AND created_at < ?1",
                    before,
                )?,
                query!(
                    &self.db,
                    "DELETE FROM rate_counters WHERE window_end < ?1",
                    now,
                )?,
            ])
            .await?;
        Ok(())
    }
}
