//! Orders and the PSP events applied to them.
//!
//! An order is written `pending` before the PSP is called, so no payment can arrive for an
//! order the edge does not know. Its status then only moves along the domain's state machine:
//! every update is guarded by the statuses the target may come from.

use serde::Deserialize;
use tirelire_domain::{CampaignSlug, Locale, OrderStatus, ValidDonation, api::OrderView};
use worker::{D1PreparedStatement, query};

use super::{Storage, StorageError};

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
    /// The current Unix time.
    pub now: i64,
}

/// An order as the webhook handler needs it.
#[derive(Clone, Debug, Deserialize)]
pub struct StoredOrder {
    /// The order's id.
    pub id: String,
    /// The campaign's slug, to refresh its cached totals.
    pub campaign_slug: CampaignSlug,
    /// The amount in minor units.
    pub amount: i64,
    /// The ISO 4217 code.
    pub currency: String,
}

#[derive(Deserialize)]
struct OrderViewRow {
    id: String,
    status: String,
    amount: i64,
    currency: String,
}

impl Storage {
    /// Records a `pending` order.
    pub async fn insert_pending_order(&self, order: &NewOrder<'_>) -> Result<(), StorageError> {
        let donation = order.donation;
        query!(
            &self.db,
            "INSERT INTO orders (id, campaign_id, amount, currency, first_name, last_name, email,
                                 locale, consent_at, status, psp, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?9, ?9)",
            order.id,
            order.campaign_id,
            donation.amount.minor,
            donation.amount.currency.code(),
            donation.first_name,
            donation.last_name,
            donation.email,
            order.locale.tag(),
            order.now,
            order.psp,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Remembers which PSP session an order is paid through.
    pub async fn attach_session(
        &self,
        order_id: &str,
        session_id: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE orders SET psp_session_id = ?2, updated_at = ?3
             WHERE id = ?1 AND psp_session_id IS NULL",
            order_id,
            session_id,
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
            .move_statement(order_id, None, next, now)?
            .run()
            .await?;
        Ok(changes(&result)? > 0)
    }

    /// The order a PSP session belongs to, looked up by the session id, or by the order id the
    /// edge gave the PSP when the session id was never stored.
    pub async fn order_for_session(
        &self,
        session_id: &str,
        order_id: Option<&str>,
    ) -> Result<Option<StoredOrder>, StorageError> {
        let statement = query!(
            &self.db,
            "SELECT o.id, c.slug AS campaign_slug, o.amount, o.currency
             FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             WHERE o.psp_session_id = ?1 OR (o.id = ?2 AND o.psp_session_id IS NULL)
             LIMIT 1",
            session_id,
            order_id,
        )?;
        Ok(statement.first::<StoredOrder>(None).await?)
    }

    /// Records a PSP event and applies its outcome to the order, in one transaction. A repeated
    /// event is recorded once and moves nothing. Returns whether the order moved.
    pub async fn apply_event(
        &self,
        event_id: &str,
        kind: &str,
        order: &StoredOrder,
        session_id: &str,
        outcome: Option<OrderStatus>,
        now: i64,
    ) -> Result<bool, StorageError> {
        let mut statements = vec![query!(
            &self.db,
            "INSERT INTO webhook_events (id, psp, type, order_id, received_at)
             VALUES (?1, 'stripe', ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING",
            event_id,
            kind,
            order.id,
            now,
        )?];
        if let Some(next) = outcome {
            statements.push(self.move_statement(&order.id, Some(session_id), next, now)?);
        }
        let results = self.db.batch(statements).await?;
        match results.get(1) {
            Some(result) => Ok(changes(result)? > 0),
            None => Ok(false),
        }
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
        let status = OrderStatus::from_name(&row.status)
            .ok_or_else(|| StorageError::Corrupt(format!("order {}: status", row.id)))?;
        Ok(Some(OrderView {
            id: row.id,
            status,
            amount: row.amount,
            currency: row.currency,
        }))
    }

    /// The guarded update behind every status change. The allowed previous statuses come from
    /// the domain's state machine, bound as one JSON array.
    fn move_statement(
        &self,
        order_id: &str,
        session_id: Option<&str>,
        next: OrderStatus,
        now: i64,
    ) -> Result<D1PreparedStatement, StorageError> {
        let from: Vec<&str> = next
            .predecessors()
            .iter()
            .map(|status| status.as_str())
            .collect();
        let from = serde_json::to_string(&from)
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        Ok(query!(
            &self.db,
            "UPDATE orders
             SET status = ?2,
                 updated_at = ?3,
                 paid_at = CASE WHEN ?2 = 'paid' THEN ?3 ELSE paid_at END,
                 psp_session_id = COALESCE(psp_session_id, ?4)
             WHERE id = ?1 AND status IN (SELECT value FROM json_each(?5))",
            order_id,
            next.as_str(),
            now,
            session_id,
            from,
        )?)
    }
}

fn changes(result: &worker::D1Result) -> Result<usize, StorageError> {
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0))
}
