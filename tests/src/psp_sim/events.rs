//! What happens to a session after it is created (paid, expired), and the signed webhook
//! events that tell the edge about it.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::sessions::missing;
use super::{Account, Reply, now, random_id};

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

/// The donor pressed Pay on the hosted page.
pub(super) fn pay(account: &Account, id: &str) -> Reply {
    let (event, success_url) = {
        let mut state = account.state();
        let Some(session) = state.sessions.get_mut(id) else {
            return Reply::html(404, super::page::not_found());
        };
        let object = &mut session.object;
        if object["status"] != "open" {
            return super::page::show_locked(object);
        }
        if object["expires_at"]
            .as_i64()
            .is_some_and(|expires_at| expires_at <= now())
        {
            drop(state);
            expire_session(account, id);
            return super::page::show(account, id);
        }
        object["status"] = json!("complete");
        object["payment_status"] = json!("paid");
        object["payment_intent"] = json!(format!("pi_{}", random_id(24)));
        let success_url = object["success_url"]
            .as_str()
            .unwrap_or_default()
            .replace("{CHECKOUT_SESSION_ID}", id);
        let object = state_object(&state.sessions, id);
        let event = record_event(&mut state.events, "checkout.session.completed", &object);
        (event, success_url)
    };
    // Delivered before the redirect, so that the page the donor lands on already knows.
    deliver(account, &event);
    Reply::redirect(&success_url)
}

/// `POST /v1/checkout/sessions/{id}/expire`.
pub(super) fn expire(account: &Account, id: &str) -> Reply {
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
    let event = {
        let mut state = account.state();
        let Some(session) = state.sessions.get_mut(id) else {
            return;
        };
        if session.object["status"] != "open" {
            return;
        }
        session.object["status"] = json!("expired");
        let object = state_object(&state.sessions, id);
        record_event(&mut state.events, "checkout.session.expired", &object)
    };
    deliver(account, &event);
}

/// `GET /v1/events`, optionally only those of one `type`.
pub(super) fn list(account: &Account, kind: Option<&str>) -> Reply {
    let events = account
        .state()
        .events
        .values()
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .filter(|event| kind.is_none_or(|kind| event["type"] == kind))
        .map(|event| (event["created"].as_i64().unwrap_or_default(), event))
        .collect();
    super::list("/v1/events", events)
}

/// `GET /v1/events/{id}`.
pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().events.get(id) {
        Some(event) => Reply::json(200, &serde_json::from_str(event).unwrap_or(Value::Null)),
        None => Reply::stripe_error(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            Some("id"),
            &format!("No such event: '{id}'"),
        ),
    }
}

/// `POST /_sim/events/{id}/resend`: delivers an event again, freshly signed, as Stripe does on
/// a retry or when someone presses "Resend" in its dashboard. Answers with the edge's status.
pub(super) fn resend(account: &Account, id: &str) -> Reply {
    let Some(event) = account.state().events.get(id).cloned() else {
        return retrieve(account, id);
    };
    let (status, body) = deliver(account, &event);
    Reply::json(
        200,
        &json!({ "delivered_to": account.config.webhook_url, "status": status, "body": body }),
    )
}

fn state_object(sessions: &std::collections::HashMap<String, super::Session>, id: &str) -> Value {
    sessions
        .get(id)
        .map(|session| session.object.clone())
        .unwrap_or(Value::Null)
}

fn record_event(
    events: &mut std::collections::HashMap<String, String>,
    kind: &str,
    object: &Value,
) -> String {
    let id = format!("evt_{}", random_id(24));
    let event = json!({
        "id": id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": now(),
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
    .to_string();
    events.insert(id, event.clone());
    event
}

/// Posts a signed event to the webhook endpoint; returns the status and body it answered, or
/// status 0 when it could not be reached.
fn deliver(account: &Account, event: &str) -> (u16, String) {
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
