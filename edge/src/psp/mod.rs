//! Payment service providers, as plain data in and plain data out.
//!
//! Each provider builds its HTTP requests as [`PspRequest`] values and reads [`PspResponse`]
//! values back, without doing any I/O itself, so all of its logic is tested on the host. The
//! edge sends the requests with [`transport::send`]. Stripe is the first provider; Mollie and
//! offline payments will sit beside it in their own folders.

pub mod stripe;
pub mod transport;

use thiserror::Error;
use tirelire_domain::{Locale, Money, OrderStatus};

/// An HTTP request for a PSP's API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PspRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The absolute URL.
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body, already encoded.
    pub body: Option<String>,
}

/// What a PSP answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PspResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

/// What the edge asks a PSP to collect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutOrder<'a> {
    /// The order's id, which comes back in the PSP's events.
    pub order_id: &'a str,
    /// The campaign's slug.
    pub campaign_slug: &'a str,
    /// What the donor sees on the PSP's page as the thing they pay for.
    pub label: &'a str,
    /// The amount to collect.
    pub amount: Money,
    /// The donor's email address.
    pub email: &'a str,
    /// The language of the PSP's page.
    pub locale: Locale,
    /// Where the PSP sends the donor after paying.
    pub success_url: &'a str,
    /// Where the PSP sends the donor who gives up.
    pub cancel_url: &'a str,
    /// The current Unix time, in seconds.
    pub now: i64,
}

/// A payment page opened at the PSP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    /// The PSP's id for the session.
    pub id: String,
    /// The page to send the donor to.
    pub url: String,
}

/// Why a PSP request did not give a session.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PspError {
    /// The PSP answered with an error.
    #[error("the PSP refused the request ({status}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The PSP's own explanation.
        message: String,
    },
    /// The PSP's answer could not be read.
    #[error("the PSP's answer could not be read: {0}")]
    Unreadable(String),
    /// The PSP could not be reached.
    #[error("the PSP could not be reached: {0}")]
    Unreachable(String),
}

/// A verified PSP event, reduced to what it means for one order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The PSP's id for the event, unique across deliveries of the same event.
    pub id: String,
    /// The PSP's name for the kind of event.
    pub kind: String,
    /// What the event says about a checkout session, if it is about one.
    pub session: Option<SessionUpdate>,
}

/// What an event says about a checkout session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUpdate {
    /// The PSP's id for the session.
    pub session_id: String,
    /// The order id the edge gave when it opened the session, if the event carries it.
    pub order_id: Option<String>,
    /// The status the order should move to, or `None` while the payment is still on its way.
    pub outcome: Option<OrderStatus>,
    /// The amount the session was for, in minor units.
    pub amount: Option<i64>,
    /// The ISO 4217 code of that amount, upper case.
    pub currency: Option<String>,
}

/// Why a webhook delivery was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum WebhookError {
    /// The signature header is missing or unreadable.
    #[error("the signature header is missing or malformed")]
    MalformedSignature,
    /// The signature's timestamp is too far from now.
    #[error("the signature is {age} s away from now, beyond the tolerance")]
    StaleSignature {
        /// How far the timestamp is from now, in seconds.
        age: i64,
    },
    /// No signature matches the body under the webhook secret.
    #[error("no signature matches the body")]
    SignatureMismatch,
    /// The body is signed but is not an event this edge can read.
    #[error("the event could not be read: {0}")]
    MalformedEvent(String),
}
