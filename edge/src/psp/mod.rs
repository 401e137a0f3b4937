//! Payment service providers, behind one seam, as plain data in and plain data out.
//!
//! A provider builds its HTTP requests as [`HttpRequest`] values and reads [`HttpResponse`]
//! values back, without doing any I/O itself, so all of its logic is tested on the host. The
//! edge sends the requests with [`crate::outbound::send`]. The rest of the edge only knows the
//! [`PaymentProvider`] trait and the provider-neutral types below; it never names a provider.
//!
//! The seam is shaped for the providers to come: Stripe sends the whole event, signed
//! ([`Notification::Event`]); Mollie's webhook only names a payment, which the edge fetches
//! again ([`Notification::Fetch`]); offline payments (cheque, transfer, cash) open no page at
//! the PSP at all ([`CheckoutPlan::Offline`]).

pub mod stripe;

pub use crate::outbound::{HttpRequest, HttpResponse};

use thiserror::Error;
use tirelire_domain::setup::CampaignKind;
use tirelire_domain::{DisputeStatus, Locale, Money, OrderStatus};

/// What the edge asks a PSP to collect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutOrder<'a> {
    /// The order's id, which comes back in the PSP's events.
    pub order_id: &'a str,
    /// The campaign's slug.
    pub campaign_slug: &'a str,
    /// What the donor sees on the PSP's page as the thing they pay for.
    pub label: &'a str,
    /// The amount to collect; every month when `monthly`.
    pub amount: Money,
    /// Whether the amount comes back every month until the donor stops it.
    pub monthly: bool,
    /// What the campaign collects, which words the PSP's button (give, pay, book).
    pub kind: CampaignKind,
    /// The donor's email address.
    pub email: &'a str,
    /// The language of the PSP's page.
    pub locale: Locale,
    /// Where the PSP sends the donor after paying.
    pub success_url: &'a str,
    /// Where the PSP sends the donor who gives up.
    pub cancel_url: &'a str,
    /// When the order was created, in Unix seconds; the page's lifetime counts from here, so
    /// that the request is the same however often it is sent.
    pub created_at: i64,
}

/// How a checkout proceeds at this provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckoutPlan {
    /// Open a payment page with this request, then send the donor there.
    Page(HttpRequest),
    /// No page: the donor pays offline, and the treasurer records it.
    Offline,
}

/// A payment page opened at the PSP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutSession {
    /// The PSP's id for the session.
    pub id: String,
    /// The page to send the donor to.
    pub url: String,
}

/// A refund to ask the PSP for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundOrder<'a> {
    /// The order's id, for the idempotency key and the PSP's records.
    pub order_id: &'a str,
    /// The PSP's id for the payment.
    pub payment_id: &'a str,
    /// How much to give back; `None` gives back everything not yet refunded.
    pub amount: Option<Money>,
    /// Distinguishes two refunds of the same order (for example, the count of earlier ones), so
    /// that a retried request is one refund and a second decision is another.
    pub sequence: u32,
}

/// A refund the PSP accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundReceipt {
    /// The PSP's id for the refund.
    pub id: String,
    /// The amount refunded, in minor units.
    pub amount: i64,
    /// The PSP's word for where it stands (`pending`, `succeeded`…).
    pub status: String,
}

/// Why a PSP request did not give what was asked.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PspError {
    /// The PSP answered with an error that sending again will not change.
    #[error("the PSP refused the request ({status}): {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The PSP's own explanation.
        message: String,
    },
    /// The PSP failed on its side (5xx, 409, 429); the same request may succeed later.
    #[error("the PSP failed ({status}): {message}")]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// The PSP's own explanation.
        message: String,
    },
    /// The PSP's answer could not be read.
    #[error("the PSP's answer could not be read: {0}")]
    Unreadable(String),
    /// The PSP could not be reached, or did not answer in time.
    #[error("the PSP could not be reached: {0}")]
    Unreachable(String),
    /// The PSP gave a payment page the donor must not be sent to.
    #[error("the PSP gave an unexpected payment page: {0}")]
    UnsafePage(String),
}

impl From<crate::outbound::Unreachable> for PspError {
    fn from(error: crate::outbound::Unreachable) -> Self {
        Self::Unreachable(error.0)
    }
}

impl PspError {
    /// Whether sending the same request again (with the same idempotency key) might succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable { .. } | Self::Unreachable(_) | Self::Unreadable(_)
        )
    }
}

/// The headers of a webhook delivery that a provider may need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryHeaders {
    /// The provider's signature header, if any (`Stripe-Signature`).
    pub signature: Option<String>,
    /// The body's content type.
    pub content_type: Option<String>,
}

/// What a webhook delivery tells the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// The delivery carries a verified event.
    Event(PaymentEvent),
    /// The delivery only names a payment, whose state must be fetched from the PSP.
    Fetch {
        /// The PSP's id for the payment or session.
        reference: String,
    },
}

/// A verified PSP event, reduced to what it means for one order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The PSP's id for the event, unique across deliveries of the same event.
    pub id: String,
    /// The PSP's name for the kind of event.
    pub kind: String,
    /// Whether the event comes from the live mode, when the PSP says.
    pub live: Option<bool>,
    /// What the event changes, if it concerns a payment at all.
    pub change: Option<PaymentChange>,
}

/// What an event changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaymentChange {
    /// A checkout session moved.
    Session(SessionUpdate),
    /// Money went back to the donor.
    Refund(RefundUpdate),
    /// The donor's bank disputed the payment, or the dispute closed.
    Dispute(DisputeUpdate),
    /// A subscription's invoice was paid: an instalment of a monthly gift.
    Instalment(InstalmentUpdate),
    /// A subscription ended: the monthly gift stops.
    SubscriptionEnded(SubscriptionEnd),
}

/// What a paid invoice of a subscription says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalmentUpdate {
    /// The PSP's id for the invoice, which makes the instalment once.
    pub invoice_id: String,
    /// The PSP's id for the subscription.
    pub subscription_id: String,
    /// The order that opened the subscription, from the subscription's metadata.
    pub order_id: Option<String>,
    /// The amount paid.
    pub amount: PspAmount,
    /// Whether it is the first invoice, paid through the checkout itself (its order is the one
    /// that opened the subscription), rather than a later month.
    pub first: bool,
}

/// What the end of a subscription says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionEnd {
    /// The PSP's id for the subscription.
    pub subscription_id: String,
    /// The order that opened it, from its metadata.
    pub order_id: Option<String>,
}

/// An amount as the PSP wrote it: minor units and an ISO 4217 code, upper case. It is not
/// [`Money`] yet, because the PSP may name a currency the edge does not collect in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PspAmount {
    /// The amount in minor units.
    pub minor: i64,
    /// The currency code, upper case.
    pub currency: String,
}

impl PspAmount {
    /// Whether this is exactly `money`.
    pub fn is(&self, money: Money) -> bool {
        self.minor == money.minor && self.currency == money.currency.code()
    }
}

impl std::fmt::Display for PspAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.minor, self.currency)
    }
}

/// What an event or a fetch says about a checkout session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUpdate {
    /// The PSP's id for the session.
    pub session_id: String,
    /// The order id the edge put in the session's metadata; a session without one was not
    /// opened by this edge.
    pub order_id: Option<String>,
    /// The status the order should move to, or `None` while the payment is still on its way.
    pub outcome: Option<OrderStatus>,
    /// The session's amount.
    pub amount: Option<PspAmount>,
    /// The PSP's id for the payment made through the session, once there is one.
    pub payment_id: Option<String>,
    /// The PSP's id for the subscription the session opened, for a monthly gift.
    pub subscription_id: Option<String>,
    /// The PSP's id for the invoice that paid a monthly gift's first month: a subscription's
    /// session names no payment, its invoice does.
    pub invoice_id: Option<String>,
}

/// What a refund event says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundUpdate {
    /// The PSP's id for the payment.
    pub payment_id: String,
    /// The order id the payment carries in its metadata, if any.
    pub order_id: Option<String>,
    /// Everything refunded on the payment so far (not just this refund), so that events in
    /// any order leave the same result.
    pub refunded_total: PspAmount,
}

/// What a dispute event says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeUpdate {
    /// The PSP's id for the payment.
    pub payment_id: String,
    /// The order id the payment carries in its metadata, if any.
    pub order_id: Option<String>,
    /// Where the dispute stands.
    pub status: DisputeStatus,
    /// The amount disputed.
    pub amount: PspAmount,
}

/// Where the sweep stands in the PSP's event list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventCursor<'a> {
    /// Never read: the walk starts at the newest event, not at the account's history from before
    /// the edge. The request asks for that one event.
    Unset,
    /// The list was empty when first read, so every event since is the edge's own, from the
    /// oldest on. The request asks for as many of the newest as one page can hold.
    Start,
    /// After this event: the request asks for the next page of newer ones.
    After(&'a str),
}

impl<'a> EventCursor<'a> {
    /// The cursor as D1 keeps it: no row, an empty text for [`EventCursor::Start`], or an id.
    pub fn from_stored(stored: Option<&'a str>) -> Self {
        match stored {
            None => Self::Unset,
            Some("") => Self::Start,
            Some(id) => Self::After(id),
        }
    }
}

/// One page of the PSP's event list, for the sweep that catches missed deliveries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPage {
    /// The events, oldest first.
    pub events: Vec<PaymentEvent>,
    /// The events that could not be read, with why.
    pub unreadable: Vec<String>,
    /// The id of the newest event on the page, read or not: where the next page starts.
    pub newest: Option<String>,
    /// Whether more events follow the last one.
    pub has_more: bool,
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

/// One payment provider, as the edge uses it. Every method builds or reads plain data.
pub trait PaymentProvider {
    /// The provider's name, stored with each order and event (`stripe`).
    fn name(&self) -> &'static str;

    /// Whether the account's key is a live one (as opposed to a test one).
    fn is_live(&self) -> bool;

    /// The header that carries the signature of a webhook delivery, if the provider signs.
    fn signature_header(&self) -> Option<&'static str>;

    /// The origins of the provider's payment pages, where the widget may send donors.
    fn payment_origins(&self) -> Vec<String>;

    /// How to start paying for `order`.
    fn checkout(&self, order: &CheckoutOrder<'_>) -> CheckoutPlan;

    /// The same request as the one built by [`PaymentProvider::checkout`] for `order_id`, from
    /// its stored body, for a retry that can only give back the same page.
    fn replay_checkout(&self, order_id: &str, body: &str) -> HttpRequest;

    /// Reads the answer to a checkout request.
    fn read_checkout(&self, response: &HttpResponse) -> Result<CheckoutSession, PspError>;

    /// Verifies a webhook delivery and reads what it says.
    fn read_notification(
        &self,
        payload: &[u8],
        headers: &DeliveryHeaders,
        now: i64,
    ) -> Result<Notification, WebhookError>;

    /// The request that fetches a session's current state.
    fn session_request(&self, session_id: &str) -> HttpRequest;

    /// Reads the answer to [`PaymentProvider::session_request`].
    fn read_session(&self, response: &HttpResponse) -> Result<SessionUpdate, PspError>;

    /// The request that gives money back.
    fn refund(&self, refund: &RefundOrder<'_>) -> HttpRequest;

    /// Reads the answer to a refund request.
    fn read_refund(&self, response: &HttpResponse) -> Result<RefundReceipt, PspError>;

    /// The request that stops a subscription at once: no instalment follows.
    fn cancel_subscription(&self, subscription_id: &str) -> HttpRequest;

    /// Reads the answer to [`PaymentProvider::cancel_subscription`]: `Ok` when the subscription
    /// is stopped, now or before.
    fn read_cancellation(&self, response: &HttpResponse) -> Result<(), PspError>;

    /// The request for the payments of a subscription's invoice: a later month's payment is
    /// named in no event, and a refund of it names only the payment.
    fn invoice_payments_request(&self, invoice_id: &str) -> HttpRequest;

    /// Reads the answer to [`PaymentProvider::invoice_payments_request`]: the payment that
    /// paid the invoice, if one has.
    fn read_invoice_payment(&self, response: &HttpResponse) -> Result<Option<String>, PspError>;

    /// The request for the events `cursor` asks for; `None` when the provider keeps no event
    /// list.
    fn events_request(&self, cursor: EventCursor<'_>) -> Option<HttpRequest>;

    /// Reads the answer to [`PaymentProvider::events_request`].
    fn read_events(&self, response: &HttpResponse) -> Result<EventPage, PspError>;
}
