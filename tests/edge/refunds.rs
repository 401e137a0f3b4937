//! Refunds and disputes reach the totals: each brings them down by exactly what went back to
//! the donor, once, whatever the order and the repetition of the PSP's events.

mod common;

use common::*;
use tirelire_tests::running::Running;

const CAMPAIGN: &str = "test-refunds";

/// A paid donation: its order, session and payment intent.
fn paid(stack: &Running, amount: i64) -> (String, String, String) {
    let (order_id, session_id) = checkout_ok(stack, CAMPAIGN, amount);
    pay(stack, &session_id);
    assert_eq!(order_status(stack, &order_id).as_deref(), Some("paid"));
    let intent = payment_intent(stack, &session_id);
    (order_id, session_id, intent)
}

/// The ids of the events of `kind` whose object names `intent`, oldest first.
fn events(stack: &Running, kind: &str, intent: &str) -> Vec<String> {
    let list = stripe_api(stack, "GET", &format!("/v1/events?type={kind}&limit=100")).json();
    let mut ids: Vec<String> = list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|event| event["data"]["object"]["payment_intent"] == intent)
        .filter_map(|event| event["id"].as_str().map(str::to_owned))
        .collect();
    ids.reverse();
    ids
}

fn refunded_amount(stack: &Running, order_id: &str) -> i64 {
    db(stack)
        .query_row(
            "SELECT refunded_amount FROM orders WHERE id = ?1",
            [order_id],
            |row| row.get(0),
        )
        .expect("the order can be read")
}

/// The campaign's tests share its totals; each test checks its own order's effect on them, so
/// they run one at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn a_full_refund_takes_the_donation_out_of_the_totals_once() {
    let _turn = one_at_a_time();
    let stack = stack();
    let before = totals(&stack, CAMPAIGN);
    let (order_id, session_id, intent) = paid(&stack, 2000);
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 2000, before.1 + 1));

    refund(&stack, &intent, None);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("refunded"));
    assert_eq!(totals(&stack, CAMPAIGN), before);

    // Every event again, refund first, then the payment, twice over.
    let refunded = events(&stack, "charge.refunded", &intent);
    let completed = event_for(&stack, "checkout.session.completed", &session_id);
    for _ in 0..2 {
        for id in &refunded {
            assert_eq!(resend(&stack, id), 200);
        }
        assert_eq!(
            resend(&stack, completed["id"].as_str().unwrap_or_default()),
            200
        );
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("refunded"));
    assert_eq!(totals(&stack, CAMPAIGN), before);
}

#[test]
fn partial_refunds_take_out_exactly_what_went_back() {
    let _turn = one_at_a_time();
    let stack = stack();
    let before = totals(&stack, CAMPAIGN);
    let (order_id, _, intent) = paid(&stack, 2000);

    refund(&stack, &intent, Some(500));
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 1500, before.1 + 1));
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    refund(&stack, &intent, Some(700));
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 800, before.1 + 1));
    assert_eq!(refunded_amount(&stack, &order_id), 1200);

    // The older refund event, delivered late and twice, cannot undo the newer one.
    let refunded = events(&stack, "charge.refunded", &intent);
    assert_eq!(refunded.len(), 2);
    for id in refunded.iter().rev().chain(refunded.iter()) {
        assert_eq!(resend(&stack, id), 200);
    }
    assert_eq!(refunded_amount(&stack, &order_id), 1200);
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 800, before.1 + 1));
}

#[test]
fn a_lost_dispute_takes_the_disputed_amount_out_once() {
    let _turn = one_at_a_time();
    let stack = stack();
    let before = totals(&stack, CAMPAIGN);
    let (order_id, _, intent) = paid(&stack, 2000);

    let dispute = sim_post(&stack, &format!("/_sim/charges/{intent}/dispute"), "");
    let dispute_id = dispute["id"].as_str().expect("a dispute id").to_owned();
    // An open dispute moves no money yet.
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 2000, before.1 + 1));
    sim_post(
        &stack,
        &format!("/_sim/disputes/{dispute_id}/close"),
        "status=lost",
    );
    assert_eq!(totals(&stack, CAMPAIGN), before);
    let status: String = db(&stack)
        .query_row(
            "SELECT dispute_status FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order can be read");
    assert_eq!(status, "lost");

    // The opening event, delivered again after the closing one, cannot reopen it.
    for kind in ["charge.dispute.created", "charge.dispute.closed"] {
        for id in events(&stack, kind, &intent) {
            assert_eq!(resend(&stack, &id), 200);
        }
    }
    assert_eq!(totals(&stack, CAMPAIGN), before);
}

#[test]
fn a_refund_that_arrives_before_the_payment_is_counted_when_it_lands() {
    let _turn = one_at_a_time();
    let stack = stack();
    let before = totals(&stack, CAMPAIGN);
    // The payment's webhook is lost; the refund's arrives first.
    sim_post(
        &stack,
        "/_sim/faults",
        &format!("campaign={CAMPAIGN}&kind=no_webhook&count=1"),
    );
    let (order_id, session_id) = checkout_ok(&stack, CAMPAIGN, 2000);
    pay(&stack, &session_id);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    let intent = payment_intent(&stack, &session_id);
    refund(&stack, &intent, Some(500));
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(totals(&stack, CAMPAIGN), before);

    let completed = event_for(&stack, "checkout.session.completed", &session_id);
    assert_eq!(
        resend(&stack, completed["id"].as_str().unwrap_or_default()),
        200
    );
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    assert_eq!(totals(&stack, CAMPAIGN), (before.0 + 1500, before.1 + 1));
}
