//! PSP events applied to orders, anomalies kept for the treasurer, and where the sweep stopped
//! reading each PSP's event list.
//!
//! Every change an event makes runs in one batch with the insert that records the event. The
//! insert leaves a token drawn for this delivery; the change is guarded by that token being the
//! one stored, so only the delivery that recorded the event first can apply it. A repeated,
//! concurrent or replayed event is recorded once and applied once.

use serde::Deserialize;
use tirelire_domain::{DisputeStatus, OrderStatus};
use worker::{D1PreparedStatement, query};

use super::orders::json_list;
use super::{Storage, StorageError, changes};
use crate::mail::Notices;

/// An event about to be applied.
pub struct EventRecord<'a> {
    /// The PSP's id for the event.
    pub id: &'a str,
    /// The PSP's name.
    pub psp: &'a str,
    /// The PSP's name for the kind of event.
    pub kind: &'a str,
    /// The order it concerns.
    pub order_id: &'a str,
    /// A token drawn for this delivery.
    pub delivery: &'a str,
    /// The current Unix time.
    pub now: i64,
}

/// What an event does to its order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderChange<'a> {
    /// Nothing beyond recording the event (a payment still on its way).
    Nothing,
    /// The order moves to a status, and learns its session and payment ids.
    Status {
        /// The new status.
        next: OrderStatus,
        /// The PSP's session.
        session_id: &'a str,
        /// The PSP's payment, if the event names it.
        payment_id: Option<&'a str>,
        /// The PSP's subscription, if the session opened one.
        subscription_id: Option<&'a str>,
        /// The PSP's invoice of a subscription's first month.
        invoice_id: Option<&'a str>,
    },
    /// A later month of a monthly gift was paid: it becomes an order of its own, paid, that
    /// names the first.
    Instalment {
        /// The new order's id.
        order_id: &'a str,
        /// The PSP's invoice, which makes the instalment once.
        invoice_id: &'a str,
        /// The PSP's subscription.
        subscription_id: &'a str,
        /// The amount paid, in minor units.
        amount: i64,
    },
    /// The monthly gift stopped.
    SubscriptionEnded {
        /// The PSP's subscription.
        subscription_id: &'a str,
    },
    /// Money went back to the donor.
    Refunded {
        /// Everything refunded so far on the order's payment, in minor units.
        total: i64,
        /// The PSP's payment.
        payment_id: &'a str,
    },
    /// A dispute moved.
    Dispute {
        /// Where it stands.
        status: DisputeStatus,
        /// The amount disputed, in minor units.
        amount: i64,
        /// The PSP's payment.
        payment_id: &'a str,
    },
}

/// Something the edge could not simply apply, kept for the treasurer.
pub struct Anomaly<'a> {
    /// A stable name: `amount_mismatch`, `mode_mismatch`, `payment_for_closed_order`…
    pub kind: &'a str,
    /// The PSP's name.
    pub psp: &'a str,
    /// The event it came from, if any; an anomaly is kept once per event.
    pub event_id: Option<&'a str>,
    /// The order, if known.
    pub order_id: Option<String>,
    /// What was seen, for a person to read.
    pub detail: String,
    /// The current Unix time.
    pub now: i64,
}

#[derive(Deserialize)]
struct Cursor {
    cursor: String,
}

#[derive(Deserialize)]
struct Seen {
    seen: i64,
}

impl Storage {
    /// Records an event and applies its change, in one transaction, if this delivery is the
    /// first to record it; a payment also writes the messages it owes (`notices`) to the
    /// outbox, in the same transaction. Returns whether the order's status or amounts changed.
    pub async fn apply_event(
        &self,
        event: &EventRecord<'_>,
        change: &OrderChange<'_>,
        notices: &Notices,
    ) -> Result<bool, StorageError> {
        let mut statements = vec![query!(
            &self.db,
            "INSERT INTO webhook_events (id, psp, type, order_id, received_at, delivery)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
            event.id,
            event.psp,
            event.kind,
            event.order_id,
            event.now,
            event.delivery,
        )?];
        statements.extend(self.change_statements(event, change)?);
        // The change itself is the last of these; before it, at most, the ids the event teaches
        // the order, which change nothing that counts.
        let change_index = (statements.len() > 1).then(|| statements.len() - 1);
        let paid = match change {
            OrderChange::Status {
                next: OrderStatus::Paid,
                ..
            } => Some(event.order_id),
            OrderChange::Instalment { order_id, .. } => Some(*order_id),
            _ => None,
        };
        if let Some(paid) = paid {
            statements.extend(self.paid_notices(paid, notices, event.now)?);
        }
        let results = self.db.batch(statements).await?;
        match change_index.and_then(|index| results.get(index)) {
            Some(result) => Ok(changes(result)? > 0),
            None => Ok(false),
        }
    }

    /// Whether an event was already recorded.
    pub async fn event_seen(&self, event_id: &str) -> Result<bool, StorageError> {
        let seen = query!(
            &self.db,
            "SELECT count(*) AS seen FROM webhook_events WHERE id = ?1",
            event_id
        )?
        .first::<Seen>(None)
        .await?;
        Ok(seen.is_some_and(|seen| seen.seen > 0))
    }

    fn change_statements(
        &self,
        event: &EventRecord<'_>,
        change: &OrderChange<'_>,
    ) -> Result<Vec<D1PreparedStatement>, StorageError> {
        // The clause that lets only the recording delivery change anything, with the event id
        // and the delivery token bound as parameters `n` and `n + 1`.
        let first = |n: u8| {
            format!(
                "EXISTS (SELECT 1 FROM webhook_events WHERE id = ?{n} AND delivery = ?{})",
                n + 1
            )
        };
        let statement = match change {
            OrderChange::Nothing => return Ok(Vec::new()),
            OrderChange::Status {
                next,
                session_id,
                payment_id,
                subscription_id,
                invoice_id,
            } => {
                return Ok(vec![
                    query!(
                        &self.db,
                        &format!(
                            "UPDATE orders
                             SET psp_session_id = COALESCE(psp_session_id, ?2),
                                 psp_payment_id = COALESCE(psp_payment_id, ?3),
                                 psp_subscription_id = COALESCE(psp_subscription_id, ?7),
                                 psp_invoice_id = COALESCE(psp_invoice_id, ?8),
                                 updated_at = ?4
                             WHERE id = ?1 AND {}",
                            first(5)
                        ),
                        event.order_id,
                        session_id,
                        payment_id,
                        event.now,
                        event.id,
                        event.delivery,
                        subscription_id,
                        invoice_id,
                    )?,
                    self.move_statement(
                        event.order_id,
                        *next,
                        event.now,
                        Some((event.id, event.delivery)),
                    )?,
                ]);
            }
            OrderChange::Instalment {
                order_id,
                invoice_id,
                subscription_id,
                amount,
            } => {
                // The first order lends the instalment its donor and its links; the invoice's
                // unique index makes a second instalment for one invoice impossible.
                return Ok(vec![
                    query!(
                        &self.db,
                        &format!(
                            "INSERT INTO orders (id, campaign_id, amount, currency, first_name,
                                 last_name, email, locale, consent_at, consent_version,
                                 consent_text, status, psp, created_at, updated_at, monthly,
                                 tax_receipt, parent_order_id, psp_invoice_id,
                                 psp_subscription_id, edge_url, donor_token, page_url)
                             SELECT ?1, campaign_id, ?3, currency, first_name, last_name, email,
                                    locale, consent_at, consent_version, consent_text, 'pending',
                                    psp, ?4, ?4, 0, tax_receipt, id, ?5, ?6, edge_url,
                                    donor_token, page_url
                             FROM orders WHERE id = ?2 AND {}
                             ON CONFLICT DO NOTHING",
                            first(7)
                        ),
                        order_id,
                        event.order_id,
                        amount,
                        event.now,
                        invoice_id,
                        subscription_id,
                        event.id,
                        event.delivery,
                    )?,
                    query!(
                        &self.db,
                        "INSERT INTO order_lines (order_id, position, kind, key, label, quantity,
                                                  unit_amount, amount)
                         SELECT ?1, 0, 'gift', '', '', 1, ?2, ?2
                         WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?1)",
                        order_id,
                        amount,
                    )?,
                    self.move_statement(order_id, OrderStatus::Paid, event.now, None)?,
                ]);
            }
            OrderChange::SubscriptionEnded { subscription_id } => query!(
                &self.db,
                &format!(
                    "UPDATE orders
                     SET subscription_ended_at = ?2, updated_at = ?2,
                         psp_subscription_id = COALESCE(psp_subscription_id, ?3)
                     WHERE id = ?1 AND monthly = 1 AND subscription_ended_at IS NULL AND {}",
                    first(4)
                ),
                event.order_id,
                event.now,
                subscription_id,
                event.id,
                event.delivery,
            )?,
            // Stripe gives the running total, so the largest one seen is the truth, whatever
            // the order the events come in; a refund that comes before the payment is recorded
            // is kept and counted when it is.
            OrderChange::Refunded { total, payment_id } => query!(
                &self.db,
                &format!(
                    "UPDATE orders
                     SET refunded_amount = min(amount, max(refunded_amount, ?2)),
                         status = CASE WHEN status = 'paid'
                                        AND min(amount, max(refunded_amount, ?2)) >= amount
                                       THEN 'refunded' ELSE status END,
                         psp_payment_id = COALESCE(psp_payment_id, ?3),
                         updated_at = ?4
                     WHERE id = ?1 AND {}",
                    first(5)
                ),
                event.order_id,
                total,
                payment_id,
                event.now,
                event.id,
                event.delivery,
            )?,
            OrderChange::Dispute {
                status,
                amount,
                payment_id,
            } => {
                let from = json_list(
                    status
                        .predecessors()
                        .iter()
                        .map(|from| from.map(DisputeStatus::as_str)),
                )?;
                query!(
                    &self.db,
                    &format!(
                        "UPDATE orders
                         SET dispute_status = ?2, disputed_amount = ?3, updated_at = ?4,
                             psp_payment_id = COALESCE(psp_payment_id, ?6)
                         WHERE id = ?1
                           AND EXISTS (SELECT 1 FROM json_each(?5) AS allowed
                                       WHERE allowed.value IS dispute_status)
                           AND {}",
                        first(7)
                    ),
                    event.order_id,
                    status.as_str(),
                    amount,
                    event.now,
                    from,
                    payment_id,
                    event.id,
                    event.delivery,
                )?
            }
        };
        Ok(vec![statement])
    }

    /// Keeps an anomaly, once per event and kind.
    pub async fn record_anomaly(&self, anomaly: &Anomaly<'_>) -> Result<(), StorageError> {
        query!(
            &self.db,
            "INSERT INTO anomalies (kind, psp, event_id, order_id, detail, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            anomaly.kind,
            anomaly.psp,
            anomaly.event_id,
            anomaly.order_id,
            anomaly.detail,
            anomaly.now,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Where the sweep stopped reading a PSP's events.
    pub async fn event_cursor(&self, psp: &str) -> Result<Option<String>, StorageError> {
        let cursor = query!(
            &self.db,
            "SELECT cursor FROM psp_cursors WHERE psp = ?1",
            psp
        )?
        .first::<Cursor>(None)
        .await?;
        Ok(cursor.map(|cursor| cursor.cursor))
    }

    /// Moves the cursor forward.
    pub async fn set_event_cursor(
        &self,
        psp: &str,
        cursor: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        query!(
            &self.db,
            "INSERT INTO psp_cursors (psp, cursor, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (psp) DO UPDATE SET cursor = excluded.cursor,
                                             updated_at = excluded.updated_at",
            psp,
            cursor,
            now,
        )?
        .run()
        .await?;
        Ok(())
    }
}
