//! Payments as the back-office sees them: listed by filter and page, recorded by hand, and
//! cancelled by a reversing entry.
//!
//! Lists page by key (the sort value and the order's id of the last row), never by offset, so
//! the hundredth page costs what the first does.

use serde::Deserialize;
use tirelire_domain::payments::{
    CampaignSummary, PaymentFilter, PaymentMethod, PaymentRow, PaymentSort, PaymentSummary,
};
use tirelire_domain::setup::CampaignStatus;
use tirelire_domain::{CampaignSlug, OrderStatus};
use worker::query;

use super::staff::AuditEntry;
use super::{Actor, Storage, StorageError, changes};

/// The date a payment is listed under: when it was paid, or created while it is not.
const DATE: &str = "coalesce(o.paid_at, o.created_at)";

/// The filter's conditions, on parameters ?1 to ?8.
const CONDITIONS: &str = "(?1 IS NULL OR c.slug = ?1)
  AND (?2 IS NULL OR o.status = ?2)
  AND (?3 IS NULL OR o.method = ?3)
  AND (?4 IS NULL OR coalesce(o.paid_at, o.created_at) >= ?4)
  AND (?5 IS NULL OR coalesce(o.paid_at, o.created_at) < ?5)
  AND (?6 IS NULL OR o.amount >= ?6)
  AND (?7 IS NULL OR o.amount <= ?7)
  AND (?8 IS NULL OR o.email LIKE ?8 ESCAPE '\\'
       OR (o.first_name || ' ' || o.last_name) LIKE ?8 ESCAPE '\\'
       OR (o.last_name || ' ' || o.first_name) LIKE ?8 ESCAPE '\\')";

/// Where a page starts: after the row with this sort value and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's date or amount.
    pub value: i64,
    /// The last row's id.
    pub id: String,
}

impl Cursor {
    /// Reads the `after` a previous page gave.
    pub fn parse(text: &str) -> Option<Self> {
        let (value, id) = text.split_once('~')?;
        Some(Self {
            value: value.parse().ok()?,
            id: id.to_owned(),
        })
    }

    fn of(row: &PaymentRow, sort: PaymentSort) -> Self {
        let value = match sort {
            PaymentSort::Newest | PaymentSort::Oldest => row.date,
            PaymentSort::Largest | PaymentSort::Smallest => row.amount,
        };
        Self {
            value,
            id: row.id.clone(),
        }
    }

    /// The text to send back as `after`.
    pub fn text(&self) -> String {
        format!("{}~{}", self.value, self.id)
    }
}

/// The sort's key expression and direction.
fn order_of(sort: PaymentSort) -> (&'static str, &'static str, &'static str) {
    match sort {
        PaymentSort::Newest => (DATE, "DESC", "<"),
        PaymentSort::Oldest => (DATE, "ASC", ">"),
        PaymentSort::Largest => ("o.amount", "DESC", "<"),
        PaymentSort::Smallest => ("o.amount", "ASC", ">"),
    }
}

/// `part` as a LIKE pattern that matches it anywhere, its wildcards taken literally.
fn contains_pattern(part: &str) -> Option<String> {
    let part = part.trim();
    if part.is_empty() {
        return None;
    }
    let mut pattern = String::from("%");
    for c in part.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Some(pattern)
}

#[derive(Deserialize)]
struct Row {
    id: String,
    campaign: String,
    campaign_title: String,
    amount: i64,
    currency: String,
    counted: i64,
    status: String,
    method: String,
    first_name: String,
    last_name: String,
    email: String,
    date: i64,
    reference: Option<String>,
    reversed_at: Option<i64>,
}

impl Row {
    fn into_payment(self) -> Result<PaymentRow, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("order {}: {what}", self.id));
        let status = OrderStatus::from_name(&self.status).ok_or_else(|| corrupt("status"))?;
        let method = PaymentMethod::from_name(&self.method).ok_or_else(|| corrupt("method"))?;
        let returned = if matches!(status, OrderStatus::Paid | OrderStatus::Refunded) {
            self.amount - self.counted
        } else {
            0
        };
        Ok(PaymentRow {
            id: self.id,
            campaign: self.campaign,
            campaign_title: self.campaign_title,
            amount: self.amount,
            currency: self.currency,
            returned,
            counted: self.counted,
            status,
            method,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            date: self.date,
            reference: self.reference,
            reversed_at: self.reversed_at,
        })
    }
}

/// A payment to record by hand, checked.
pub struct HandPayment<'a> {
    /// The new order's id.
    pub id: &'a str,
    /// The campaign's row id.
    pub campaign_id: i64,
    /// Minor units, in the campaign's currency.
    pub amount: i64,
    /// The campaign's currency.
    pub currency: &'a str,
    /// Cheque, transfer or cash.
    pub method: PaymentMethod,
    /// When it was received.
    pub received_at: i64,
    /// The payer.
    pub first_name: &'a str,
    /// The payer.
    pub last_name: &'a str,
    /// The payer's email, or empty.
    pub email: &'a str,
    /// The cheque's number or the transfer's reference, or empty.
    pub reference: &'a str,
    /// The back-office's language, kept as the order's.
    pub locale: &'a str,
}

/// What a refund needs to know of an order.
#[derive(Clone, Debug, Deserialize)]
pub struct Refundable {
    /// The provider that took the payment, or `offline`.
    pub psp: String,
    /// Its stored status.
    pub status: String,
    /// What was paid, in minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// What still counts: the amount less refunds and a lost dispute.
    pub counted: i64,
    /// The PSP's id for the payment.
    pub payment_id: Option<String>,
    /// How many refunds were asked for it already.
    pub requests: i64,
}

#[derive(Deserialize)]
struct SummaryRow {
    count: i64,
    counted: i64,
}

impl Storage {
    /// One page of at most `limit` payments matching `filter`, starting after `cursor`, and
    /// whether more follow; with the summary of every match when `summary` is asked.
    pub async fn payments(
        &self,
        filter: &PaymentFilter,
        cursor: Option<&Cursor>,
        limit: u32,
        summary: bool,
    ) -> Result<(Vec<PaymentRow>, Option<Cursor>, Option<PaymentSummary>), StorageError> {
        let (key, direction, comparison) = order_of(filter.sort);
        let sql = format!(
            "SELECT o.id, c.slug AS campaign, c.title AS campaign_title, o.amount, o.currency,
                    o.counted_amount AS counted, o.status, o.method, o.first_name, o.last_name,
                    o.email, {DATE} AS date, o.payment_reference AS reference, o.reversed_at
             FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             WHERE {CONDITIONS}
               AND (?9 IS NULL OR ({key}, o.id) {comparison} (?9, ?10))
             ORDER BY {key} {direction}, o.id {direction}
             LIMIT ?11"
        );
        let pattern = filter.q.as_deref().and_then(contains_pattern);
        let bind = |sql: &str, with_cursor: bool| {
            query!(
                &self.db,
                sql,
                filter.campaign,
                filter.status.map(OrderStatus::as_str),
                filter.method.map(PaymentMethod::name),
                filter.from,
                filter.to,
                filter.min,
                filter.max,
                pattern,
                cursor.filter(|_| with_cursor).map(|cursor| cursor.value),
                cursor
                    .filter(|_| with_cursor)
                    .map(|cursor| cursor.id.as_str()),
                limit + 1,
            )
        };
        let mut statements = vec![bind(&sql, true)?];
        if summary {
            let sql = format!(
                "SELECT count(*) AS count, coalesce(sum(o.counted_amount), 0) AS counted
                 FROM orders o JOIN campaigns c ON c.id = o.campaign_id
                 WHERE {CONDITIONS} AND ?9 IS NULL AND ?10 IS NULL AND ?11 > 0"
            );
            statements.push(bind(&sql, false)?);
        }
        let results = self.db.batch(statements).await?;
        let mut rows = Vec::new();
        for row in results
            .first()
            .map(|result| result.results::<Row>())
            .transpose()?
            .unwrap_or_default()
        {
            rows.push(row.into_payment()?);
        }
        let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next = more
            .then(|| rows.last().map(|row| Cursor::of(row, filter.sort)))
            .flatten();
        let summary = match results.get(1) {
            Some(result) => result
                .results::<SummaryRow>()?
                .first()
                .map(|row| PaymentSummary {
                    count: row.count,
                    counted: row.counted,
                }),
            None => None,
        };
        Ok((rows, next, summary))
    }

    /// Every campaign, newest first, with its totals.
    pub async fn campaign_summaries(&self) -> Result<Vec<CampaignSummary>, StorageError> {
        #[derive(Deserialize)]
        struct Summary {
            slug: String,
            title: String,
            currency: String,
            raised_amount: i64,
            donation_count: i64,
            status: String,
            goal_amount: Option<i64>,
            kind: String,
        }
        let rows = query!(
            &self.db,
            "SELECT slug, title, currency, raised_amount, donation_count, status, goal_amount,
                    kind
             FROM campaigns ORDER BY created_at DESC, id DESC"
        )
        .all()
        .await?
        .results::<Summary>()?;
        Ok(rows
            .into_iter()
            .map(|row| CampaignSummary {
                slug: row.slug,
                title: row.title,
                currency: row.currency,
                raised: row.raised_amount,
                count: row.donation_count,
                status: CampaignStatus::from_name(&row.status).unwrap_or(CampaignStatus::Open),
                goal: row.goal_amount,
                kind: tirelire_domain::setup::CampaignKind::from_name(&row.kind)
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// Records a payment received by hand, counted in its campaign's totals at once, with its
    /// audit entry. It goes in as pending and is marked paid in the same batch, so the one
    /// trigger that keeps the totals counts it as it counts any payment.
    pub async fn record_hand_payment(
        &self,
        payment: &HandPayment<'_>,
        slug: &CampaignSlug,
        person: i64,
        now: i64,
    ) -> Result<(), StorageError> {
        let statements = vec![
            query!(
                &self.db,
                "INSERT INTO orders (id, campaign_id, amount, currency, first_name, last_name,
                                     email, locale, consent_at, status, psp, method,
                                     payment_reference, recorded_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 'offline', ?10,
                         nullif(?11, ''), ?12, ?9, ?9)",
                payment.id,
                payment.campaign_id,
                payment.amount,
                payment.currency,
                payment.first_name,
                payment.last_name,
                payment.email,
                payment.locale,
                now,
                payment.method.name(),
                payment.reference,
                person,
            )?,
            query!(
                &self.db,
                "UPDATE orders SET status = 'paid', paid_at = ?2 WHERE id = ?1 AND status = 'pending'",
                payment.id,
                payment.received_at,
            )?,
            self.audit_statement(
                &AuditEntry {
                    actor: Actor::Person(person),
                    action: "recorded_payment",
                    subject: format!("order:{}", payment.id),
                    detail: Some(serde_json::json!({
                        "amount": payment.amount,
                        "method": payment.method.name(),
                        "campaign": slug.as_str(),
                    })),
                },
                now,
            )?,
        ];
        self.db.batch(statements).await?;
        self.forget_campaign(slug).await;
        Ok(())
    }

    /// What a refund of `id` needs, if the order exists.
    pub async fn refundable(&self, id: &str) -> Result<Option<Refundable>, StorageError> {
        Ok(query!(
            &self.db,
            "SELECT psp, status, amount, currency, counted_amount AS counted,
                    psp_payment_id AS payment_id,
                    (SELECT count(*) FROM audit_log
                     WHERE action = 'refund_requested' AND subject = 'order:' || o.id) AS requests
             FROM orders o WHERE id = ?1",
            id
        )?
        .first::<Refundable>(None)
        .await?)
    }

    /// Writes down, in the audit log, a refund the PSP accepted.
    pub async fn record_refund_request(
        &self,
        id: &str,
        person: i64,
        amount: i64,
        refund_id: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        self.audit_statement(
            &AuditEntry {
                actor: Actor::Person(person),
                action: "refund_requested",
                subject: format!("order:{id}"),
                detail: Some(serde_json::json!({ "amount": amount, "refund": refund_id })),
            },
            now,
        )?
        .run()
        .await?;
        Ok(())
    }

    /// Cancels a payment recorded by hand with a reversing entry: what it counted goes back to
    /// nothing, and the entry says when, by whom and why. Says whether it was cancelled now;
    /// `None` when no payment recorded by hand has this id.
    pub async fn reverse_hand_payment(
        &self,
        id: &str,
        reason: &str,
        person: i64,
        token: &str,
        now: i64,
    ) -> Result<Option<bool>, StorageError> {
        #[derive(Deserialize)]
        struct Found {
            slug: String,
        }
        let Some(found) = query!(
            &self.db,
            "SELECT c.slug FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             WHERE o.id = ?1 AND o.psp = 'offline'",
            id
        )?
        .first::<Found>(None)
        .await?
        else {
            return Ok(None);
        };
        let statements = vec![
            query!(
                &self.db,
                "UPDATE orders
                 SET refunded_amount = amount, status = 'refunded', reversed_at = ?2,
                     reversed_by = ?3, reversal_reason = ?4, reversal_token = ?5, updated_at = ?2
                 WHERE id = ?1 AND psp = 'offline' AND reversed_at IS NULL",
                id,
                now,
                person,
                reason,
                token,
            )?,
            // The audit entry is written only by the request that reversed it.
            query!(
                &self.db,
                "INSERT INTO audit_log (at, person_id, action, subject, detail)
                 SELECT ?2, ?3, 'reversed_payment', 'order:' || ?1, json_object('reason', ?4)
                 FROM orders WHERE id = ?1 AND reversal_token = ?5",
                id,
                now,
                person,
                reason,
                token,
            )?,
        ];
        let results = self.db.batch(statements).await?;
        let reversed = results.first().map(changes).transpose()?.unwrap_or(0) > 0;
        if reversed && let Ok(slug) = CampaignSlug::parse(&found.slug) {
            self.forget_campaign(&slug).await;
        }
        Ok(Some(reversed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursor = Cursor {
            value: 1_764_750_000,
            id: "ord_abc".into(),
        };
        assert_eq!(Cursor::parse(&cursor.text()), Some(cursor));
        assert_eq!(Cursor::parse("x~ord"), None);
        assert_eq!(Cursor::parse("12"), None);
    }

    #[test]
    fn patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("  "), None);
        assert_eq!(
            contains_pattern("50%_a\\b").as_deref(),
            Some("%50\\%\\_a\\\\b%")
        );
        assert_eq!(contains_pattern(" Dupont ").as_deref(), Some("%Dupont%"));
    }
}
