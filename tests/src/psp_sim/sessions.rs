//! `POST /v1/checkout/sessions` and `GET /v1/checkout/sessions/{id}`, with Stripe's checks
//! on the parameters Tirelire sends, in its two modes: `payment` (a one-off gift) and
//! `subscription` (a monthly gift, whose one line item has a recurring price). The session
//! keeps what Stripe hands on when it is paid: its `payment_intent_data[metadata]`, which goes
//! on the PaymentIntent (and from there on the charge), or its `subscription_data[metadata]`,
//! which goes on the subscription (and from there on each of its invoices).

use serde_json::json;

use super::faults::{self, Fault};
use super::{
    Account, Reply, Session, field, idempotency, metadata, now, random_id, refuse_unknown,
};

/// The parameters this simulator understands. Stripe refuses unknown ones, and so does the
/// simulator, so that a misspelt field fails here as it would against Stripe.
const KNOWN: &[&str] = &[
    "mode",
    "submit_type",
    "line_items[0][quantity]",
    "line_items[0][price_data][currency]",
    "line_items[0][price_data][unit_amount]",
    "line_items[0][price_data][product_data][name]",
    "line_items[0][price_data][recurring][interval]",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "customer_email",
    "locale",
    "expires_at",
];
const KNOWN_PREFIXES: &[&str] = &[
    "metadata[",
    "payment_intent_data[metadata][",
    "subscription_data[metadata][",
];
/// Stripe's values for `submit_type`, which only choose the words on the page's button. Since
/// 2024-11-20.acacia Stripe takes them in subscription mode too.
const SUBMIT_TYPES: &[&str] = &["auto", "book", "donate", "pay", "subscribe"];
/// Stripe's values for a recurring price's `interval`.
const INTERVALS: &[&str] = &["day", "week", "month", "year"];
const CURRENCIES: &[&str] = &["eur", "usd", "gbp", "chf"];
const LOCALES: &[&str] = &["auto", "fr", "en", "de", "es", "it", "nl"];
/// Stripe's smallest charge in euros, in cents.
const MINIMUM_CHARGE: i64 = 50;
/// Stripe's largest amount for most currencies, in minor units.
const MAXIMUM_AMOUNT: i64 = 99_999_999;

/// `POST /v1/checkout/sessions`. A fault armed for the session's campaign strikes first, as a
/// failure in front of Stripe's idempotency layer would.
pub(super) fn create(
    account: &Account,
    path: &str,
    body: &str,
    idempotency_key: Option<&str>,
) -> Reply {
    let params = match super::form(body) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    let fault = account
        .state()
        .faults
        .take_at_creation(field(&params, "metadata[campaign]"));
    if fault == Some(Fault::Error) {
        return faults::unknown_error();
    }
    let reply = idempotency::run(
        account,
        path,
        idempotency_key,
        &params,
        || match build_session(account, &params) {
            Ok(session) => {
                let id = session.object["id"].as_str().unwrap_or_default().to_owned();
                let reply = Reply::json(200, &session.object);
                account.state().sessions.insert(id, session);
                reply
            }
            Err(refusal) => refusal,
        },
    );
    faults::disturb(fault, reply)
}

/// `GET /v1/checkout/sessions/{id}`.
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
    super::missing("checkout.session", "session", id)
}

fn build_session(account: &Account, params: &[(String, String)]) -> Result<Session, Reply> {
    let get = |name: &str| field(params, name);
    refuse_unknown(params, KNOWN, KNOWN_PREFIXES)?;
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
    check_mode(params, mode)?;
    if let Some(submit_type) = get("submit_type")
        && !SUBMIT_TYPES.contains(&submit_type)
    {
        return Err(Reply::refused(
            Some("submit_type"),
            &format!(
                "Invalid submit_type: must be one of auto, book, donate, pay, or subscribe (got {submit_type})."
            ),
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
    let session_metadata = metadata(params, "metadata[")?;
    let payment_intent_metadata = metadata(params, "payment_intent_data[metadata][")?;
    let subscription_metadata = (mode == "subscription")
        .then(|| metadata(params, "subscription_data[metadata]["))
        .transpose()?;

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
        "metadata": session_metadata,
        "mode": mode,
        "payment_intent": null,
        "subscription": null,
        "invoice": null,
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": get("submit_type"),
        "success_url": success_url,
        "url": format!("{}/c/pay/{id}", account.base_url.get().map_or("", String::as_str)),
    });
    Ok(Session {
        object,
        label: name.to_owned(),
        payment_intent_metadata,
        subscription_metadata,
    })
}

/// Stripe's refusals of a mode and a line item that do not go together: a recurring price
/// belongs in `subscription` mode and is required there, and each mode refuses the other's
/// `…_data` parameters.
fn check_mode(params: &[(String, String)], mode: &str) -> Result<(), Reply> {
    let sent = |prefix: &str| params.iter().any(|(name, _)| name.starts_with(prefix));
    let interval = field(params, "line_items[0][price_data][recurring][interval]");
    match mode {
        "payment" if interval.is_some() => Err(Reply::refused(
            Some("line_items[0][price_data][recurring]"),
            "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
        )),
        "payment" if sent("subscription_data[") => Err(Reply::refused(
            Some("subscription_data"),
            "You can not pass `subscription_data` in `payment` mode.",
        )),
        "payment" => Ok(()),
        "subscription" if sent("payment_intent_data[") => Err(Reply::refused(
            Some("payment_intent_data"),
            "You can not pass `payment_intent_data` in `subscription` mode.",
        )),
        "subscription" => match interval {
            None => Err(Reply::refused(
                Some("line_items"),
                "You must provide at least one recurring price in `subscription` mode when using prices.",
            )),
            Some("month") => Ok(()),
            Some(interval) if INTERVALS.contains(&interval) => Err(Reply::invalid(
                "line_items[0][price_data][recurring][interval]",
                "parameter_invalid_string",
                &format!(
                    "This simulator bills monthly prices only, not interval={interval} (Stripe takes it)."
                ),
            )),
            Some(interval) => Err(Reply::refused(
                Some("line_items[0][price_data][recurring][interval]"),
                &format!(
                    "Invalid interval: must be one of day, month, week, or year (got {interval})."
                ),
            )),
        },
        other => Err(Reply::invalid(
            "mode",
            "parameter_invalid_string",
            &format!(
                "This simulator supports mode=payment and mode=subscription, not mode={other}."
            ),
        )),
    }
}
