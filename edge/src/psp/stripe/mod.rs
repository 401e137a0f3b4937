//! Stripe: Checkout Sessions for payment, signed webhook events for the outcome, refunds, and
//! the event list that the sweep reads to catch what a delivery missed.
//!
//! Everything here follows Stripe's wire format exactly (form-encoded requests, JSON objects,
//! the `Stripe-Signature` scheme, a pinned `Stripe-Version`), so the same code talks to Stripe
//! or to the simulator used in development and tests: only the API base URL and the secrets
//! differ.

mod checkout;
mod events;
mod objects;
mod refund;
mod webhook;

pub use webhook::{SIGNATURE_TOLERANCE_SECS, verify_signature};

use thiserror::Error;
use url::Url;

use super::{
    CheckoutOrder, CheckoutPlan, CheckoutSession, DeliveryHeaders, EventCursor, EventPage,
    HttpRequest, HttpResponse, Notification, PaymentProvider, PspError, RefundOrder, RefundReceipt,
    SessionUpdate, WebhookError,
};

/// Stripe's real API.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
/// Where Stripe's hosted payment pages are.
pub const CHECKOUT_ORIGIN: &str = "https://checkout.stripe.com";
/// The API version every request names, so that a change of the account's default version
/// in Stripe's dashboard cannot change the shape of what the edge reads.
pub const API_VERSION: &str = "2025-09-30.clover";

/// How to reach one association's Stripe account.
#[derive(Clone, Debug)]
pub struct Stripe {
    api_base: String,
    secret_key: String,
    webhook_secret: Option<String>,
    payment_origins: Vec<String>,
}

/// Why the Stripe settings cannot be used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum StripeConfigError {
    /// The API base is not a URL.
    #[error("STRIPE_API_BASE is not a URL")]
    NotAUrl,
    /// The API base is plain `http` outside a development environment.
    #[error("STRIPE_API_BASE must use https outside a development environment")]
    Insecure,
    /// The secret key is not a Stripe secret or restricted key.
    #[error("STRIPE_SECRET_KEY is not a Stripe secret key (sk_… or rk_…)")]
    NotASecretKey,
}

impl Stripe {
    /// A client for the account behind `secret_key`, at `api_base` (Stripe's own unless a
    /// simulator stands in for it, which only a development environment allows). In
    /// development, the simulator's own origin also serves the payment pages.
    pub fn new(
        api_base: &str,
        secret_key: &str,
        webhook_secret: Option<String>,
        development: bool,
    ) -> Result<Self, StripeConfigError> {
        let base = Url::parse(api_base).map_err(|_| StripeConfigError::NotAUrl)?;
        match base.scheme() {
            "https" => {}
            "http" if development => {}
            "http" => return Err(StripeConfigError::Insecure),
            _ => return Err(StripeConfigError::NotAUrl),
        }
        if !["sk_", "rk_"]
            .iter()
            .any(|prefix| secret_key.starts_with(prefix))
        {
            return Err(StripeConfigError::NotASecretKey);
        }
        let mut payment_origins = vec![CHECKOUT_ORIGIN.to_owned()];
        if development && api_base.trim_end_matches('/') != DEFAULT_API_BASE {
            payment_origins.push(base.origin().ascii_serialization());
        }
        Ok(Self {
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            webhook_secret,
            payment_origins,
        })
    }

    fn request(&self, method: &'static str, path: &str, body: Option<String>) -> HttpRequest {
        let mut headers = vec![
            (
                "Authorization".to_owned(),
                format!("Bearer {}", self.secret_key),
            ),
            ("Stripe-Version".to_owned(), API_VERSION.to_owned()),
        ];
        if body.is_some() {
            headers.push((
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ));
        }
        HttpRequest {
            method,
            url: format!("{}{path}", self.api_base),
            headers,
            body,
        }
    }

    fn post(&self, path: &str, body: String, idempotency_key: String) -> HttpRequest {
        let mut request = self.request("POST", path, Some(body));
        request
            .headers
            .push(("Idempotency-Key".to_owned(), idempotency_key));
        request
    }
}

impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn is_live(&self) -> bool {
        self.secret_key.starts_with("sk_live_") || self.secret_key.starts_with("rk_live_")
    }

    fn signature_header(&self) -> Option<&'static str> {
        Some("Stripe-Signature")
    }

    fn payment_origins(&self) -> Vec<String> {
        self.payment_origins.clone()
    }

    fn checkout(&self, order: &CheckoutOrder<'_>) -> CheckoutPlan {
        CheckoutPlan::Page(self.checkout_request(order))
    }

    fn replay_checkout(&self, order_id: &str, body: &str) -> HttpRequest {
        self.post(
            "/v1/checkout/sessions",
            body.to_owned(),
            checkout::idempotency_key(order_id),
        )
    }

    fn read_checkout(&self, response: &HttpResponse) -> Result<CheckoutSession, PspError> {
        self.read_checkout_response(response)
    }

    fn read_notification(
        &self,
        payload: &[u8],
        headers: &DeliveryHeaders,
        now: i64,
    ) -> Result<Notification, WebhookError> {
        // Without the secret nothing can be verified, so nothing is believed.
        let secret = self
            .webhook_secret
            .as_deref()
            .ok_or(WebhookError::SignatureMismatch)?;
        webhook::read_event(payload, headers.signature.as_deref(), secret, now)
            .map(Notification::Event)
    }

    fn session_request(&self, session_id: &str) -> HttpRequest {
        let id: String = url::form_urlencoded::byte_serialize(session_id.as_bytes()).collect();
        self.request("GET", &format!("/v1/checkout/sessions/{id}"), None)
    }

    fn read_session(&self, response: &HttpResponse) -> Result<SessionUpdate, PspError> {
        let session: objects::Session = objects::read(response)?;
        Ok(session.into_update(None))
    }

    fn refund(&self, refund: &RefundOrder<'_>) -> HttpRequest {
        self.refund_request(refund)
    }

    fn read_refund(&self, response: &HttpResponse) -> Result<RefundReceipt, PspError> {
        refund::read(response)
    }

    fn cancel_subscription(&self, subscription_id: &str) -> HttpRequest {
        self.request(
            "DELETE",
            &format!(
                "/v1/subscriptions/{}",
                objects::path_segment(subscription_id)
            ),
            None,
        )
    }

    fn read_cancellation(&self, response: &HttpResponse) -> Result<(), PspError> {
        objects::read_cancellation(response)
    }

    fn invoice_payments_request(&self, invoice_id: &str) -> HttpRequest {
        let invoice: String = url::form_urlencoded::byte_serialize(invoice_id.as_bytes()).collect();
        self.request(
            "GET",
            &format!("/v1/invoice_payments?invoice={invoice}"),
            None,
        )
    }

    fn read_invoice_payment(&self, response: &HttpResponse) -> Result<Option<String>, PspError> {
        let payments: objects::InvoicePayments = objects::read(response)?;
        Ok(payments.paid_by())
    }

    fn events_request(&self, cursor: EventCursor<'_>) -> Option<HttpRequest> {
        Some(self.request("GET", &events::list_path(cursor), None))
    }

    fn read_events(&self, response: &HttpResponse) -> Result<EventPage, PspError> {
        events::read(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_for_development_only() {
        let key = "sk_test_123";
        assert_eq!(
            Stripe::new("http://127.0.0.1:12111", key, None, false).err(),
            Some(StripeConfigError::Insecure)
        );
        let simulator = Stripe::new("http://127.0.0.1:12111", key, None, true);
        assert_eq!(
            simulator.map(|stripe| stripe.payment_origins()).ok(),
            Some(vec![
                CHECKOUT_ORIGIN.to_owned(),
                "http://127.0.0.1:12111".to_owned()
            ])
        );
        let real = Stripe::new(DEFAULT_API_BASE, key, None, false);
        assert_eq!(
            real.map(|stripe| stripe.payment_origins()).ok(),
            Some(vec![CHECKOUT_ORIGIN.to_owned()])
        );
    }

    #[test]
    fn only_stripe_keys_are_taken() {
        for key in ["", "pk_test_123", "whsec_123"] {
            assert_eq!(
                Stripe::new(DEFAULT_API_BASE, key, None, false).err(),
                Some(StripeConfigError::NotASecretKey),
                "{key}"
            );
        }
    }

    #[test]
    fn the_mode_follows_the_key() {
        let mode = |key: &str| Stripe::new(DEFAULT_API_BASE, key, None, false).map(|s| s.is_live());
        assert_eq!(mode("sk_live_1"), Ok(true));
        assert_eq!(mode("rk_live_1"), Ok(true));
        assert_eq!(mode("sk_test_1"), Ok(false));
        assert_eq!(mode("rk_test_1"), Ok(false));
    }

    #[test]
    fn every_request_pins_the_api_version() {
        let stripe = Stripe::new(DEFAULT_API_BASE, "sk_test_1", None, false)
            .unwrap_or_else(|_| unreachable!());
        for request in [
            stripe.session_request("cs_1"),
            stripe.replay_checkout("ord_1", "mode=payment"),
            stripe
                .events_request(EventCursor::Unset)
                .unwrap_or_else(|| unreachable!()),
        ] {
            assert!(
                request
                    .headers
                    .contains(&("Stripe-Version".to_owned(), API_VERSION.to_owned())),
                "{}",
                request.url
            );
        }
    }
}
