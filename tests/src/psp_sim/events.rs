//! What happens to a session after it is created (paid, expired), the log of events every change
//! leaves, and their signed delivery to the webhook endpoint.
//!
//! The log keeps events in the order they happened, not by their `created` second, because
//! Stripe's cursors (`starting_after`, `ending_before`) are exact even between events of the
//! same second, and the edge's sweep walks the list with them.

use std::collections::HashMap;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::auth::ACCOUNT_VERSION;
use super::sessions::missing;
use super::{Account, Reply, field, integer_field, now, payments, refuse_unknown, subscriptions};

/// The `Stripe-Signature` header for `payload` at `timestamp`, computed as Stripe does:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<payload>")>`.
pub fn sign(payload: &str, secret: &str, timestamp: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Every event so far, oldest first.
#[derive(Default)]
pub(super) struct EventLog {
    recorded: Vec<Recorded>,
    /// Event id → its place in `recorded`.
    positions: HashMap<String, usize>,
}

struct Recorded {
    kind: String,
    /// The event's JSON, exactly as first delivered.
    text: String,
}

impl EventLog {
    /// Records an event of `kind` about `object`; `previous` are the attributes it changed, as
    /// they were before. Returns the event's JSON, to deliver.
    pub(super) fn record(&mut self, kind: &str, object: &Value, previous: Option<Value>) -> String {
        let id = format!("evt_{}", super::random_id(24));
        let mut data = json!({ "object": object });
        if let Some(previous) = previous {
            data["previous_attributes"] = previous;
        }
        let text = json!({
            "id": id,
            "object": "event",
            "api_version": ACCOUNT_VERSION,
            "created": now(),
            "data": data,
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": null, "idempotency_key": null },
            "type": kind,
        })
        .to_string();
        self.positions.insert(id, self.recorded.len());
        self.recorded.push(Recorded {
            kind: kind.to_owned(),
            text: text.clone(),
        });
        text
    }

    fn get(&self, id: &str) -> Option<&str> {
        let position = *self.positions.get(id)?;
        self.recorded
            .get(position)
            .map(|recorded| recorded.text.as_str())
    }
}

/// The donor pressed Pay on the hosted page. A one-off gift is paid by a PaymentIntent; a
/// monthly gift starts a subscription, whose first invoice is paid at once.
pub(super) fn pay(account: &Account, id: &str) -> Reply {
    let (events, lost, success_url) = {
        let mut guard = account.state();
        let state = &mut *guard;
        let Some(session) = state.sessions.get(id) else {
            return Reply::html(404, super::page::not_found());
        };
        if session.object["status"] != "open" {
            return super::page::show_locked(&session.object);
        }
        if session.object["expires_at"]
            .as_i64()
            .is_some_and(|expires_at| expires_at <= now())
        {
            drop(guard);
            expire_session(account, id);
            return super::page::show(account, id);
        }
        let amount = session.object["amount_total"].as_i64().unwrap_or_default();
        let currency = session.object["currency"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let email = session.object["customer_email"].as_str().map(str::to_owned);
        let campaign = session.object["metadata"]["campaign"]
            .as_str()
            .map(str::to_owned);
        let label = session.label.clone();
        let intent_metadata = session.payment_intent_metadata.clone();
        let started = session.subscription_metadata.clone().map(|metadata| {
            let start = subscriptions::Start {
                amount,
                currency: &currency,
                email: email.as_deref(),
                product: &label,
                metadata,
                campaign: campaign.as_deref(),
            };
            subscriptions::start(state, &start)
        });
        let intent = started
            .is_none()
            .then(|| payments::settle(state, amount, &currency, email.as_deref(), intent_metadata));
        let Some(session) = state.sessions.get_mut(id) else {
            return Reply::html(404, super::page::not_found());
        };
        let object = &mut session.object;
        object["status"] = json!("complete");
        object["payment_status"] = json!("paid");
        object["payment_intent"] = json!(intent);
        if let Some(started) = &started {
            object["customer"] = json!(started.customer);
            object["subscription"] = json!(started.subscription);
            object["invoice"] = started.invoice["id"].clone();
        }
        let success_url = object["success_url"]
            .as_str()
            .unwrap_or_default()
            .replace("{CHECKOUT_SESSION_ID}", id);
        let object = object.clone();
        let lost = state.faults.take_at_payment(campaign.as_deref()).is_some();
        let mut events = vec![
            state
                .events
                .record("checkout.session.completed", &object, None),
        ];
        if let Some(started) = &started {
            events.push(state.events.record("invoice.paid", &started.invoice, None));
        }
        (events, lost, success_url)
    };
    // Delivered before the redirect, so that the page the donor lands on already knows; unless
    // a test armed the loss of a webhook, in which case only the event list has the session's.
    for event in events.iter().skip(usize::from(lost)) {
        deliver(account, event);
    }
    Reply::redirect(&success_url)
}

/// `POST /v1/checkout/sessions/{id}/expire`.
pub(super) fn expire(account: &Account, id: &str, params: &[(String, String)]) -> Reply {
    if let Err(refusal) = refuse_unknown(params, &[], &["expand["]) {
        return refusal;
    }
    let status = match account.state().sessions.get(id) {
        Some(session) => session.object["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        None => return missing(id),
    };
    if status != "open" {
        return Reply::stripe_error(
            400,
            "invalid_request_error",
            Some("checkout_session_not_open"),
            None,
            &format!(
                "Only Checkout Sessions with a status in [\"open\"] can be expired. This session has status \"{status}\"."
            ),
        );
    }
    expire_session(account, id);
    super::sessions::retrieve(account, id)
}

/// Expires every open session whose time is up, as Stripe does on its own.
pub(super) fn expire_overdue(account: &Account) {
    let overdue: Vec<String> = account
        .state()
        .sessions
        .iter()
        .filter(|(_, session)| {
            session.object["status"] == "open"
                && session.object["expires_at"]
                    .as_i64()
                    .is_some_and(|expires_at| expires_at <= now())
        })
        .map(|(id, _)| id.clone())
        .collect();
    for id in overdue {
        expire_session(account, &id);
    }
}

fn expire_session(account: &Account, id: &str) {
    let (event, lost) = {
        let mut guard = account.state();
        let state = &mut *guard;
        let Some(session) = state.sessions.get_mut(id) else {
            return;
        };
        if session.object["status"] != "open" {
            return;
        }
        session.object["status"] = json!("expired");
        let object = session.object.clone();
        let campaign = object["metadata"]["campaign"].as_str();
        let lost = state.faults.take_at_payment(campaign).is_some();
        let event = state
            .events
            .record("checkout.session.expired", &object, None);
        (event, lost)
    };
    if !lost {
        deliver(account, &event);
    }
}

/// Page sizes Stripe accepts, and its default.
const LIMITS: std::ops::RangeInclusive<i64> = 1..=100;
const DEFAULT_LIMIT: i64 = 10;

/// `GET /v1/events`: newest first, `limit` at a time, from a cursor, optionally of one `type`
/// (exact, or a prefix ending in `*` such as `charge.*`).
///
/// `starting_after=X` gives the events just older than X; `ending_before=X` the events just
/// newer than X, still newest first. `has_more` says whether more lie beyond the page in the
/// direction of travel: older ones for `starting_after` and for the first page, newer ones for
/// `ending_before`.
pub(super) fn list(account: &Account, params: &[(String, String)]) -> Reply {
    if let Err(refusal) = refuse_unknown(
        params,
        &["limit", "starting_after", "ending_before", "type"],
        &["expand["],
    ) {
        return refusal;
    }
    let limit = match integer_field(params, "limit") {
        Ok(limit) => limit.unwrap_or(DEFAULT_LIMIT),
        Err(refusal) => return refusal,
    };
    if !LIMITS.contains(&limit) {
        let bound = if limit < *LIMITS.start() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 100"
        };
        return Reply::invalid(
            "limit",
            "parameter_invalid_integer",
            &format!("This value must be {bound}."),
        );
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let cursor = |name: &str| field(params, name).filter(|id| !id.is_empty());
    let kind = field(params, "type").filter(|kind| !kind.is_empty());
    let wanted = |recorded: &&Recorded| kind.is_none_or(|kind| type_matches(kind, &recorded.kind));

    let state = account.state();
    let log = &state.events;
    let position = |param: &str, id: &str| {
        log.positions
            .get(id)
            .copied()
            .ok_or_else(|| super::missing("event", param, id))
    };
    let (page, has_more): (Vec<&Recorded>, bool) =
        match (cursor("starting_after"), cursor("ending_before")) {
            (Some(_), Some(_)) => {
                return Reply::refused(
                    Some("ending_before"),
                    "You may only specify one of these parameters: ending_before, starting_after.",
                );
            }
            (Some(id), None) => {
                let at = match position("starting_after", id) {
                    Ok(at) => at,
                    Err(refusal) => return refusal,
                };
                let older: Vec<&Recorded> =
                    log.recorded[..at].iter().rev().filter(wanted).collect();
                let has_more = older.len() > limit;
                (older.into_iter().take(limit).collect(), has_more)
            }
            (None, Some(id)) => {
                let at = match position("ending_before", id) {
                    Ok(at) => at,
                    Err(refusal) => return refusal,
                };
                let newer: Vec<&Recorded> = log.recorded[at + 1..].iter().filter(wanted).collect();
                let has_more = newer.len() > limit;
                let mut page: Vec<&Recorded> = newer.into_iter().take(limit).collect();
                page.reverse();
                (page, has_more)
            }
            (None, None) => {
                let all: Vec<&Recorded> = log.recorded.iter().rev().filter(wanted).collect();
                let has_more = all.len() > limit;
                (all.into_iter().take(limit).collect(), has_more)
            }
        };
    let data: Vec<Value> = page
        .iter()
        .map(|recorded| serde_json::from_str(&recorded.text).unwrap_or(Value::Null))
        .collect();
    Reply::json(
        200,
        &json!({ "object": "list", "data": data, "has_more": has_more, "url": "/v1/events" }),
    )
}

fn type_matches(pattern: &str, kind: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => kind.starts_with(prefix),
        None => kind == pattern,
    }
}

/// `GET /v1/events/{id}`.
pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().events.get(id) {
        Some(event) => Reply::json(200, &serde_json::from_str(event).unwrap_or(Value::Null)),
        None => super::missing("event", "id", id),
    }
}

/// `POST /_sim/events/{id}/resend`: delivers an event again, freshly signed, as Stripe does on
/// a retry or when someone presses "Resend" in its dashboard. Answers with the edge's status.
pub(super) fn resend(account: &Account, id: &str) -> Reply {
    let Some(event) = account.state().events.get(id).map(str::to_owned) else {
        return retrieve(account, id);
    };
    let (status, body) = deliver(account, &event);
    Reply::json(
        200,
        &json!({ "delivered_to": account.config.webhook_url, "status": status, "body": body }),
    )
}

/// Posts a signed event to the webhook endpoint; returns the status and body it answered, or
/// status 0 when it could not be reached.
pub(super) fn deliver(account: &Account, event: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let signature = sign(event, &account.config.webhook_secret, now());
    let sent = agent
        .post(&account.config.webhook_url)
        .header("Stripe-Signature", &signature)
        .header(
            "User-Agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .content_type("application/json; charset=utf-8")
        .send(event);
    match sent {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string().unwrap_or_default();
            if status >= 300 {
                eprintln!("psp-sim: the webhook endpoint answered {status}: {body}");
            }
            (status, body)
        }
        Err(error) => {
            eprintln!("psp-sim: the webhook endpoint could not be reached: {error}");
            (0, error.to_string())
        }
    }
}
