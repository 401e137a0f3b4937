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
    let payload = completed_event(
        &format!("evt_forged_{}", unique()),
        &session_id,
        &order_id,
        2000,
    );
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
        // Nothing about the edge's clock or the expected signature leaks.
        assert!(
            !answer.body.contains(&now.to_string()[..6]),
            "{what}: {}",
            answer.body
        );
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(totals(&stack, "test-forged"), before);
}

#[test]
fn events_about_sessions_this_edge_did_not_open_are_acknowledged_and_change_nothing() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-forged", 2000);
    let before = totals(&stack, "test-forged");

    // Another integration's session, on the same Stripe account.
    let foreign = completed_event(
        &format!("evt_foreign_{}", unique()),
        "cs_test_someone_else",
        "ord_AAAAAAAAAAAAAAAAAAAAAA",
        2000,
    );
    // Our session, but without the order id the edge puts in the metadata: a client reference
    // alone proves nothing.
    let bare: serde_json::Value = serde_json::from_str(&completed_event(
        &format!("evt_bare_{}", unique()),
        &session_id,
        &order_id,
        2000,
    ))
    .expect("JSON");
    let mut bare = bare;
    bare["data"]["object"]
        .as_object_mut()
        .expect("an object")
        .remove("metadata");
    // A live event, while the edge runs on a test key.
    let mut live: serde_json::Value = serde_json::from_str(&completed_event(
        &format!("evt_live_{}", unique()),
        &session_id,
        &order_id,
        2000,
    ))
    .expect("JSON");
    live["livemode"] = serde_json::json!(true);

    for (what, payload) in [
        ("foreign session", foreign),
        ("no metadata", bare.to_string()),
        ("other mode", live.to_string()),
    ] {
        let answer = deliver(&stack, &payload);
        assert_eq!(answer.status, 200, "{what}: {}", answer.body);
        assert_eq!(answer.json()["applied"], false, "{what}");
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(totals(&stack, "test-forged"), before);
    let mode_anomalies: i64 = db(&stack)
        .query_row(
            "SELECT count(*) FROM anomalies WHERE kind = 'mode_mismatch' AND event_id = ?1",
            [live["id"].as_str().unwrap_or_default()],
            |row| row.get(0),
        )
        .expect("anomalies can be counted");
    assert_eq!(
        mode_anomalies, 1,
        "the wrong mode is kept for the treasurer"
    );
}

#[test]
fn an_event_with_another_amount_is_kept_as_an_anomaly_and_not_applied() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-forged", 2000);
    let payload = completed_event(
        &format!("evt_mismatch_{}", unique()),
        &session_id,
        &order_id,
        1,
    );
    for _ in 0..2 {
        let answer = deliver(&stack, &payload);
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["applied"], false);
        assert_eq!(answer.json()["outcome"], "anomaly");
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(
        anomalies(&stack, "amount_mismatch", &order_id),
        1,
        "kept once"
    );
}

#[test]
fn signed_but_unreadable_event_is_refused() {
    let stack = stack();
    let payload = r#"{"id":"evt_bad","type":"checkout.session.completed","data":{"object":{"amount_total":"lots"}}}"#;
    let signature = sign(payload, &stack.webhook_secret, now());
    let answer = post_webhook(&stack, payload, Some(&signature));
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.error_code(), "malformed_event");
    assert!(
        !answer.body.contains("invalid type"),
        "the parser's words stay in the log: {}",
        answer.body
    );
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
    let payload = completed_event(
        &format!("evt_late_{}", unique()),
        &session_id,
        &order_id,
        2000,
    );
    let answer = deliver(&stack, &payload);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["applied"], false);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("expired"));
    assert_eq!(totals(&stack, "test-expiry"), before);
    // Money taken for a closed order is for the treasurer to see.
    assert_eq!(anomalies(&stack, "payment_for_closed_order", &order_id), 1);
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
