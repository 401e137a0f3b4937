//! A stand-in for Stripe, for development and tests, because these machines cannot reach it.
//!
//! It implements the part of Stripe's API that Tirelire uses, on the same paths and in the
//! same wire format: form-encoded requests with Bearer or Basic authentication, `Stripe-Version`
//! and `Idempotency-Key`, JSON objects shaped like Stripe's (`cs_test_…`, `pi_…`, `ch_…`,
//! `re_…`, `du_…`, `sub_…`, `in_…`), Stripe's error objects, cursor pagination, a hosted payment
//! page with Pay and Cancel, and webhook events signed with the `Stripe-Signature` scheme.
//! Pointing the edge at the real Stripe changes its API base URL and its secrets, nothing else,
//! and Stripe's own client libraries work against it unchanged.
//!
//! A one-off gift is a session in `mode=payment`, paid by a PaymentIntent. A monthly gift is a
//! session in `mode=subscription`: paying it starts a subscription whose first invoice is paid
//! at once (`checkout.session.completed`, then `invoice.paid`); each later month is another
//! paid invoice (`invoice.paid`) until `DELETE /v1/subscriptions/{id}` cancels it
//! (`customer.subscription.deleted`).
//!
//! Paths under `/_sim/` are the simulator's own controls for tests; Stripe has no such paths.
//! They open and close disputes (which Stripe does from its dashboard), arm faults, resend an
//! event, and let a month go by for a subscription
//! (`POST /_sim/subscriptions/{id}/next_month`), since tests cannot wait for Stripe's clock.

mod auth;
mod disputes;
mod events;
mod faults;
mod idempotency;
mod invoices;
mod page;
mod payments;
mod refunds;
mod sessions;
mod subscriptions;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
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

    /// A 400 without a machine code, as Stripe answers for refusals that are about the state of
    /// an object rather than the shape of a parameter.
    fn refused(param: Option<&str>, message: &str) -> Self {
        Self::stripe_error(400, "invalid_request_error", None, param, message)
    }
}

/// Stripe's 404 for an id it does not know, e.g. `No such charge: 'ch_x'`.
fn missing(object: &str, param: &str, id: &str) -> Reply {
    Reply::stripe_error(
        404,
        "invalid_request_error",
        Some("resource_missing"),
        Some(param),
        &format!("No such {object}: '{id}'"),
    )
}

/// The simulated account: its objects, idempotent replies, events and armed faults.
struct Account {
    config: SimConfig,
    base_url: OnceLock<String>,
    state: Mutex<State>,
}

/// A checkout session: Stripe's object, plus what Stripe keeps elsewhere: the label the hosted
/// page shows (in its line items) and the metadata its PaymentIntent will carry.
struct Session {
    object: Value,
    label: String,
    payment_intent_metadata: Map<String, Value>,
    /// In subscription mode (and only then), the metadata its subscription will carry.
    subscription_metadata: Option<Map<String, Value>>,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, Session>,
    payment_intents: HashMap<String, Value>,
    charges: HashMap<String, Value>,
    refunds: HashMap<String, Value>,
    disputes: HashMap<String, Value>,
    subscriptions: HashMap<String, subscriptions::Subscription>,
    invoices: HashMap<String, Value>,
    invoice_payments: HashMap<String, Value>,
    idempotent: idempotency::Keys,
    events: events::EventLog,
    faults: faults::Armed,
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
    // Several threads, so that a test can deliver the same event concurrently, the page can be
    // served while a webhook is being delivered, and a hanging answer blocks only its own client.
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

/// What a request to the API carries besides its method: path, query, body and idempotency key.
struct Call<'a> {
    path: &'a str,
    query: &'a str,
    body: &'a str,
    idempotency_key: Option<&'a str>,
}

fn route(account: &Account, request: &tiny_http::Request, body: &str) -> Reply {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method();
    let header = |name: &str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str().to_owned())
    };
    if segments.first() == Some(&"v1") {
        if let Err(refusal) = auth::authenticate(account, header("Authorization").as_deref()) {
            return refusal;
        }
        let version = header("Stripe-Version");
        if let Err(refusal) = auth::check_version(version.as_deref()) {
            return refusal;
        }
        let idempotency_key = header("Idempotency-Key");
        let call = Call {
            path,
            query,
            body,
            idempotency_key: idempotency_key.as_deref(),
        };
        let mut reply = api(account, method, &segments, &call);
        // Stripe names the version it answered in; a client that sent none gets the account's.
        reply.headers.push((
            "Stripe-Version",
            version.unwrap_or_else(|| auth::ACCOUNT_VERSION.to_owned()),
        ));
        return reply;
    }
    match (method, segments.as_slice()) {
        (Method::Get, ["c", "pay", id]) => page::show(account, id),
        (Method::Post, ["c", "pay", id, "pay"]) => events::pay(account, id),
        (Method::Post, ["_sim", "events", id, "resend"]) => events::resend(account, id),
        (Method::Post, ["_sim", "charges", id, "dispute"]) => disputes::open(account, id, body),
        (Method::Post, ["_sim", "disputes", id, "close"]) => disputes::close(account, id, body),
        (Method::Post, ["_sim", "faults"]) => faults::arm(account, body),
        (Method::Post, ["_sim", "subscriptions", id, "next_month"]) => {
            subscriptions::next_month(account, id)
        }
        (Method::Delete, ["_sim", "faults"]) => faults::clear(account),
        (Method::Get, ["_sim", "health"]) => Reply::json(200, &json!({ "status": "ok" })),
        _ => Reply::html(404, page::not_found()),
    }
}

/// The routes under `/v1`, once the caller is authenticated.
fn api(account: &Account, method: &Method, segments: &[&str], call: &Call<'_>) -> Reply {
    let key = call.idempotency_key;
    match (method, segments) {
        (Method::Post, ["v1", "checkout", "sessions"]) => {
            sessions::create(account, call.path, call.body, key)
        }
        (Method::Get, ["v1", "checkout", "sessions"]) => sessions::list(account),
        (Method::Get, ["v1", "checkout", "sessions", id]) => sessions::retrieve(account, id),
        (Method::Post, ["v1", "checkout", "sessions", id, "expire"]) => {
            idempotent_post(account, call, |params| events::expire(account, id, params))
        }
        (Method::Get, ["v1", "payment_intents", id]) => payments::retrieve_intent(account, id),
        (Method::Get, ["v1", "charges", id]) => payments::retrieve_charge(account, id),
        (Method::Post, ["v1", "refunds"]) => {
            idempotent_post(account, call, |params| refunds::create(account, params))
        }
        (Method::Get, ["v1", "refunds", id]) => refunds::retrieve(account, id),
        (Method::Get, ["v1", "disputes", id]) => disputes::retrieve(account, id),
        (Method::Get, ["v1", "subscriptions", id]) => subscriptions::retrieve(account, id),
        (Method::Delete, ["v1", "subscriptions", id]) => {
            subscriptions::cancel(account, id, call.query, call.body)
        }
        (Method::Get, ["v1", "invoices", id]) => invoices::retrieve(account, id, call.query),
        (Method::Get, ["v1", "invoice_payments"]) => invoices::list_payments(account, call.query),
        (Method::Get, ["v1", "invoice_payments", id]) => invoices::retrieve_payment(account, id),
        (Method::Get, ["v1", "events"]) => match form(call.query) {
            Ok(params) => events::list(account, &params),
            Err(refusal) => refusal,
        },
        (Method::Get, ["v1", "events", id]) => events::retrieve(account, id),
        _ => Reply::stripe_error(
            404,
            "invalid_request_error",
            None,
            None,
            &format!("Unrecognized request URL ({method}: {}).", call.path),
        ),
    }
}

/// A POST whose form is read, then handled under Stripe's idempotency rules.
fn idempotent_post(
    account: &Account,
    call: &Call<'_>,
    handle: impl FnOnce(&[(String, String)]) -> Reply,
) -> Reply {
    match form(call.body) {
        Ok(params) => idempotency::run(account, call.path, call.idempotency_key, &params, || {
            handle(&params)
        }),
        Err(refusal) => refusal,
    }
}

/// The pairs of a form-encoded body or query string, in order.
fn form(text: &str) -> Result<Vec<(String, String)>, Reply> {
    serde_urlencoded::from_str(text).map_err(|_| {
        Reply::stripe_error(
            400,
            "invalid_request_error",
            None,
            None,
            "Invalid request body.",
        )
    })
}

/// The value of the form field `name`, if sent.
fn field<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Refuses the first parameter that is not in `known` and does not open with one of
/// `prefixes` (e.g. `metadata[`), as Stripe refuses parameters it does not know.
fn refuse_unknown(
    params: &[(String, String)],
    known: &[&str],
    prefixes: &[&str],
) -> Result<(), Reply> {
    for (name, _) in params {
        let is_known = known.contains(&name.as_str())
            || prefixes
                .iter()
                .any(|prefix| name.starts_with(prefix) && name.ends_with(']'));
        if !is_known {
            return Err(Reply::invalid(
                name,
                "parameter_unknown",
                &format!("Received unknown parameter: {name}"),
            ));
        }
    }
    Ok(())
}

/// An integer parameter in Stripe's refusal shapes; `None` when it was not sent.
fn integer_field(params: &[(String, String)], name: &str) -> Result<Option<i64>, Reply> {
    field(params, name)
        .map(|value| {
            value.parse::<i64>().map_err(|_| {
                Reply::invalid(
                    name,
                    "parameter_invalid_integer",
                    &format!("Invalid integer: {value}"),
                )
            })
        })
        .transpose()
}

/// The `prefix[key]=value` fields of a form as a metadata object, within Stripe's limits.
fn metadata(params: &[(String, String)], prefix: &str) -> Result<Map<String, Value>, Reply> {
    let mut metadata = Map::new();
    for (name, value) in params {
        let Some(key) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(']'))
        else {
            continue;
        };
        if key.len() > 40 || value.len() > 500 {
            return Err(Reply::invalid(
                name,
                "parameter_invalid_string_too_long",
                "Metadata keys are at most 40 characters and values at most 500.",
            ));
        }
        metadata.insert(key.to_owned(), Value::String(value.clone()));
    }
    if metadata.len() > 50 {
        return Err(Reply::invalid(
            prefix,
            "parameter_invalid_empty",
            "Metadata can have at most 50 keys.",
        ));
    }
    Ok(metadata)
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

/// An amount as Stripe writes it in its messages and invoice lines, e.g. `€25.00`.
fn money(minor: i64, currency: &str) -> String {
    let symbol = match currency {
        "eur" => "€".to_owned(),
        "usd" => "$".to_owned(),
        "gbp" => "£".to_owned(),
        other => format!("{} ", other.to_uppercase()),
    };
    format!("{symbol}{}.{:02}", minor / 100, minor % 100)
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
