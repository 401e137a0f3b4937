//! The simulator's own behaviour: Stripe's checks, error shapes, idempotency and signing.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::{SimConfig, SimHandle, sign, start};
use crate::server::ServerHandle;

const KEY: &str = "sk_test_simulator";
const SECRET: &str = "whsec_simulator";

struct Delivery {
    signature: String,
    body: String,
}

/// A simulator whose webhooks land in the returned channel.
fn simulator() -> (SimHandle, ServerHandle, mpsc::Receiver<Delivery>) {
    let (sender, deliveries) = mpsc::channel();
    let sender = std::sync::Mutex::new(sender);
    let receiver = ServerHandle::start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        1,
        move |mut request| {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let signature = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Stripe-Signature"))
                .map(|h| h.value.to_string())
                .unwrap_or_default();
            let _ = sender
                .lock()
                .map(|sender| sender.send(Delivery { signature, body }));
            let _ = request.respond(tiny_http::Response::from_string("{}"));
        },
    )
    .expect("the receiver listens");
    let sim = start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        SimConfig {
            api_key: KEY.into(),
            webhook_secret: SECRET.into(),
            webhook_url: format!("{}/hook", receiver.url),
        },
    )
    .expect("the simulator listens");
    (sim, receiver, deliveries)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn post_form(
    sim: &SimHandle,
    key: Option<&str>,
    idempotency: Option<&str>,
    form: &[(&'static str, String)],
) -> (u16, Value) {
    let body = serde_urlencoded::to_string(form).expect("a form");
    let mut request = agent()
        .post(format!("{}/v1/checkout/sessions", sim.url))
        .content_type("application/x-www-form-urlencoded");
    if let Some(key) = key {
        request = request.header("Authorization", &format!("Bearer {key}"));
    }
    if let Some(idempotency) = idempotency {
        request = request.header("Idempotency-Key", idempotency);
    }
    let mut response = request.send(body).expect("the simulator answers");
    let status = response.status().as_u16();
    let json = response.body_mut().read_json().unwrap_or(Value::Null);
    (status, json)
}

fn good_form(expires_at: &str) -> Vec<(&'static str, String)> {
    vec![
        ("mode", "payment".into()),
        ("line_items[0][quantity]", "1".into()),
        ("line_items[0][price_data][currency]", "eur".into()),
        ("line_items[0][price_data][unit_amount]", "2000".into()),
        (
            "line_items[0][price_data][product_data][name]",
            "Don".into(),
        ),
        ("success_url", "http://127.0.0.1:1/ok".into()),
        ("cancel_url", "http://127.0.0.1:1/cancel".into()),
        ("client_reference_id", "ord_1".into()),
        ("metadata[order_id]", "ord_1".into()),
        ("expires_at", expires_at.into()),
    ]
}

fn in_31_minutes() -> String {
    (super::now() + 31 * 60).to_string()
}

#[test]
fn requests_without_the_key_get_stripe_401s() {
    let (sim, _receiver, _) = simulator();
    let form = good_form(&in_31_minutes());
    let (status, body) = post_form(&sim, None, None, &form);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    let (status, body) = post_form(&sim, Some("sk_test_wrong"), None, &form);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "api_key_invalid");
}

#[test]
fn a_good_form_opens_a_session_shaped_like_stripes() {
    let (sim, _receiver, _) = simulator();
    let (status, session) = post_form(&sim, Some(KEY), None, &good_form(&in_31_minutes()));
    assert_eq!(status, 200, "{session}");
    assert!(
        session["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("cs_test_"))
    );
    assert_eq!(session["object"], "checkout.session");
    assert_eq!(session["amount_total"], 2000);
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["status"], "open");
    assert_eq!(session["metadata"]["order_id"], "ord_1");
    assert!(
        session["url"]
            .as_str()
            .is_some_and(|url| url.starts_with(&sim.url))
    );
}

#[test]
fn the_simulator_refuses_what_stripe_refuses() {
    let (sim, _receiver, _) = simulator();
    let cases: [(&str, Option<&str>, &str); 5] = [
        (
            "line_items[0][price_data][unit_amount]",
            Some("49"),
            "amount_too_small",
        ),
        ("expires_at", Some("1"), "parameter_invalid_integer"),
        ("success_url", None, "parameter_missing"),
        (
            "line_items[0][price_data][currency]",
            Some("xyz"),
            "parameter_invalid_string",
        ),
        (
            "customer_emial",
            Some("typo@example.fr"),
            "parameter_unknown",
        ),
    ];
    for (param, value, code) in cases {
        let mut form = good_form(&in_31_minutes());
        form.retain(|(key, _)| *key != param);
        if let Some(value) = value {
            form.push((param, value.into()));
        }
        let (status, body) = post_form(&sim, Some(KEY), None, &form);
        assert_eq!(status, 400, "{param}: {body}");
        assert_eq!(body["error"]["code"], code, "{param}: {body}");
        assert_eq!(body["error"]["param"], param, "{param}: {body}");
    }
}

#[test]
fn an_idempotency_key_replays_its_first_answer_and_only_for_the_same_request() {
    let (sim, _receiver, _) = simulator();
    let form = good_form(&in_31_minutes());
    let (_, first) = post_form(&sim, Some(KEY), Some("key-1"), &form);
    let (_, again) = post_form(&sim, Some(KEY), Some("key-1"), &form);
    assert_eq!(first["id"], again["id"]);
    let mut other = form.clone();
    other.push(("metadata[campaign]", "x".into()));
    let (status, body) = post_form(&sim, Some(KEY), Some("key-1"), &other);
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "idempotency_error");
}

#[test]
fn paying_delivers_a_completed_event_signed_as_stripe_signs() {
    let (sim, _receiver, deliveries) = simulator();
    let (_, session) = post_form(&sim, Some(KEY), None, &good_form(&in_31_minutes()));
    let id = session["id"].as_str().expect("a session id");
    let response = agent()
        .post(format!("{}/c/pay/{id}/pay", sim.url))
        .send("")
        .expect("the page answers");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response
            .headers()
            .get("Location")
            .and_then(|v| v.to_str().ok()),
        Some("http://127.0.0.1:1/ok")
    );

    let delivery = deliveries
        .recv_timeout(Duration::from_secs(10))
        .expect("a webhook delivery");
    let event: Value = serde_json::from_str(&delivery.body).expect("a JSON event");
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["data"]["object"]["id"], id);
    assert_eq!(event["data"]["object"]["payment_status"], "paid");
    let timestamp: i64 = delivery
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("a timestamp first");
    assert_eq!(delivery.signature, sign(&delivery.body, SECRET, timestamp));

    // A paid session cannot be paid again.
    let again = agent()
        .post(format!("{}/c/pay/{id}/pay", sim.url))
        .send("")
        .expect("the page answers");
    assert_eq!(again.status().as_u16(), 200);
    assert!(
        deliveries.recv_timeout(Duration::from_millis(500)).is_err(),
        "no second event"
    );
}

#[test]
fn the_signature_is_the_documented_hmac() {
    // HMAC-SHA256("whsec_simulator", "1700000000.{}"), computed independently.
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(b"1700000000.{}");
    let expected = format!(
        "t=1700000000,v1={}",
        hex::encode(mac.finalize().into_bytes())
    );
    assert_eq!(sign("{}", SECRET, 1_700_000_000), expected);
}
