//! Subscriptions, for monthly gifts. A Checkout Session in `mode=subscription`, once paid, leaves
//! a customer, a subscription and its first paid invoice. `GET /v1/subscriptions/{id}` shows it
//! and `DELETE /v1/subscriptions/{id}` cancels it at once, as Stripe does, with
//! `customer.subscription.deleted`.
//!
//! Tests cannot wait a month, so `POST /_sim/subscriptions/{id}/next_month` (the simulator's
//! own control) stands for one going by: an active subscription is billed again by a paid
//! `subscription_cycle` invoice, delivered as `invoice.paid`. The clock itself does not move:
//! only the billing periods do, one calendar month each, counted from the day the subscription
//! started (the 31st falls on the last day of a shorter month, and comes back after it), as
//! Stripe counts them.
//!
//! Shapes follow API version 2025-09-30.clover: the billing period sits on the subscription's
//! item, not on the subscription.

use serde_json::{Map, Value, json};

use super::{
    Account, Reply, State, events, form, invoices, missing, now, random_id, refuse_unknown,
};

/// A subscription: Stripe's object, and what Stripe keeps elsewhere (on its product and its
/// customer) that each invoice repeats.
pub(super) struct Subscription {
    object: Value,
    /// The product's name, which each invoice line repeats.
    product_name: String,
    /// The customer's email, which each invoice repeats.
    email: Option<String>,
    /// The campaign its checkout named, so that a fault armed for the campaign reaches a later
    /// month's event too.
    campaign: Option<String>,
    /// How many invoices it has had; the next one bills the period that many months after the
    /// start.
    billed: i64,
}

/// What a paid session in subscription mode hands on.
pub(super) struct Start<'a> {
    /// The monthly amount, in minor units.
    pub(super) amount: i64,
    pub(super) currency: &'a str,
    pub(super) email: Option<&'a str>,
    /// The product's name, from the line item's `price_data[product_data][name]`.
    pub(super) product: &'a str,
    /// The session's `subscription_data[metadata]`.
    pub(super) metadata: Map<String, Value>,
    /// The session's `metadata[campaign]`.
    pub(super) campaign: Option<&'a str>,
}

/// What starting a subscription made.
pub(super) struct Started {
    pub(super) customer: String,
    pub(super) subscription: String,
    /// The first invoice, paid.
    pub(super) invoice: Value,
}

/// Creates the customer, the subscription and its first paid invoice (with its PaymentIntent
/// and charge).
pub(super) fn start(state: &mut State, start: &Start<'_>) -> Started {
    let created = now();
    let customer = format!("cus_{}", random_id(14));
    let id = format!("sub_{}", random_id(24));
    let price = json!({
        "id": format!("price_{}", random_id(24)),
        "object": "price",
        "active": true,
        "created": created,
        "currency": start.currency,
        "livemode": false,
        "metadata": {},
        "product": format!("prod_{}", random_id(14)),
        "recurring": { "interval": "month", "interval_count": 1 },
        "type": "recurring",
        "unit_amount": start.amount,
    });
    let object = json!({
        "id": id,
        "object": "subscription",
        "billing_cycle_anchor": created,
        "cancel_at": null,
        "cancel_at_period_end": false,
        "canceled_at": null,
        "cancellation_details": { "comment": null, "feedback": null, "reason": null },
        "collection_method": "charge_automatically",
        "created": created,
        "currency": start.currency,
        "customer": customer,
        "description": null,
        "ended_at": null,
        "items": {
            "object": "list",
            "data": [{
                "id": format!("si_{}", random_id(14)),
                "object": "subscription_item",
                "created": created,
                "current_period_start": created,
                "current_period_end": add_months(created, 1),
                "metadata": {},
                "price": price,
                "quantity": 1,
                "subscription": id,
            }],
            "has_more": false,
            "url": format!("/v1/subscription_items?subscription={id}"),
        },
        "latest_invoice": null,
        "livemode": false,
        "metadata": start.metadata,
        "start_date": created,
        "status": "active",
    });
    state.subscriptions.insert(
        id.clone(),
        Subscription {
            object,
            product_name: start.product.to_owned(),
            email: start.email.map(str::to_owned),
            campaign: start.campaign.map(str::to_owned),
            billed: 0,
        },
    );
    let invoice = bill(state, &id).unwrap_or(Value::Null);
    Started {
        customer,
        subscription: id,
        invoice,
    }
}

/// Bills the next period of subscription `id`: a paid invoice, which becomes its latest, and
/// moves its item's current period on. `None` if there is no such subscription.
fn bill(state: &mut State, id: &str) -> Option<Value> {
    let subscription = state.subscriptions.get(id)?;
    let anchor = subscription.object["billing_cycle_anchor"]
        .as_i64()
        .unwrap_or_default();
    let billed = subscription.billed;
    let service = (add_months(anchor, billed), add_months(anchor, billed + 1));
    // Stripe bills a period in advance, so an invoice's own period is the one that just ended;
    // the first invoice's is the instant the subscription started.
    let (reason, period) = if billed == 0 {
        ("subscription_create", (anchor, anchor))
    } else {
        (
            "subscription_cycle",
            (add_months(anchor, billed - 1), service.0),
        )
    };
    let billing = invoices::Billing {
        subscription: &subscription.object,
        product_name: &subscription.product_name,
        email: subscription.email.as_deref(),
        reason,
        period,
        service,
    };
    let draft = invoices::draft(&billing);
    let invoice = invoices::settle(state, draft);
    let subscription = state.subscriptions.get_mut(id)?;
    subscription.billed += 1;
    subscription.object["latest_invoice"] = invoice["id"].clone();
    let item = &mut subscription.object["items"]["data"][0];
    item["current_period_start"] = json!(service.0);
    item["current_period_end"] = json!(service.1);
    Some(invoice)
}

/// `GET /v1/subscriptions/{id}`: canceled ones too, as Stripe keeps them.
pub(super) fn retrieve(account: &Account, id: &str) -> Reply {
    match account.state().subscriptions.get(id) {
        Some(subscription) => Reply::json(200, &subscription.object),
        None => unknown(id),
    }
}

/// `DELETE /v1/subscriptions/{id}`: cancels at once, with `customer.subscription.deleted`.
/// Stripe's libraries send a DELETE's parameters in the query string, and its options only
/// matter to invoices still to come, of which a monthly gift has none.
///
/// A subscription canceled before is, to this endpoint, as good as deleted: Stripe answers
/// `404 resource_missing` ("No such subscription"), though `GET` still shows it, and tells
/// nobody anything more.
pub(super) fn cancel(account: &Account, id: &str, query: &str, body: &str) -> Reply {
    let mut params = match form(query) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    match form(body) {
        Ok(more) => params.extend(more),
        Err(refusal) => return refusal,
    }
    if let Err(refusal) = refuse_unknown(
        &params,
        &["invoice_now", "prorate"],
        &["cancellation_details[", "expand["],
    ) {
        return refusal;
    }
    let (subscription, event) = {
        let mut guard = account.state();
        let state = &mut *guard;
        let Some(subscription) = state.subscriptions.get_mut(id) else {
            return unknown(id);
        };
        if subscription.object["status"] == "canceled" {
            return unknown(id);
        }
        let at = now();
        let object = &mut subscription.object;
        object["status"] = json!("canceled");
        object["canceled_at"] = json!(at);
        object["ended_at"] = json!(at);
        object["cancellation_details"]["reason"] = json!("cancellation_requested");
        let object = object.clone();
        let event = state
            .events
            .record("customer.subscription.deleted", &object, None);
        (object, event)
    };
    events::deliver(account, &event);
    Reply::json(200, &subscription)
}

/// `POST /_sim/subscriptions/{id}/next_month`: a month goes by for one subscription. An active
/// one is billed once, and its invoice, delivered as `invoice.paid`, is the answer; a canceled
/// one is refused, and nothing is billed or told.
pub(super) fn next_month(account: &Account, id: &str) -> Reply {
    let (invoice, event, lost) = {
        let mut guard = account.state();
        let state = &mut *guard;
        let Some(subscription) = state.subscriptions.get(id) else {
            return unknown(id);
        };
        if subscription.object["status"] != "active" {
            return Reply::refused(
                None,
                &format!(
                    "Subscription {id} is {}: only an active subscription is billed.",
                    subscription.object["status"]
                        .as_str()
                        .unwrap_or("not active")
                ),
            );
        }
        let campaign = subscription.campaign.clone();
        let Some(invoice) = bill(state, id) else {
            return unknown(id);
        };
        let event = state.events.record("invoice.paid", &invoice, None);
        let lost = state.faults.take_at_payment(campaign.as_deref()).is_some();
        (invoice, event, lost)
    };
    if !lost {
        events::deliver(account, &event);
    }
    Reply::json(200, &invoice)
}

fn unknown(id: &str) -> Reply {
    missing("subscription", "id", id)
}

const DAY: i64 = 24 * 3600;

/// `at` moved on by `months` calendar months, at the same time of day: on the same day of the
/// month, or the month's last day when it is shorter.
pub(super) fn add_months(at: i64, months: i64) -> i64 {
    let (day_number, time) = (at.div_euclid(DAY), at.rem_euclid(DAY));
    let (year, month, day) = date(day_number);
    let index = year * 12 + (month - 1) + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    days_since_epoch(year, month, day.min(days_in_month(year, month))) * DAY + time
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_year(year: i64) -> i64 {
    if is_leap(year) { 366 } else { 365 }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The (year, month, day) of the `days`-th day after 1970-01-01. Billing dates lie within a few
/// decades of it, so walking year by year costs nothing worth a cleverer formula.
fn date(mut days: i64) -> (i64, i64, i64) {
    let mut year = 1970;
    while days < 0 {
        year -= 1;
        days += days_in_year(year);
    }
    while days >= days_in_year(year) {
        days -= days_in_year(year);
        year += 1;
    }
    let mut month = 1;
    while days >= days_in_month(year, month) {
        days -= days_in_month(year, month);
        month += 1;
    }
    (year, month, days + 1)
}

/// The inverse of [`date`].
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let years: i64 = if year >= 1970 {
        (1970..year).map(days_in_year).sum()
    } else {
        -(year..1970).map(days_in_year).sum::<i64>()
    };
    let months: i64 = (1..month).map(|month| days_in_month(year, month)).sum();
    years + months + day - 1
}
