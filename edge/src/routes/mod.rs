//! One module per resource; each handler returns its answer or an [`EdgeError`].
//!
//! [`EdgeError`]: crate::error::EdgeError

pub mod admin;
pub mod campaigns;
pub mod checkout;
pub mod donors;
pub mod health;
pub mod members;
pub mod order_page;
pub mod orders;
pub mod pages;
pub mod payments;
pub mod settings;
pub mod setup;
pub mod staff;
pub mod tickets;
pub mod webhooks;
