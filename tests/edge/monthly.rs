//! Monthly gifts: a Stripe subscription whose first month is the checkout, each later month an
//! order of its own, and an end the donor can choose from the link in their mail (or the
//! treasurer from the back-office), after which nothing more is taken.

mod common;

use common::*;
use serde_json::json;
use tirelire_tests::running::{Answer, Running};

/// A paid monthly gift of `amount`: its order id, subscription id and donor token.
fn monthly_gift(stack: &Running, amount: i64) -> (String, String, String) {
    let body = order(stack, amount, json!({"monthly": true}));
    let answer = checkout(stack, "test-monthly", body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let order_id = order_id_of(&answer);
    let session = stripe_api(
        stack,
        "GET",
        &format!("/v1/checkout/sessions/{}", session_of(&answer)),
    )
    .json();
    assert_eq!(session["mode"], "subscription");
    pay(stack, &session_of(&answer));
    assert_eq!(order_status(stack, &order_id).as_deref(), Some("paid"));
    let (subscription, token): (String, String) = db(stack)
        .query_row(
            "SELECT psp_subscription_id, donor_token FROM orders WHERE id = ?1",
            [&order_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the order knows its subscription");
    assert!(subscription.starts_with("sub_"), "{subscription}");
    (order_id, subscription, token)
}

fn next_month(stack: &Running, subscription: &str) -> Answer {
    stack.send(
        "POST",
        &format!(
            "{}/_sim/subscriptions/{subscription}/next_month",
            stack.sim_url
        ),
        &[],
        Some(b""),
    )
}

fn instalments(stack: &Running, order_id: &str) -> Vec<(String, i64)> {
    let db = db(stack);
    let mut statement = db
        .prepare("SELECT status, amount FROM orders WHERE parent_order_id = ?1 ORDER BY created_at")
        .expect("orders can be read");
    statement
        .query_map([order_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("orders can be read")
        .map(|row| row.expect("a row"))
        .collect()
}

#[test]
fn a_monthly_gift_is_paid_once_now_and_again_each_month() {
    let stack = stack();
    let _serial = serial();
    let (raised, count) = totals(&stack, "test-monthly");
    let (order_id, subscription, _) = monthly_gift(&stack, 1500);
    assert_eq!(totals(&stack, "test-monthly"), (raised + 1500, count + 1));
    assert!(
        instalments(&stack, &order_id).is_empty(),
        "the first month is the checkout"
    );

    let billed = next_month(&stack, &subscription);
    assert_eq!(billed.status, 200, "{}", billed.body);
    assert_eq!(instalments(&stack, &order_id), [("paid".to_owned(), 1500)]);
    assert_eq!(totals(&stack, "test-monthly"), (raised + 3000, count + 2));

    // The instalment's event, delivered again, adds nothing.
    let invoice = billed.json()["id"].as_str().unwrap_or_default().to_owned();
    let events = stripe_api(&stack, "GET", "/v1/events?type=invoice.paid").json();
    let event = events["data"]
        .as_array()
        .and_then(|events| {
            events
                .iter()
                .find(|e| e["data"]["object"]["id"] == invoice.as_str())
        })
        .cloned()
        .expect("the invoice's event");
    assert_eq!(
        resend(&stack, event["id"].as_str().unwrap_or_default()),
        200
    );
    assert_eq!(instalments(&stack, &order_id).len(), 1);
    assert_eq!(totals(&stack, "test-monthly"), (raised + 3000, count + 2));
}

#[test]
fn a_donor_who_stops_through_the_link_in_their_mail_is_never_charged_again() {
    let stack = stack();
    // Each test counts the campaign's totals or money: one at a time.
    let _serial = serial();
    let (order_id, subscription, token) = monthly_gift(&stack, 1000);
    let receipts = mail_to(
        db(&stack)
            .query_row(
                "SELECT email FROM orders WHERE id = ?1",
                [&order_id],
                |row| row.get::<_, String>(0),
            )
            .expect("an email")
            .as_str(),
        1,
    );
    let text = receipts[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("/o/{token}")),
        "the mail carries the link: {text}"
    );

    let page = stack.get(&format!("/o/{token}"));
    assert!(
        page.body.contains("Arrêter mon don mensuel"),
        "{}",
        page.body
    );
    // Another site cannot stop it for the donor.
    let forged = stack.send(
        "POST",
        &format!("/o/{token}/stop"),
        &[("Origin", "https://evil.example")],
        Some(b""),
    );
    assert_eq!(forged.status, 403);
    let stop = stack.send(
        "POST",
        &format!("/o/{token}/stop"),
        &[("Origin", &stack.edge_url)],
        Some(b""),
    );
    assert_eq!(stop.status, 303, "{}", stop.body);
    let ended: Option<i64> = db(&stack)
        .query_row(
            "SELECT subscription_ended_at FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order");
    assert!(ended.is_some(), "the gift is recorded as stopped");
    let sub = stripe_api(&stack, "GET", &format!("/v1/subscriptions/{subscription}")).json();
    assert_eq!(sub["status"], "canceled");
    assert!(
        stack
            .get(&format!("/o/{token}"))
            .body
            .contains("Ce don mensuel est arrêté")
    );

    // A month later, nothing is taken, and stopping again changes nothing.
    let billed = next_month(&stack, &subscription);
    assert_eq!(billed.status, 400, "{}", billed.body);
    assert!(instalments(&stack, &order_id).is_empty());
    let again = stack.send(
        "POST",
        &format!("/o/{token}/stop"),
        &[("Origin", &stack.edge_url)],
        Some(b""),
    );
    assert_eq!(again.status, 303);
}

#[test]
fn the_treasurer_can_stop_a_monthly_gift_and_a_volunteer_cannot() {
    let stack = stack();
    // Each test counts the campaign's totals or money: one at a time.
    let _serial = serial();
    let (order_id, subscription, _) = monthly_gift(&stack, 1200);
    let path = format!("/v1/admin/payments/{order_id}/stop-monthly");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    assert_eq!(
        write(&stack, &path, Some(&volunteer), &json!({})).status,
        403
    );
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let stopped = write(&stack, &path, Some(&treasurer), &json!({}));
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    let sub = stripe_api(&stack, "GET", &format!("/v1/subscriptions/{subscription}")).json();
    assert_eq!(sub["status"], "canceled");
    let audited = count(
        &stack,
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'monthly_gift_stopped'
             AND subject = 'order:{order_id}'"
        ),
    );
    assert_eq!(audited, 1);
    assert_eq!(next_month(&stack, &subscription).status, 400);
}

#[test]
fn an_end_that_arrives_before_the_checkout_s_own_event_still_ends_the_gift() {
    let stack = stack();
    // Each test counts the campaign's totals or money: one at a time.
    let _serial = serial();
    let body = order(&stack, 900, json!({"monthly": true}));
    let answer = checkout(&stack, "test-monthly", body.to_string().as_bytes());
    assert_eq!(answer.status, 201);
    let order_id = order_id_of(&answer);
    // The subscription's end is delivered first, naming the order in its metadata.
    let ended = json!({
        "id": format!("evt_end_{}", unique()),
        "object": "event",
        "type": "customer.subscription.deleted",
        "livemode": false,
        "created": now(),
        "data": {"object": {"id": format!("sub_early{}", unique()), "object": "subscription",
                            "status": "canceled", "metadata": {"order_id": order_id}}}
    });
    assert_eq!(deliver(&stack, &ended.to_string()).status, 200);
    let ended_at: Option<i64> = db(&stack)
        .query_row(
            "SELECT subscription_ended_at FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order");
    assert!(ended_at.is_some());
    expire(&stack, &session_of(&answer));
}

/// The PSP's payment an order knows, if any.
fn payment_of(stack: &Running, order_id: &str) -> Option<String> {
    order_text(stack, order_id, "psp_payment_id")
}

#[test]
fn a_refund_of_any_month_finds_its_own_order_and_lowers_the_totals() {
    let stack = stack();
    let _serial = serial();
    let (raised, count) = totals(&stack, "test-monthly");
    let (order_id, subscription, _) = monthly_gift(&stack, 1500);
    let billed = next_month(&stack, &subscription);
    assert_eq!(billed.status, 200, "{}", billed.body);
    let month: String = db(&stack)
        .query_row(
            "SELECT id FROM orders WHERE parent_order_id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the second month is an order");
    assert_eq!(totals(&stack, "test-monthly"), (raised + 3000, count + 2));

    // A subscription's session and its invoices name no payment; each month's is learnt from
    // its invoice, as Stripe's refunds and the back-office need it.
    let first = payment_of(&stack, &order_id).expect("the first month knows its payment");
    let second = payment_of(&stack, &month).expect("the second month knows its payment");
    assert!(first.starts_with("pi_") && second.starts_with("pi_"));
    assert_ne!(first, second);

    // The treasurer refunds the second month in Stripe's dashboard: that month only.
    refund(&stack, &second, None);
    assert_eq!(order_status(&stack, &month).as_deref(), Some("refunded"));
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    assert_eq!(totals(&stack, "test-monthly"), (raised + 1500, count + 1));

    // And the first from the back-office.
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let path = format!("/v1/admin/payments/{order_id}/refund");
    let answer = write(&stack, &path, Some(&treasurer), &json!({}));
    assert_eq!(answer.status, 202, "{}", answer.body);
    for _ in 0..50 {
        if order_status(&stack, &order_id).as_deref() == Some("refunded") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("refunded"));
    assert_eq!(totals(&stack, "test-monthly"), (raised, count));
}

#[test]
fn a_month_whose_event_is_lost_is_read_from_stripe_s_list_with_its_payment() {
    let stack = stack();
    let _serial = serial();
    // A run first, so that the sweep's place in Stripe's event list is set before the loss.
    stack.sweep(now());
    let (order_id, subscription, _) = monthly_gift(&stack, 1500);
    arm(&stack, "test-monthly", "no_webhook", 1);
    let billed = next_month(&stack, &subscription);
    assert_eq!(billed.status, 200, "{}", billed.body);
    assert!(
        instalments(&stack, &order_id).is_empty(),
        "the event was lost"
    );

    // Each run reads the next page of events, then learns the payments of months without one.
    for _ in 0..60 {
        stack.sweep(now() + 60);
        if !instalments(&stack, &order_id).is_empty() {
            break;
        }
    }
    assert_eq!(instalments(&stack, &order_id), [("paid".to_owned(), 1500)]);
    let month: String = db(&stack)
        .query_row(
            "SELECT id FROM orders WHERE parent_order_id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the month is an order");
    for _ in 0..10 {
        if payment_of(&stack, &month).is_some() {
            break;
        }
        stack.sweep(now() + 60);
    }
    assert!(
        payment_of(&stack, &month).is_some_and(|payment| payment.starts_with("pi_")),
        "the sweep learnt the month's payment"
    );
}
