//! Opening a Checkout Session: the form-encoded request, and reading the session or the error
//! Stripe sends back.

use serde::Deserialize;
use url::Url;

use tirelire_domain::setup::CampaignKind;

use super::Stripe;
use super::objects;
use crate::psp::{CheckoutOrder, CheckoutSession, HttpRequest, HttpResponse, PspError};

/// How long the donor has to pay, from the order's creation. Stripe accepts 30 minutes to 24
/// hours, measured from its own clock when the request arrives; the margin above 30 minutes
/// leaves room for a slow request, a skewed clock, or the sweep sending the same request again
/// a few minutes later.
const SESSION_LIFETIME_SECS: i64 = 45 * 60;

/// The key under which Stripe remembers the request for `order_id`: however often it is sent,
/// it opens one session and charges at most once.
pub(super) fn idempotency_key(order_id: &str) -> String {
    format!("tirelire-checkout-{order_id}")
}

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    url: Option<String>,
}

impl Stripe {
    /// The `POST /v1/checkout/sessions` request for `order`. It depends on the order alone,
    /// never on the clock, so that sending it again gives Stripe the same parameters.
    pub fn checkout_request(&self, order: &CheckoutOrder<'_>) -> HttpRequest {
        let amount = order.amount.minor.to_string();
        let currency = order.amount.currency.code().to_ascii_lowercase();
        let expires_at = (order.created_at + SESSION_LIFETIME_SECS).to_string();
        let mut fields: Vec<(&str, &str)> = vec![
            (
                "mode",
                if order.monthly {
                    "subscription"
                } else {
                    "payment"
                },
            ),
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
            ("expires_at", &expires_at),
        ];
        if order.monthly {
            fields.extend([
                ("line_items[0][price_data][recurring][interval]", "month"),
                // Copied by Stripe onto the subscription and each of its invoices, so that every
                // instalment and the end of the gift name the order.
                ("subscription_data[metadata][order_id]", order.order_id),
                ("subscription_data[metadata][campaign]", order.campaign_slug),
            ]);
        } else {
            let submit = match order.kind {
                CampaignKind::Donation | CampaignKind::Crowdfunding => "donate",
                CampaignKind::Event => "book",
                CampaignKind::Membership => "pay",
            };
            fields.extend([
                ("submit_type", submit),
                // Copied by Stripe onto the charge, so that refunds and disputes name the order.
                ("payment_intent_data[metadata][order_id]", order.order_id),
            ]);
        }
        // Encoding pairs of strings cannot fail; the fallback only satisfies the type.
        let body = serde_urlencoded::to_string(fields).unwrap_or_default();
        self.post(
            "/v1/checkout/sessions",
            body,
            idempotency_key(order.order_id),
        )
    }

    /// Reads Stripe's answer to [`Stripe::checkout_request`]. The page must be on one of
    /// Stripe's payment origins: the donor is sent nowhere else.
    pub fn read_checkout_response(
        &self,
        response: &HttpResponse,
    ) -> Result<CheckoutSession, PspError> {
        let session: SessionObject = objects::read(response)?;
        let url = session
            .url
            .ok_or_else(|| PspError::Unreadable("the session has no payment page URL".into()))?;
        let origin = Url::parse(&url)
            .map(|parsed| parsed.origin().ascii_serialization())
            .map_err(|_| PspError::UnsafePage(url.clone()))?;
        if !self.payment_origins.contains(&origin) {
            return Err(PspError::UnsafePage(url));
        }
        Ok(CheckoutSession {
            id: session.id,
            url,
        })
    }
}

#[cfg(test)]
mod tests {
    use tirelire_domain::{Currency, Locale, Money};

    use super::*;
    use crate::psp::stripe::API_VERSION;

    fn order() -> CheckoutOrder<'static> {
        CheckoutOrder {
            order_id: "ord_abc",
            campaign_slug: "jardin-2026",
            label: "Un composteur & des outils",
            amount: Money::new(2000, Currency::Eur),
            monthly: false,
            kind: CampaignKind::Donation,
            email: "camille+dons@example.fr",
            locale: Locale::Fr,
            success_url: "https://jardin.example/dons?tirelire_result=paid",
            cancel_url: "https://jardin.example/dons?tirelire_result=cancelled",
            created_at: 1_800_000_000,
        }
    }

    fn stripe() -> Stripe {
        Stripe::new("https://api.stripe.com/", "sk_test_123", None, false)
            .unwrap_or_else(|_| unreachable!())
    }

    fn form(request: &HttpRequest) -> Vec<(String, String)> {
        serde_urlencoded::from_str(request.body.as_deref().unwrap_or_default()).unwrap_or_default()
    }

    fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn checkout_posts_a_form_to_the_sessions_endpoint() {
        let request = stripe().checkout_request(&order());
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://api.stripe.com/v1/checkout/sessions");
        assert_eq!(
            header(&request, "Authorization"),
            Some("Bearer sk_test_123")
        );
        assert_eq!(
            header(&request, "Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            header(&request, "Idempotency-Key"),
            Some("tirelire-checkout-ord_abc")
        );
        assert_eq!(header(&request, "Stripe-Version"), Some(API_VERSION));
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
            ("payment_intent_data[metadata][order_id]", "ord_abc"),
            ("locale", "fr"),
        ];
        for (name, value) in expected {
            assert_eq!(field(&form, name), Some(value), "{name}");
        }
    }

    #[test]
    fn a_monthly_gift_opens_a_subscription_whose_invoices_name_the_order() {
        let monthly = CheckoutOrder {
            monthly: true,
            ..order()
        };
        let form = form(&stripe().checkout_request(&monthly));
        for (name, value) in [
            ("mode", "subscription"),
            ("line_items[0][price_data][recurring][interval]", "month"),
            ("line_items[0][price_data][unit_amount]", "2000"),
            ("subscription_data[metadata][order_id]", "ord_abc"),
            ("metadata[order_id]", "ord_abc"),
        ] {
            assert_eq!(field(&form, name), Some(value), "{name}");
        }
        // Stripe refuses these in subscription mode.
        assert_eq!(
            field(&form, "payment_intent_data[metadata][order_id]"),
            None
        );
        assert_eq!(field(&form, "submit_type"), None);
    }

    #[test]
    fn the_button_says_what_the_campaign_collects() {
        for (kind, submit) in [
            (CampaignKind::Donation, "donate"),
            (CampaignKind::Crowdfunding, "donate"),
            (CampaignKind::Event, "book"),
            (CampaignKind::Membership, "pay"),
        ] {
            let request = stripe().checkout_request(&CheckoutOrder { kind, ..order() });
            assert_eq!(field(&form(&request), "submit_type"), Some(submit));
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
    fn session_lifetime_leaves_room_within_stripe_limits() {
        let request = stripe().checkout_request(&order());
        let expires_at: i64 = field(&form(&request), "expires_at")
            .and_then(|value| value.parse().ok())
            .unwrap_or_default();
        let ahead = expires_at - order().created_at;
        assert!((35 * 60..=24 * 3600).contains(&ahead), "{ahead}");
    }

    #[test]
    fn the_same_order_gives_the_same_request_and_its_replay_is_identical() {
        let stripe = stripe();
        let first = stripe.checkout_request(&order());
        assert_eq!(first, stripe.checkout_request(&order()));
        let replay = crate::psp::PaymentProvider::replay_checkout(
            &stripe,
            "ord_abc",
            first.body.as_deref().unwrap_or_default(),
        );
        assert_eq!(replay, first);
    }

    #[test]
    fn created_session_gives_its_id_and_page() {
        let response = HttpResponse {
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
    fn stripe_errors_are_refusals_or_passing_failures() {
        let response = HttpResponse {
            status: 400,
            body: r#"{"error":{"type":"invalid_request_error","message":"Invalid currency: xyz","param":"line_items[0][price_data][currency]"}}"#.into(),
        };
        assert!(matches!(
            stripe().read_checkout_response(&response),
            Err(PspError::Rejected { status: 400, .. })
        ));
        let response = HttpResponse {
            status: 503,
            body: "upstream connect error".into(),
        };
        assert!(matches!(
            stripe().read_checkout_response(&response),
            Err(PspError::Unavailable { status: 503, .. })
        ));
    }

    #[test]
    fn a_page_anywhere_but_stripe_is_refused() {
        for url in [
            "javascript:alert(1)",
            "https://evil.example/c/pay/cs_1",
            "http://checkout.stripe.com/c/pay/cs_1",
            "https://checkout.stripe.com.evil.example/",
            "data:text/html,hello",
        ] {
            let response = HttpResponse {
                status: 200,
                body: format!(r#"{{"id":"cs_1","url":"{url}"}}"#),
            };
            assert!(
                matches!(
                    stripe().read_checkout_response(&response),
                    Err(PspError::UnsafePage(_))
                ),
                "{url}"
            );
        }
        for body in [r#"{"id":"cs_test_a1","url":null}"#, "<html>"] {
            let response = HttpResponse {
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
