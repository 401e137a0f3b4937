//! The edge's records: D1 holds campaigns, orders, PSP events, anomalies, checkout counters,
//! the mail outbox, payments recorded by hand, and the back-office's people, sessions and
//! audit log; KV holds a short-lived copy of each campaign's public data.
//!
//! Totals, payment state and counters live in D1 only, because KV is eventually consistent and
//! not atomic. Every statement binds its parameters.

mod association;
mod cache;
mod campaigns;
mod dashboard;
mod detail;
mod donors;
mod keys;
mod ledger;
mod members;
mod orders;
mod outbox;
mod payments;
mod staff;
mod tickets;

use thiserror::Error;
use worker::{D1Database, Env, kv::KvStore};

use crate::calendar::Calendar;

pub use campaigns::CampaignRecord;
pub use ledger::{Anomaly, EventRecord, OrderChange};
pub use orders::{Inserted, NewOrder, NewTicket, OrderPage, StoredOrder};
pub use outbox::{OutboxMessage, OutboxProblem, OutboxSummary};
pub use payments::{Cursor, HandPayment};
pub use staff::{Actor, StaffSession};
pub use tickets::{CheckedIn, StoredTicket};

/// The D1 binding's name in `wrangler.toml`.
pub const DB_BINDING: &str = "DB";
/// The KV binding's name in `wrangler.toml`.
pub const CACHE_BINDING: &str = "CACHE";

/// Why storage failed.
#[derive(Debug, Error)]
pub enum StorageError {
    /// A binding is missing from the Worker's configuration.
    #[error("the {0} binding is missing")]
    MissingBinding(&'static str),
    /// D1 refused or failed a statement.
    #[error("D1: {0}")]
    Database(String),
    /// A stored value could not be read back.
    #[error("a stored value is unreadable: {0}")]
    Corrupt(String),
    /// A statement would have taken more of a campaign's stock (seats, a quota, a promo code's
    /// uses) than is left; nothing of its batch was written.
    #[error("out of stock")]
    OutOfStock,
}

impl From<worker::Error> for StorageError {
    fn from(error: worker::Error) -> Self {
        let message = error.to_string();
        // The name of the CHECK that keeps `taken` within `capacity` (migration 0008).
        if message.contains("stock_within_capacity") {
            Self::OutOfStock
        } else {
            Self::Database(message)
        }
    }
}

/// The edge's D1 database and KV cache.
pub struct Storage {
    db: D1Database,
    cache: KvStore,
    /// The association's days, for memberships and reminders.
    calendar: Calendar,
}

impl Storage {
    /// Looks the bindings up once per request.
    pub fn from_env(env: &Env) -> Result<Self, StorageError> {
        Ok(Self {
            db: env
                .d1(DB_BINDING)
                .map_err(|_| StorageError::MissingBinding(DB_BINDING))?,
            cache: env
                .kv(CACHE_BINDING)
                .map_err(|_| StorageError::MissingBinding(CACHE_BINDING))?,
            calendar: Calendar::from_env(env),
        })
    }

    /// The day it is where the association is, at `secs` (Unix seconds).
    pub fn day(&self, secs: i64) -> tirelire_domain::Day {
        self.calendar.day(secs)
    }
}

/// How many rows a statement changed.
fn changes(result: &worker::D1Result) -> Result<usize, StorageError> {
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0))
}
