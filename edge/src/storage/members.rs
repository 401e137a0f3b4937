//! Members: a paid membership order becomes a period of the member with its email (created on
//! their first membership, extended by the next), with the card mail in the same batch; the
//! renewal reminders, once each; and the list the back-office shows.

use serde::Deserialize;
use tirelire_domain::Day;
use tirelire_domain::membership::{MemberLine, MemberStanding, Validity, due_reminder};
use tirelire_domain::offer::Offer;
use worker::query;

use super::{Storage, StorageError};

#[derive(Deserialize)]
struct PaidMembership {
    email: String,
    first_name: String,
    last_name: String,
    campaign_id: i64,
    paid_at: i64,
    settings: String,
    tier: Option<String>,
    current_end: Option<String>,
    recorded: i64,
}

#[derive(Deserialize)]
struct DueRow {
    member_id: i64,
    email: String,
    first_name: String,
    last_name: String,
    ends_on: String,
    locale: String,
    settings: String,
    organisation: String,
    page_url: Option<String>,
}

#[derive(Deserialize)]
struct MemberRow {
    first_name: String,
    last_name: String,
    email: String,
    tier: String,
    campaign: String,
    starts_on: String,
    ends_on: String,
}

impl Storage {
    /// Records the period bought by a paid membership order, once, and writes the member's card
    /// mail in the same batch when `mail` is set. Returns whether a period was added. An order
    /// that is not a paid membership is left alone.
    pub async fn record_membership(
        &self,
        order_id: &str,
        mail: bool,
        now: i64,
    ) -> Result<bool, StorageError> {
        let Some(paid) = query!(
            &self.db,
            "SELECT o.email, o.first_name, o.last_name, o.campaign_id,
                    COALESCE(o.paid_at, o.updated_at) AS paid_at, c.settings,
                    (SELECT key FROM order_lines
                     WHERE order_id = o.id AND kind = 'item' LIMIT 1) AS tier,
                    (SELECT max(m.ends_on) FROM memberships m JOIN members p ON p.id = m.member_id
                     WHERE p.email = lower(o.email) AND m.cancelled_at IS NULL) AS current_end,
                    EXISTS (SELECT 1 FROM memberships WHERE order_id = o.id) AS recorded
             FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             WHERE o.id = ?1 AND o.status = 'paid' AND c.kind = 'membership'
               AND o.erased_at IS NULL",
            order_id
        )?
        .first::<PaidMembership>(None)
        .await?
        else {
            return Ok(false);
        };
        if paid.recorded != 0 {
            return Ok(false);
        }
        let corrupt = |what: &str| StorageError::Corrupt(format!("order {order_id}: {what}"));
        let offer: Offer = serde_json::from_str(&paid.settings).map_err(|_| corrupt("settings"))?;
        let validity = offer.validity.unwrap_or(Validity::CalendarYear);
        let current_end = paid
            .current_end
            .as_deref()
            .map(Day::parse)
            .transpose()
            .map_err(|_| corrupt("a membership's end"))?;
        let period = validity.period(self.day(paid.paid_at), current_end);
        let mut statements = vec![
            query!(
                &self.db,
                "INSERT INTO members (email, first_name, last_name, created_at, updated_at)
                 VALUES (lower(?1), ?2, ?3, ?4, ?4)
                 ON CONFLICT (email) DO UPDATE SET first_name = excluded.first_name,
                     last_name = excluded.last_name, updated_at = excluded.updated_at",
                paid.email,
                paid.first_name,
                paid.last_name,
                now,
            )?,
            query!(
                &self.db,
                "INSERT INTO memberships (order_id, member_id, campaign_id, tier, starts_on,
                                          ends_on, created_at)
                 SELECT ?1, id, ?2, ?3, ?4, ?5, ?6 FROM members WHERE email = lower(?7)
                 ON CONFLICT (order_id) DO NOTHING",
                order_id,
                paid.campaign_id,
                paid.tier.unwrap_or_default(),
                period.starts_on.to_string(),
                period.ends_on.to_string(),
                now,
                paid.email,
            )?,
        ];
        if mail {
            statements.push(query!(
                &self.db,
                "INSERT INTO outbox (key, template, locale, recipient, order_id, next_attempt_at,
                                     created_at, params)
                 SELECT 'member_card:' || o.id, 'member_card', o.locale, o.email, o.id, ?2, ?2,
                        json_object(
                            'first_name', o.first_name, 'last_name', o.last_name,
                            'amount', o.amount, 'currency', o.currency,
                            'paid_at', COALESCE(o.paid_at, ?2), 'campaign', c.title,
                            'organisation', g.name, 'reference', o.id,
                            'link', COALESCE(o.edge_url || '/o/' || o.donor_token, ''),
                            'starts_on', CAST(?3 AS INTEGER), 'ends_on', CAST(?4 AS INTEGER))
                 FROM orders o JOIN campaigns c ON c.id = o.campaign_id
                 JOIN organisations g ON g.id = c.organisation_id
                 WHERE o.id = ?1
                 ON CONFLICT (key) DO NOTHING",
                order_id,
                now,
                period.starts_on.unix(),
                period.ends_on.unix(),
            )?);
        }
        self.db.batch(statements).await?;
        Ok(true)
    }

    /// Paid membership orders that have no period yet (the step after the payment did not
    /// run), at most `limit`, for the sweep to record.
    pub async fn unrecorded_memberships(&self, limit: u32) -> Result<Vec<String>, StorageError> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        Ok(query!(
            &self.db,
            "SELECT o.id FROM orders o JOIN campaigns c ON c.id = o.campaign_id
             WHERE c.kind = 'membership' AND o.status = 'paid' AND o.erased_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.order_id = o.id)
             LIMIT ?1",
            limit
        )?
        .all()
        .await?
        .results::<Id>()?
        .into_iter()
        .map(|row| row.id)
        .collect())
    }

    /// Writes the renewal reminders due at `now`, on the association's day, each once whatever
    /// the number of runs: the reminder's row and its mail share a key per member, end and
    /// offset. Returns how many were written.
    pub async fn write_due_reminders(&self, now: i64) -> Result<usize, StorageError> {
        let today = self.day(now);
        // Only memberships that end within a year either way can have a reminder due.
        let rows = query!(
            &self.db,
            "SELECT p.member_id, m.email, m.first_name, m.last_name, p.ends_on,
                    o.locale, c.settings, g.name AS organisation, o.page_url
             FROM member_periods p
             JOIN members m ON m.id = p.member_id
             JOIN campaigns c ON c.id = p.campaign_id
             JOIN organisations g ON g.id = c.organisation_id
             JOIN orders o ON o.id = (SELECT order_id FROM memberships
                                      WHERE member_id = p.member_id AND cancelled_at IS NULL
                                      ORDER BY ends_on DESC LIMIT 1)
             WHERE p.ends_on BETWEEN ?1 AND ?2 AND instr(m.email, '@') > 0",
            today.plus_days(-400).to_string(),
            today.plus_days(400).to_string(),
        )?
        .all()
        .await?
        .results::<DueRow>()?;
        let mut statements = Vec::new();
        for row in rows {
            let Ok(offer) = serde_json::from_str::<Offer>(&row.settings) else {
                continue;
            };
            let Ok(ends_on) = Day::parse(&row.ends_on) else {
                continue;
            };
            let Some(offset) = due_reminder(&offer.reminder_days, ends_on, today) else {
                continue;
            };
            let key = format!("member_reminder:{}:{}:{offset}", row.member_id, row.ends_on);
            let params = serde_json::json!({
                "first_name": row.first_name,
                "last_name": row.last_name,
                "organisation": row.organisation,
                "ends_on": ends_on.unix(),
                "ended": today > ends_on,
                "link": row.page_url.unwrap_or_default(),
            });
            // The mail first, and only if no reminder row says it went already: the outbox
            // forgets sent mail after the retention period, the reminders never.
            statements.push(query!(
                &self.db,
                "INSERT INTO outbox (key, template, locale, recipient, next_attempt_at,
                                     created_at, params)
                 SELECT ?1, 'member_reminder', ?2, ?3, ?4, ?4, ?5
                 WHERE NOT EXISTS (SELECT 1 FROM member_reminders
                                   WHERE member_id = ?6 AND ends_on = ?7 AND offset_days = ?8)
                 ON CONFLICT (key) DO NOTHING",
                key,
                row.locale,
                row.email,
                now,
                params.to_string(),
                row.member_id,
                row.ends_on,
                offset,
            )?);
            statements.push(query!(
                &self.db,
                "INSERT INTO member_reminders (member_id, ends_on, offset_days, sent_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                row.member_id,
                row.ends_on,
                offset,
                now,
            )?);
        }
        if statements.is_empty() {
            return Ok(0);
        }
        let results = self.db.batch(statements).await?;
        let mut written = 0;
        for result in results.iter().step_by(2) {
            written += super::changes(result)?;
        }
        Ok(written)
    }

    /// The members whose standing on `today` is `standing` (all when `None`), the latest
    /// membership of each, by name.
    pub async fn members(
        &self,
        today: Day,
        standing: Option<MemberStanding>,
    ) -> Result<Vec<MemberLine>, StorageError> {
        let rows = self
            .db
            .prepare(
                "SELECT m.first_name, m.last_name, m.email, p.starts_on, p.ends_on,
                    s.tier, c.title AS campaign
             FROM member_periods p
             JOIN members m ON m.id = p.member_id
             JOIN memberships s ON s.member_id = p.member_id AND s.cancelled_at IS NULL
                               AND s.ends_on = p.ends_on
             JOIN campaigns c ON c.id = s.campaign_id
             WHERE instr(m.email, '@') > 0
             GROUP BY m.id
             ORDER BY m.last_name COLLATE NOCASE, m.first_name COLLATE NOCASE",
            )
            .all()
            .await?
            .results::<MemberRow>()?;
        let mut members = Vec::new();
        for row in rows {
            let (Ok(starts_on), Ok(ends_on)) =
                (Day::parse(&row.starts_on), Day::parse(&row.ends_on))
            else {
                continue;
            };
            let line = MemberLine {
                standing: MemberStanding::on(today, ends_on),
                first_name: row.first_name,
                last_name: row.last_name,
                email: row.email,
                tier: row.tier,
                campaign: row.campaign,
                since: starts_on,
                ends_on,
            };
            if standing.is_none_or(|standing| standing == line.standing) {
                members.push(line);
            }
        }
        Ok(members)
    }
}
