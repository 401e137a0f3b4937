//! Tickets at the door: what the back-office hears when it checks one in, and the attendees of
//! an event.

use serde::{Deserialize, Serialize};

/// `POST /v1/admin/check-in` `{"token"}`: what the ticket said. `200` with `admitted: true`
/// the first time; `409` with `admitted: false` and `used_at` every later time, and for a
/// ticket whose order is not paid (`paid: false`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    /// Whether the holder may come in.
    pub admitted: bool,
    /// When the ticket was checked in, now or before.
    pub used_at: Option<i64>,
    /// Whether its order is paid; a ticket of an unpaid order never admits.
    pub paid: bool,
    /// The holder's name.
    pub holder: String,
    /// The rate.
    pub label: String,
    /// Its number within its order.
    pub seat: u32,
    /// The event.
    pub campaign: String,
}

/// One ticket of an event's list of attendees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// What its QR code carries, to check it in from the list (a holder without their
    /// phone, found by name).
    pub token: String,
    /// The holder's name.
    pub holder: String,
    /// The rate.
    pub label: String,
    /// Its number within its order.
    pub seat: u32,
    /// When it was checked in, if it was.
    pub used_at: Option<i64>,
}

/// `GET /v1/admin/campaigns/{slug}/attendees`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendees {
    /// Every ticket of a paid order, by holder.
    pub tickets: Vec<Attendee>,
    /// How many were checked in.
    pub checked_in: u32,
}

/// `POST /v1/admin/check-in`'s body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketToken {
    /// What the ticket's QR code carries.
    pub token: String,
}
