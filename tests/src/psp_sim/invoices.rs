//! A subscription's invoices, and the payments that settle them.
//!
//! In API version 2025-09-30.clover (since the basil versions of 2025) an invoice no longer has
//! top-level `subscription`, `charge` or `payment_intent` fields: it names its subscription, and
//! a snapshot of the subscription's metadata, under `parent.subscription_details`, and it is
//! paid through InvoicePayment objects (`inpay_…`), each naming a PaymentIntent. Those are an
//! includable field, `payments`, absent unless asked for with `expand[]=payments` (so never in
//! an event), and also listed by `GET /v1/invoice_payments?invoice=in_…`. The PaymentIntent and
//! its charge are the ones refunds and disputes act on; like Stripe's, they carry no metadata of
//! their own.

use serde_json::{Map, Value, json};

use super::{Account, Reply, State, field, form, missing, money, now, payments, random_id};

/// What an invoice of a subscription bills.
pub(super) struct Billing<'a> {
    /// The subscription, as Stripe shows it.
    pub(super) subscription: &'a Value,
    pub(super) product_name: &'a str,
    pub(super) email: Option<&'a str>,
    /// `subscription_create` or `subscription_cycle`.
    pub(super) reason: &'a str,
    /// The invoice's own period, which for a subscription billed in advance is the one that
    /// just ended.
    pub(super) period: (i64, i64),
    /// The period its line pays for.
    pub(super) service: (i64, i64),
}

/// The invoice for `billing`, before it is paid.
pub(super) fn draft(billing: &Billing<'_>) -> Value {
    let subscription = billing.subscription;
    let item = &subscription["items"]["data"][0];
    let price = &item["price"];
    let amount = price["unit_amount"].as_i64().unwrap_or_default();
    let currency = price["currency"].as_str().unwrap_or_default();
    let id = format!("in_{}", random_id(24));
    let created = now();
    let line = json!({
        "id": format!("il_{}", random_id(24)),
        "object": "line_item",
        "amount": amount,
        "currency": currency,
        "description": format!(
            "1 × {} (at {} / month)",
            billing.product_name,
            money(amount, currency)
        ),
        "invoice": id,
        "livemode": false,
        "metadata": {},
        "parent": {
            "type": "subscription_item_details",
            "invoice_item_details": null,
            "subscription_item_details": {
                "invoice_item": null,
                "proration": false,
                "proration_details": { "credited_items": null },
                "subscription": subscription["id"],
                "subscription_item": item["id"],
            },
        },
        "period": { "start": billing.service.0, "end": billing.service.1 },
        "pricing": {
            "type": "price_details",
            "price_details": { "price": price["id"], "product": price["product"] },
            "unit_amount_decimal": amount.to_string(),
        },
        "quantity": 1,
    });
    json!({
        "id": id,
        "object": "invoice",
        "amount_due": amount,
        "amount_paid": 0,
        "amount_remaining": amount,
        "attempt_count": 0,
        "attempted": false,
        "billing_reason": billing.reason,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": currency,
        "customer": subscription["customer"],
        "customer_email": billing.email,
        "description": null,
        "lines": {
            "object": "list",
            "data": [line],
            "has_more": false,
            "url": format!("/v1/invoices/{id}/lines"),
        },
        "livemode": false,
        "metadata": {},
        "parent": {
            "type": "subscription_details",
            "quote_details": null,
            "subscription_details": {
                "subscription": subscription["id"],
                "metadata": subscription["metadata"],
            },
        },
        "period_end": billing.period.1,
        "period_start": billing.period.0,
        "status": "open",
        "status_transitions": {
            "finalized_at": created,
            "marked_uncollectible_at": null,
            "paid_at": null,
            "voided_at": null,
        },
        "subtotal": amount,
        "total": amount,
    })
}

/// Pays `invoice` in full, as a card on file would: a PaymentIntent and its charge, and the
/// InvoicePayment that ties it to the invoice. Keeps the invoice and returns it, paid.
pub(super) fn settle(state: &mut State, mut invoice: Value) -> Value {
    let amount = invoice["amount_due"].as_i64().unwrap_or_default();
    let currency = invoice["currency"].as_str().unwrap_or_default().to_owned();
    let email = invoice["customer_email"].as_str().map(str::to_owned);
    let intent = payments::settle(state, amount, &currency, email.as_deref(), Map::new());
    let paid_at = now();
    let invoice_id = invoice["id"].as_str().unwrap_or_default().to_owned();
    let payment_id = format!("inpay_{}", random_id(24));
    let payment = json!({
        "id": payment_id,
        "object": "invoice_payment",
        "amount_paid": amount,
        "amount_requested": amount,
        "created": paid_at,
        "currency": currency,
        "invoice": invoice_id,
        "is_default": true,
        "livemode": false,
        "payment": { "type": "payment_intent", "payment_intent": intent },
        "status": "paid",
        "status_transitions": { "canceled_at": null, "paid_at": paid_at },
    });
    state.invoice_payments.insert(payment_id, payment);
    invoice["amount_paid"] = json!(amount);
    invoice["amount_remaining"] = json!(0);
    invoice["attempt_count"] = json!(1);
    invoice["attempted"] = json!(true);
    invoice["status"] = json!("paid");
    invoice["status_transitions"]["paid_at"] = json!(paid_at);
    state.invoices.insert(invoice_id, invoice.clone());
    invoice
}

/// The InvoicePayments of invoice `id`, oldest first.
fn payments_of(state: &State, id: &str) -> Vec<(i64, Value)> {
    state
        .invoice_payments
        .values()
        .filter(|payment| payment["invoice"] == id)
        .map(|payment| {
            (
                payment["created"].as_i64().unwrap_or_default(),
                payment.clone(),
            )
        })
        .collect()
}

/// `GET /v1/invoices/{id}`, with `expand[]=payments` to include its payments. The simulator
/// expands nothing else, and says so rather than answer without it.
pub(super) fn retrieve(account: &Account, id: &str, query: &str) -> Reply {
    let params = match form(query) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    let mut include_payments = false;
    for (name, value) in &params {
        if !name.starts_with("expand[") {
            return Reply::invalid(
                name,
                "parameter_unknown",
                &format!("Received unknown parameter: {name}"),
            );
        }
        if value != "payments" {
            return Reply::invalid(
                name,
                "parameter_invalid_string",
                &format!("This simulator can only expand `payments` on an invoice, not {value}."),
            );
        }
        include_payments = true;
    }
    let state = account.state();
    let Some(invoice) = state.invoices.get(id) else {
        return missing("invoice", "invoice", id);
    };
    let mut invoice = invoice.clone();
    if include_payments {
        let mut payments = payments_of(&state, id);
        payments.sort_by_key(|(created, _)| *created);
        let data: Vec<Value> = payments.into_iter().map(|(_, payment)| payment).collect();
        invoice["payments"] = json!({
            "object": "list",
            "data": data,
            "has_more": false,
            "url": format!("/v1/invoices/{id}/payments"),
        });
    }
    Reply::json(200, &invoice)
}

/// `GET /v1/invoice_payments`, optionally of one `invoice`.
pub(super) fn list_payments(account: &Account, query: &str) -> Reply {
    let params = match form(query) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    if let Err(refusal) = super::refuse_unknown(&params, &["invoice"], &["expand["]) {
        return refusal;
    }
    let state = account.state();
    let payments = match field(&params, "invoice") {
        Some(invoice) => payments_of(&state, invoice),
        None => state
            .invoice_payments
            .values()
            .map(|payment| {
                (
                    payment["created"].as_i64().unwrap_or_default(),
                    payment.clone(),
                )
            })
            .collect(),
    };
    super::list("/v1/invoice_payments", payments)
}

/// `GET /v1/invoice_payments/{id}`.
pub(super) fn retrieve_payment(account: &Account, id: &str) -> Reply {
    match account.state().invoice_payments.get(id) {
        Some(payment) => Reply::json(200, payment),
        None => missing("invoice_payment", "invoice_payment", id),
    }
}
