//! What a verified PSP event does to the records: the one path by which webhooks and the sweep
//! change an order.
//!
//! An event is applied only to an order this edge opened: for a session, the order id in its
//! metadata and the session id must agree with the order; for a refund or a dispute, the
//! payment must be the order's. Anything else is another integration's business on the same
//! PSP account and is acknowledged without effect. What is ours but wrong (another amount,
//! another mode, a payment for an order already closed) is kept as an anomaly for the
//! treasurer, never silently dropped and never applied.

use serde::Serialize;
use tirelire_domain::OrderStatus;
use worker::console_warn;

use crate::error::EdgeError;
use crate::ids::{new_delivery_token, new_order_id};
use crate::mail::Notices;
use crate::psp::{PaymentChange, PaymentEvent, PspAmount};
use crate::storage::{Anomaly, EventRecord, OrderChange, Storage, StoredOrder};

/// What became of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The order changed.
    Applied,
    /// The event was recorded, or had been already, and changed nothing.
    Unchanged,
    /// The event concerns nothing this edge opened, or nothing it acts on.
    NotOurs,
    /// The event is ours but could not be applied; an anomaly was kept.
    Anomaly,
}

/// Applies `event` from the provider called `psp`, whose key is live or not. A payment writes
/// the messages in `notices` to the outbox, in the same batch.
pub async fn apply(
    storage: &Storage,
    psp: &str,
    live: bool,
    event: &PaymentEvent,
    notices: &Notices,
    now: i64,
) -> Result<Outcome, EdgeError> {
    let Some(change) = &event.change else {
        return Ok(Outcome::NotOurs);
    };
    let anomaly = |kind: &'static str, order_id: Option<String>, detail: String| Anomaly {
        kind,
        psp,
        event_id: Some(&event.id),
        order_id,
        detail,
        now,
    };
    if event.live.is_some_and(|event_live| event_live != live) {
        // A live event reaching a test deployment, or the reverse: the webhook is pointed at
        // the wrong edge. Nothing of it can be ours.
        let mode = |live: bool| if live { "live" } else { "test" };
        keep(
            storage,
            anomaly(
                "mode_mismatch",
                None,
                format!(
                    "a {} event reached an edge with a {} key",
                    mode(!live),
                    mode(live)
                ),
            ),
        )
        .await?;
        return Ok(Outcome::NotOurs);
    }

    let Some(order) = find_order(storage, change).await? else {
        return Ok(Outcome::NotOurs);
    };
    let instalment_id;
    let order_change = match change {
        PaymentChange::Session(update) => {
            if order
                .session_id
                .as_deref()
                .is_some_and(|session| session != update.session_id)
            {
                keep(
                    storage,
                    anomaly(
                        "session_mismatch",
                        Some(order.id.clone()),
                        format!(
                            "session {} names this order, which was opened with another",
                            update.session_id
                        ),
                    ),
                )
                .await?;
                return Ok(Outcome::Anomaly);
            }
            if !update
                .amount
                .as_ref()
                .is_some_and(|amount| amount.is(order.amount))
            {
                let got = update
                    .amount
                    .as_ref()
                    .map_or_else(|| "no amount".to_owned(), PspAmount::to_string);
                keep(
                    storage,
                    anomaly(
                        "amount_mismatch",
                        Some(order.id.clone()),
                        format!(
                            "the order is for {} {}, the session for {got}",
                            order.amount.minor,
                            order.amount.currency.code()
                        ),
                    ),
                )
                .await?;
                return Ok(Outcome::Anomaly);
            }
            if update.outcome == Some(OrderStatus::Paid)
                && matches!(order.status, OrderStatus::Failed | OrderStatus::Expired)
            {
                // The money was taken for an order the edge had closed: the treasurer must
                // know, to keep the gift or refund it. The event is still recorded below.
                keep(
                    storage,
                    anomaly(
                        "payment_for_closed_order",
                        Some(order.id.clone()),
                        format!(
                            "session {} was paid while the order was {}",
                            update.session_id,
                            order.status.as_str()
                        ),
                    ),
                )
                .await?;
            }
            match update.outcome {
                Some(next) => OrderChange::Status {
                    next,
                    session_id: &update.session_id,
                    payment_id: update.payment_id.as_deref(),
                    subscription_id: update.subscription_id.as_deref(),
                    invoice_id: update.invoice_id.as_deref(),
                },
                None => OrderChange::Nothing,
            }
        }
        PaymentChange::Refund(refund) => {
            if let Some(detail) = other_currency("refund", &refund.refunded_total, &order) {
                keep(
                    storage,
                    anomaly("currency_mismatch", Some(order.id.clone()), detail),
                )
                .await?;
                return Ok(Outcome::Anomaly);
            }
            OrderChange::Refunded {
                total: refund.refunded_total.minor,
                payment_id: &refund.payment_id,
            }
        }
        PaymentChange::Dispute(dispute) => {
            if let Some(detail) = other_currency("dispute", &dispute.amount, &order) {
                keep(
                    storage,
                    anomaly("currency_mismatch", Some(order.id.clone()), detail),
                )
                .await?;
                return Ok(Outcome::Anomaly);
            }
            OrderChange::Dispute {
                status: dispute.status,
                amount: dispute.amount.minor,
                payment_id: &dispute.payment_id,
            }
        }
        // The first month is paid through the checkout, whose own event settles the order.
        PaymentChange::Instalment(instalment) if instalment.first => OrderChange::Nothing,
        PaymentChange::Instalment(instalment) => {
            if let Some(detail) = other_currency("instalment", &instalment.amount, &order) {
                keep(
                    storage,
                    anomaly("currency_mismatch", Some(order.id.clone()), detail),
                )
                .await?;
                return Ok(Outcome::Anomaly);
            }
            instalment_id = new_order_id()?;
            OrderChange::Instalment {
                order_id: &instalment_id,
                invoice_id: &instalment.invoice_id,
                subscription_id: &instalment.subscription_id,
                amount: instalment.amount.minor,
            }
        }
        PaymentChange::SubscriptionEnded(end) => OrderChange::SubscriptionEnded {
            subscription_id: &end.subscription_id,
        },
    };

    let delivery = new_delivery_token()?;
    let record = EventRecord {
        id: &event.id,
        psp,
        kind: &event.kind,
        order_id: &order.id,
        delivery: &delivery,
        now,
    };
    if storage.apply_event(&record, &order_change, notices).await? {
        storage.forget_campaign(&order.campaign_slug).await;
        if let OrderChange::Status {
            next: OrderStatus::Paid,
            ..
        } = &order_change
        {
            // A membership's period follows its payment; should this fail, the sweep records
            // it on its next run.
            if let Err(error) = storage
                .record_membership(&order.id, notices.donor, now)
                .await
            {
                console_warn!(
                    "membership of order {} left to the sweep: {error}",
                    order.id
                );
            }
        }
        Ok(Outcome::Applied)
    } else {
        Ok(Outcome::Unchanged)
    }
}

/// What is wrong when a refund or dispute is in another currency than its order.
fn other_currency(what: &str, amount: &PspAmount, order: &StoredOrder) -> Option<String> {
    let expected = order.amount.currency.code();
    (amount.currency != expected)
        .then(|| format!("a {what} in {} on an order in {expected}", amount.currency))
}

/// The order an event concerns, if this edge opened it.
async fn find_order(
    storage: &Storage,
    change: &PaymentChange,
) -> Result<Option<StoredOrder>, EdgeError> {
    match change {
        PaymentChange::Session(update) => {
            // Without the order id the edge put in the metadata, the session is not ours,
            // even if its client reference looks like one of our ids.
            let Some(order_id) = &update.order_id else {
                return Ok(None);
            };
            Ok(storage.order(order_id).await?)
        }
        PaymentChange::Refund(update) => {
            payment_order(storage, &update.payment_id, update.order_id.as_deref()).await
        }
        PaymentChange::Dispute(update) => {
            payment_order(storage, &update.payment_id, update.order_id.as_deref()).await
        }
        PaymentChange::Instalment(update) => {
            subscription_order(storage, &update.subscription_id, update.order_id.as_deref()).await
        }
        PaymentChange::SubscriptionEnded(end) => {
            subscription_order(storage, &end.subscription_id, end.order_id.as_deref()).await
        }
    }
}

/// The order that opened a subscription: the one that recorded it, or the one its metadata
/// names when the checkout's own event has not come yet. Either way it must be a monthly gift.
async fn subscription_order(
    storage: &Storage,
    subscription_id: &str,
    order_id: Option<&str>,
) -> Result<Option<StoredOrder>, EdgeError> {
    if let Some(order) = storage.order_for_subscription(subscription_id).await? {
        return Ok(Some(order));
    }
    let Some(order_id) = order_id else {
        return Ok(None);
    };
    Ok(storage
        .order(order_id)
        .await?
        .filter(|order| order.monthly && order.subscription_id.is_none()))
}

/// The order of a payment: the one that recorded it, or the one its metadata names when the
/// payment's own event has not come yet (deliveries can cross).
async fn payment_order(
    storage: &Storage,
    payment_id: &str,
    order_id: Option<&str>,
) -> Result<Option<StoredOrder>, EdgeError> {
    if let Some(order) = storage.order_for_payment(payment_id).await? {
        return Ok(Some(order));
    }
    let Some(order_id) = order_id else {
        return Ok(None);
    };
    Ok(storage
        .order(order_id)
        .await?
        .filter(|order| order.payment_id.is_none()))
}

async fn keep(storage: &Storage, anomaly: Anomaly<'_>) -> Result<(), EdgeError> {
    console_warn!(
        "anomaly {} on {:?}: {}",
        anomaly.kind,
        anomaly.order_id,
        anomaly.detail
    );
    storage.record_anomaly(&anomaly).await?;
    Ok(())
}
