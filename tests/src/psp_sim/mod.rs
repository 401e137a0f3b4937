//! A stand-in for Stripe, for development and tests, because these machines cannot reach it.
//!
//! It implements the part of Stripe's API that Tirelire uses, on the same paths and in the
//! same wire format: form-encoded requests with Bearer authentication and `Idempotency-Key`,
//! JSON objects shaped like Stripe's (`cs_test_…`, `object: "checkout.session"`, …), Stripe's
//! error objects, a hosted payment page with Pay and Cancel, and webhook events signed with the
//! `Stripe-Signature` scheme. Pointing the edge at the real Stripe changes its API base URL and
//! its secrets, nothing else.
//!
//! Paths under `/_sim/` are the simulator's own controls for tests; Stripe has no such paths.

mod events;
mod page;
mod sessions;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tiny_http::{Header, Method, Response};

use crate::server::ServerHandle;

pub use events::sign;

/// What the simulator needs to know about the account it pretends to be.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The secret key the edge must present (`sk_test_…`).
    pub api_key: String,
    /// The secret webhook deliveries are signed with (`whsec_…`).
    pub webhook_secret: String,
    /// Where events are delivered, e.g. `http://127.0.0.1:8787/v1/webhooks/stripe`.
    pub webhook_url: String,
}

/// A response before it is written: status, content type, body and extra headers.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    fn html(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8",
            body,
            headers: Vec::new(),
        }
    }

    fn redirect(location: &str) -> Self {
        Self {
            status: 303,
            content_type: "text/plain; charset=utf-8",
            body: String::new(),
            headers: vec![("Location", location.to_owned())],
        }
    }

    /// An error object in Stripe's shape.
    fn stripe_error(
        status: u16,
        kind: &str,
        code: Option<&str>,
        param: Option<&str>,
        message: &str,
    ) -> Self {
        let mut error = json!({ "type": kind, "message": message });
        if let Some(code) = code {
            error["code"] = json!(code);
        }
        if let Some(param) = param {
            error["param"] = json!(param);
        }
        Self::json(status, &json!({ "error": error }))
    }

    fn invalid(param: &str, code: &str, message: &str) -> Self {
        Self::stripe_error(
            400,
            "invalid_request_error",
            Some(code),
            Some(param),
            message,
        )
    }
}

/// The simulated account: its sessions, idempotent replies and events.
struct Account {
    config: SimConfig,
    base_url: OnceLock<String>,
    state: Mutex<State>,
}

/// A checkout session: Stripe's object, plus what the hosted page shows, which Stripe keeps in
/// its line items rather than on the session.
struct Session {
    object: Value,
    label: String,
}

/// A request made with an idempotency key: its parameters, and the status and body of its reply.
struct Remembered {
    params: Vec<(String, String)>,
    status: u16,
    body: String,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, Session>,
    /// Idempotency key → the first request made with it and the reply it got.
    idempotent: HashMap<String, Remembered>,
    /// Event id → the event's JSON, exactly as first delivered.
    events: HashMap<String, String>,
}

impl Account {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running simulator; dropping it stops it.
pub type SimHandle = ServerHandle;

/// Starts the simulator on `listen` (port 0 picks a free one).
pub fn start(listen: SocketAddr, config: SimConfig) -> std::io::Result<SimHandle> {
    // The page's URLs name the simulator's own address, known once it listens.
    let account = Arc::new(Account {
        config,
        base_url: OnceLock::new(),
        state: Mutex::new(State::default()),
    });
    let serving = Arc::clone(&account);
    // Several threads, so that a test can deliver the same event concurrently and the page can
    // be served while a webhook is being delivered.
    let handle = ServerHandle::start(listen, 6, move |request| serve(&serving, request))?;
    let _ = account.base_url.set(handle.url.clone());
    let alive = handle.alive();
    std::thread::spawn(move || {
        while alive.upgrade().is_some() {
            std::thread::sleep(Duration::from_secs(2));
            events::expire_overdue(&account);
        }
    });
    Ok(handle)
}

fn serve(account: &Account, mut request: tiny_http::Request) {
    let mut body = String::new();
    let reply = match request.as_reader().read_to_string(&mut body) {
        Ok(_) => route(account, &request, &body),
        Err(_) => Reply::stripe_error(400, "invalid_request_error", None, None, "Unreadable body."),
    };
    let mut response = Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_header(header("Content-Type", reply.content_type));
    if request.url().starts_with("/v1/") {
        response.add_header(header("Request-Id", &format!("req_{}", random_id(14))));
    }
    for (name, value) in reply.headers {
        response.add_header(header(name, &value));
    }
    let _ = request.respond(response);
}

fn route(account: &Account, request: &tiny_http::Request, body: &str) -> Reply {
    let url = request.url().to_owned();
    let path = url.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method();
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    if segments.first() == Some(&"v1")
        && let Err(refusal) = authenticate(account, header("Authorization").as_deref())
    {
        return refusal;
    }
    match (method, segments.as_slice()) {
        (Method::Post, ["v1", "checkout", "sessions"]) => {
            sessions::create(account, body, header("Idempotency-Key").as_deref())
        }
        (Method::Get, ["v1", "checkout", "sessions"]) => sessions::list(account),
        (Method::Get, ["v1", "checkout", "sessions", id]) => sessions::retrieve(account, id),
        (Method::Post, ["v1", "checkout", "sessions", id, "expire"]) => events::expire(account, id),
        (Method::Get, ["v1", "events"]) => {
            events::list(account, query_param(&url, "type").as_deref())
        }
        (Method::Get, ["v1", "events", id]) => events::retrieve(account, id),
        (Method::Get, ["c", "pay", id]) => page::show(account, id),
        (Method::Post, ["c", "pay", id, "pay"]) => events::pay(account, id),
        (Method::Post, ["_sim", "events", id, "resend"]) => events::resend(account, id),
        (Method::Get, ["_sim", "health"]) => Reply::json(200, &json!({ "status": "ok" })),
        (_, ["v1", ..]) => Reply::stripe_error(
            404,
            "invalid_request_error",
            None,
            None,
            &format!("Unrecognized request URL ({method}: {path})."),
        ),
        _ => Reply::html(404, page::not_found()),
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A list object in Stripe's shape, newest first.
fn list(url: &str, mut data: Vec<(i64, Value)>) -> Reply {
    data.sort_by_key(|(created, _)| std::cmp::Reverse(*created));
    let data: Vec<Value> = data.into_iter().map(|(_, value)| value).collect();
    Reply::json(
        200,
        &json!({ "object": "list", "data": data, "has_more": false, "url": url }),
    )
}

fn authenticate(account: &Account, authorization: Option<&str>) -> Result<(), Reply> {
    let key = authorization.and_then(|value| value.strip_prefix("Bearer "));
    match key {
        Some(key) if key == account.config.api_key => Ok(()),
        Some(key) => {
            let tail: String = key
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Err(Reply::stripe_error(
                401,
                "invalid_request_error",
                Some("api_key_invalid"),
                None,
                &format!("Invalid API Key provided: sk_test_****{tail}"),
            ))
        }
        None => Err(Reply::stripe_error(
            401,
            "invalid_request_error",
            None,
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
        )),
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("the simulator only writes ASCII headers")
}

/// Unix time in seconds.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// A random id body of `len` letters and digits, like Stripe's.
fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect()
}
