//! The edge's settings: the PSP's address, and the secrets the deployer sets with
//! `wrangler secret put` (or `.dev.vars` in development). None is ever committed.

use worker::Env;

use crate::error::EdgeError;
use crate::psp::stripe::{self, Stripe};

/// Where Stripe's API is; only the simulator changes it.
const STRIPE_API_BASE: &str = "STRIPE_API_BASE";
/// The association's Stripe secret key (`sk_live_…` or `sk_test_…`).
const STRIPE_SECRET_KEY: &str = "STRIPE_SECRET_KEY";
/// The signing secret of the Stripe webhook endpoint (`whsec_…`).
const STRIPE_WEBHOOK_SECRET: &str = "STRIPE_WEBHOOK_SECRET";

/// The Stripe client for this deployment.
pub fn stripe(env: &Env) -> Result<Stripe, EdgeError> {
    let api_base = env
        .var(STRIPE_API_BASE)
        .map(|value| value.to_string())
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| stripe::DEFAULT_API_BASE.to_owned());
    Ok(Stripe::new(&api_base, &secret(env, STRIPE_SECRET_KEY)?))
}

/// The secret that Stripe signs webhook deliveries with.
pub fn stripe_webhook_secret(env: &Env) -> Result<String, EdgeError> {
    secret(env, STRIPE_WEBHOOK_SECRET)
}

fn secret(env: &Env, name: &'static str) -> Result<String, EdgeError> {
    env.secret(name)
        .map(|value| value.to_string())
        .ok()
        .filter(|value| !value.is_empty())
        .ok_or(EdgeError::NotConfigured(name))
}
