//! `POST /v1/checkout/sessions` and `GET /v1/checkout/sessions/{id}`, with Stripe's checks
//! on the parameters Tirelire sends and Stripe's idempotency rules.

use serde_json::{Map, Value, json};

use super::{Account, Remembered, Reply, Session, now, random_id};

/// The parameters this simulator understands. Stripe refuses unknown ones, and so does the
/// simulator, so that a misspelt field fails here as it would against Stripe.
const KNOWN: &[&str] = &[
    "mode",
    "submit_type",
    "line_items[0][quantity]",
    "line_items[0][price_data][currency]",
    "line_items[0][price_data][unit_amount]",
    "line_items[0][price_data][product_data][name]",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "customer_email",
    "locale",
    "expires_at",
];
const KNOWN_PREFIXES: &[&str] = &["metadata[", "payment_intent_data[metadata]["];
const CURRENCIES: &[&str] = &["eur", "usd", "gbp", "chf"];
const LOCALES: &[&str] = &["auto", "fr", "en", "de", "es", "it", "nl"];
/// Stripe's smallest charge in euros, in cents.
const MINIMUM_CHARGE: i64 = 50;
/// Stripe's largest amount for most currencies, in minor units.
const MAXIMUM_AMOUNT: i64 = 99_999_999;

pub(super) fn create(account: &Account, body: &str, idempotency_key: Option<&str>) -> Reply {
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(body) {
        Ok(params) => params,
        Err(_) => {
            return Reply::stripe_error(
                400,
                "invalid_request_error",
                None,
                None,
                "Invalid request body.",
            );
        }
    };
    if let Some(key) = idempotency_key {
        let state = account.state();
        if let Some(first) = state.idempotent.get(key) {
            if first.params != params {
                return Reply::stripe_error(
                    400,
                    "idempotency_error",
                    None,
                    None,
                    &format!(
                        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
                    ),
                );
            }
            let mut replayed = Reply::json(
                first.status,
                &serde_json::from_str(&first.body).unwrap_or(Value::Null),
            );
            replayed
                .headers
                .push(("Idempotent-Replayed", "true".into()));
            return replayed;
        }
    }
    let reply = match build_session(account, &params) {
        Ok(session) => {
            let id = session.object["id"].as_str().unwrap_or_default().to_owned();
            let reply = Reply::json(200, &session.object);
            account.state().sessions.insert(id, session);
            reply
        }
        Err(refusal) => refusal,
    };
    if let Some(key) = idempotency_key {
        account.state().idempotent.insert(
            key.to_owned(),
            Remembered {
                params,
                status: reply.status,
                body: reply.body.clone(),
            },
        );
    }
    reply
}

pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().sessions.get(id) {
        Some(session) => Reply::json(200, &session.object),
        None => missing(id),
    }
}

/// `GET /v1/checkout/sessions`.
pub(super) fn list(account: &Account) -> Reply {
    let sessions = account
        .state()
        .sessions
        .values()
        .map(|session| {
            (
                session.object["created"].as_i64().unwrap_or_default(),
                session.object.clone(),
            )
        })
        .collect();
    super::list("/v1/checkout/sessions", sessions)
}

pub(super) fn missing(id: &str) -> Reply {
    Reply::stripe_error(
        404,
        "invalid_request_error",
        Some("resource_missing"),
        Some("session"),
        &format!("No such checkout.session: '{id}'"),
    )
}

fn build_session(account: &Account, params: &[(String, String)]) -> Result<Session, Reply> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    for (name, _) in params {
        let known = KNOWN.contains(&name.as_str())
            || KNOWN_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix) && name.ends_with(']'));
        if !known {
            return Err(Reply::invalid(
                name,
                "parameter_unknown",
                &format!("Received unknown parameter: {name}"),
            ));
        }
    }
    let required = |name: &str| {
        get(name).filter(|value| !value.is_empty()).ok_or_else(|| {
            Reply::invalid(
                name,
                "parameter_missing",
                &format!("Missing required param: {name}."),
            )
        })
    };
    let integer = |name: &str| {
        required(name)?.parse::<i64>().map_err(|_| {
            Reply::invalid(
                name,
                "parameter_invalid_integer",
                &format!("Invalid integer: {}", get(name).unwrap_or_default()),
            )
        })
    };

    let mode = required("mode")?;
    if mode != "payment" {
        return Err(Reply::invalid(
            "mode",
            "parameter_invalid_string",
            &format!("This simulator only supports mode=payment, not {mode}."),
        ));
    }
    let currency = required("line_items[0][price_data][currency]")?;
    if !CURRENCIES.contains(&currency) {
        return Err(Reply::invalid(
            "line_items[0][price_data][currency]",
            "parameter_invalid_string",
            &format!(
                "Invalid currency: {currency}. Stripe currently supports these currencies: {}",
                CURRENCIES.join(", ")
            ),
        ));
    }
    let unit_amount = integer("line_items[0][price_data][unit_amount]")?;
    let quantity = integer("line_items[0][quantity]")?;
    if quantity < 1 {
        return Err(Reply::invalid(
            "line_items[0][quantity]",
            "parameter_invalid_integer",
            "Quantity must be at least 1.",
        ));
    }
    let amount_total = unit_amount.saturating_mul(quantity);
    if unit_amount < 0 || amount_total > MAXIMUM_AMOUNT {
        return Err(Reply::invalid(
            "line_items[0][price_data][unit_amount]",
            "amount_too_large",
            "Amount must be no more than 99,999,999.",
        ));
    }
    if amount_total < MINIMUM_CHARGE {
        return Err(Reply::invalid(
            "line_items[0][price_data][unit_amount]",
            "amount_too_small",
            &format!(
                "The Checkout Session's total amount due must add up to at least €0.50 {currency}"
            ),
        ));
    }
    let name = required("line_items[0][price_data][product_data][name]")?;
    let success_url = required("success_url")?;
    for url_param in ["success_url", "cancel_url"] {
        if let Some(url) = get(url_param)
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(Reply::invalid(url_param, "url_invalid", "Not a valid URL"));
        }
    }
    let email = get("customer_email");
    if let Some(email) = email {
        let parts: Vec<&str> = email.split('@').collect();
        if parts.len() != 2 || parts.iter().any(|part| part.is_empty()) || !parts[1].contains('.') {
            return Err(Reply::invalid(
                "customer_email",
                "email_invalid",
                &format!("Invalid email address: {email}"),
            ));
        }
    }
    let locale = get("locale").unwrap_or("auto");
    if !LOCALES.contains(&locale) {
        return Err(Reply::invalid(
            "locale",
            "parameter_invalid_string",
            &format!("Invalid locale: {locale}"),
        ));
    }
    if let Some(reference) = get("client_reference_id")
        && reference.len() > 200
    {
        return Err(Reply::invalid(
            "client_reference_id",
            "parameter_invalid_string_too_long",
            "client_reference_id must be at most 200 characters.",
        ));
    }
    let created = now();
    let expires_at = match get("expires_at") {
        Some(_) => integer("expires_at")?,
        None => created + 24 * 3600,
    };
    if expires_at < created + 30 * 60 || expires_at > created + 24 * 3600 {
        return Err(Reply::invalid(
            "expires_at",
            "parameter_invalid_integer",
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
        ));
    }
    let metadata = collect_metadata(params, "metadata[")?;

    let id = format!("cs_test_{}", random_id(58));
    let object = json!({
        "id": id,
        "object": "checkout.session",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "cancel_url": get("cancel_url"),
        "client_reference_id": get("client_reference_id"),
        "created": created,
        "currency": currency,
        "customer": null,
        "customer_email": email,
        "expires_at": expires_at,
        "livemode": false,
        "locale": locale,
        "metadata": metadata,
        "mode": mode,
        "payment_intent": null,
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": get("submit_type"),
        "success_url": success_url,
        "url": format!("{}/c/pay/{id}", account.base_url.get().map_or("", String::as_str)),
    });
    Ok(Session {
        object,
        label: name.to_owned(),
    })
}

fn collect_metadata(
    params: &[(String, String)],
    prefix: &str,
) -> Result<Map<String, Value>, Reply> {
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
