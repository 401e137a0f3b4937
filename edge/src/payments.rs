//! The calls the edge makes to its payment provider, each in one place: opening a payment page,
//! learning where a session stands, and which payment paid a month of a monthly gift. The
//! checkout, the webhook and the sweep share them.
//!
//! The provider builds and reads the requests (sans I/O, in `psp/`); this module only sends
//! them.

use crate::outbound::{self, HttpRequest};
use crate::psp::{CheckoutSession, PaymentChange, PaymentEvent, PaymentProvider, PspError};
use crate::storage::{Storage, StorageError};

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

/// Learns, for at most `limit` months of monthly gifts, the payment that paid each one's
/// invoice, and keeps it on the month's order, so that a refund of that month, made in the
/// PSP's dashboard or from the back-office, finds its order. Gives how many were learnt; a
/// month the PSP cannot answer for now is left for the next call.
pub async fn learn_instalment_payments(
    storage: &Storage,
    provider: &dyn PaymentProvider,
    timeout_ms: u32,
    limit: u32,
) -> Result<u32, StorageError> {
    let mut learnt = 0;
    for (order_id, invoice_id) in storage.instalments_without_payment(limit).await? {
        let request = provider.invoice_payments_request(&invoice_id);
        let payment = match outbound::send(&request, timeout_ms).await {
            Ok(response) => provider.read_invoice_payment(&response),
            Err(error) => Err(PspError::from(error)),
        };
        match payment {
            Ok(Some(payment_id)) => {
                storage
                    .set_instalment_payment(&order_id, &payment_id)
                    .await?;
                learnt += 1;
            }
            Ok(None) => {}
            Err(error) => {
                worker::console_warn!(
                    "the payment of invoice {invoice_id} is not known yet: {error}"
                );
            }
        }
    }
    Ok(learnt)
}
