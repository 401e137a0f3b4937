//! Opening a Checkout Session: the form-encoded request, and reading the session or the error
//! Stripe sends back.

use serde::Deserialize;

use super::Stripe;
use crate::psp::{CheckoutOrder, CheckoutSession, PspError, PspRequest, PspResponse};

/// How long the donor has to pay. Stripe accepts 30 minutes to 24 hours and measures from its
/// own clock on receipt, so the minute of margin keeps a slow request or a skewed clock from
/// falling under its minimum.
const SESSION_LIFETIME_SECS: i64 = 30 * 60 + 60;

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    url: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Stripe {
    /// The `POST /v1/checkout/sessions` request for `order`.
    ///
    /// The idempotency key is derived from the order, so a retried request can never open a
    /// second session, let alone charge twice.
    pub fn checkout_request(&self, order: &CheckoutOrder<'_>) -> PspRequest {
        let amount = order.amount.minor.to_string();
        let currency = order.amount.currency.code().to_ascii_lowercase();
        let expires_at = (order.now + SESSION_LIFETIME_SECS).to_string();
        let fields: [(&str, &str); 15] = [
            ("mode", "payment"),
            ("submit_type", "donate"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", &currency),
            ("line_items[0][price_data][unit_amount]", &amount),
            ("line_items[0][price_data][product_data][name]", order.label),
            ("success_url", order.success_url),
            ("cancel_url", order.cancel_url),
            ("client_reference_id", order.order_id),
            ("customer_email", order.email),
            ("locale", order.locale.tag()),
            ("metadata[order_id]", order.order_id),
            ("metadata[campaign]", order.campaign_slug),
            ("payment_intent_data[metadata][order_id]", order.order_id),
            ("expires_at", &expires_at),
        ];
        // Encoding pairs of strings cannot fail; the fallback only satisfies the type.
        let body = serde_urlencoded::to_string(fields).unwrap_or_default();
        PspRequest {
            method: "POST",
            url: format!("{}/v1/checkout/sessions", self.api_base),
            headers: vec![
                (
                    "Authorization".into(),
                    format!("Bearer {}", self.secret_key),
                ),
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                (
                    "Idempotency-Key".into(),
                    format!("tirelire-checkout-{}", order.order_id),
                ),
            ],
            body: Some(body),
        }
    }

    /// Reads Stripe's answer to [`Stripe::checkout_request`].
    pub fn read_checkout_response(
        &self,
        response: &PspResponse,
    ) -> Result<CheckoutSession, PspError> {
        if !(200..300).contains(&response.status) {
            let message = serde_json::from_str::<ErrorEnvelope>(&response.body)
                .map(|envelope| {
                    let kind = envelope.error.kind.unwrap_or_default();
                    let message = envelope.error.message.unwrap_or_default();
                    format!("{kind}: {message}")
                })
                .unwrap_or_else(|_| truncate(&response.body, 200).to_owned());
            return Err(PspError::Rejected {
                status: response.status,
                message,
            });
        }
        let session: SessionObject = serde_json::from_str(&response.body)
            .map_err(|error| PspError::Unreadable(error.to_string()))?;
        let url = session
            .url
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .ok_or_else(|| PspError::Unreadable("the session has no payment page URL".into()))?;
        Ok(CheckoutSession {
            id: session.id,
            url,
        })
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use tirelire_domain::{Currency, Locale, Money};

    use super::*;

    fn order() -> CheckoutOrder<'static> {
        CheckoutOrder {
            order_id: "ord_abc",
            campaign_slug: "jardin-2026",
            label: "Un composteur & des outils",
            amount: Money::new(2000, Currency::Eur),
            email: "camille+dons@example.fr",
            locale: Locale::Fr,
            success_url: "https://jardin.example/dons?tirelire_result=paid",
            cancel_url: "https://jardin.example/dons?tirelire_result=cancelled",
            now: 1_800_000_000,
        }
    }

    fn stripe() -> Stripe {
        Stripe::new("https://api.stripe.com/", "sk_test_123")
    }

    fn form(request: &PspRequest) -> Vec<(String, String)> {
        serde_urlencoded::from_str(request.body.as_deref().unwrap_or_default()).unwrap_or_default()
    }

    fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn checkout_posts_a_form_to_the_sessions_endpoint() {
        let request = stripe().checkout_request(&order());
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://api.stripe.com/v1/checkout/sessions");
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(header("Authorization"), Some("Bearer sk_test_123"));
        assert_eq!(
            header("Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(header("Idempotency-Key"), Some("tirelire-checkout-ord_abc"));
    }

    #[test]
    fn checkout_form_carries_the_order_in_stripe_field_names() {
        let request = stripe().checkout_request(&order());
        let form = form(&request);
        let expected = [
            ("mode", "payment"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "eur"),
            ("line_items[0][price_data][unit_amount]", "2000"),
            (
                "line_items[0][price_data][product_data][name]",
                "Un composteur & des outils",
            ),
            (
                "success_url",
                "https://jardin.example/dons?tirelire_result=paid",
            ),
            (
                "cancel_url",
                "https://jardin.example/dons?tirelire_result=cancelled",
            ),
            ("client_reference_id", "ord_abc"),
            ("customer_email", "camille+dons@example.fr"),
            ("metadata[order_id]", "ord_abc"),
            ("metadata[campaign]", "jardin-2026"),
            ("locale", "fr"),
        ];
        for (name, value) in expected {
            assert_eq!(field(&form, name), Some(value), "{name}");
        }
    }

    #[test]
    fn reserved_characters_are_percent_encoded() {
        let request = stripe().checkout_request(&order());
        let body = request.body.unwrap_or_default();
        assert!(
            body.contains("customer_email=camille%2Bdons%40example.fr"),
            "{body}"
        );
        assert!(
            body.contains("line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=2000"),
            "{body}"
        );
        assert!(!body.contains(" & "), "{body}");
    }

    #[test]
    fn session_expires_thirty_minutes_ahead_within_stripe_limits() {
        let request = stripe().checkout_request(&order());
        let expires_at: i64 = field(&form(&request), "expires_at")
            .and_then(|value| value.parse().ok())
            .unwrap_or_default();
        let ahead = expires_at - order().now;
        assert!((30 * 60..=32 * 60).contains(&ahead), "{ahead}");
    }

    #[test]
    fn created_session_gives_its_id_and_page() {
        let response = PspResponse {
            status: 200,
            body: r#"{"id":"cs_test_a1","object":"checkout.session","url":"https://checkout.stripe.com/c/pay/cs_test_a1","status":"open","payment_status":"unpaid"}"#.into(),
        };
        assert_eq!(
            stripe().read_checkout_response(&response),
            Ok(CheckoutSession {
                id: "cs_test_a1".into(),
                url: "https://checkout.stripe.com/c/pay/cs_test_a1".into()
            })
        );
    }

    #[test]
    fn stripe_error_objects_are_reported() {
        let response = PspResponse {
            status: 400,
            body: r#"{"error":{"type":"invalid_request_error","message":"Invalid currency: xyz","param":"line_items[0][price_data][currency]"}}"#.into(),
        };
        assert_eq!(
            stripe().read_checkout_response(&response),
            Err(PspError::Rejected {
                status: 400,
                message: "invalid_request_error: Invalid currency: xyz".into()
            })
        );
    }

    #[test]
    fn session_without_a_page_is_unreadable() {
        for body in [
            r#"{"id":"cs_test_a1","url":null}"#,
            r#"{"id":"cs_1","url":"javascript:x"}"#,
            "<html>",
        ] {
            let response = PspResponse {
                status: 200,
                body: body.into(),
            };
            assert!(
                matches!(
                    stripe().read_checkout_response(&response),
                    Err(PspError::Unreadable(_))
                ),
                "{body}"
            );
        }
    }
}
