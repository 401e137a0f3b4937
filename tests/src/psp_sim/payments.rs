//! What a paid session leaves behind: a PaymentIntent and its Charge, the objects that refunds
//! and disputes act on and that their events name. Stripe copies the session's
//! `payment_intent_data[metadata]` onto the PaymentIntent, and the PaymentIntent's metadata onto
//! the charge when it is confirmed, which is how a refund or a dispute names the order.

use serde_json::{Map, Value, json};

use super::{Account, Reply, State, missing, now, random_id};

/// Records a successful payment of `amount` for a session; returns the PaymentIntent's id.
pub(super) fn settle(
    state: &mut State,
    amount: i64,
    currency: &str,
    receipt_email: Option<&str>,
    metadata: Map<String, Value>,
) -> String {
    let created = now();
    let intent_id = format!("pi_{}", random_id(24));
    let charge_id = format!("ch_{}", random_id(24));
    let charge = json!({
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "balance_transaction": null,
        "captured": true,
        "created": created,
        "currency": currency,
        "disputed": false,
        "livemode": false,
        "metadata": metadata,
        "paid": true,
        "payment_intent": intent_id,
        "receipt_email": receipt_email,
        "refunded": false,
        "status": "succeeded",
    });
    let intent = json!({
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "created": created,
        "currency": currency,
        "latest_charge": charge_id,
        "livemode": false,
        "metadata": metadata,
        "receipt_email": receipt_email,
        "status": "succeeded",
    });
    state.charges.insert(charge_id, charge);
    state.payment_intents.insert(intent_id.clone(), intent);
    intent_id
}

/// The id of the charge that `id` names: a charge's own id, or a PaymentIntent's, whose latest
/// charge it is. `None` when neither is known.
pub(super) fn charge_id(state: &State, id: &str) -> Option<String> {
    if state.charges.contains_key(id) {
        return Some(id.to_owned());
    }
    state
        .payment_intents
        .get(id)
        .and_then(|intent| intent["latest_charge"].as_str())
        .map(str::to_owned)
}

/// `GET /v1/payment_intents/{id}`.
pub(super) fn retrieve_intent(account: &Account, id: &str) -> Reply {
    match account.state().payment_intents.get(id) {
        Some(intent) => Reply::json(200, intent),
        None => missing("payment_intent", "intent", id),
    }
}

/// `GET /v1/charges/{id}`.
pub(super) fn retrieve_charge(account: &Account, id: &str) -> Reply {
    match account.state().charges.get(id) {
        Some(charge) => Reply::json(200, charge),
        None => missing("charge", "charge", id),
    }
}
