//! `POST /v1/webhooks/stripe`: Stripe tells the edge how a checkout ended.
//!
//! Deliveries are verified, then applied idempotently: an event is recorded once, and an order's
//! status only moves forward, so repeated, concurrent or late deliveries change nothing twice.
//! A delivery that cannot be applied gets a 4xx (or a 5xx when storage failed), which makes
//! Stripe retry and shows the failure in its dashboard; it never gets a silent 200.

use serde::Serialize;
use worker::{Env, Request, Response};

use crate::config;
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_body};
use crate::psp::stripe::Stripe;
use crate::storage::Storage;

/// Stripe's events are far below this.
const MAX_BODY: usize = 512 * 1024;

#[derive(Serialize)]
struct Receipt {
    received: bool,
    applied: bool,
}

/// Verifies and applies one delivery.
pub async fn stripe(mut req: Request, env: &Env) -> Result<Response, EdgeError> {
    let secret = config::stripe_webhook_secret(env)?;
    let signature = req.headers().get("Stripe-Signature")?;
    let payload = read_body(&mut req, MAX_BODY).await?;
    let now = now_secs();
    let event = Stripe::read_event(&payload, signature.as_deref(), &secret, now)?;

    let Some(update) = event.session else {
        // An event type the edge does not act on: acknowledge it, or Stripe retries for days.
        return Ok(json(
            200,
            &Receipt {
                received: true,
                applied: false,
            },
        )?);
    };
    let storage = Storage::from_env(env)?;
    let order = storage
        .order_for_session(&update.session_id, update.order_id.as_deref())
        .await?
        .ok_or_else(|| EdgeError::UnknownSession(update.session_id.clone()))?;

    let event_amount = (update.amount, update.currency.as_deref());
    if event_amount != (Some(order.amount), Some(order.currency.as_str())) {
        return Err(EdgeError::AmountMismatch {
            order: order.id,
            expected: format!("{} {}", order.amount, order.currency),
            got: format!("{:?} {:?}", update.amount, update.currency),
        });
    }

    let applied = storage
        .apply_event(
            &event.id,
            &event.kind,
            &order,
            &update.session_id,
            update.outcome,
            now,
        )
        .await?;
    if applied {
        storage.forget_campaign(&order.campaign_slug).await;
    }
    Ok(json(
        200,
        &Receipt {
            received: true,
            applied,
        },
    )?)
}
