//! Disputes (chargebacks). Stripe has no API to open one: its dashboard does, in test mode, so
//! the simulator's test controls stand in for that dashboard:
//! `POST /_sim/charges/{charge or payment intent}/dispute` opens one and
//! `POST /_sim/disputes/{id}/close` decides it. `GET /v1/disputes/{id}` is Stripe's own.
//! Each change is recorded and delivered as Stripe's `charge.dispute.*` events.

use serde_json::{Value, json};

use super::{
    Account, Reply, events, field, integer_field, missing, now, payments, random_id, refuse_unknown,
};

/// Stripe's dispute reasons.
const REASONS: &[&str] = &[
    "bank_cannot_process",
    "check_returned",
    "credit_not_processed",
    "customer_initiated",
    "debit_not_authorized",
    "duplicate",
    "fraudulent",
    "general",
    "incorrect_account_details",
    "insufficient_funds",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "unrecognized",
];

/// `POST /_sim/charges/{id}/dispute`, with optional `amount` (default: the whole charge) and
/// `reason` (default `fraudulent`). Answers with the dispute once its event is delivered.
pub(super) fn open(account: &Account, target: &str, body: &str) -> Reply {
    match open_dispute(account, target, body) {
        Ok((dispute, event)) => {
            events::deliver(account, &event);
            Reply::json(200, &dispute)
        }
        Err(refusal) => refusal,
    }
}

fn open_dispute(account: &Account, target: &str, body: &str) -> Result<(Value, String), Reply> {
    let params = super::form(body)?;
    refuse_unknown(&params, &["amount", "reason"], &[])?;
    let requested = integer_field(&params, "amount")?;
    let reason = field(&params, "reason").unwrap_or("fraudulent");
    if !REASONS.contains(&reason) {
        return Err(Reply::refused(
            Some("reason"),
            &format!("Invalid reason: {reason}."),
        ));
    }
    let mut guard = account.state();
    let state = &mut *guard;
    let charge_id =
        payments::charge_id(state, target).ok_or_else(|| missing("charge", "charge", target))?;
    let Some(charge) = state.charges.get_mut(&charge_id) else {
        return Err(missing("charge", "charge", &charge_id));
    };
    if charge["disputed"] == true {
        return Err(Reply::refused(
            Some("charge"),
            &format!("Charge {charge_id} has already been disputed."),
        ));
    }
    let captured = charge["amount"].as_i64().unwrap_or_default();
    let amount = requested.unwrap_or(captured);
    if !(1..=captured).contains(&amount) {
        return Err(Reply::invalid(
            "amount",
            "parameter_invalid_integer",
            &format!("A dispute's amount must be between 1 and the charge's amount ({captured})."),
        ));
    }
    charge["disputed"] = json!(true);
    let dispute_id = format!("du_{}", random_id(24));
    let dispute = json!({
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge_id,
        "created": now(),
        "currency": charge["currency"],
        "is_charge_refundable": false,
        "livemode": false,
        "metadata": {},
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "status": "needs_response",
    });
    state.disputes.insert(dispute_id, dispute.clone());
    let event = state
        .events
        .record("charge.dispute.created", &dispute, None);
    Ok((dispute, event))
}

/// `POST /_sim/disputes/{id}/close` with `status=won` or `status=lost`.
pub(super) fn close(account: &Account, id: &str, body: &str) -> Reply {
    match close_dispute(account, id, body) {
        Ok((dispute, event)) => {
            events::deliver(account, &event);
            Reply::json(200, &dispute)
        }
        Err(refusal) => refusal,
    }
}

fn close_dispute(account: &Account, id: &str, body: &str) -> Result<(Value, String), Reply> {
    let params = super::form(body)?;
    refuse_unknown(&params, &["status"], &[])?;
    let status = match field(&params, "status") {
        Some(status @ ("won" | "lost")) => status,
        Some(other) => {
            return Err(Reply::invalid(
                "status",
                "parameter_invalid_string",
                &format!("Invalid status: {other}. A dispute closes as won or lost."),
            ));
        }
        None => {
            return Err(Reply::invalid(
                "status",
                "parameter_missing",
                "Missing required param: status.",
            ));
        }
    };
    let mut guard = account.state();
    let state = &mut *guard;
    let Some(dispute) = state.disputes.get_mut(id) else {
        return Err(missing("dispute", "dispute", id));
    };
    if let Some(closed @ ("won" | "lost")) = dispute["status"].as_str() {
        return Err(Reply::refused(
            None,
            &format!("Dispute {id} is already closed as {closed}."),
        ));
    }
    dispute["status"] = json!(status);
    let dispute = dispute.clone();
    let event = state.events.record("charge.dispute.closed", &dispute, None);
    Ok((dispute, event))
}

/// `GET /v1/disputes/{id}`.
pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().disputes.get(id) {
        Some(dispute) => Reply::json(200, dispute),
        None => missing("dispute", "dispute", id),
    }
}
