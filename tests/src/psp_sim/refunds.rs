//! `POST /v1/refunds` and `GET /v1/refunds/{id}`: giving back all or part of what a charge has
//! not yet given back, with Stripe's refusals (already refunded, more than is left, disputed)
//! and its two events, `charge.refunded` (the charge with its running total) and
//! `refund.created`.

use serde_json::{Value, json};

use super::{
    Account, Reply, events, field, integer_field, metadata, missing, money, now, payments,
    random_id, refuse_unknown,
};

const KNOWN: &[&str] = &["payment_intent", "charge", "amount", "reason"];
const KNOWN_PREFIXES: &[&str] = &["metadata[", "expand["];
const REASONS: &[&str] = &["duplicate", "fraudulent", "requested_by_customer"];

/// `POST /v1/refunds`, once its idempotency key is settled.
pub(super) fn create(account: &Account, params: &[(String, String)]) -> Reply {
    match refund(account, params) {
        Ok((refund, events, lost)) => {
            // A `no_webhook` fault armed for the payment's campaign loses the first event,
            // `charge.refunded`, for good: only the event list has it.
            for event in events.iter().skip(usize::from(lost)) {
                events::deliver(account, event);
            }
            Reply::json(200, &refund)
        }
        Err(refusal) => refusal,
    }
}

/// Records the refund and its events; returns the refund, the events to deliver, and whether
/// a fault armed for the payment's campaign loses the first of them.
fn refund(
    account: &Account,
    params: &[(String, String)],
) -> Result<(Value, Vec<String>, bool), Reply> {
    refuse_unknown(params, KNOWN, KNOWN_PREFIXES)?;
    let target = match (field(params, "payment_intent"), field(params, "charge")) {
        (Some(_), Some(_)) => {
            return Err(Reply::refused(
                Some("charge"),
                "You may only specify one of these parameters: charge, payment_intent.",
            ));
        }
        (Some(intent), None) => ("payment_intent", intent),
        (None, Some(charge)) => ("charge", charge),
        (None, None) => {
            return Err(Reply::invalid(
                "payment_intent",
                "parameter_missing",
                "One of the following params should be provided for this request: payment_intent or charge.",
            ));
        }
    };
    let requested = integer_field(params, "amount")?;
    if requested.is_some_and(|amount| amount <= 0) {
        return Err(Reply::invalid(
            "amount",
            "parameter_invalid_integer",
            "This value must be greater than or equal to 1.",
        ));
    }
    let reason = field(params, "reason");
    if let Some(reason) = reason
        && !REASONS.contains(&reason)
    {
        return Err(Reply::refused(
            Some("reason"),
            &format!(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer (got {reason})."
            ),
        ));
    }
    let refund_metadata = metadata(params, "metadata[")?;

    let mut guard = account.state();
    let state = &mut *guard;
    let (param, id) = target;
    let charge_id = payments::charge_id(state, id)
        .filter(|charge_id| param == "payment_intent" || charge_id == id)
        .ok_or_else(|| missing(param, param, id))?;
    let Some(charge) = state.charges.get_mut(&charge_id) else {
        return Err(missing("charge", "charge", &charge_id));
    };
    if charge["disputed"] == true {
        return Err(Reply::stripe_error(
            400,
            "invalid_request_error",
            Some("charge_disputed"),
            None,
            &format!("Charge {charge_id} has been charged back; cannot issue a refund."),
        ));
    }
    let captured = charge["amount"].as_i64().unwrap_or_default();
    let already = charge["amount_refunded"].as_i64().unwrap_or_default();
    let remaining = captured - already;
    if remaining <= 0 {
        return Err(Reply::stripe_error(
            400,
            "invalid_request_error",
            Some("charge_already_refunded"),
            None,
            &format!("Charge {charge_id} has already been refunded."),
        ));
    }
    let currency = charge["currency"].as_str().unwrap_or_default().to_owned();
    let amount = requested.unwrap_or(remaining);
    if amount > remaining {
        return Err(Reply::refused(
            Some("amount"),
            &format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                money(amount, &currency),
                money(remaining, &currency)
            ),
        ));
    }

    let was_refunded = charge["refunded"].clone();
    charge["amount_refunded"] = json!(already + amount);
    charge["refunded"] = json!(already + amount == captured);
    // Stripe names only the attributes that changed.
    let mut previous = json!({ "amount_refunded": already });
    if charge["refunded"] != was_refunded {
        previous["refunded"] = was_refunded;
    }
    let charge = charge.clone();
    let refund_id = format!("re_{}", random_id(24));
    let refund = json!({
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": null,
        "charge": charge_id,
        "created": now(),
        "currency": currency,
        "metadata": refund_metadata,
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": null,
        "status": "succeeded",
    });
    state.refunds.insert(refund_id, refund.clone());
    let intent = charge["payment_intent"].as_str().unwrap_or_default();
    let campaign = state
        .sessions
        .values()
        .find(|session| session.object["payment_intent"] == intent)
        .and_then(|session| session.object["metadata"]["campaign"].as_str())
        .map(str::to_owned);
    let lost = state.faults.take_at_payment(campaign.as_deref()).is_some();
    let events = vec![
        state
            .events
            .record("charge.refunded", &charge, Some(previous)),
        state.events.record("refund.created", &refund, None),
    ];
    Ok((refund, events, lost))
}

/// `GET /v1/refunds/{id}`.
pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().refunds.get(id) {
        Some(refund) => Reply::json(200, refund),
        None => missing("refund", "id", id),
    }
}
