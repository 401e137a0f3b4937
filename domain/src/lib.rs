//! Types and rules that the Tirelire widget and edge share: money, campaigns, donations,
//! orders and the wire format of the edge API.
//!
//! This crate is plain Rust on purpose: the widget runs the same validation in the donor's
//! browser as the edge runs on every request, and both are tested here, on the host.

pub mod api;
pub mod campaign;
pub mod day;
pub mod donation;
pub mod locale;
pub mod membership;
pub mod money;
pub mod offer;
pub mod order;
pub mod origin;
pub mod payments;
pub mod setup;
pub mod staff;
pub mod tickets;
mod wire;

pub use campaign::{CampaignSlug, CampaignView, CheckoutPolicy, DonationRules};
pub use day::Day;
pub use donation::{
    CONSENT_VERSION, DonationSubmission, Field, FieldError, FieldErrorCode, ValidDonation,
    clean_text, is_valid_email, parse_amount,
};
pub use locale::Locale;
pub use money::{Currency, Money};
pub use order::{DisputeStatus, OrderStatus, TransitionError};
pub use origin::{InvalidOrigin, WebOrigin};
pub use staff::Role;
