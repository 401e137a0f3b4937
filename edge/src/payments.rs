//! The calls the edge makes to its payment provider, each in one place: opening a payment page
//! and learning where a session stands. The checkout, the webhook and the sweep share them.
//!
//! The provider builds and reads the requests (sans I/O, in `psp/`); this module only sends
//! them.

use crate::outbound::{self, HttpRequest};
use crate::psp::{CheckoutSession, PaymentChange, PaymentEvent, PaymentProvider, PspError};

/// Sends a request that opens a payment page, once, and reads the page.
pub async fn open_page(
    provider: &dyn PaymentProvider,
    request: &HttpRequest,
    timeout_ms: u32,
) -> Result<CheckoutSession, PspError> {
    let response = outbound::send(request, timeout_ms).await?;
    provider.read_checkout(&response)
}

/// Asks the provider where a session stands, as an event of its own: the edge records it once
/// per outcome, like any event, so asking again changes nothing twice.
pub async fn session_event(
    provider: &dyn PaymentProvider,
    session_id: &str,
    timeout_ms: u32,
) -> Result<PaymentEvent, PspError> {
    let response = outbound::send(&provider.session_request(session_id), timeout_ms).await?;
    let update = provider.read_session(&response)?;
    let outcome = update.outcome.map_or("open", |status| status.as_str());
    Ok(PaymentEvent {
        id: format!("{}:{}:{outcome}", provider.name(), update.session_id),
        kind: "session.fetched".into(),
        live: None,
        change: Some(PaymentChange::Session(update)),
    })
}
