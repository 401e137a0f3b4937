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
