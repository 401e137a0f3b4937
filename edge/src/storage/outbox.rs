//! The outbox: messages owed, written in the batch of the change that causes them, claimed by
//! one sender at a time, and kept once sent or dead.

use serde::Deserialize;
use worker::{D1PreparedStatement, query};

use super::{Storage, StorageError};
use crate::mail::Notices;

/// A message claimed for one attempt.
#[derive(Clone, Debug, Deserialize)]
pub struct OutboxMessage {
    /// The row's id.
    pub id: i64,
    /// What it is about and which template; names the message across attempts.
    pub key: String,
    /// The template's name.
    pub template: String,
    /// `fr` or `en`.
    pub locale: String,
    /// The recipient's address.
    pub recipient: String,
    /// The template's values, as JSON.
    pub params: String,
    /// Attempts begun, this one included.
    pub attempts: i64,
    /// When it was written: the message's `Date`.
    pub created_at: i64,
}

/// How the outbox stands, for the deployer.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct OutboxSummary {
    /// Messages waiting for their first or next attempt.
    pub pending: i64,
    /// Messages the provider took.
    pub sent: i64,
    /// Messages given up on, kept with the reason.
    pub dead: i64,
}

/// A message that is dead or failing, for the deployer to look at.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct OutboxProblem {
    /// The row's id.
    pub id: i64,
    /// What it is about.
    pub key: String,
    /// `pending` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// What the provider said last.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: i64,
}

impl Storage {
    /// The outbox rows a payment owes, for the batch that marks the order paid: the donor's
    /// receipt and, if asked for, the treasurer's notice, in one statement. It reads the order
    /// as the batch has just left it, and writes nothing unless it is paid; the keys make a
    /// second write a no-op, so an event delivered five times gives one message each.
    pub(super) fn paid_notices(
        &self,
        order_id: &str,
        notices: &Notices,
        now: i64,
    ) -> Result<Option<D1PreparedStatement>, StorageError> {
        // The order's values as the messages need them; the edge formats them when sending.
        // `link` is the donor's own page (tickets, membership card, stopping a monthly gift).
        const FROM_ORDER: &str = "o.id, ?2, ?2, json_object(
                'first_name', o.first_name, 'last_name', o.last_name, 'email', o.email,
                'amount', o.amount, 'currency', o.currency, 'paid_at', COALESCE(o.paid_at, ?2),
                'campaign', c.title, 'organisation', g.name, 'reference', o.id,
                'link', COALESCE(o.edge_url || '/o/' || o.donor_token, ''),
                'seats', (SELECT count(*) FROM tickets t WHERE t.order_id = o.id))
             FROM orders AS o
             JOIN campaigns AS c ON c.id = o.campaign_id
             JOIN organisations AS g ON g.id = c.organisation_id
             WHERE o.id = ?1 AND o.status = 'paid' AND o.erased_at IS NULL";
        if !notices.donor {
            return Ok(None);
        }
        // Each kind thanks in its own words; a membership's mail waits for its period, which
        // the membership's own batch writes (see `record_membership`).
        let donor = format!(
            "SELECT 'donor_receipt:' || o.id,
                    CASE WHEN c.kind = 'event' THEN 'ticket_receipt'
                         WHEN o.monthly = 1 OR o.parent_order_id IS NOT NULL
                         THEN 'monthly_receipt'
                         ELSE 'donor_receipt' END,
                    o.locale, o.email, {FROM_ORDER} AND c.kind <> 'membership'"
        );
        let insert = |selects: &str| {
            format!(
                "INSERT INTO outbox (key, template, locale, recipient, order_id, next_attempt_at,
                                     created_at, params)
                 {selects} ON CONFLICT (key) DO NOTHING"
            )
        };
        let statement = match &notices.treasurer {
            None => query!(&self.db, &insert(&donor), order_id, now)?,
            Some((address, locale)) => query!(
                &self.db,
                &insert(&format!(
                    "{donor} UNION ALL SELECT 'treasurer_payment:' || o.id, 'treasurer_payment',
                                              ?3, ?4, {FROM_ORDER}"
                )),
                order_id,
                now,
                locale.tag(),
                address,
            )?,
        };
        Ok(Some(statement))
    }

    /// Claims up to `limit` messages due at `now`, oldest due first, for one attempt each: the
    /// attempt is counted and the message hidden from other senders for `lease` seconds. A
    /// sender that dies mid-attempt leaves the message to be tried again after the lease.
    pub async fn claim_mail(
        &self,
        now: i64,
        limit: u32,
        lease: i64,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let claimed = query!(
            &self.db,
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?1 + ?3
             WHERE id IN (SELECT id FROM outbox
                          WHERE status = 'pending' AND next_attempt_at <= ?1
                          ORDER BY next_attempt_at, id LIMIT ?2)
             RETURNING id, key, template, locale, recipient, params, attempts, created_at",
            now,
            limit,
            lease,
        )?
        .all()
        .await?;
        Ok(claimed.results::<OutboxMessage>()?)
    }

    /// The provider took the message.
    pub async fn mail_sent(&self, id: i64, now: i64) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE outbox SET status = 'sent', sent_at = ?2, last_error = NULL
             WHERE id = ?1 AND status = 'pending'",
            id,
            now,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// The attempt failed; the next is due at `next_at`.
    pub async fn mail_retry(&self, id: i64, next_at: i64, error: &str) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3
             WHERE id = ?1 AND status = 'pending'",
            id,
            next_at,
            error,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// The message will not be sent; it is kept, with why.
    pub async fn mail_dead(&self, id: i64, error: &str) -> Result<(), StorageError> {
        query!(
            &self.db,
            "UPDATE outbox SET status = 'dead', last_error = ?2
             WHERE id = ?1 AND status = 'pending'",
            id,
            error,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// How many messages stand where.
    pub async fn outbox_summary(&self) -> Result<OutboxSummary, StorageError> {
        let summary = query!(
            &self.db,
            "SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                    count(*) FILTER (WHERE status = 'sent') AS sent,
                    count(*) FILTER (WHERE status = 'dead') AS dead
             FROM outbox"
        )
        .first::<OutboxSummary>(None)
        .await?;
        Ok(summary.unwrap_or_default())
    }

    /// Dead messages and those that failed at least once, newest first.
    pub async fn outbox_problems(&self, limit: u32) -> Result<Vec<OutboxProblem>, StorageError> {
        let rows = query!(
            &self.db,
            "SELECT id, key, status, attempts, last_error, next_attempt_at FROM outbox
             WHERE status = 'dead' OR (status = 'pending' AND last_error IS NOT NULL)
             ORDER BY id DESC LIMIT ?1",
            limit,
        )?
        .all()
        .await?;
        Ok(rows.results::<OutboxProblem>()?)
    }

    /// The association's name, for messages that concern no order; the first organisation's
    /// (a deployment serves one association).
    pub async fn organisation_name(&self) -> Result<String, StorageError> {
        #[derive(Deserialize)]
        struct Name {
            name: String,
        }
        let name = query!(
            &self.db,
            "SELECT name FROM organisations ORDER BY id LIMIT 1"
        )
        .first::<Name>(None)
        .await?;
        Ok(name.map(|name| name.name).unwrap_or_default())
    }

    /// Drops messages sent before `before`: what they said is in the orders, and a sign-in
    /// link must not outlive its use.
    pub async fn forget_sent_mail(&self, before: i64) -> Result<(), StorageError> {
        query!(
            &self.db,
            "DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?1",
            before,
        )?
        .run()
        .await?;
        Ok(())
    }
}
