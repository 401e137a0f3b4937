//! Giving money back: `POST /v1/refunds` with the payment intent, for all of what is left or
//! for part of it.

use serde::Deserialize;

use super::{Stripe, objects};
use crate::psp::{HttpRequest, HttpResponse, PspError, RefundOrder, RefundReceipt};

#[derive(Deserialize)]
struct RefundObject {
    id: String,
    amount: i64,
    status: Option<String>,
}

impl Stripe {
    /// The refund request. Its idempotency key names the order and the refund's sequence, so
    /// that a retried click refunds once and a second decision refunds again.
    pub fn refund_request(&self, refund: &RefundOrder<'_>) -> HttpRequest {
        let mut fields = vec![
            ("payment_intent", refund.payment_id.to_owned()),
            ("metadata[order_id]", refund.order_id.to_owned()),
        ];
        if let Some(amount) = refund.amount {
            fields.push(("amount", amount.minor.to_string()));
        }
        let body = serde_urlencoded::to_string(&fields).unwrap_or_default();
        self.post(
            "/v1/refunds",
            body,
            format!("tirelire-refund-{}-{}", refund.order_id, refund.sequence),
        )
    }
}

/// Reads Stripe's answer to a refund request.
pub(super) fn read(response: &HttpResponse) -> Result<RefundReceipt, PspError> {
    let refund: RefundObject = objects::read(response)?;
    Ok(RefundReceipt {
        id: refund.id,
        amount: refund.amount,
        status: refund.status.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use tirelire_domain::{Currency, Money};

    use super::*;

    fn stripe() -> Stripe {
        Stripe::new("https://api.stripe.com", "sk_test_9", None, false)
            .unwrap_or_else(|_| unreachable!())
    }

    fn refund(amount: Option<i64>, sequence: u32) -> HttpRequest {
        stripe().refund_request(&RefundOrder {
            order_id: "ord_1",
            payment_id: "pi_1",
            amount: amount.map(|minor| Money::new(minor, Currency::Eur)),
            sequence,
        })
    }

    #[test]
    fn a_partial_refund_names_the_payment_and_the_amount() {
        let request = refund(Some(500), 0);
        assert_eq!(request.url, "https://api.stripe.com/v1/refunds");
        assert_eq!(
            request.body.as_deref(),
            Some("payment_intent=pi_1&metadata%5Border_id%5D=ord_1&amount=500")
        );
        assert!(
            request
                .headers
                .contains(&("Idempotency-Key".into(), "tirelire-refund-ord_1-0".into()))
        );
    }

    #[test]
    fn a_full_refund_names_no_amount() {
        let request = refund(None, 1);
        assert_eq!(
            request.body.as_deref(),
            Some("payment_intent=pi_1&metadata%5Border_id%5D=ord_1")
        );
        assert!(
            request
                .headers
                .contains(&("Idempotency-Key".into(), "tirelire-refund-ord_1-1".into()))
        );
    }

    #[test]
    fn the_refund_is_read_back() {
        let response = HttpResponse {
            status: 200,
            body: r#"{"id":"re_1","object":"refund","amount":500,"currency":"eur","payment_intent":"pi_1","status":"succeeded"}"#.into(),
        };
        assert_eq!(
            read(&response),
            Ok(RefundReceipt {
                id: "re_1".into(),
                amount: 500,
                status: "succeeded".into()
            })
        );
        let refused = HttpResponse {
            status: 400,
            body: r#"{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}"#.into(),
        };
        assert!(matches!(read(&refused), Err(PspError::Rejected { .. })));
    }
}
