//! `POST /v1/webhooks/{provider}`: the PSP tells the edge how payments went.
//!
//! A delivery is verified, then handed to the ledger, which applies it once. What answers
//! what follows how PSPs retry: a delivery that cannot be verified or read gets a 4xx, and a
//! failure of storage a 5xx, so the PSP tries again; an event about something this edge did not
//! open (another integration on the same account) gets `200 {"applied":false}`, because a 4xx
//! would make Stripe retry for three days and then disable the endpoint.

use serde::Serialize;
use worker::{Context, Env, Request, Response, console_warn};

use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_body};
use crate::ledger::{self, Outcome};
use crate::mail::{self, Notices};
use crate::payments;
use crate::psp::{DeliveryHeaders, Notification, PaymentChange};
use crate::storage::Storage;

/// PSP events are far below this.
const MAX_BODY: usize = 512 * 1024;
/// Messages sent after an applied event: the donor's receipt and the treasurer's notice.
const MAILS_AFTER_EVENT: u32 = 2;
/// Months whose payment a month's event learns before the answer: its own, and one left over.
const INSTALMENTS_AFTER_EVENT: u32 = 2;

#[derive(Serialize)]
struct Receipt {
    received: bool,
    applied: bool,
    outcome: Outcome,
}

/// Verifies and applies one delivery.
pub async fn post(
    mut req: Request,
    provider_name: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let settings = Settings::read(env)?;
    let provider = config::provider(env, &settings)?;
    if provider.name() != provider_name {
        return Err(EdgeError::NotFound);
    }
    let signature = match provider.signature_header() {
        Some(name) => req.headers().get(name)?,
        None => None,
    };
    let headers = DeliveryHeaders {
        signature,
        content_type: req.headers().get("Content-Type")?,
    };
    let payload = read_body(&mut req, MAX_BODY, ctx).await?;
    let now = now_secs();
    let event = match provider.read_notification(&payload, &headers, now)? {
        Notification::Event(event) => event,
        // The delivery only names a payment: its state is asked of the PSP itself, so nothing
        // in the delivery needs to be believed.
        Notification::Fetch { reference } => {
            payments::session_event(provider.as_ref(), &reference, settings.psp_timeout_ms).await?
        }
    };
    let storage = Storage::from_env(env)?;
    let notices = Notices::read(env);
    let outcome = ledger::apply(
        &storage,
        provider.name(),
        provider.is_live(),
        &event,
        &notices,
        now,
    )
    .await?;
    let teaches_invoice = match &event.change {
        Some(PaymentChange::Instalment(_)) => true,
        Some(PaymentChange::Session(update)) => update.invoice_id.is_some(),
        _ => false,
    };
    if teaches_invoice {
        // A month's payment is named in no event: learn it now, so that a refund of it finds
        // its order. What fails here is the sweep's to learn.
        if let Err(error) = payments::learn_instalment_payments(
            &storage,
            provider.as_ref(),
            settings.psp_timeout_ms,
            INSTALMENTS_AFTER_EVENT,
        )
        .await
        {
            console_warn!("instalment payments could not be learnt: {error}");
        }
    }
    if outcome == Outcome::Applied && notices.donor {
        // The messages the payment wrote go after the answer: the PSP never waits on mail,
        // and what fails here is the sweep's to retry.
        ctx.wait_until(mail::outbox::send_after(
            env.clone(),
            now,
            MAILS_AFTER_EVENT,
        ));
    }
    Ok(json(
        200,
        &Receipt {
            received: true,
            applied: outcome == Outcome::Applied,
            outcome,
        },
    )?)
}
