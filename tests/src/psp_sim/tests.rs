//! The simulator's own behaviour: Stripe's checks, error shapes, authentication, idempotency,
//! payments, refunds, disputes, event pagination, signing, and the faults tests can arm.

use std::net::SocketAddr;
use std::sync::{Barrier, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use super::{Account, Reply, SimConfig, SimHandle, State, auth, idempotency, sign, start};
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

/// What the simulator answered.
struct Answer {
    status: u16,
    content_type: String,
    replayed: bool,
    stripe_version: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// Sends `method path` with `headers` and, for a POST, `form` as the body.
fn call(
    sim: &SimHandle,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    form: &[(&str, String)],
) -> Answer {
    let url = format!("{}{path}", sim.url);
    let agent = agent();
    let sent = if method == "POST" {
        let mut request = agent
            .post(&url)
            .content_type("application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send(serde_urlencoded::to_string(form).expect("a form"))
    } else {
        let mut request = if method == "DELETE" {
            agent.delete(&url)
        } else {
            agent.get(&url)
        };
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.call()
    };
    let mut response = sent.expect("the simulator answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("Content-Type").unwrap_or_default();
    let replayed = header("Idempotent-Replayed").as_deref() == Some("true");
    let stripe_version = header("Stripe-Version");
    let text = response.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status: response.status().as_u16(),
        content_type,
        replayed,
        stripe_version,
        text,
    }
}

fn bearer() -> (&'static str, String) {
    ("Authorization", format!("Bearer {KEY}"))
}

/// An authenticated POST to the API.
fn api_post(sim: &SimHandle, path: &str, form: &[(&str, String)]) -> (u16, Value) {
    let answer = call(sim, "POST", path, &[bearer()], form);
    (answer.status, answer.json())
}

/// An authenticated GET to the API.
fn api_get(sim: &SimHandle, path: &str) -> (u16, Value) {
    let answer = call(sim, "GET", path, &[bearer()], &[]);
    (answer.status, answer.json())
}

fn post_form(
    sim: &SimHandle,
    key: Option<&str>,
    idempotency: Option<&str>,
    form: &[(&'static str, String)],
) -> (u16, Value) {
    let mut headers = Vec::new();
    if let Some(key) = key {
        headers.push(("Authorization", format!("Bearer {key}")));
    }
    if let Some(idempotency) = idempotency {
        headers.push(("Idempotency-Key", idempotency.to_owned()));
    }
    let answer = call(sim, "POST", "/v1/checkout/sessions", &headers, form);
    (answer.status, answer.json())
}

/// The next webhook delivery, checked to be signed as Stripe signs.
fn next_event(deliveries: &mpsc::Receiver<Delivery>) -> Value {
    let delivery = deliveries
        .recv_timeout(Duration::from_secs(10))
        .expect("a webhook delivery");
    let timestamp: i64 = delivery
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("a timestamp first");
    assert_eq!(delivery.signature, sign(&delivery.body, SECRET, timestamp));
    serde_json::from_str(&delivery.body).expect("a JSON event")
}

/// Presses Pay on the hosted page of session `id`.
fn pay(sim: &SimHandle, id: &str) -> u16 {
    agent()
        .post(format!("{}/c/pay/{id}/pay", sim.url))
        .send("")
        .expect("the page answers")
        .status()
        .as_u16()
}

/// A session of 20 € for order `ord_1`, paid; its completed event is taken from `deliveries`.
/// Returns the session and its PaymentIntent's id.
fn paid_session(sim: &SimHandle, deliveries: &mpsc::Receiver<Delivery>) -> (Value, String) {
    let (status, session) = post_form(sim, Some(KEY), None, &good_form(&in_31_minutes()));
    assert_eq!(status, 200, "{session}");
    let id = session["id"].as_str().expect("a session id");
    assert_eq!(pay(sim, id), 303);
    assert_eq!(next_event(deliveries)["type"], "checkout.session.completed");
    let (_, session) = api_get(sim, &format!("/v1/checkout/sessions/{id}"));
    let intent = session["payment_intent"]
        .as_str()
        .expect("a paid session names its payment intent")
        .to_owned();
    (session, intent)
}

/// Arms `count` faults of `kind` for `campaign`.
fn arm(sim: &SimHandle, campaign: &str, kind: &str, count: u32) -> Answer {
    call(
        sim,
        "POST",
        "/_sim/faults",
        &[],
        &[
            ("campaign", campaign.into()),
            ("kind", kind.into()),
            ("count", count.to_string()),
        ],
    )
}

/// A good form for a session of `campaign`.
fn campaign_form(campaign: &str) -> Vec<(&'static str, String)> {
    let mut form = good_form(&in_31_minutes());
    form.push(("metadata[campaign]", campaign.into()));
    form
}

fn session_count(sim: &SimHandle) -> usize {
    let (_, sessions) = api_get(sim, "/v1/checkout/sessions");
    sessions["data"].as_array().map_or(0, Vec::len)
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
        ("payment_intent_data[metadata][order_id]", "ord_1".into()),
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

#[test]
fn basic_auth_with_the_key_as_user_name_is_accepted() {
    let (sim, _receiver, _) = simulator();
    let basic = |credentials: &str| {
        (
            "Authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            ),
        )
    };
    let form = good_form(&in_31_minutes());
    let answer = call(
        &sim,
        "POST",
        "/v1/checkout/sessions",
        &[basic(&format!("{KEY}:"))],
        &form,
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json()["object"], "checkout.session");

    let answer = call(
        &sim,
        "POST",
        "/v1/checkout/sessions",
        &[basic("sk_test_wrong:")],
        &form,
    );
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"]["code"], "api_key_invalid");

    let garbled = ("Authorization", "Basic !!not base64!!".to_owned());
    let answer = call(&sim, "GET", "/v1/checkout/sessions", &[garbled], &[]);
    assert_eq!(answer.status, 401);
    assert_eq!(answer.json()["error"]["type"], "invalid_request_error");
    assert_eq!(session_count(&sim), 1);
}

#[test]
fn an_unknown_stripe_version_is_refused_and_a_known_one_is_echoed() {
    let (sim, _receiver, _) = simulator();
    for bad in ["2025-13-45.bogus", "clover", "2025-09-30.Clover"] {
        let answer = call(
            &sim,
            "GET",
            "/v1/checkout/sessions",
            &[bearer(), ("Stripe-Version", bad.into())],
            &[],
        );
        assert_eq!(answer.status, 400, "{bad}");
        assert_eq!(
            answer.json(),
            json!({ "error": {
                "type": "invalid_request_error",
                "message": format!("Invalid Stripe API version: {bad}"),
            }})
        );
    }
    for good in [
        "2025-09-30.clover",
        "2025-11-17.clover",
        "2025-12-15.clover",
        "2026-02-25.clover",
        "2025-03-31.basil",
        "2024-09-30.acacia",
        "2026-03-25.dahlia",
    ] {
        let answer = call(
            &sim,
            "GET",
            "/v1/checkout/sessions",
            &[bearer(), ("Stripe-Version", good.into())],
            &[],
        );
        assert_eq!(answer.status, 200, "{good}: {}", answer.text);
        assert_eq!(answer.stripe_version.as_deref(), Some(good));
    }
    let answer = call(&sim, "GET", "/v1/checkout/sessions", &[bearer()], &[]);
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.stripe_version.as_deref(),
        Some(auth::ACCOUNT_VERSION)
    );
}

#[test]
fn every_known_version_is_a_date_with_an_optional_release_name() {
    for version in auth::KNOWN_VERSIONS {
        let (date, name) = version.split_once('.').unwrap_or((version, "x"));
        let digits: Vec<&str> = date.split('-').collect();
        assert!(
            digits.iter().map(|part| part.len()).eq([4, 2, 2])
                && digits
                    .iter()
                    .all(|part| part.bytes().all(|b| b.is_ascii_digit())),
            "{version}"
        );
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()),
            "{version}"
        );
    }
}

#[test]
fn a_retry_during_a_hanging_answer_replays_the_one_session() {
    let (sim, _receiver, _) = simulator();
    assert_eq!(arm(&sim, "slow", "hang", 1).status, 200);
    let form = campaign_form("slow");
    let started = Instant::now();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| post_form(&sim, Some(KEY), Some("same-key"), &form));
        std::thread::sleep(Duration::from_millis(500));
        assert!(!first.is_finished(), "the first answer hangs");
        let retry = call(
            &sim,
            "POST",
            "/v1/checkout/sessions",
            &[bearer(), ("Idempotency-Key", "same-key".into())],
            &form,
        );
        assert_eq!(retry.status, 200, "{}", retry.text);
        assert!(retry.replayed);
        assert!(
            !first.is_finished(),
            "the retry overtook the hanging answer"
        );
        let (status, session) = first.join().expect("the first request ends");
        assert_eq!(status, 200);
        assert_eq!(session["id"], retry.json()["id"]);
    });
    assert!(started.elapsed() >= Duration::from_secs(4));
    assert_eq!(session_count(&sim), 1);
}

#[test]
fn concurrent_requests_with_one_key_open_one_session() {
    let (sim, _receiver, _) = simulator();
    let form = good_form(&in_31_minutes());
    let barrier = Barrier::new(6);
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let requests: Vec<_> = (0..6)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    post_form(&sim, Some(KEY), Some("raced-key"), &form)
                })
            })
            .collect();
        requests
            .into_iter()
            .map(|request| request.join().expect("a request ends"))
            .collect()
    });
    let ids: Vec<&Value> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .map(|(_, session)| &session["id"])
        .collect();
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|id| *id == ids[0]), "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == 200 || (*status == 409 && body["error"]["code"] == "idempotency_key_in_use"),
            "{status}: {body}"
        );
    }
    assert_eq!(session_count(&sim), 1);
}

fn bare_account() -> Account {
    Account {
        config: SimConfig {
            api_key: KEY.into(),
            webhook_secret: SECRET.into(),
            webhook_url: "http://127.0.0.1:1/hook".into(),
        },
        base_url: OnceLock::new(),
        state: Mutex::new(State::default()),
    }
}

#[test]
fn a_key_whose_first_request_still_runs_answers_409() {
    let account = bare_account();
    let params = vec![("amount".to_owned(), "500".to_owned())];
    let (started, running) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let executions = Mutex::new(0);
    let count = || {
        *executions.lock().expect("not poisoned") += 1;
    };
    std::thread::scope(|scope| {
        let (account, params, count) = (&account, &params, &count);
        let first = scope.spawn(move || {
            idempotency::run(account, "/v1/refunds", Some("k"), params, || {
                count();
                let _ = started.send(());
                // Bounded, so that a failing assertion below cannot leave it waiting for ever.
                let _ = released.recv_timeout(Duration::from_secs(10));
                Reply::json(200, &json!({ "id": "re_1" }))
            })
        });
        running
            .recv_timeout(Duration::from_secs(5))
            .expect("the first request runs");
        let second = idempotency::run(account, "/v1/refunds", Some("k"), params, || {
            count();
            Reply::json(200, &json!({ "id": "re_2" }))
        });
        assert_eq!(second.status, 409);
        let body: Value = serde_json::from_str(&second.body).expect("JSON");
        assert_eq!(body["error"]["type"], "idempotency_error");
        assert_eq!(body["error"]["code"], "idempotency_key_in_use");
        assert_eq!(
            body["error"]["message"],
            "There is currently another in-progress request using this Stripe API Idempotency-Key. Please try again later."
        );
        let _ = release.send(());
        assert_eq!(first.join().expect("the first ends").status, 200);
    });
    let replay = idempotency::run(&account, "/v1/refunds", Some("k"), &params, || {
        count();
        Reply::json(200, &json!({ "id": "re_3" }))
    });
    assert!(replay.body.contains("re_1"));
    assert!(
        replay
            .headers
            .contains(&("Idempotent-Replayed", "true".into()))
    );
    // Keys are scoped to their path.
    let elsewhere = idempotency::run(
        &account,
        "/v1/checkout/sessions",
        Some("k"),
        &params,
        || {
            count();
            Reply::json(200, &json!({ "id": "cs_1" }))
        },
    );
    assert!(elsewhere.body.contains("cs_1"));
    assert_eq!(*executions.lock().expect("not poisoned"), 2);
}

#[test]
fn a_request_refused_for_its_parameters_leaves_its_key_free() {
    let account = bare_account();
    let first = vec![("amount".to_owned(), "-1".to_owned())];
    let refused = idempotency::run(&account, "/v1/refunds", Some("k"), &first, || {
        Reply::invalid("amount", "parameter_invalid_integer", "no")
    });
    assert_eq!(refused.status, 400);
    let corrected = vec![("amount".to_owned(), "500".to_owned())];
    let accepted = idempotency::run(&account, "/v1/refunds", Some("k"), &corrected, || {
        Reply::json(200, &json!({ "id": "re_1" }))
    });
    assert_eq!(accepted.status, 200);
    let other = idempotency::run(&account, "/v1/refunds", Some("k"), &first, || {
        Reply::json(200, &json!({ "id": "re_2" }))
    });
    assert_eq!(other.status, 400);
    assert!(other.body.contains("idempotency_error"));
}

#[test]
fn paying_creates_a_payment_intent_and_a_charge_that_carry_its_metadata() {
    let (sim, _receiver, deliveries) = simulator();
    let (session, intent_id) = paid_session(&sim, &deliveries);
    assert!(intent_id.starts_with("pi_"));
    let (status, intent) = api_get(&sim, &format!("/v1/payment_intents/{intent_id}"));
    assert_eq!(status, 200);
    assert_eq!(intent["object"], "payment_intent");
    assert_eq!(intent["status"], "succeeded");
    assert_eq!(intent["amount"], session["amount_total"]);
    assert_eq!(intent["metadata"], json!({ "order_id": "ord_1" }));
    let charge_id = intent["latest_charge"].as_str().expect("a charge");
    let (status, charge) = api_get(&sim, &format!("/v1/charges/{charge_id}"));
    assert_eq!(status, 200);
    assert_eq!(charge["object"], "charge");
    assert_eq!(charge["payment_intent"], intent_id.as_str());
    assert_eq!(charge["amount_captured"], 2000);
    assert_eq!(charge["amount_refunded"], 0);
    assert_eq!(charge["paid"], true);
    assert_eq!(charge["metadata"]["order_id"], "ord_1");
    let (status, missing) = api_get(&sim, "/v1/payment_intents/pi_nope");
    assert_eq!(status, 404);
    assert_eq!(missing["error"]["code"], "resource_missing");
    assert_eq!(
        missing["error"]["message"],
        "No such payment_intent: 'pi_nope'"
    );
}

#[test]
fn refunds_add_up_and_an_over_refund_is_refused() {
    let (sim, _receiver, deliveries) = simulator();
    let (_, intent) = paid_session(&sim, &deliveries);
    let (status, first) = api_post(
        &sim,
        "/v1/refunds",
        &[("payment_intent", intent.clone()), ("amount", "500".into())],
    );
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["object"], "refund");
    assert_eq!(first["amount"], 500);
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["payment_intent"], intent.as_str());
    let charge_id = first["charge"].as_str().expect("a charge").to_owned();
    let charge_path = format!("/v1/charges/{charge_id}");
    let (_, charge) = api_get(&sim, &charge_path);
    assert_eq!(
        (
            charge["amount_refunded"].clone(),
            charge["refunded"].clone()
        ),
        (json!(500), json!(false))
    );

    let (status, too_much) = api_post(
        &sim,
        "/v1/refunds",
        &[
            ("payment_intent", intent.clone()),
            ("amount", "2000".into()),
        ],
    );
    assert_eq!(status, 400);
    assert_eq!(too_much["error"]["param"], "amount");
    assert_eq!(
        too_much["error"]["message"],
        "Refund amount (€20.00) is greater than unrefunded amount on charge (€15.00)"
    );
    let (status, zero) = api_post(
        &sim,
        "/v1/refunds",
        &[("payment_intent", intent.clone()), ("amount", "0".into())],
    );
    assert_eq!(status, 400);
    assert_eq!(zero["error"]["code"], "parameter_invalid_integer");

    // Without an amount, the rest; by charge this time.
    let (status, rest) = api_post(&sim, "/v1/refunds", &[("charge", charge_id.clone())]);
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["amount"], 1500);
    let (_, charge) = api_get(&sim, &charge_path);
    assert_eq!(
        (
            charge["amount_refunded"].clone(),
            charge["refunded"].clone()
        ),
        (json!(2000), json!(true))
    );

    let (status, again) = api_post(
        &sim,
        "/v1/refunds",
        &[("payment_intent", intent.clone()), ("amount", "100".into())],
    );
    assert_eq!(status, 400);
    assert_eq!(
        again["error"],
        json!({
            "type": "invalid_request_error",
            "code": "charge_already_refunded",
            "message": format!("Charge {charge_id} has already been refunded."),
        })
    );
    let (_, charge) = api_get(&sim, &charge_path);
    assert_eq!(charge["amount_refunded"], 2000);

    let (status, fetched) = api_get(
        &sim,
        &format!("/v1/refunds/{}", rest["id"].as_str().unwrap_or_default()),
    );
    assert_eq!(status, 200);
    assert_eq!(fetched, rest);
}

#[test]
fn a_refund_names_an_existing_payment() {
    let (sim, _receiver, _) = simulator();
    let (status, unknown) = api_post(&sim, "/v1/refunds", &[("payment_intent", "pi_x".into())]);
    assert_eq!(status, 404);
    assert_eq!(unknown["error"]["code"], "resource_missing");
    assert_eq!(unknown["error"]["param"], "payment_intent");
    assert_eq!(
        unknown["error"]["message"],
        "No such payment_intent: 'pi_x'"
    );
    let (status, unnamed) = api_post(&sim, "/v1/refunds", &[("amount", "100".into())]);
    assert_eq!(status, 400);
    assert_eq!(unnamed["error"]["code"], "parameter_missing");
}

#[test]
fn refunds_deliver_charge_refunded_with_the_running_total() {
    let (sim, _receiver, deliveries) = simulator();
    let (_, intent) = paid_session(&sim, &deliveries);
    let mut refund_ids = Vec::new();
    for (amount, total, before) in [(500, 500, 0), (700, 1200, 500)] {
        let answer = call(
            &sim,
            "POST",
            "/v1/refunds",
            &[bearer(), ("Idempotency-Key", format!("refund-{amount}"))],
            &[
                ("payment_intent", intent.clone()),
                ("amount", amount.to_string()),
                ("metadata[order_id]", "ord_1".into()),
            ],
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        let refund = answer.json();
        refund_ids.push(refund["id"].clone());
        let charged = next_event(&deliveries);
        assert_eq!(charged["type"], "charge.refunded");
        let charge = &charged["data"]["object"];
        assert_eq!(charge["object"], "charge");
        assert_eq!(charge["amount_refunded"], total);
        assert_eq!(charge["refunded"], false);
        assert_eq!(charge["payment_intent"], intent.as_str());
        assert_eq!(charge["metadata"]["order_id"], "ord_1");
        assert_eq!(
            charged["data"]["previous_attributes"]["amount_refunded"],
            before
        );
        let created = next_event(&deliveries);
        assert_eq!(created["type"], "refund.created");
        assert_eq!(created["data"]["object"], refund);
    }
    // A retried refund is the same refund, and tells nobody twice.
    let retry = call(
        &sim,
        "POST",
        "/v1/refunds",
        &[bearer(), ("Idempotency-Key", "refund-500".into())],
        &[
            ("payment_intent", intent.clone()),
            ("amount", "500".into()),
            ("metadata[order_id]", "ord_1".into()),
        ],
    );
    assert!(retry.replayed);
    assert_eq!(retry.json()["id"], refund_ids[0]);
    assert!(deliveries.recv_timeout(Duration::from_millis(500)).is_err());

    // The last refund completes the charge, and says so.
    let (status, _) = api_post(&sim, "/v1/refunds", &[("payment_intent", intent.clone())]);
    assert_eq!(status, 200);
    let charged = next_event(&deliveries);
    assert_eq!(charged["data"]["object"]["amount_refunded"], 2000);
    assert_eq!(charged["data"]["object"]["refunded"], true);
    assert_eq!(charged["data"]["previous_attributes"]["refunded"], false);
}

#[test]
fn a_lost_dispute_delivers_created_then_closed_events_naming_the_payment() {
    let (sim, _receiver, deliveries) = simulator();
    let (_, intent) = paid_session(&sim, &deliveries);
    let opened = call(
        &sim,
        "POST",
        &format!("/_sim/charges/{intent}/dispute"),
        &[],
        &[],
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    let dispute = opened.json();
    let dispute_id = dispute["id"].as_str().expect("a dispute id").to_owned();
    assert!(dispute_id.starts_with("du_"));
    assert_eq!(dispute["status"], "needs_response");
    assert_eq!(dispute["amount"], 2000);
    assert_eq!(dispute["reason"], "fraudulent");
    let created = next_event(&deliveries);
    assert_eq!(created["type"], "charge.dispute.created");
    assert_eq!(created["data"]["object"]["id"], dispute_id.as_str());
    assert_eq!(created["data"]["object"]["payment_intent"], intent.as_str());

    let charge_path = format!(
        "/v1/charges/{}",
        dispute["charge"].as_str().unwrap_or_default()
    );
    assert_eq!(api_get(&sim, &charge_path).1["disputed"], true);
    let (status, refused) = api_post(&sim, "/v1/refunds", &[("payment_intent", intent.clone())]);
    assert_eq!(status, 400);
    assert_eq!(refused["error"]["code"], "charge_disputed");

    let close = |status: &str| {
        call(
            &sim,
            "POST",
            &format!("/_sim/disputes/{dispute_id}/close"),
            &[],
            &[("status", status.into())],
        )
    };
    assert_eq!(close("maybe").status, 400);
    let closed = close("lost");
    assert_eq!(closed.status, 200, "{}", closed.text);
    let event = next_event(&deliveries);
    assert_eq!(event["type"], "charge.dispute.closed");
    assert_eq!(event["data"]["object"]["status"], "lost");
    assert_eq!(event["data"]["object"]["payment_intent"], intent.as_str());
    assert_eq!(close("won").status, 400);
    assert!(deliveries.recv_timeout(Duration::from_millis(300)).is_err());
    let (status, fetched) = api_get(&sim, &format!("/v1/disputes/{dispute_id}"));
    assert_eq!(status, 200);
    assert_eq!(fetched["status"], "lost");
}

fn event_ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|event| event["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_event_list_pages_from_a_cursor_as_stripe_does() {
    let (sim, _receiver, deliveries) = simulator();
    // Five events within a second or two, in a known order: the order they were delivered.
    let mut order = Vec::new();
    for _ in 0..5 {
        let (_, session) = post_form(&sim, Some(KEY), None, &good_form(&in_31_minutes()));
        let id = session["id"].as_str().expect("a session id");
        let (status, _) = api_post(&sim, &format!("/v1/checkout/sessions/{id}/expire"), &[]);
        assert_eq!(status, 200);
        order.push(
            next_event(&deliveries)["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
        );
    }
    let e = |i: usize| order[i].clone();
    let page = |query: &str| {
        let (status, page) = api_get(&sim, &format!("/v1/events?{query}"));
        assert_eq!(status, 200, "{query}: {page}");
        (
            event_ids(&page),
            page["has_more"].as_bool().expect("has_more"),
        )
    };
    assert_eq!(page("limit=2"), (vec![e(4), e(3)], true));
    assert_eq!(page(""), ((0..5).rev().map(e).collect(), false));
    assert_eq!(
        page(&format!("limit=2&ending_before={}", e(0))),
        (vec![e(2), e(1)], true)
    );
    assert_eq!(
        page(&format!("limit=2&ending_before={}", e(2))),
        (vec![e(4), e(3)], false)
    );
    assert_eq!(page(&format!("ending_before={}", e(4))), (vec![], false));
    assert_eq!(
        page(&format!("limit=2&starting_after={}", e(3))),
        (vec![e(2), e(1)], true)
    );
    assert_eq!(
        page(&format!("limit=2&starting_after={}", e(1))),
        (vec![e(0)], false)
    );

    // A sixth event, of another type.
    paid_session(&sim, &deliveries);
    assert_eq!(page("type=checkout.session.completed").0.len(), 1);
    assert_eq!(page("type=checkout.session.*").0.len(), 6);
    assert_eq!(
        page(&format!(
            "type=checkout.session.expired&ending_before={}",
            e(3)
        )),
        (vec![e(4)], false)
    );
    assert!(page("type=charge.*").0.is_empty());

    let (status, unknown) = api_get(&sim, "/v1/events?ending_before=evt_nope");
    assert_eq!(status, 404);
    assert_eq!(unknown["error"]["code"], "resource_missing");
    let (status, _) = api_get(
        &sim,
        &format!("/v1/events?ending_before={}&starting_after={}", e(1), e(3)),
    );
    assert_eq!(status, 400);
    for limit in ["0", "101", "ten"] {
        let (status, refused) = api_get(&sim, &format!("/v1/events?limit={limit}"));
        assert_eq!(status, 400, "{limit}");
        assert_eq!(
            refused["error"]["code"], "parameter_invalid_integer",
            "{limit}"
        );
    }
}

#[test]
fn an_error_fault_answers_500_and_creates_nothing() {
    let (sim, _receiver, _) = simulator();
    assert_eq!(arm(&sim, "broken", "error", 1).status, 200);
    let form = campaign_form("broken");
    let (status, body) = post_form(&sim, Some(KEY), Some("k-error"), &form);
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!({ "error": { "type": "api_error", "message": "An unknown error occurred" } })
    );
    assert_eq!(session_count(&sim), 0);
    // The fault is spent and the key was never used: the retry creates the session.
    let (status, session) = post_form(&sim, Some(KEY), Some("k-error"), &form);
    assert_eq!(status, 200, "{session}");
    assert_eq!(session_count(&sim), 1);
}

#[test]
fn a_garbage_fault_answers_html_yet_the_session_exists() {
    let (sim, _receiver, _) = simulator();
    assert_eq!(arm(&sim, "proxied", "garbage", 1).status, 200);
    let form = campaign_form("proxied");
    let headers = [bearer(), ("Idempotency-Key", "k-garbage".to_owned())];
    let garbled = call(&sim, "POST", "/v1/checkout/sessions", &headers, &form);
    assert_eq!(garbled.status, 200);
    assert!(garbled.content_type.starts_with("text/html"));
    assert_eq!(garbled.text, "<html><body>502 Bad Gateway</body></html>");
    let (_, sessions) = api_get(&sim, "/v1/checkout/sessions");
    assert_eq!(sessions["data"].as_array().map(Vec::len), Some(1));
    let retry = call(&sim, "POST", "/v1/checkout/sessions", &headers, &form);
    assert!(retry.replayed);
    assert_eq!(retry.json()["id"], sessions["data"][0]["id"]);
}

#[test]
fn a_no_webhook_fault_loses_the_delivery_but_not_the_event() {
    let (sim, _receiver, deliveries) = simulator();
    assert_eq!(arm(&sim, "quiet", "no_webhook", 1).status, 200);
    let (status, lost) = post_form(&sim, Some(KEY), None, &campaign_form("quiet"));
    assert_eq!(status, 200, "the fault waits for the payment");
    let lost_id = lost["id"].as_str().expect("a session id");
    assert_eq!(pay(&sim, lost_id), 303);
    assert!(
        deliveries.recv_timeout(Duration::from_millis(700)).is_err(),
        "nothing delivered"
    );
    let (_, listed) = api_get(&sim, "/v1/events?type=checkout.session.completed");
    assert_eq!(listed["data"][0]["data"]["object"]["id"], lost_id);
    assert_eq!(
        listed["data"][0]["data"]["object"]["payment_status"],
        "paid"
    );

    // Spent: the next payment of the campaign is delivered.
    let (_, next) = post_form(&sim, Some(KEY), None, &campaign_form("quiet"));
    let next_id = next["id"].as_str().expect("a session id");
    assert_eq!(pay(&sim, next_id), 303);
    assert_eq!(next_event(&deliveries)["data"]["object"]["id"], next_id);
    // And the lost one can still be sent by hand.
    let lost_event = listed["data"][0]["id"].as_str().expect("an event id");
    let resent = call(
        &sim,
        "POST",
        &format!("/_sim/events/{lost_event}/resend"),
        &[],
        &[],
    );
    assert_eq!(resent.status, 200);
    assert_eq!(next_event(&deliveries)["id"], lost_event);
}

#[test]
fn faults_refuse_unknown_kinds_and_can_be_cleared() {
    let (sim, _receiver, _) = simulator();
    let refused = arm(&sim, "any", "explode", 1);
    assert_eq!(refused.status, 400);
    assert_eq!(refused.json()["error"]["param"], "kind");
    assert_eq!(
        arm(&sim, "any", "error", 3).json()["armed"][0]["remaining"],
        3
    );
    let cleared = call(&sim, "DELETE", "/_sim/faults", &[], &[]);
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["armed"], json!([]));
    let (status, _) = post_form(&sim, Some(KEY), None, &campaign_form("any"));
    assert_eq!(status, 200);
}

/// A good form for a monthly gift of 20 € for order `ord_1`, as the edge sends it.
fn monthly_form() -> Vec<(&'static str, String)> {
    vec![
        ("mode", "subscription".into()),
        ("line_items[0][quantity]", "1".into()),
        ("line_items[0][price_data][currency]", "eur".into()),
        ("line_items[0][price_data][unit_amount]", "2000".into()),
        (
            "line_items[0][price_data][product_data][name]",
            "Don mensuel".into(),
        ),
        (
            "line_items[0][price_data][recurring][interval]",
            "month".into(),
        ),
        ("success_url", "http://127.0.0.1:1/ok".into()),
        ("cancel_url", "http://127.0.0.1:1/cancel".into()),
        ("client_reference_id", "ord_1".into()),
        ("customer_email", "donor@example.fr".into()),
        ("locale", "fr".into()),
        ("expires_at", in_31_minutes()),
        ("metadata[order_id]", "ord_1".into()),
        ("metadata[campaign]", "monthly".into()),
        ("subscription_data[metadata][order_id]", "ord_1".into()),
        ("subscription_data[metadata][campaign]", "monthly".into()),
    ]
}

/// A monthly gift paid on the hosted page; its two events are taken from `deliveries`.
/// Returns the subscription's id and its first invoice.
fn paid_subscription(
    sim: &SimHandle,
    deliveries: &mpsc::Receiver<Delivery>,
    form: &[(&'static str, String)],
) -> (String, Value) {
    let (status, session) = post_form(sim, Some(KEY), None, form);
    assert_eq!(status, 200, "{session}");
    assert_eq!(pay(sim, session["id"].as_str().expect("a session id")), 303);
    assert_eq!(next_event(deliveries)["type"], "checkout.session.completed");
    let paid = next_event(deliveries);
    assert_eq!(paid["type"], "invoice.paid");
    let invoice = paid["data"]["object"].clone();
    let subscription = invoice["parent"]["subscription_details"]["subscription"]
        .as_str()
        .expect("the invoice names its subscription")
        .to_owned();
    (subscription, invoice)
}

fn next_month(sim: &SimHandle, subscription: &str) -> Answer {
    call(
        sim,
        "POST",
        &format!("/_sim/subscriptions/{subscription}/next_month"),
        &[],
        &[],
    )
}

fn cancel(sim: &SimHandle, subscription: &str) -> (u16, Value) {
    let answer = call(
        sim,
        "DELETE",
        &format!("/v1/subscriptions/{subscription}"),
        &[bearer()],
        &[],
    );
    (answer.status, answer.json())
}

#[test]
fn a_subscription_session_paid_makes_a_subscription_and_a_first_invoice() {
    let (sim, _receiver, deliveries) = simulator();
    let (status, session) = post_form(&sim, Some(KEY), None, &monthly_form());
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["mode"], "subscription");
    assert_eq!(session["amount_total"], 2000);
    assert_eq!(session["currency"], "eur");
    assert_eq!(session["metadata"]["order_id"], "ord_1");
    for unset in ["payment_intent", "subscription", "invoice", "customer"] {
        assert_eq!(session[unset], Value::Null, "{unset}");
    }
    let id = session["id"].as_str().expect("a session id");
    let page = call(&sim, "GET", &format!("/c/pay/{id}"), &[], &[]);
    assert!(page.text.contains("20,00 EUR par mois"), "{}", page.text);

    assert_eq!(pay(&sim, id), 303);
    let completed = next_event(&deliveries);
    assert_eq!(completed["type"], "checkout.session.completed");
    let session = &completed["data"]["object"];
    assert_eq!(session["status"], "complete");
    assert_eq!(session["payment_status"], "paid");
    assert_eq!(session["payment_intent"], Value::Null);
    let subscription_id = session["subscription"].as_str().expect("a subscription");
    let invoice_id = session["invoice"].as_str().expect("an invoice");
    let customer = session["customer"].as_str().expect("a customer");
    assert!(subscription_id.starts_with("sub_"));
    assert!(invoice_id.starts_with("in_"));
    assert!(customer.starts_with("cus_"));

    let paid = next_event(&deliveries);
    assert_eq!(paid["type"], "invoice.paid");
    let invoice = &paid["data"]["object"];
    assert_eq!(invoice["id"], invoice_id);
    assert_eq!(invoice["object"], "invoice");
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["billing_reason"], "subscription_create");
    assert_eq!(
        (
            invoice["amount_due"].clone(),
            invoice["amount_paid"].clone(),
            invoice["amount_remaining"].clone()
        ),
        (json!(2000), json!(2000), json!(0))
    );
    assert_eq!(invoice["currency"], "eur");
    assert_eq!(invoice["customer"], customer);
    assert_eq!(invoice["customer_email"], "donor@example.fr");
    assert_eq!(invoice["parent"]["type"], "subscription_details");
    let details = &invoice["parent"]["subscription_details"];
    assert_eq!(details["subscription"], subscription_id);
    assert_eq!(details["metadata"]["order_id"], "ord_1");
    assert_eq!(details["metadata"]["campaign"], "monthly");
    // Clover's invoice has none of the fields the basil versions removed.
    for removed in [
        "subscription",
        "charge",
        "payment_intent",
        "paid",
        "payments",
    ] {
        assert!(invoice.get(removed).is_none(), "{removed}: {invoice}");
    }
    let line = &invoice["lines"]["data"][0];
    assert_eq!(line["amount"], 2000);
    assert_eq!(line["description"], "1 × Don mensuel (at €20.00 / month)");
    assert_eq!(line["quantity"], 1);
    assert!(deliveries.recv_timeout(Duration::from_millis(300)).is_err());

    let (status, subscription) = api_get(&sim, &format!("/v1/subscriptions/{subscription_id}"));
    assert_eq!(status, 200);
    assert_eq!(subscription["object"], "subscription");
    assert_eq!(subscription["status"], "active");
    assert_eq!(subscription["customer"], customer);
    assert_eq!(subscription["latest_invoice"], invoice_id);
    assert_eq!(
        subscription["metadata"],
        json!({ "order_id": "ord_1", "campaign": "monthly" })
    );
    assert_eq!(subscription["canceled_at"], Value::Null);
    assert_eq!(subscription["cancel_at_period_end"], false);
    let item = &subscription["items"]["data"][0];
    assert_eq!(item["object"], "subscription_item");
    assert_eq!(item["quantity"], 1);
    assert_eq!(
        item["price"]["recurring"],
        json!({ "interval": "month", "interval_count": 1 })
    );
    assert_eq!(item["price"]["unit_amount"], 2000);
    assert_eq!(item["price"]["type"], "recurring");
    assert_eq!(line["period"]["start"], item["current_period_start"]);
    assert_eq!(line["period"]["end"], item["current_period_end"]);

    let (status, fetched) = api_get(&sim, &format!("/v1/invoices/{invoice_id}"));
    assert_eq!(status, 200);
    assert_eq!(&fetched, invoice);
    let (_, completed) = api_get(&sim, &format!("/v1/checkout/sessions/{id}"));
    assert_eq!(completed["subscription"], subscription_id);
    // Both events are in the list (newest first), the session's recorded first.
    let (_, listed) = api_get(&sim, "/v1/events");
    let kinds: Vec<&Value> = listed["data"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| &e["type"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("invoice.paid"), &json!("checkout.session.completed")]
    );
}

#[test]
fn a_subscription_s_invoice_is_paid_by_a_payment_intent_that_refunds_act_on() {
    let (sim, _receiver, deliveries) = simulator();
    let (_, invoice) = paid_subscription(&sim, &deliveries, &monthly_form());
    let invoice_id = invoice["id"].as_str().expect("an invoice id");
    let (status, expanded) = api_get(
        &sim,
        &format!("/v1/invoices/{invoice_id}?expand[]=payments"),
    );
    assert_eq!(status, 200, "{expanded}");
    let payment = &expanded["payments"]["data"][0];
    assert_eq!(payment["object"], "invoice_payment");
    assert_eq!(payment["invoice"], invoice_id);
    assert_eq!(payment["amount_paid"], 2000);
    assert_eq!(payment["payment"]["type"], "payment_intent");
    let intent = payment["payment"]["payment_intent"]
        .as_str()
        .expect("a payment intent")
        .to_owned();
    let (_, listed) = api_get(&sim, &format!("/v1/invoice_payments?invoice={invoice_id}"));
    assert_eq!(&listed["data"][0], payment);

    let (status, paid_by) = api_get(&sim, &format!("/v1/payment_intents/{intent}"));
    assert_eq!(status, 200);
    assert_eq!(paid_by["amount_received"], 2000);
    let (status, refund) = api_post(
        &sim,
        "/v1/refunds",
        &[("payment_intent", intent.clone()), ("amount", "500".into())],
    );
    assert_eq!(status, 200, "{refund}");
    let refunded = next_event(&deliveries);
    assert_eq!(refunded["type"], "charge.refunded");
    assert_eq!(
        refunded["data"]["object"]["payment_intent"],
        intent.as_str()
    );
    assert_eq!(next_event(&deliveries)["type"], "refund.created");

    let (status, refused) = api_get(
        &sim,
        &format!("/v1/invoices/{invoice_id}?expand[]=customer"),
    );
    assert_eq!(status, 400, "{refused}");
}

#[test]
fn next_month_bills_an_active_subscription_once_per_call() {
    let (sim, _receiver, deliveries) = simulator();
    let (subscription, first) = paid_subscription(&sim, &deliveries, &monthly_form());
    let mut service_end = first["lines"]["data"][0]["period"]["end"].clone();
    let mut invoice_ids = vec![first["id"].clone()];
    for _ in 0..2 {
        let billed = next_month(&sim, &subscription);
        assert_eq!(billed.status, 200, "{}", billed.text);
        let invoice = billed.json();
        let paid = next_event(&deliveries);
        assert_eq!(paid["type"], "invoice.paid");
        assert_eq!(paid["data"]["object"], invoice);
        assert!(
            deliveries.recv_timeout(Duration::from_millis(300)).is_err(),
            "one event a month"
        );
        assert!(!invoice_ids.contains(&invoice["id"]));
        invoice_ids.push(invoice["id"].clone());
        assert_eq!(invoice["billing_reason"], "subscription_cycle");
        assert_eq!(invoice["status"], "paid");
        assert_eq!(invoice["amount_paid"], 2000);
        let details = &invoice["parent"]["subscription_details"];
        assert_eq!(details["subscription"], subscription.as_str());
        assert_eq!(details["metadata"]["order_id"], "ord_1");
        // The line pays for the month after the last one; the invoice's own period is the month
        // that just ended.
        let period = &invoice["lines"]["data"][0]["period"];
        assert_eq!(period["start"], service_end);
        assert_eq!(invoice["period_end"], service_end);
        let (start, end) = (
            period["start"].as_i64().expect("a start"),
            period["end"].as_i64().expect("an end"),
        );
        assert!(
            (28 * 86_400..=31 * 86_400).contains(&(end - start)),
            "{period}"
        );
        service_end = period["end"].clone();

        let (_, current) = api_get(&sim, &format!("/v1/subscriptions/{subscription}"));
        assert_eq!(current["latest_invoice"], invoice["id"]);
        assert_eq!(
            current["items"]["data"][0]["current_period_end"],
            service_end
        );
    }
    let (_, listed) = api_get(&sim, "/v1/events?type=invoice.paid");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(3));
    assert_eq!(next_month(&sim, "sub_nope").status, 404);
}

#[test]
fn a_canceled_subscription_is_never_billed_again() {
    let (sim, _receiver, deliveries) = simulator();
    let (subscription, _) = paid_subscription(&sim, &deliveries, &monthly_form());
    let (status, canceled) = cancel(&sim, &subscription);
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["id"], subscription.as_str());
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["canceled_at"].is_i64());
    assert_eq!(canceled["ended_at"], canceled["canceled_at"]);
    let deleted = next_event(&deliveries);
    assert_eq!(deleted["type"], "customer.subscription.deleted");
    assert_eq!(deleted["data"]["object"], canceled);
    assert_eq!(deleted["data"]["object"]["metadata"]["order_id"], "ord_1");

    let billed = next_month(&sim, &subscription);
    assert_eq!(billed.status, 400, "{}", billed.text);
    assert_eq!(billed.json()["error"]["type"], "invalid_request_error");
    // Stripe treats a canceled subscription as gone when asked to cancel it again.
    let (status, again) = cancel(&sim, &subscription);
    assert_eq!(status, 404, "{again}");
    assert_eq!(again["error"]["code"], "resource_missing");
    assert_eq!(
        again["error"]["message"],
        format!("No such subscription: '{subscription}'")
    );
    assert!(
        deliveries.recv_timeout(Duration::from_millis(500)).is_err(),
        "nothing billed, nothing told"
    );
    let (status, shown) = api_get(&sim, &format!("/v1/subscriptions/{subscription}"));
    assert_eq!(status, 200);
    assert_eq!(shown, canceled);
    let (_, listed) = api_get(&sim, "/v1/events?type=invoice.paid");
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(1));

    for path in ["/v1/subscriptions/sub_nope", "/v1/invoices/in_nope"] {
        let (status, missing) = api_get(&sim, path);
        assert_eq!(status, 404, "{path}");
        assert_eq!(missing["error"]["code"], "resource_missing", "{path}");
    }
    assert_eq!(cancel(&sim, "sub_nope").0, 404);
}

#[test]
fn payment_intent_data_is_refused_in_subscription_mode() {
    let (sim, _receiver, _) = simulator();
    let mut form = monthly_form();
    form.push(("payment_intent_data[metadata][order_id]", "ord_1".into()));
    let (status, body) = post_form(&sim, Some(KEY), None, &form);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["param"], "payment_intent_data");
    assert_eq!(session_count(&sim), 0);
}

#[test]
fn a_mode_and_its_price_must_agree_as_stripe_requires() {
    let (sim, _receiver, _) = simulator();
    let recurring = (
        "line_items[0][price_data][recurring][interval]",
        "month".to_owned(),
    );
    let mut recurring_payment = good_form(&in_31_minutes());
    recurring_payment.push(recurring.clone());
    let mut subscription_data_payment = good_form(&in_31_minutes());
    subscription_data_payment.push(("subscription_data[metadata][order_id]", "ord_1".into()));
    let mut one_off_subscription = monthly_form();
    one_off_subscription.retain(|(name, _)| *name != recurring.0);
    let mut unknown_interval = monthly_form();
    unknown_interval.retain(|(name, _)| *name != recurring.0);
    unknown_interval.push((recurring.0, "fortnight".into()));
    let cases = [
        (recurring_payment, "line_items[0][price_data][recurring]"),
        (subscription_data_payment, "subscription_data"),
        (one_off_subscription, "line_items"),
        (
            unknown_interval,
            "line_items[0][price_data][recurring][interval]",
        ),
    ];
    for (form, param) in cases {
        let (status, body) = post_form(&sim, Some(KEY), None, &form);
        assert_eq!(status, 400, "{param}: {body}");
        assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
        assert_eq!(body["error"]["param"], param, "{body}");
    }
    assert_eq!(session_count(&sim), 0);
}

#[test]
fn submit_types_stripe_knows_are_accepted_and_others_refused() {
    let (sim, _receiver, _) = simulator();
    for submit_type in ["donate", "pay", "book", "auto"] {
        let mut form = good_form(&in_31_minutes());
        form.push(("submit_type", submit_type.into()));
        let (status, session) = post_form(&sim, Some(KEY), None, &form);
        assert_eq!(status, 200, "{submit_type}: {session}");
        assert_eq!(session["submit_type"], submit_type);
    }
    let mut form = good_form(&in_31_minutes());
    form.push(("submit_type", "give".into()));
    let (status, body) = post_form(&sim, Some(KEY), None, &form);
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "submit_type");
}

#[test]
fn a_no_webhook_fault_loses_a_later_month_s_event_but_not_its_invoice() {
    let (sim, _receiver, deliveries) = simulator();
    let (subscription, _) = paid_subscription(&sim, &deliveries, &monthly_form());
    assert_eq!(arm(&sim, "monthly", "no_webhook", 1).status, 200);
    let billed = next_month(&sim, &subscription);
    assert_eq!(billed.status, 200);
    assert!(deliveries.recv_timeout(Duration::from_millis(500)).is_err());
    let (_, listed) = api_get(&sim, "/v1/events?type=invoice.paid&limit=1");
    assert_eq!(
        listed["data"][0]["data"]["object"]["id"],
        billed.json()["id"]
    );
    // Spent: the month after is delivered.
    assert_eq!(next_month(&sim, &subscription).status, 200);
    assert_eq!(next_event(&deliveries)["type"], "invoice.paid");
}

#[test]
fn monthly_periods_keep_their_day_and_end_on_a_shorter_month_s_last() {
    use super::subscriptions::add_months;
    // 2026-01-31 10:00 UTC, then the 28th of February, then back to the 31st.
    let anchor = 1_769_853_600;
    assert_eq!(add_months(anchor, 1), 1_772_272_800);
    assert_eq!(add_months(anchor, 2), 1_774_951_200);
    assert_eq!(add_months(anchor, 12), 1_801_389_600);
    // A leap year's February; a month across the new year; and before 1970.
    assert_eq!(add_months(1_706_695_200, 1), 1_709_200_800);
    assert_eq!(add_months(1_765_787_400, 1), 1_768_465_800);
    assert_eq!(add_months(-3_600, 1), 2_674_800);
    assert_eq!(add_months(anchor, 0), anchor);
}
