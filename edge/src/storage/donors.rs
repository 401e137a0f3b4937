//! One person's data, found by their email address, handed over, and erased (GDPR articles 15,
//! 17 and 20).
//!
//! Erasure keeps the accounts: each payment keeps its amount, date, status and campaign, so the
//! totals and the exports still add up, and loses the name, the address and the request sent
//! to the PSP (which carried the address). Messages to the person, and the treasurer's notices
//! about their payments, lose their values; one still waiting to be sent is given up.

use serde::Deserialize;
use tirelire_domain::OrderStatus;
use tirelire_domain::payments::{
    DonorFile, DonorMember, DonorMessage, DonorPayment, DonorPeriod, DonorTicket, Erased,
    PaymentMethod,
};
use worker::query;

use super::{Storage, StorageError};

#[derive(Deserialize)]
struct PaymentRow {
    id: String,
    campaign: String,
    amount: i64,
    currency: String,
    status: String,
    method: String,
    first_name: String,
    last_name: String,
    email: String,
    locale: String,
    created_at: i64,
    paid_at: Option<i64>,
    consent_at: i64,
    consent_text: Option<String>,
    answers: Option<String>,
}

#[derive(Deserialize)]
struct TicketRow {
    order_id: String,
    label: String,
    seat: i64,
    used_at: Option<i64>,
}

#[derive(Deserialize)]
struct MemberRow {
    first_name: String,
    last_name: String,
    since: i64,
    campaign: Option<String>,
    tier: Option<String>,
    starts_on: Option<String>,
    ends_on: Option<String>,
    cancelled: Option<i64>,
}

#[derive(Deserialize)]
struct MessageRow {
    template: String,
    status: String,
    created_at: i64,
    sent_at: Option<i64>,
}

/// The messages that hold the person's data: those sent to them, and those about their orders.
const MESSAGES: &str = "lower(recipient) = ?1
    OR order_id IN (SELECT id FROM orders WHERE lower(email) = ?1)";

impl Storage {
    /// Everything kept about `email`, compared without regard to case.
    pub async fn donor_file(&self, email: &str) -> Result<DonorFile, StorageError> {
        let email = email.to_lowercase();
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "SELECT o.id, c.title AS campaign, o.amount, o.currency, o.status, o.method,
                            o.first_name, o.last_name, o.email, o.locale, o.created_at, o.paid_at,
                            o.consent_at, o.consent_text, o.answers
                     FROM orders o JOIN campaigns c ON c.id = o.campaign_id
                     WHERE lower(o.email) = ?1 ORDER BY o.created_at",
                    email,
                )?,
                query!(
                    &self.db,
                    &format!(
                        "SELECT template, status, created_at, sent_at FROM outbox
                         WHERE {MESSAGES} ORDER BY created_at"
                    ),
                    email,
                )?,
                query!(
                    &self.db,
                    "SELECT t.order_id, t.label, t.seat, t.used_at
                     FROM tickets t JOIN orders o ON o.id = t.order_id
                     WHERE lower(o.email) = ?1 ORDER BY t.order_id, t.seat",
                    email,
                )?,
                query!(
                    &self.db,
                    "SELECT m.first_name, m.last_name, m.created_at AS since, c.title AS campaign,
                            p.tier, p.starts_on, p.ends_on, p.cancelled_at AS cancelled
                     FROM members m
                     LEFT JOIN memberships p ON p.member_id = m.id
                     LEFT JOIN campaigns c ON c.id = p.campaign_id
                     WHERE lower(m.email) = ?1 ORDER BY p.starts_on",
                    email,
                )?,
            ])
            .await?;
        let mut tickets = match results.get(2) {
            Some(result) => result.results::<TicketRow>()?,
            None => Vec::new(),
        };
        let mut payments = Vec::new();
        if let Some(result) = results.first() {
            for row in result.results::<PaymentRow>()? {
                let corrupt =
                    |what: &str| StorageError::Corrupt(format!("order {}: {what}", row.id));
                let answers = row
                    .answers
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|_| corrupt("answers"))?
                    .unwrap_or_default();
                let bought = tickets
                    .extract_if(.., |ticket| ticket.order_id == row.id)
                    .map(|ticket| DonorTicket {
                        label: ticket.label,
                        seat: ticket.seat,
                        used_at: ticket.used_at,
                    })
                    .collect();
                payments.push(DonorPayment {
                    status: OrderStatus::from_name(&row.status).ok_or_else(|| corrupt("status"))?,
                    method: PaymentMethod::from_name(&row.method)
                        .ok_or_else(|| corrupt("method"))?,
                    id: row.id,
                    campaign: row.campaign,
                    amount: row.amount,
                    currency: row.currency,
                    first_name: row.first_name,
                    last_name: row.last_name,
                    email: row.email,
                    locale: row.locale,
                    created_at: row.created_at,
                    paid_at: row.paid_at,
                    consent_at: row.consent_at,
                    consent_text: row.consent_text,
                    answers,
                    tickets: bought,
                });
            }
        }
        let messages = match results.get(1) {
            Some(result) => result
                .results::<MessageRow>()?
                .into_iter()
                .map(|row| DonorMessage {
                    template: row.template,
                    status: row.status,
                    created_at: row.created_at,
                    sent_at: row.sent_at,
                })
                .collect(),
            None => Vec::new(),
        };
        let mut member: Option<DonorMember> = None;
        if let Some(result) = results.get(3) {
            for row in result.results::<MemberRow>()? {
                let record = member.get_or_insert_with(|| DonorMember {
                    first_name: row.first_name,
                    last_name: row.last_name,
                    since: row.since,
                    periods: Vec::new(),
                });
                if let (Some(tier), Some(starts_on), Some(ends_on)) =
                    (row.tier, row.starts_on, row.ends_on)
                {
                    record.periods.push(DonorPeriod {
                        campaign: row.campaign.unwrap_or_default(),
                        tier,
                        starts_on,
                        ends_on,
                        cancelled: row.cancelled.is_some(),
                    });
                }
            }
        }
        Ok(DonorFile {
            email,
            payments,
            messages,
            member,
        })
    }

    /// Erases `email`'s data, in one batch with an audit entry that names neither the person
    /// nor the address.
    pub async fn erase_donor(
        &self,
        email: &str,
        person: i64,
        now: i64,
    ) -> Result<Erased, StorageError> {
        #[derive(Deserialize)]
        struct Counts {
            payments: i64,
            messages: i64,
        }
        let email = email.to_lowercase();
        let counts = query!(
            &self.db,
            &format!(
                "SELECT (SELECT count(*) FROM orders WHERE lower(email) = ?1) AS payments,
                        (SELECT count(*) FROM outbox WHERE {MESSAGES}) AS messages"
            ),
            email,
        )?
        .first::<Counts>(None)
        .await?
        .ok_or_else(|| StorageError::Corrupt("counting gave no row".into()))?;
        self.db
            .batch(vec![
                // The messages first: they are found through the orders' addresses.
                query!(
                    &self.db,
                    &format!(
                        "UPDATE outbox
                         SET recipient = CASE WHEN lower(recipient) = ?1 THEN '' ELSE recipient END,
                             params = '{{}}',
                             last_error = CASE WHEN status = 'pending'
                                               THEN 'given up: the person''s data was erased'
                                               ELSE last_error END,
                             status = CASE WHEN status = 'pending' THEN 'dead' ELSE status END
                         WHERE {MESSAGES}"
                    ),
                    email,
                )?,
                query!(
                    &self.db,
                    "UPDATE orders
                     SET first_name = '', last_name = '', email = '', psp_request = NULL,
                         checkout_url = NULL, answers = NULL, erased_at = ?2, updated_at = ?2
                     WHERE lower(email) = ?1",
                    email,
                    now,
                )?,
                // A member keeps their periods (the accounts need them) without a name or an
                // address; the email column stays unique with the row's own number.
                query!(
                    &self.db,
                    "UPDATE members
                     SET first_name = '', last_name = '', email = 'erased:' || id, updated_at = ?2
                     WHERE email = ?1",
                    email,
                    now,
                )?,
                query!(
                    &self.db,
                    "INSERT INTO audit_log (at, person_id, action, subject, detail)
                     VALUES (?1, ?2, 'donor_erased', NULL,
                             json_object('payments', CAST(?3 AS INTEGER), 'messages', CAST(?4 AS INTEGER)))",
                    now,
                    person,
                    counts.payments,
                    counts.messages,
                )?,
            ])
            .await?;
        Ok(Erased {
            payments: counts.payments,
            messages: counts.messages,
        })
    }
}
