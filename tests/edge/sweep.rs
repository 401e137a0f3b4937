//! The scheduled sweep, run on demand as if later: a webhook that never came, a PSP that failed
//! at checkout, seats held by a session that expired unheard, and the personal data of
//! donations never paid.

mod common;

use common::*;
use serde_json::json;
use tirelire_tests::running::Running;

/// The sweep acts on every order of the database, so its tests take turns.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn session_of(stack: &Running, order_id: &str) -> Option<String> {
    order_text(stack, order_id, "psp_session_id")
}

#[test]
fn a_webhook_that_never_arrives_is_made_up_by_the_sweep_once() {
    let _turn = one_at_a_time();
    let stack = stack();
    let campaign = "test-sweep";
    let before = totals(&stack, campaign);
    arm(&stack, campaign, "no_webhook", 1);
    let (order_id, session_id) = checkout_ok(&stack, campaign, 2000);
    pay(&stack, &session_id);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));

    // Each run looks at a few pending orders, the least recently checked first.
    let later = now() + 180;
    for _ in 0..60 {
        stack.sweep(later);
        if order_status(&stack, &order_id).as_deref() == Some("paid") {
            break;
        }
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    assert_eq!(totals(&stack, campaign), (before.0 + 2000, before.1 + 1));

    // The sweep again, and the event delivered at last: nothing counts twice.
    stack.sweep(later + 60);
    let completed = event_for(&stack, "checkout.session.completed", &session_id);
    assert_eq!(
        resend(&stack, completed["id"].as_str().unwrap_or_default()),
        200
    );
    assert_eq!(totals(&stack, campaign), (before.0 + 2000, before.1 + 1));
}

#[test]
fn a_refund_whose_webhook_is_lost_is_read_from_the_event_list() {
    let _turn = one_at_a_time();
    let stack = stack();
    let campaign = "test-sweep";
    // A run first, so that the sweep's place in Stripe's event list is set before the loss.
    stack.sweep(now());
    let (order_id, session_id) = checkout_ok(&stack, campaign, 2000);
    pay(&stack, &session_id);
    let before = totals(&stack, campaign);
    let intent = payment_intent(&stack, &session_id);

    // Only the event list knows of this refund: no delivery, and no session state tells it.
    arm(&stack, campaign, "no_webhook", 1);
    refund(&stack, &intent, Some(500));
    assert_eq!(totals(&stack, campaign), before, "the webhook was lost");

    // Each run reads the next page of events; run until the refund's turn came.
    for _ in 0..60 {
        stack.sweep(now() + 60);
        if totals(&stack, campaign) != before {
            break;
        }
    }
    assert_eq!(totals(&stack, campaign), (before.0 - 500, before.1));
    let refunded: i64 = db(&stack)
        .query_row(
            "SELECT refunded_amount FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order can be read");
    assert_eq!(refunded, 500);
    // Once more: nothing counts twice.
    stack.sweep(now() + 120);
    assert_eq!(totals(&stack, campaign), (before.0 - 500, before.1));
}

#[test]
fn a_slow_psp_is_asked_once_more_with_the_same_key_and_gives_one_page() {
    let _turn = one_at_a_time();
    let stack = stack();
    arm(&stack, "test-faults", "hang", 1);
    let (order_id, _) = checkout_ok(&stack, "test-faults", 2000);
    assert!(session_of(&stack, &order_id).is_some());
    assert_eq!(sessions_with(&stack, "order_id", &order_id), 1);
}

#[test]
fn a_failing_psp_gets_a_clear_retryable_error_and_the_sweep_settles_the_order() {
    let _turn = one_at_a_time();
    let stack = stack();
    let campaign = "test-faults";
    let mut orders = Vec::new();
    for kind in ["hang", "error", "garbage"] {
        // Both tries fail.
        arm(&stack, campaign, kind, 2);
        let before = order_count(&stack, campaign);
        let answer = checkout(
            &stack,
            campaign,
            donation(&stack, 2000).to_string().as_bytes(),
        );
        assert_eq!(answer.status, 502, "{kind}: {}", answer.body);
        assert_eq!(answer.error_code(), "payment_provider_error", "{kind}");
        assert!(
            answer.json()["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("Try again")),
            "{kind}: {}",
            answer.body
        );
        assert!(!answer.body.contains("Bad Gateway") && !answer.body.contains("api_error"));
        assert_eq!(order_count(&stack, campaign), before + 1);
        let order_id: String = db(&stack)
            .query_row(
                "SELECT o.id FROM orders o JOIN campaigns c ON c.id = o.campaign_id
                 WHERE c.slug = ?1 ORDER BY o.rowid DESC LIMIT 1",
                [campaign],
                |row| row.get(0),
            )
            .expect("the order was recorded");
        orders.push((kind, order_id));
    }

    // Each run sends a few stored requests again; run it until they are all settled.
    let stranded = || -> i64 {
        db(&stack)
            .query_row(
                "SELECT count(*) FROM orders o JOIN campaigns c ON c.id = o.campaign_id
                 WHERE c.slug = ?1 AND o.status = 'pending' AND o.psp_session_id IS NULL",
                [campaign],
                |row| row.get(0),
            )
            .expect("orders can be counted")
    };
    let later = now() + 180;
    for _ in 0..20 {
        stack.sweep(later);
        if stranded() == 0 {
            break;
        }
    }
    for (kind, order_id) in &orders {
        let status = order_status(&stack, order_id);
        let session = session_of(&stack, order_id);
        assert!(
            status.as_deref() == Some("failed") || session.is_some(),
            "{kind}: still pending without a session"
        );
        assert_ne!(status.as_deref(), Some("paid"), "{kind}");
        assert!(
            sessions_with(&stack, "order_id", order_id) <= 1,
            "{kind}: one page at most"
        );
    }
    assert_eq!(stranded(), 0);
}

#[test]
fn donors_of_abandoned_orders_are_forgotten_after_the_retention_period() {
    let _turn = one_at_a_time();
    let stack = stack();
    let campaign = "test-sweep";
    let (abandoned, _) = checkout_ok(&stack, campaign, 1500);
    let (kept, session_id) = checkout_ok(&stack, campaign, 1500);
    pay(&stack, &session_id);

    let row =
        |order_id: &str| -> (String, String, String, i64, Option<i64>) {
            db(&stack)
            .query_row(
                "SELECT first_name, last_name, email, amount, erased_at FROM orders WHERE id = ?1",
                [order_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .expect("the order can be read")
        };
    // A day short of the period, nothing is erased.
    stack.sweep(now() + 29 * 86_400);
    assert_eq!(row(&abandoned).0, "Camille");

    // Each run erases a bounded number of orders; run it until this one's turn came.
    let later = now() + 31 * 86_400;
    for _ in 0..20 {
        stack.sweep(later);
        if row(&abandoned).4.is_some() {
            break;
        }
    }
    let (first, last, email, amount, erased_at) = row(&abandoned);
    assert_eq!(
        (first.as_str(), last.as_str(), email.as_str()),
        ("", "", "")
    );
    assert_eq!(amount, 1500, "amounts stay for the accounts");
    assert!(erased_at.is_some());
    let (first, _, email, _, erased_at) = row(&kept);
    assert_eq!(first, "Camille", "a paid donation keeps its donor");
    assert!(email.starts_with("camille.dupont+"));
    assert_eq!(erased_at, None);
}

#[test]
fn seats_whose_session_expired_unheard_are_given_back_by_the_sweep() {
    let _turn = one_at_a_time();
    let stack = stack();
    let (taken, _) = stock(&stack, "test-event", "capacity");
    let body = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 2}]}),
    );
    let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let order_id = order_id_of(&answer);
    assert_eq!(stock(&stack, "test-event", "capacity").0, taken + 2);

    // The session expires at Stripe, and its event never comes.
    arm(&stack, "test-event", "no_webhook", 1);
    let session = session_of(&stack, &order_id).expect("the order has a session");
    expire(&stack, &session);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    assert_eq!(stock(&stack, "test-event", "capacity").0, taken + 2);

    // The sweep asks Stripe where the session stands, and the seats come back.
    for _ in 0..60 {
        stack.sweep(now() + 180);
        if order_status(&stack, &order_id).as_deref() == Some("expired") {
            break;
        }
    }
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("expired"));
    assert_eq!(stock(&stack, "test-event", "capacity").0, taken);
}
