//! Stripe's webhook events: checking the `Stripe-Signature` header, then reading the event.
//!
//! The header looks like `t=1700000000,v1=5257a8…,v1=…`. Each `v1` is the hex HMAC-SHA256, under
//! the endpoint's signing secret, of `"{t}.{raw body}"`. Several `v1` values appear while a
//! secret is being rolled; one match is enough.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tirelire_domain::OrderStatus;

use super::Stripe;
use crate::psp::{PaymentEvent, SessionUpdate, WebhookError};

/// How far, in seconds, a signature's timestamp may be from now. Older deliveries are refused so
/// that a captured request cannot be replayed later.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// Checks that `header` signs `payload` under `secret`, at a time within the tolerance of `now`
/// (Unix seconds, passed in so that tests can pin the clock).
pub fn verify_signature(
    payload: &[u8],
    header: Option<&str>,
    secret: &str,
    now: i64,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MalformedSignature)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| WebhookError::MalformedSignature)?,
                );
            }
            // A value that is not hex cannot match; other schemes (v0) are ignored, as Stripe's
            // own libraries do.
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::MalformedSignature)?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedSignature);
    }
    let age = now.saturating_sub(timestamp);
    if age.saturating_abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(WebhookError::StaleSignature { age });
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| WebhookError::SignatureMismatch)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    // `verify_slice` compares in constant time.
    if signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
    {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

#[derive(Deserialize)]
struct SessionObject {
    id: String,
    client_reference_id: Option<String>,
    payment_status: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
}

impl Stripe {
    /// Verifies a delivery to the webhook endpoint and reads the event it carries.
    pub fn read_event(
        payload: &[u8],
        signature_header: Option<&str>,
        webhook_secret: &str,
        now: i64,
    ) -> Result<PaymentEvent, WebhookError> {
        verify_signature(payload, signature_header, webhook_secret, now)?;
        let event: Event = serde_json::from_slice(payload)
            .map_err(|error| WebhookError::MalformedEvent(error.to_string()))?;
        let outcome = match event.kind.as_str() {
            "checkout.session.completed" => None,
            "checkout.session.async_payment_succeeded" => Some(OrderStatus::Paid),
            "checkout.session.async_payment_failed" => Some(OrderStatus::Failed),
            "checkout.session.expired" => Some(OrderStatus::Expired),
            _ => {
                return Ok(PaymentEvent {
                    id: event.id,
                    kind: event.kind,
                    session: None,
                });
            }
        };
        let session: SessionObject = serde_json::from_value(event.data.object)
            .map_err(|error| WebhookError::MalformedEvent(error.to_string()))?;
        // A completed session is paid now, unless the method settles later (a bank debit):
        // then `async_payment_succeeded` or `_failed` follows.
        let outcome = outcome.or_else(|| {
            matches!(
                session.payment_status.as_deref(),
                Some("paid" | "no_payment_required")
            )
            .then_some(OrderStatus::Paid)
        });
        Ok(PaymentEvent {
            id: event.id,
            kind: event.kind,
            session: Some(SessionUpdate {
                session_id: session.id,
                order_id: session.client_reference_id,
                outcome,
                amount: session.amount_total,
                currency: session.currency.map(|code| code.to_ascii_uppercase()),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_800_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","object":"checkout.session","client_reference_id":"ord_1","payment_status":"paid","status":"complete","amount_total":2000,"currency":"eur"}}}"#;

    fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(payload);
        hex::encode(mac.finalize().into_bytes())
    }

    fn header(timestamp: i64, signatures: &[String]) -> String {
        let mut header = format!("t={timestamp}");
        for signature in signatures {
            header.push_str(",v1=");
            header.push_str(signature);
        }
        header
    }

    #[test]
    fn valid_signature_is_accepted() {
        let header = header(NOW, &[sign(BODY, SECRET, NOW)]);
        assert_eq!(verify_signature(BODY, Some(&header), SECRET, NOW), Ok(()));
    }

    #[test]
    fn tampered_body_is_rejected() {
        let header = header(NOW, &[sign(BODY, SECRET, NOW)]);
        let tampered = String::from_utf8_lossy(BODY).replace("2000", "2");
        assert_eq!(
            verify_signature(tampered.as_bytes(), Some(&header), SECRET, NOW),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn wrong_secret_is_rejected() {
        let header = header(NOW, &[sign(BODY, "whsec_other", NOW)]);
        assert_eq!(
            verify_signature(BODY, Some(&header), SECRET, NOW),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn stale_signature_is_rejected_even_when_correct() {
        let then = NOW - SIGNATURE_TOLERANCE_SECS - 1;
        let header = header(then, &[sign(BODY, SECRET, then)]);
        assert_eq!(
            verify_signature(BODY, Some(&header), SECRET, NOW),
            Err(WebhookError::StaleSignature {
                age: SIGNATURE_TOLERANCE_SECS + 1
            })
        );
    }

    #[test]
    fn signature_from_the_future_is_rejected_beyond_tolerance() {
        let later = NOW + SIGNATURE_TOLERANCE_SECS + 1;
        let header = header(later, &[sign(BODY, SECRET, later)]);
        assert!(matches!(
            verify_signature(BODY, Some(&header), SECRET, NOW),
            Err(WebhookError::StaleSignature { .. })
        ));
    }

    #[test]
    fn signature_at_the_edge_of_tolerance_is_accepted() {
        let then = NOW - SIGNATURE_TOLERANCE_SECS;
        let header = header(then, &[sign(BODY, SECRET, then)]);
        assert_eq!(verify_signature(BODY, Some(&header), SECRET, NOW), Ok(()));
    }

    #[test]
    fn one_valid_among_several_v1_values_is_enough() {
        let signatures = [sign(BODY, "whsec_old", NOW), sign(BODY, SECRET, NOW)];
        let header = header(NOW, &signatures);
        assert_eq!(verify_signature(BODY, Some(&header), SECRET, NOW), Ok(()));
    }

    #[test]
    fn signature_over_another_timestamp_is_rejected() {
        let header = header(NOW, &[sign(BODY, SECRET, NOW - 1)]);
        assert_eq!(
            verify_signature(BODY, Some(&header), SECRET, NOW),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn missing_or_garbled_headers_are_malformed() {
        let good = sign(BODY, SECRET, NOW);
        let cases = [
            None,
            Some(String::new()),
            Some("garbage".to_owned()),
            Some(format!("v1={good}")),
            Some(format!("t=soon,v1={good}")),
            Some(format!("t={NOW}")),
            Some(format!("t={NOW},v0={good}")),
            Some(format!("t={NOW},v1=not-hex")),
        ];
        for header in cases {
            assert_eq!(
                verify_signature(BODY, header.as_deref(), SECRET, NOW),
                Err(WebhookError::MalformedSignature),
                "{header:?}"
            );
        }
    }

    #[test]
    fn completed_paid_session_means_paid() {
        let header = header(NOW, &[sign(BODY, SECRET, NOW)]);
        let event = Stripe::read_event(BODY, Some(&header), SECRET, NOW);
        assert_eq!(
            event,
            Ok(PaymentEvent {
                id: "evt_1".into(),
                kind: "checkout.session.completed".into(),
                session: Some(SessionUpdate {
                    session_id: "cs_test_1".into(),
                    order_id: Some("ord_1".into()),
                    outcome: Some(OrderStatus::Paid),
                    amount: Some(2000),
                    currency: Some("EUR".into()),
                }),
            })
        );
    }

    #[test]
    fn completed_session_awaiting_a_bank_debit_changes_nothing_yet() {
        let body = String::from_utf8_lossy(BODY)
            .replace(r#""payment_status":"paid""#, r#""payment_status":"unpaid""#);
        let header = header(NOW, &[sign(body.as_bytes(), SECRET, NOW)]);
        let event = Stripe::read_event(body.as_bytes(), Some(&header), SECRET, NOW);
        assert_eq!(
            event.ok().and_then(|e| e.session).map(|s| s.outcome),
            Some(None)
        );
    }

    #[test]
    fn expired_session_means_expired() {
        let body = String::from_utf8_lossy(BODY)
            .replace("checkout.session.completed", "checkout.session.expired");
        let header = header(NOW, &[sign(body.as_bytes(), SECRET, NOW)]);
        let event = Stripe::read_event(body.as_bytes(), Some(&header), SECRET, NOW);
        assert_eq!(
            event.ok().and_then(|e| e.session).and_then(|s| s.outcome),
            Some(OrderStatus::Expired)
        );
    }

    #[test]
    fn other_event_types_carry_no_session() {
        let body = br#"{"id":"evt_2","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        let header = header(NOW, &[sign(body, SECRET, NOW)]);
        let event = Stripe::read_event(body, Some(&header), SECRET, NOW);
        assert_eq!(event.map(|e| e.session), Ok(None));
    }

    #[test]
    fn signed_but_unreadable_event_is_malformed() {
        let body = br#"{"id":"evt_3","type":"checkout.session.completed","data":{"object":{"amount_total":"lots"}}}"#;
        let header = header(NOW, &[sign(body, SECRET, NOW)]);
        assert!(matches!(
            Stripe::read_event(body, Some(&header), SECRET, NOW),
            Err(WebhookError::MalformedEvent(_))
        ));
    }
}
