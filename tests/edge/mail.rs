//! Mail: a payment writes its messages to the outbox in the same batch, they go out after the
//! webhook's answer, once each however often the event comes, and a provider that fails
//! delays them without losing them.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use tirelire_tests::running::Running;
use tirelire_tests::stack::{MAIL_FROM, MAIL_REPLY_TO, MAIL_TREASURER};

const CAMPAIGN: &str = "test-mail";

/// A donation of 25.50 € by `first_name` in `locale`, paid on the simulator's page; the
/// simulator delivers its webhook before the page redirects.
fn paid_donation(
    stack: &Running,
    first_name: &str,
    last_name: &str,
    locale: &str,
    email: &str,
) -> String {
    let mut body = donation(stack, 2550);
    body["donation"]["first_name"] = first_name.into();
    body["donation"]["last_name"] = last_name.into();
    body["donation"]["email"] = email.into();
    body["locale"] = locale.into();
    let answer = checkout(stack, CAMPAIGN, body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "checkout failed: {}", answer.body);
    let order_id = order_id_of(&answer);
    let url = answer.json()["checkout_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let session_id = url.rsplit('/').next().unwrap_or_default().to_owned();
    pay(stack, &session_id);
    assert_eq!(order_status(stack, &order_id).as_deref(), Some("paid"));
    order_id
}

struct Row {
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
}

fn outbox_row(stack: &Running, key: &str) -> Option<Row> {
    db(stack)
        .query_row(
            "SELECT status, attempts, next_attempt_at, last_error FROM outbox WHERE key = ?1",
            [key],
            |row| {
                Ok(Row {
                    status: row.get(0)?,
                    attempts: row.get(1)?,
                    next_attempt_at: row.get(2)?,
                    last_error: row.get(3)?,
                })
            },
        )
        .ok()
}

/// Waits until the message's first attempt (the one after the webhook) has ended.
fn first_attempt(stack: &Running, key: &str) -> Row {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(row) = outbox_row(stack, key)
            && row.attempts >= 1
            && (row.status != "pending" || row.last_error.is_some())
        {
            return row;
        }
        assert!(
            Instant::now() < deadline,
            "no attempt was made to send {key}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn session_of(stack: &Running, order_id: &str) -> String {
    db(stack)
        .query_row(
            "SELECT psp_session_id FROM orders WHERE id = ?1",
            [order_id],
            |row| row.get(0),
        )
        .expect("the order has a session")
}

fn names(addresses: &Value) -> Vec<(String, String)> {
    addresses
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap_or_default().to_owned(),
                        a["address"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_payment_gives_one_receipt_in_the_donors_language_even_delivered_five_times() {
    let _turn = serial();
    let stack = stack();
    let email = email();
    let order_id = paid_donation(&stack, "Zoé", "Lefèvre", "fr", &email);

    // Four more deliveries of the same event, two of them at once.
    let event = event_for(
        &stack,
        "checkout.session.completed",
        &session_of(&stack, &order_id),
    );
    let event_id = event["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(resend(&stack, &event_id), 200);
    assert_eq!(resend(&stack, &event_id), 200);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| assert_eq!(resend(&stack, &event_id), 200));
        }
    });

    let received = mail_to(&email, 1);
    assert_eq!(received.len(), 1, "one receipt, not {}", received.len());
    let mail = &received[0];
    assert_eq!(
        mail["subject"],
        "Merci pour votre don à Association des Tests"
    );
    let text = mail["text"].as_str().unwrap_or_default();
    assert!(text.contains("Bonjour Zoé,"), "{text}");
    assert!(text.contains("25,50\u{a0}€"), "{text}");
    assert!(text.contains("« Le kiosque à musique »"), "{text}");
    assert!(text.contains(&order_id), "{text}");
    assert!(text.contains(MAIL_REPLY_TO), "{text}");
    let html = mail["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("lang=\"fr\"") && html.contains("25,50"),
        "{html}"
    );
    assert_eq!(
        mail["messageId"].as_str(),
        Some(format!("<donor_receipt.{order_id}@amis-du-jardin.example>").as_str())
    );
    assert_eq!(
        names(&mail["from"]),
        [("Association des Tests".to_owned(), MAIL_FROM.to_owned())]
    );
    assert_eq!(
        names(&mail["to"]),
        [("Zoé Lefèvre".to_owned(), email.clone())]
    );
    assert_eq!(names(&mail["replyTo"])[0].1, MAIL_REPLY_TO);
    assert_eq!(mail["envelope"]["from"], MAIL_FROM);
    assert!(mail["date"].is_string());

    // One row per message in the outbox, both sent; the treasurer got one notice.
    let rows: i64 = db(&stack)
        .query_row(
            "SELECT count(*) FROM outbox WHERE order_id = ?1 AND status = 'sent'",
            [&order_id],
            |row| row.get(0),
        )
        .unwrap_or_default();
    assert_eq!(rows, 2);
    let notices: Vec<Value> = mail_to(MAIL_TREASURER, 1)
        .into_iter()
        .filter(|mail| {
            mail["text"]
                .as_str()
                .unwrap_or_default()
                .contains(&order_id)
        })
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains(&email)
    );
}

#[test]
fn an_english_donor_gets_an_english_receipt() {
    let _turn = serial();
    let stack = stack();
    let email = email();
    let order_id = paid_donation(&stack, "Sam", "Taylor", "en", &email);
    let received = mail_to(&email, 1);
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0]["subject"],
        "Thank you for your gift to Association des Tests"
    );
    let text = received[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Hello Sam,") && text.contains("€25.50"),
        "{text}"
    );
    assert!(text.contains(&order_id));
}

#[test]
fn a_hostile_name_arrives_escaped_and_harmless() {
    let _turn = serial();
    let stack = stack();
    let email = email();
    let first = "<script>alert(1)</script>";
    let last = "\"; DROP TABLE orders; --";
    paid_donation(&stack, first, last, "fr", &email);
    let received = mail_to(&email, 1);
    assert_eq!(received.len(), 1);
    let html = received[0]["html"].as_str().unwrap_or_default();
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    // In plain text a name is only text, kept as typed.
    let text = received[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Bonjour <script>alert(1)</script>,"),
        "{text}"
    );
    // The name went into the To header whole, and added no header.
    assert_eq!(
        names(&received[0]["to"]),
        [(format!("{first} {last}"), email.clone())]
    );
    let raw = received[0]["raw"].as_str().unwrap_or_default();
    assert!(!raw.contains("\r\nDROP"), "{raw}");
    // The orders table is still there.
    assert!(order_count(&stack, CAMPAIGN) > 0);
}

#[test]
fn with_the_provider_failing_the_payment_is_applied_and_the_receipt_comes_later() {
    let _turn = serial();
    let stack = stack();
    let catcher = catcher();
    let email = email();
    catcher.fail_recipient(&email, 451, "4.3.0 Mail server temporarily unavailable");
    let order_id = paid_donation(&stack, "Camille", "Dupont", "fr", &email);
    // The payment did not wait for mail: the order is paid and counted already.
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));

    let key = format!("donor_receipt:{order_id}");
    let row = first_attempt(&stack, &key);
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451")
    );
    assert!(catcher.messages_to(&email).is_empty());

    // The sweep tries again once the wait is over, and fails again.
    let at = row.next_attempt_at;
    sweep_at(&stack, at - 30);
    assert_eq!(
        outbox_row(&stack, &key).map(|row| row.attempts),
        Some(1),
        "tried before its time"
    );
    sweep_at(&stack, at + 1);
    let row = outbox_row(&stack, &key).expect("the message is kept");
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 2));

    // The provider is back: the next sweep sends it, once.
    catcher.heal(&email);
    sweep_at(&stack, row.next_attempt_at + 1);
    let received = mail_to(&email, 1);
    assert_eq!(received.len(), 1);
    assert!(
        received[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains(&order_id)
    );
    let row = outbox_row(&stack, &key).expect("the message is kept");
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 3));
    sweep_at(&stack, row.next_attempt_at + 3_600);
    assert_eq!(mail_to(&email, 1).len(), 1);
}

#[test]
fn after_the_last_attempt_a_message_is_dead_kept_and_listed() {
    let _turn = serial();
    let stack = stack();
    let catcher = catcher();
    let email = email();
    catcher.fail_recipient(&email, 421, "4.7.0 Try again later");
    let order_id = paid_donation(&stack, "Camille", "Dupont", "fr", &email);
    let key = format!("donor_receipt:{order_id}");
    let mut row = first_attempt(&stack, &key);
    for _ in 0..12 {
        if row.status != "pending" {
            break;
        }
        sweep_at(&stack, row.next_attempt_at + 1);
        row = outbox_row(&stack, &key).expect("the message is kept");
    }
    assert_eq!(row.status, "dead");
    assert_eq!(row.attempts, 6);
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("421")
    );
    assert!(catcher.messages_to(&email).is_empty());
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));

    // Dead is the end: later sweeps leave it alone.
    sweep_at(&stack, row.next_attempt_at + 86_400);
    let after = outbox_row(&stack, &key).expect("the message is kept");
    assert_eq!((after.status.as_str(), after.attempts), ("dead", 6));

    // The deployer sees it.
    let outbox = admin(&stack, "GET", "/v1/admin/mail/outbox", None);
    assert_eq!(outbox.status, 200, "{}", outbox.body);
    let listed = outbox.json()["problems"]
        .as_array()
        .is_some_and(|problems| {
            problems
                .iter()
                .any(|p| p["key"] == key.as_str() && p["status"] == "dead")
        });
    assert!(listed, "{}", outbox.body);
    assert!(
        outbox.json()["summary"]["dead"]
            .as_i64()
            .unwrap_or_default()
            >= 1
    );
}

#[test]
fn a_recipient_refused_for_good_is_not_tried_again() {
    let _turn = serial();
    let stack = stack();
    let catcher = catcher();
    let email = email();
    catcher.fail_recipient(&email, 550, "5.1.1 No such user");
    let order_id = paid_donation(&stack, "Camille", "Dupont", "fr", &email);
    let row = first_attempt(&stack, &format!("donor_receipt:{order_id}"));
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    assert!(
        row.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550")
    );
}

#[test]
fn the_test_message_checks_the_set_up_behind_the_admin_token() {
    let stack = stack();
    let catcher = catcher();
    let email = email();
    let body = format!(r#"{{"to":"{email}","language":"en"}}"#);

    let anonymous = stack.send(
        "POST",
        "/v1/admin/mail/test",
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    );
    assert_eq!(
        (anonymous.status, anonymous.error_code().as_str()),
        (401, "unauthorized")
    );
    let forged = stack.send(
        "POST",
        "/v1/admin/mail/test",
        &[("Authorization", "Bearer not-the-token")],
        Some(body.as_bytes()),
    );
    assert_eq!(forged.status, 401);
    assert!(catcher.messages_to(&email).is_empty());

    let bad = admin(
        &stack,
        "POST",
        "/v1/admin/mail/test",
        Some(r#"{"to":"pas-une-adresse"}"#),
    );
    assert_eq!(
        (bad.status, bad.error_code().as_str()),
        (422, "invalid_submission")
    );

    let answer = admin(&stack, "POST", "/v1/admin/mail/test", Some(&body));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["outcome"], "sent", "{}", answer.body);
    let received = mail_to(&email, 1);
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0]["subject"],
        "Tirelire: test message for Les Amis du Jardin Partagé"
    );
}

fn admin(
    stack: &Running,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> tirelire_tests::running::Answer {
    let token = std::env::var("TIRELIRE_ADMIN_TOKEN")
        .expect("TIRELIRE_ADMIN_TOKEN is set by cargo xtask test");
    let authorization = format!("Bearer {token}");
    stack.send(
        method,
        path,
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
        ],
        body.map(str::as_bytes),
    )
}

fn sweep_at(stack: &Running, at: i64) {
    stack.sweep(at);
}
