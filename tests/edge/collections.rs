//! Every kind of collection through the one checkout: tickets with seats, quotas and free
//! rates, promo codes with a limit of uses, and seats that come back when a session expires.

mod common;

use common::*;
use serde_json::json;

#[test]
fn tickets_are_priced_per_seat_and_each_seat_is_a_ticket() {
    let stack = stack();
    let body = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 2}, {"key": "reduit", "quantity": 1}],
               "answers": {"allergies": "Arachides"}}),
    );
    let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let order_id = order_id_of(&answer);
    let session = stripe_api(
        &stack,
        "GET",
        &format!("/v1/checkout/sessions/{}", session_of(&answer)),
    )
    .json();
    assert_eq!(session["amount_total"], 3000);
    assert_eq!(session["submit_type"], "book");

    let lines = count(
        &stack,
        &format!("SELECT count(*) FROM order_lines WHERE order_id = '{order_id}'"),
    );
    assert_eq!(lines, 2);
    let tickets = count(
        &stack,
        &format!("SELECT count(*) FROM tickets WHERE order_id = '{order_id}'"),
    );
    assert_eq!(tickets, 3);
    let answers: String = db(&stack)
        .query_row(
            "SELECT answers FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the answers are kept");
    assert_eq!(answers, r#"{"allergies":"Arachides"}"#);

    pay(&stack, &session_of(&answer));
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));

    // What is left shows the same from D1 and from the cache that keeps it a minute.
    let fresh = stack.get("/v1/campaigns/test-event").json();
    let cached = stack.get("/v1/campaigns/test-event").json();
    assert!(fresh["offer"]["items"][1]["remaining"].is_u64(), "{fresh}");
    assert_eq!(fresh["offer"], cached["offer"]);
}

#[test]
fn free_seats_are_confirmed_at_once_without_the_psp() {
    let stack = stack();
    let sessions_before = sessions_with(&stack, "campaign", "test-event");
    let body = order(
        &stack,
        0,
        json!({"items": [{"key": "gratuit", "quantity": 2}]}),
    );
    let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let confirmed = answer.json();
    assert_eq!(confirmed["confirmed"], true);
    assert!(
        confirmed["checkout_url"].as_str().is_some_and(
            |url| url.starts_with(&stack.site_url) && url.contains("tirelire_result=paid")
        ),
        "{confirmed}"
    );
    let order_id = confirmed["order_id"].as_str().unwrap_or_default();
    assert_eq!(order_status(&stack, order_id).as_deref(), Some("paid"));
    assert_eq!(
        sessions_with(&stack, "campaign", "test-event"),
        sessions_before
    );
    let tickets = count(
        &stack,
        &format!("SELECT count(*) FROM tickets WHERE order_id = '{order_id}'"),
    );
    assert_eq!(tickets, 2);
}

#[test]
fn a_free_order_still_passes_the_bot_checks() {
    let stack = stack();
    let mut body = order(
        &stack,
        0,
        json!({"items": [{"key": "gratuit", "quantity": 1}]}),
    );
    body["website"] = json!("http://spam.example");
    let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.error_code(), "looks_automated");
    let mut body = order(
        &stack,
        0,
        json!({"items": [{"key": "gratuit", "quantity": 1}]}),
    );
    body["challenge_token"] = json!("forged");
    let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
    assert_eq!(answer.status, 403, "{}", answer.body);
}

#[test]
fn wrong_picks_are_named_field_by_field() {
    let stack = stack();
    for (choices, field, code) in [
        (json!({"items": []}), "items", "required"),
        (
            json!({"items": [{"key": "vip", "quantity": 1}]}),
            "items",
            "invalid",
        ),
        (
            json!({"items": [{"key": "gratuit", "quantity": 3}]}),
            "items",
            "too_large",
        ),
        (
            json!({"items": [{"key": "plein", "quantity": 1}], "promo_code": "NOEL"}),
            "promo_code",
            "invalid",
        ),
        (
            json!({"items": [{"key": "plein", "quantity": 1}], "monthly": true}),
            "monthly",
            "invalid",
        ),
        (
            json!({"items": [{"key": "plein", "quantity": 1}], "answers": {"pirate": "x"}}),
            "answer",
            "invalid",
        ),
    ] {
        let body = order(&stack, 0, choices.clone());
        let answer = checkout(&stack, "test-event", body.to_string().as_bytes());
        assert_eq!(answer.status, 422, "{choices}: {}", answer.body);
        let fields = &answer.json()["error"]["fields"];
        assert!(
            fields.as_array().is_some_and(|fields| fields
                .iter()
                .any(|f| f["field"] == field && f["code"] == code)),
            "{choices}: {fields}"
        );
    }
}

#[test]
fn a_promo_code_s_last_use_comes_back_when_its_session_expires() {
    let stack = stack();
    let _serial = serial();
    let with_code = || {
        order(
            &stack,
            0,
            json!({"items": [{"key": "reduit", "quantity": 1}], "promo_code": "benevole"}),
        )
    };
    let first = checkout(&stack, "test-event", with_code().to_string().as_bytes());
    assert_eq!(first.status, 201, "{}", first.body);
    let session = stripe_api(
        &stack,
        "GET",
        &format!("/v1/checkout/sessions/{}", session_of(&first)),
    )
    .json();
    assert_eq!(session["amount_total"], 300, "half price");
    assert_eq!(stock(&stack, "test-event", "promo:BENEVOLE"), (1, 1));

    let second = checkout(&stack, "test-event", with_code().to_string().as_bytes());
    assert_eq!(second.status, 422, "{}", second.body);
    assert_eq!(
        second.json()["error"]["fields"],
        json!([{"field": "promo_code", "code": "sold_out"}])
    );

    expire(&stack, &session_of(&first));
    let order_id = order_id_of(&first);
    wait_for_status(&stack, &order_id, "expired");
    assert_eq!(stock(&stack, "test-event", "promo:BENEVOLE"), (0, 1));
    let third = checkout(&stack, "test-event", with_code().to_string().as_bytes());
    assert_eq!(third.status, 201, "{}", third.body);
}

#[test]
fn a_rate_s_quota_is_never_exceeded() {
    let stack = stack();
    let _serial = serial();
    let (taken, quota) = stock(&stack, "test-event", "item:plein");
    let left = quota - taken;
    let too_many = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": left + 1}]}),
    );
    let answer = checkout(&stack, "test-event", too_many.to_string().as_bytes());
    assert_eq!(answer.status, 422, "{}", answer.body);
    let fields = answer.json()["error"]["fields"].clone();
    // Either the rate's own limit per order or its quota stops it; never a sale.
    assert!(
        fields.as_array().is_some_and(|fields| fields.iter().any(
            |f| f["field"] == "items" && (f["code"] == "sold_out" || f["code"] == "too_large")
        )),
        "{fields}"
    );
    assert_eq!(stock(&stack, "test-event", "item:plein").0, taken);
}

/// Waits until the webhook has moved an order to `status`.
fn wait_for_status(stack: &tirelire_tests::running::Running, order_id: &str, status: &str) {
    for _ in 0..100 {
        if order_status(stack, order_id).as_deref() == Some(status) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("order {order_id} never became {status}");
}

#[test]
fn promo_codes_cannot_be_found_by_trying_many() {
    let stack = stack();
    let ip = client_ip();
    let look_up = |ip: &str, code: &str| {
        stack.send(
            "GET",
            &format!("/v1/campaigns/test-event/promo-codes/{code}"),
            &[("CF-Connecting-IP", ip)],
            None,
        )
    };
    let known = look_up(&ip, "benevole");
    assert_eq!(known.status, 200, "{}", known.body);
    assert_eq!(known.json()["code"], "BENEVOLE");
    assert_eq!(known.json().get("limit"), None, "{}", known.body);

    let mut found = 0;
    let mut limited = 0;
    for attempt in 0..30 {
        let answer = look_up(&ip, &format!("GUESS{attempt}"));
        match answer.status {
            404 => found += 1,
            429 => {
                limited += 1;
                assert_eq!(answer.error_code(), "rate_limited");
                assert!(answer.header("Retry-After").is_some());
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert!(found <= 10, "{found} guesses were answered");
    assert!(limited >= 19, "only {limited} were refused");
    // Even a right guess is refused now; another address is not held back.
    assert_eq!(look_up(&ip, "benevole").status, 429);
    assert_eq!(look_up(&client_ip(), "benevole").status, 200);
}
