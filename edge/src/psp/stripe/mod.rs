//! Stripe: Checkout Sessions for payment, and signed webhook events for the outcome.
//!
//! Everything here follows Stripe's wire format exactly (form-encoded requests, JSON objects,
//! the `Stripe-Signature` scheme), so the same code talks to Stripe or to the simulator used in
//! development and tests: only the API base URL and the secrets differ.

mod checkout;
mod webhook;

pub use webhook::{SIGNATURE_TOLERANCE_SECS, verify_signature};

/// Stripe's real API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// How to reach one association's Stripe account.
#[derive(Clone, Debug)]
pub struct Stripe {
    api_base: String,
    secret_key: String,
}

impl Stripe {
    /// A client for the account behind `secret_key`, at `api_base` (Stripe's own unless a
    /// simulator stands in for it).
    pub fn new(api_base: &str, secret_key: &str) -> Self {
        Self {
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
        }
    }
}
