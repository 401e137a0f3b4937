//! Stripe's webhook events: checking the `Stripe-Signature` header, then reading the event.
//!
//! The header looks like `t=1700000000,v1=5257a8…,v1=…`. Each `v1` is the hex HMAC-SHA256, under
//! the endpoint's signing secret, of `"{t}.{raw body}"`. Several `v1` values appear while a
//! secret is being rolled; one match is enough.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tirelire_domain::OrderStatus;

use super::objects::{Charge, Dispute, Invoice, Session, Subscription};
use crate::psp::{PaymentChange, PaymentEvent, WebhookError};

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
    livemode: Option<bool>,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: serde_json::Value,
}

/// Verifies a delivery to the webhook endpoint and reads the event it carries.
pub(super) fn read_event(
    payload: &[u8],
    signature_header: Option<&str>,
    webhook_secret: &str,
    now: i64,
) -> Result<PaymentEvent, WebhookError> {
    verify_signature(payload, signature_header, webhook_secret, now)?;
    let event: Event = serde_json::from_slice(payload)
        .map_err(|error| WebhookError::MalformedEvent(error.to_string()))?;
    read_event_object(event)
}

/// Reads an event from the event list (already authenticated by the API key).
pub(super) fn read_listed_event(value: serde_json::Value) -> Result<PaymentEvent, String> {
    let event: Event = serde_json::from_value(value).map_err(|error| error.to_string())?;
    read_event_object(event).map_err(|error| error.to_string())
}

fn read_event_object(event: Event) -> Result<PaymentEvent, WebhookError> {
    let malformed = |error: serde_json::Error| WebhookError::MalformedEvent(error.to_string());
    let object = event.data.object;
    let session_outcome = match event.kind.as_str() {
        "checkout.session.completed" => Some(None),
        "checkout.session.async_payment_succeeded" => Some(Some(OrderStatus::Paid)),
        "checkout.session.async_payment_failed" => Some(Some(OrderStatus::Failed)),
        "checkout.session.expired" => Some(Some(OrderStatus::Expired)),
        _ => None,
    };
    let change = if let Some(outcome) = session_outcome {
        let session: Session = serde_json::from_value(object).map_err(malformed)?;
        // `completed` says nothing by itself: the session's payment status decides.
        let outcome = outcome.map(Some);
        Some(PaymentChange::Session(session.into_update(outcome)))
    } else if event.kind == "charge.refunded" {
        let charge: Charge = serde_json::from_value(object).map_err(malformed)?;
        charge.into_update().map(PaymentChange::Refund)
    } else if event.kind.starts_with("charge.dispute.") {
        let dispute: Dispute = serde_json::from_value(object).map_err(malformed)?;
        dispute.into_update().map(PaymentChange::Dispute)
    } else if event.kind == "invoice.paid" {
        let invoice: Invoice = serde_json::from_value(object).map_err(malformed)?;
        invoice.into_update().map(PaymentChange::Instalment)
    } else if event.kind == "customer.subscription.deleted" {
        let subscription: Subscription = serde_json::from_value(object).map_err(malformed)?;
        Some(PaymentChange::SubscriptionEnded(subscription.into_end()))
    } else {
        None
    };
    Ok(PaymentEvent {
        id: event.id,
        kind: event.kind,
        live: event.livemode,
        change,
    })
}

#[cfg(test)]
mod tests {
    use tirelire_domain::DisputeStatus;

    use super::*;
    use crate::psp::{DisputeUpdate, PspAmount, RefundUpdate, SessionUpdate};

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

    fn read(body: &[u8]) -> Result<PaymentEvent, WebhookError> {
        let header = header(NOW, &[sign(body, SECRET, NOW)]);
        read_event(body, Some(&header), SECRET, NOW)
    }

    fn session_of(event: Result<PaymentEvent, WebhookError>) -> Option<SessionUpdate> {
        match event.ok()?.change? {
            PaymentChange::Session(update) => Some(update),
            _ => None,
        }
    }

    #[test]
    fn completed_paid_session_means_paid() {
        let body = String::from_utf8_lossy(BODY).replace(
            r#""client_reference_id":"ord_1""#,
            r#""client_reference_id":"ord_1","metadata":{"order_id":"ord_1"},"payment_intent":"pi_1","livemode":false"#,
        );
        let event = read(body.as_bytes());
        assert_eq!(
            event,
            Ok(PaymentEvent {
                id: "evt_1".into(),
                kind: "checkout.session.completed".into(),
                live: None,
                change: Some(PaymentChange::Session(SessionUpdate {
                    session_id: "cs_test_1".into(),
                    order_id: Some("ord_1".into()),
                    outcome: Some(OrderStatus::Paid),
                    amount: Some(PspAmount {
                        minor: 2000,
                        currency: "EUR".into()
                    }),
                    payment_id: Some("pi_1".into()),
                    subscription_id: None,
                    invoice_id: None,
                })),
            })
        );
    }

    #[test]
    fn a_bare_client_reference_is_not_an_order() {
        let update = session_of(read(BODY));
        assert_eq!(update.map(|update| update.order_id), Some(None));
    }

    #[test]
    fn the_events_mode_is_read() {
        let body = String::from_utf8_lossy(BODY).replace(
            r#""type":"checkout.session.completed""#,
            r#""type":"checkout.session.completed","livemode":true"#,
        );
        assert_eq!(read(body.as_bytes()).map(|e| e.live), Ok(Some(true)));
    }

    #[test]
    fn completed_session_awaiting_a_bank_debit_changes_nothing_yet() {
        let body = String::from_utf8_lossy(BODY)
            .replace(r#""payment_status":"paid""#, r#""payment_status":"unpaid""#);
        assert_eq!(
            session_of(read(body.as_bytes())).map(|s| s.outcome),
            Some(None)
        );
    }

    #[test]
    fn expired_session_means_expired() {
        let body = String::from_utf8_lossy(BODY)
            .replace("checkout.session.completed", "checkout.session.expired");
        assert_eq!(
            session_of(read(body.as_bytes())).and_then(|s| s.outcome),
            Some(OrderStatus::Expired)
        );
    }

    #[test]
    fn refunds_carry_the_running_total() {
        let body = br#"{"id":"evt_r","type":"charge.refunded","livemode":false,"data":{"object":{"id":"ch_1","object":"charge","amount":2000,"amount_refunded":500,"refunded":false,"currency":"eur","payment_intent":"pi_1","metadata":{"order_id":"ord_1"}}}}"#;
        assert_eq!(
            read(body).map(|event| event.change),
            Ok(Some(PaymentChange::Refund(RefundUpdate {
                payment_id: "pi_1".into(),
                order_id: Some("ord_1".into()),
                refunded_total: PspAmount {
                    minor: 500,
                    currency: "EUR".into()
                },
            })))
        );
    }

    #[test]
    fn disputes_say_where_they_stand() {
        for (kind, status, expected) in [
            (
                "charge.dispute.created",
                "needs_response",
                DisputeStatus::Open,
            ),
            ("charge.dispute.closed", "lost", DisputeStatus::Lost),
            ("charge.dispute.closed", "won", DisputeStatus::Won),
            (
                "charge.dispute.closed",
                "warning_closed",
                DisputeStatus::Won,
            ),
        ] {
            let body = format!(
                r#"{{"id":"evt_d","type":"{kind}","data":{{"object":{{"id":"du_1","object":"dispute","amount":2000,"currency":"eur","charge":"ch_1","payment_intent":"pi_1","status":"{status}","metadata":{{}}}}}}}}"#
            );
            let change = read(body.as_bytes()).ok().and_then(|event| event.change);
            assert_eq!(
                change,
                Some(PaymentChange::Dispute(DisputeUpdate {
                    payment_id: "pi_1".into(),
                    order_id: None,
                    status: expected,
                    amount: PspAmount {
                        minor: 2000,
                        currency: "EUR".into()
                    },
                })),
                "{kind} {status}"
            );
        }
    }

    #[test]
    fn other_event_types_change_nothing() {
        let body = br#"{"id":"evt_2","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        assert_eq!(read(body).map(|e| e.change), Ok(None));
    }

    #[test]
    fn signed_but_unreadable_event_is_malformed() {
        let body = br#"{"id":"evt_3","type":"checkout.session.completed","data":{"object":{"amount_total":"lots"}}}"#;
        assert!(matches!(read(body), Err(WebhookError::MalformedEvent(_))));
    }

    #[test]
    fn a_later_invoice_of_a_subscription_is_an_instalment_of_its_order() {
        let payload = r#"{"id":"evt_in","type":"invoice.paid","livemode":false,"data":{"object":{
            "id":"in_2","object":"invoice","billing_reason":"subscription_cycle","amount_paid":2000,
            "currency":"eur","status":"paid","parent":{"type":"subscription_details",
            "subscription_details":{"subscription":"sub_1","metadata":{"order_id":"ord_1"}}}}}}"#;
        let event = read(payload.as_bytes());
        let Ok(PaymentEvent {
            change: Some(PaymentChange::Instalment(instalment)),
            ..
        }) = event
        else {
            panic!("{event:?}");
        };
        assert_eq!(instalment.invoice_id, "in_2");
        assert_eq!(instalment.subscription_id, "sub_1");
        assert_eq!(instalment.order_id.as_deref(), Some("ord_1"));
        assert_eq!(instalment.amount.minor, 2000);
        assert!(!instalment.first);
    }

    #[test]
    fn an_invoice_without_a_subscription_is_not_ours() {
        let payload = r#"{"id":"evt_in","type":"invoice.paid","data":{"object":{
            "id":"in_3","object":"invoice","billing_reason":"manual","amount_paid":500,
            "currency":"eur","parent":null}}}"#;
        let event = read(payload.as_bytes());
        assert!(
            matches!(event, Ok(PaymentEvent { change: None, .. })),
            "{event:?}"
        );
    }

    #[test]
    fn a_deleted_subscription_ends_its_gift() {
        let payload = r#"{"id":"evt_sub","type":"customer.subscription.deleted","data":{"object":{
            "id":"sub_1","object":"subscription","status":"canceled",
            "metadata":{"order_id":"ord_1"}}}}"#;
        let event = read(payload.as_bytes());
        let Ok(PaymentEvent {
            change: Some(PaymentChange::SubscriptionEnded(end)),
            ..
        }) = event
        else {
            panic!("{event:?}");
        };
        assert_eq!(end.subscription_id, "sub_1");
        assert_eq!(end.order_id.as_deref(), Some("ord_1"));
    }
}
