//! Tickets: those of an order, for its page; checking one in at the door, once; and the
//! attendees of an event with what was checked in.

use serde::{Deserialize, Serialize};
use worker::query;

use super::{Storage, StorageError, changes};

/// A ticket as its order's page and the door need it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct StoredTicket {
    /// Its id.
    pub id: String,
    /// What its QR code carries.
    pub token: String,
    /// The rate's label.
    pub label: String,
    /// Its number within the order.
    pub seat: i64,
    /// When it was checked in, if it was.
    pub used_at: Option<i64>,
    /// The holder's name (the order's), empty once erased.
    pub holder: String,
    /// The event's title.
    pub campaign: String,
    /// Whether its order is paid, which alone makes it admit.
    pub paid: i64,
}

/// What checking a ticket in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckedIn {
    /// The ticket admits now; it will not again.
    Admitted(StoredTicket),
    /// The ticket was checked in before, at this time.
    AlreadyUsed(StoredTicket),
    /// The ticket's order is not paid (pending, expired, refunded): it does not admit.
    NotPaid(StoredTicket),
    /// No ticket has this id.
    Unknown,
}

const TICKET_COLUMNS: &str = "t.id, t.token, t.label, t.seat, t.used_at,
    trim(o.first_name || ' ' || o.last_name) AS holder, c.title AS campaign,
    o.status = 'paid' AS paid";

impl Storage {
    /// The tickets of an order, by seat.
    pub async fn order_tickets(&self, order_id: &str) -> Result<Vec<StoredTicket>, StorageError> {
        Ok(query!(
            &self.db,
            &format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t
                 JOIN orders o ON o.id = t.order_id JOIN campaigns c ON c.id = t.campaign_id
                 WHERE t.order_id = ?1 ORDER BY t.seat"
            ),
            order_id
        )?
        .all()
        .await?
        .results::<StoredTicket>()?)
    }

    /// Checks a ticket in, by `person`, at `now`: the first time it admits, and every later
    /// time it says when it was used. Only a ticket of a paid order admits.
    pub async fn check_in(
        &self,
        ticket_id: &str,
        person: i64,
        now: i64,
    ) -> Result<CheckedIn, StorageError> {
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "UPDATE tickets SET used_at = ?2, used_by = ?3
                     WHERE id = ?1 AND used_at IS NULL
                       AND EXISTS (SELECT 1 FROM orders o
                                   WHERE o.id = tickets.order_id AND o.status = 'paid')",
                    ticket_id,
                    now,
                    person,
                )?,
                query!(
                    &self.db,
                    &format!(
                        "SELECT {TICKET_COLUMNS} FROM tickets t
                         JOIN orders o ON o.id = t.order_id
                         JOIN campaigns c ON c.id = t.campaign_id
                         WHERE t.id = ?1"
                    ),
                    ticket_id
                )?,
            ])
            .await?;
        let admitted = results.first().map(changes).transpose()?.unwrap_or(0) > 0;
        let ticket = results
            .get(1)
            .map(|result| result.results::<StoredTicket>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next());
        Ok(match ticket {
            None => CheckedIn::Unknown,
            Some(ticket) if admitted => CheckedIn::Admitted(ticket),
            Some(ticket) if ticket.paid == 0 => CheckedIn::NotPaid(ticket),
            Some(ticket) => CheckedIn::AlreadyUsed(ticket),
        })
    }

    /// The tickets of an event's paid orders, by holder, with whether each was checked in.
    pub async fn attendees(&self, campaign_id: i64) -> Result<Vec<StoredTicket>, StorageError> {
        Ok(query!(
            &self.db,
            &format!(
                "SELECT {TICKET_COLUMNS} FROM tickets t
                 JOIN orders o ON o.id = t.order_id JOIN campaigns c ON c.id = t.campaign_id
                 WHERE t.campaign_id = ?1 AND o.status = 'paid'
                 ORDER BY o.last_name COLLATE NOCASE, o.first_name COLLATE NOCASE, t.seat"
            ),
            campaign_id
        )?
        .all()
        .await?
        .results::<StoredTicket>()?)
    }
}
