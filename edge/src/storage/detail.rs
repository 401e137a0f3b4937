//! One payment with everything that happened to it, notes for the team, and a receipt sent
//! again.

use serde::Deserialize;
use tirelire_domain::payments::{
    AnomalyView, EventLine, MessageLine, PaymentDetail, PaymentFilter,
};
use tirelire_domain::staff::AuditLine;
use worker::query;

use super::staff::AuditEntry;
use super::{Actor, Storage, StorageError, changes};

#[derive(Deserialize)]
struct Ids {
    psp_session_id: Option<String>,
    psp_payment_id: Option<String>,
    created_at: i64,
    paid_at: Option<i64>,
}

impl Storage {
    /// The payment `id` and its history, if it exists.
    pub async fn payment_detail(&self, id: &str) -> Result<Option<PaymentDetail>, StorageError> {
        let Some(ids) = query!(
            &self.db,
            "SELECT psp_session_id, psp_payment_id, created_at, paid_at FROM orders WHERE id = ?1",
            id
        )?
        .first::<Ids>(None)
        .await?
        else {
            return Ok(None);
        };
        // The list's own query finds the row: it is listed under its date, with its id last.
        let date = ids.paid_at.unwrap_or(ids.created_at);
        let filter = PaymentFilter {
            from: Some(date),
            to: Some(date + 1),
            ..PaymentFilter::default()
        };
        let (rows, _, _) = self.payments(&filter, None, 1000, false).await?;
        let Some(payment) = rows.into_iter().find(|row| row.id == id) else {
            return Ok(None);
        };
        let subject = format!("order:{id}");
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "SELECT id, type AS kind, received_at FROM webhook_events
                     WHERE order_id = ?1 ORDER BY received_at, id",
                    id
                )?,
                query!(
                    &self.db,
                    "SELECT template, recipient, status, attempts, last_error, sent_at FROM outbox
                     WHERE order_id = ?1 ORDER BY id",
                    id
                )?,
                query!(
                    &self.db,
                    "SELECT kind, order_id, detail, created_at FROM anomalies
                     WHERE order_id = ?1 ORDER BY id",
                    id
                )?,
                query!(
                    &self.db,
                    "SELECT a.id, a.at, p.email AS who, a.action, a.subject, a.detail
                     FROM audit_log a LEFT JOIN people p ON p.id = a.person_id
                     WHERE a.subject = ?1 ORDER BY a.id",
                    subject
                )?,
            ])
            .await?;
        let part = |index: usize| {
            results
                .get(index)
                .ok_or_else(|| StorageError::Corrupt("a detail query gave nothing".into()))
        };
        Ok(Some(PaymentDetail {
            payment,
            session_id: ids.psp_session_id,
            payment_id: ids.psp_payment_id,
            events: part(0)?.results::<EventLine>()?,
            messages: part(1)?.results::<MessageLine>()?,
            anomalies: part(2)?.results::<AnomalyView>()?,
            history: part(3)?.results::<AuditLine>()?,
        }))
    }

    /// Keeps a note about the payment `id` in the audit log. `false` when no payment has it.
    pub async fn add_note(
        &self,
        id: &str,
        text: &str,
        person: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        if self.order(id).await?.is_none() {
            return Ok(false);
        }
        self.audit_statement(
            &AuditEntry {
                actor: Actor::Person(person),
                action: "note",
                subject: format!("order:{id}"),
                detail: Some(serde_json::json!({ "text": text })),
            },
            now,
        )?
        .run()
        .await?;
        Ok(true)
    }

    /// Writes the donor's receipt for `id` again, as a new message to send, with its audit
    /// entry. `false` when the payment has no receipt to copy (paid by hand, or erased).
    pub async fn resend_receipt(
        &self,
        id: &str,
        person: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "INSERT INTO outbox (key, template, locale, recipient, params, order_id,
                                         status, attempts, next_attempt_at, created_at)
                     SELECT key || ':again:' || ?2, template, locale, recipient, params,
                            order_id, 'pending', 0, ?2, ?2
                     FROM outbox
                     WHERE key = 'donor_receipt:' || ?1 AND recipient <> ''
                     ON CONFLICT (key) DO NOTHING",
                    id,
                    now,
                )?,
                query!(
                    &self.db,
                    "INSERT INTO audit_log (at, person_id, action, subject)
                     SELECT ?2, ?3, 'receipt_resent', 'order:' || ?1
                     FROM outbox WHERE key = 'donor_receipt:' || ?1 || ':again:' || ?2",
                    id,
                    now,
                    person,
                )?,
            ])
            .await?;
        Ok(results.first().map(changes).transpose()?.unwrap_or(0) > 0)
    }
}
