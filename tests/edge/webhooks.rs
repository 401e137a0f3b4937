//! PSP webhooks: verified, applied once, and only ever moving an order forward.

mod common;

use common::*;
use tirelire_tests::psp_sim::sign;

#[test]
fn paying_marks_the_order_paid_and_counts_it_once_despite_five_deliveries() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-dedup", 2000);
    let before = totals(&stack, "test-dedup");

    let back_to = pay(&stack, &session_id);
    assert!(back_to.contains("tirelire_result=paid"), "{back_to}");
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));

    // The same event again: twice in a row, then three at once.
    let event = event_for(&stack, "checkout.session.completed", &session_id);
    let event_id = event["id"].as_str().expect("an event id").to_owned();
    assert_eq!(resend(&stack, &event_id), 200);
    assert_eq!(resend(&stack, &event_id), 200);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| resend(&stack, &event_id)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a delivery thread"))
            .collect()
    });
    assert_eq!(statuses, [200, 200, 200]);

    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    assert_eq!(
        totals(&stack, "test-dedup"),
        (before.0 + 2000, before.1 + 1)
    );
    let recorded: i64 = db(&stack)
        .query_row(
            "SELECT count(*) FROM webhook_events WHERE id = ?1",
            [&event_id],
            |row| row.get(0),
        )
        .expect("events can be counted");
    assert_eq!(recorded, 1);

    // The public view was refreshed, not left stale in the cache.
    let campaign = stack.get("/v1/campaigns/test-dedup").json();
    assert_eq!(campaign["raised_amount"], before.0 + 2000);
    assert_eq!(campaign["donation_count"], before.1 + 1);
    let order = stack.get(&format!("/v1/orders/{order_id}")).json();
    assert_eq!(order["status"], "paid");
}

#[test]
fn forged_webhooks_are_refused_and_change_nothing() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-forged", 2000);
    let before = totals(&stack, "test-forged");
    let payload = completed_event("evt_forged_1", &session_id, &order_id, 2000);
    let now = now();

    let wrong_secret = sign(&payload, "whsec_not_the_secret", now);
    let stale = sign(&payload, &stack.webhook_secret, now - 3600);
    let good = sign(&payload, &stack.webhook_secret, now);
    let tampered = payload.replace("\"amount_total\":2000", "\"amount_total\":2");
    let cases: [(&str, &str, Option<&str>); 5] = [
        ("wrong secret", &payload, Some(&wrong_secret)),
        ("stale timestamp", &payload, Some(&stale)),
        ("tampered body", &tampered, Some(&good)),
        ("no signature", &payload, None),
        ("garbled header", &payload, Some("t=yesterday,v1=zz")),
    ];
    for (what, body, signature) in cases {
        let answer = post_webhook(&stack, body, signature);
        assert_eq!(answer.status, 400, "{what}: {}", answer.body);
        assert_eq!(answer.error_code(), "invalid_signature", "{what}");
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(totals(&stack, "test-forged"), before);
}

#[test]
fn webhook_for_an_unknown_session_is_refused_not_swallowed() {
    let stack = stack();
    let payload = completed_event(
        "evt_unknown_1",
        "cs_test_nobody",
        "ord_AAAAAAAAAAAAAAAAAAAAAA",
        2000,
    );
    let signature = sign(&payload, &stack.webhook_secret, now());
    let answer = post_webhook(&stack, &payload, Some(&signature));
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(answer.error_code(), "unknown_session");
}

#[test]
fn webhook_with_another_amount_is_refused() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-forged", 2000);
    let payload = completed_event("evt_mismatch_1", &session_id, &order_id, 1);
    let signature = sign(&payload, &stack.webhook_secret, now());
    let answer = post_webhook(&stack, &payload, Some(&signature));
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.error_code(), "amount_mismatch");
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
}

#[test]
fn signed_but_unreadable_event_is_refused() {
    let stack = stack();
    let payload = r#"{"id":"evt_bad","type":"checkout.session.completed","data":{"object":{"amount_total":"lots"}}}"#;
    let signature = sign(payload, &stack.webhook_secret, now());
    let answer = post_webhook(&stack, payload, Some(&signature));
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.error_code(), "malformed_event");
}

#[test]
fn other_event_types_are_acknowledged_without_effect() {
    let stack = stack();
    let payload = r#"{"id":"evt_customer","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}"#;
    let signature = sign(payload, &stack.webhook_secret, now());
    let answer = post_webhook(&stack, payload, Some(&signature));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["applied"], false);
}

#[test]
fn expired_session_leaves_the_order_unpaid_for_good() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-expiry", 2000);
    let before = totals(&stack, "test-expiry");

    let expired = stripe_api(
        &stack,
        "POST",
        &format!("/v1/checkout/sessions/{session_id}/expire"),
    );
    assert_eq!(expired.status, 200, "{}", expired.body);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("expired"));

    // A completed event arriving late (here, forged but validly signed) cannot revive it.
    let payload = completed_event("evt_late_1", &session_id, &order_id, 2000);
    let answer = post_webhook(
        &stack,
        &payload,
        Some(&sign(&payload, &stack.webhook_secret, now())),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["applied"], false);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("expired"));
    assert_eq!(totals(&stack, "test-expiry"), before);
}

#[test]
fn cancelling_on_the_payment_page_leaves_the_order_pending() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-expiry", 3000);
    let page = stack.get(&format!("{}/c/pay/{session_id}", stack.sim_url));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("30,00 EUR"), "the page shows the amount");
    assert!(
        page.body.contains("tirelire_result=cancelled"),
        "the page links back with the cancel URL"
    );
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
}
