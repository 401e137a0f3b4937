//! `POST /v1/campaigns/{slug}/checkout`: a donation becomes a pending order and a payment page.
//!
//! The order is written before the PSP is called, so that whatever happens next (a timeout, a
//! crash, a webhook that arrives early) the payment always finds its record.

use tirelire_domain::api::{CheckoutRequest, CheckoutResponse, return_params};
use worker::{Env, Request, Response, console_error};

use crate::config;
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_body};
use crate::ids::new_order_id;
use crate::psp::{CheckoutOrder, transport};
use crate::return_url::ReturnUrl;
use crate::storage::NewOrder;

/// A checkout body is a few hundred bytes; anything far larger is not from the widget.
const MAX_BODY: usize = 16 * 1024;

/// Opens a payment page for a donation.
pub async fn post(mut req: Request, slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let (storage, campaign) = super::campaigns::find(slug, env).await?;
    let slug = campaign.view.slug.clone();

    // The edge's own pages (the hosted fallback) may always collect.
    let own_origin = req.url()?.origin().ascii_serialization();
    let allowed = |origin: &str| origin == own_origin || campaign.allows_origin(origin);
    let origin = req.headers().get("Origin")?;
    if !origin.as_deref().is_some_and(allowed) {
        return Err(EdgeError::OriginNotAllowed(origin));
    }

    let body = read_body(&mut req, MAX_BODY).await?;
    let request: CheckoutRequest = serde_json::from_slice(&body)
        .map_err(|error| EdgeError::MalformedBody(error.to_string()))?;
    let donation = request
        .donation
        .validate(&campaign.view.rules)
        .map_err(EdgeError::InvalidSubmission)?;
    let return_url = ReturnUrl::parse(&request.return_url, allowed)?;
    let stripe = config::stripe(env)?;

    let order_id = new_order_id()?;
    let now = now_secs();
    storage
        .insert_pending_order(&NewOrder {
            id: &order_id,
            campaign_id: campaign.id,
            donation: &donation,
            locale: request.locale,
            psp: "stripe",
            now,
        })
        .await?;

    let success_url = return_url.with_outcome(slug.as_str(), &order_id, return_params::PAID);
    let cancel_url = return_url.with_outcome(slug.as_str(), &order_id, return_params::CANCELLED);
    let psp_request = stripe.checkout_request(&CheckoutOrder {
        order_id: &order_id,
        campaign_slug: slug.as_str(),
        label: &campaign.view.title,
        amount: donation.amount,
        email: &donation.email,
        locale: request.locale,
        success_url: &success_url,
        cancel_url: &cancel_url,
        now,
    });
    let session = match transport::send(&psp_request).await {
        Ok(response) => stripe.read_checkout_response(&response),
        Err(error) => Err(error),
    };
    let session = match session {
        Ok(session) => session,
        Err(error) => {
            // The donor never reached a payment page: close the order so the treasurer's
            // records show it as failed rather than forever pending.
            if let Err(storage_error) = storage
                .move_order(&order_id, tirelire_domain::OrderStatus::Failed, now)
                .await
            {
                console_error!("order {order_id} could not be marked failed: {storage_error}");
            }
            return Err(error.into());
        }
    };
    storage.attach_session(&order_id, &session.id, now).await?;
    Ok(json(
        201,
        &CheckoutResponse {
            order_id,
            checkout_url: session.url,
        },
    )?)
}
