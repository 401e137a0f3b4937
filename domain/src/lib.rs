//! Types and rules that the Tirelire widget and edge share: money, campaigns, donations,
//! orders and the wire format of the edge API.
//!
//! This crate is plain Rust on purpose: the widget runs the same validation in the donor's
//! browser as the edge runs on every request, and both are tested here, on the host.

pub mod api;
pub mod campaign;
pub mod donation;
pub mod locale;
pub mod money;
pub mod order;

pub use campaign::{CampaignSlug, CampaignView, DonationRules};
pub use donation::{
    DonationSubmission, Field, FieldError, FieldErrorCode, ValidDonation, parse_amount,
};
pub use locale::Locale;
pub use money::{Currency, Money};
pub use order::{OrderStatus, TransitionError};
