//! A donation form on the open internet: card-testing bursts are cut off, scripts fall in the
//! traps, challenge tokens are checked, and a double submit opens one order.

mod common;

use common::*;
use serde_json::{Value, json};

#[test]
fn a_card_testing_burst_is_cut_off_before_anything_is_written() {
    let stack = stack();
    let campaign = "test-burst";
    let ip = client_ip();
    let orders_before = order_count(&stack, campaign);
    let sessions_before = sessions_with(&stack, "campaign", campaign);

    let mut created = 0;
    let mut limited = 0;
    for _ in 0..60 {
        let body = donation(&stack, 100).to_string();
        let answer = checkout_as(
            &stack,
            campaign,
            Some(&stack.site_url),
            &ip,
            body.as_bytes(),
        );
        match answer.status {
            201 => created += 1,
            429 => {
                limited += 1;
                assert_eq!(answer.error_code(), "rate_limited");
                let wait: i64 = answer
                    .header("Retry-After")
                    .and_then(|value| value.parse().ok())
                    .expect("a Retry-After in seconds");
                assert!((1..=60).contains(&wait), "Retry-After {wait}");
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert!(created <= 10, "{created} checkouts went through");
    assert!(limited >= 50, "only {limited} were refused");
    assert_eq!(order_count(&stack, campaign), orders_before + created);
    assert_eq!(
        sessions_with(&stack, "campaign", campaign),
        sessions_before + created as usize
    );

    // Another client is not held back by this one.
    let body = donation(&stack, 100).to_string();
    assert_eq!(checkout(&stack, campaign, body.as_bytes()).status, 201);
}

#[test]
fn one_email_cannot_open_more_than_ten_checkouts_a_day() {
    let stack = stack();
    let campaign = "test-limits";
    let email = email();
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let mut body = donation(&stack, 100);
        body["donation"]["email"] = json!(email);
        statuses.push(checkout(&stack, campaign, body.to_string().as_bytes()));
    }
    let codes: Vec<u16> = statuses.iter().map(|answer| answer.status).collect();
    assert_eq!(codes[..10], [201; 10], "{codes:?}");
    assert_eq!(codes[10], 429, "{}", statuses[10].body);
    let wait: i64 = statuses[10]
        .header("Retry-After")
        .and_then(|value| value.parse().ok())
        .unwrap_or_default();
    assert!((1..=86_400).contains(&wait), "Retry-After {wait}");
    let stored: i64 = db(&stack)
        .query_row(
            "SELECT count(*) FROM orders WHERE email = ?1",
            [&email],
            |row| row.get(0),
        )
        .expect("orders can be counted");
    assert_eq!(stored, 10);
}

#[test]
fn one_address_cannot_open_more_than_thirty_checkouts_an_hour() {
    let stack = stack();
    let ip = client_ip();
    let mut codes = Vec::new();
    // Spread over campaigns, so that the per-minute limit (per campaign) is not the one met.
    for campaign in [
        "test-limit-a",
        "test-limit-b",
        "test-limit-c",
        "test-limit-d",
    ] {
        for _ in 0..8 {
            let body = donation(&stack, 100).to_string();
            let answer = checkout_as(
                &stack,
                campaign,
                Some(&stack.site_url),
                &ip,
                body.as_bytes(),
            );
            codes.push(answer.status);
        }
    }
    assert_eq!(
        codes.iter().filter(|status| **status == 201).count(),
        30,
        "{codes:?}"
    );
    assert_eq!(codes[30..], [429, 429], "{codes:?}");
}

#[test]
fn scripts_fall_in_the_traps_and_nothing_is_stored() {
    let stack = stack();
    let campaign = "test-inputs";
    let before = order_count(&stack, campaign);
    let mut honeypot = donation(&stack, 2000);
    honeypot["website"] = json!("https://cheap-pills.example");
    let mut hasty = donation(&stack, 2000);
    hasty["fill_ms"] = json!(400);
    let mut silent = donation(&stack, 2000);
    silent.as_object_mut().expect("an object").remove("fill_ms");
    for (what, body) in [
        ("honeypot", honeypot),
        ("too fast", hasty),
        ("no fill time", silent),
    ] {
        let answer = checkout(&stack, campaign, body.to_string().as_bytes());
        assert_eq!(answer.status, 422, "{what}: {}", answer.body);
        assert_eq!(answer.error_code(), "looks_automated", "{what}");
    }
    assert_eq!(order_count(&stack, campaign), before);
}

#[test]
fn challenge_tokens_are_checked_before_anything_is_written() {
    let stack = stack();
    let campaign = "test-inputs";
    let before = order_count(&stack, campaign);
    let with_token = |token: Value| {
        let mut body = donation(&stack, 2000);
        body["challenge_token"] = token;
        body.to_string()
    };
    let spent = challenge_token(&stack);
    let first = checkout(&stack, campaign, with_token(json!(spent)).as_bytes());
    assert_eq!(first.status, 201, "{}", first.body);
    let after_first = order_count(&stack, campaign);
    assert_eq!(after_first, before + 1);

    let cases = [
        ("missing", Value::Null),
        ("empty", json!("")),
        ("forged", json!("XXXX.DUMMY.TOKEN.XXXX")),
        ("already spent", json!(spent)),
        (
            "earned on another site",
            json!(challenge_token_for(&stack, "evil.example", "checkout")),
        ),
        (
            "earned for another action",
            json!(challenge_token_for(&stack, "127.0.0.1", "login")),
        ),
    ];
    for (what, token) in cases {
        let answer = checkout(&stack, campaign, with_token(token).as_bytes());
        assert_eq!(answer.status, 403, "{what}: {}", answer.body);
        assert_eq!(answer.error_code(), "challenge_failed", "{what}");
    }
    assert_eq!(
        order_count(&stack, campaign),
        after_first,
        "no order was written"
    );

    // A token earned on one of the campaign's own sites is good too.
    let site_host = stack
        .site_url
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token = challenge_token_for(&stack, &site_host, "checkout");
    assert_eq!(
        checkout(&stack, campaign, with_token(json!(token)).as_bytes()).status,
        201
    );
}

#[test]
fn the_same_attempt_submitted_twice_gives_one_order_and_one_page() {
    let stack = stack();
    let campaign = "test-double";
    let before = order_count(&stack, campaign);
    let attempt = format!("attempt-{:08}-{:08}", std::process::id(), unique());
    let mut body = donation(&stack, 2500);
    body["attempt"] = json!(attempt);
    let first = checkout(&stack, campaign, body.to_string().as_bytes());
    assert_eq!(first.status, 201, "{}", first.body);

    // The same attempt again, its token spent: a double click, or a retry after a lost answer.
    let again = checkout(&stack, campaign, body.to_string().as_bytes());
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["order_id"], first.json()["order_id"]);
    assert_eq!(again.json()["checkout_url"], first.json()["checkout_url"]);
    assert_eq!(order_count(&stack, campaign), before + 1);

    // Three at once, with a new attempt key: still one order.
    let mut body = donation(&stack, 2500);
    body["attempt"] = json!(format!("attempt-{:08}-{:08}", std::process::id(), unique()));
    let body = body.to_string();
    let answers: Vec<_> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| checkout(&stack, campaign, body.as_bytes())))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a thread"))
            .collect()
    });
    let urls: Vec<String> = answers
        .iter()
        .filter_map(|answer| answer.json()["checkout_url"].as_str().map(str::to_owned))
        .collect();
    // The ones that lost the race see the page, hear that it is still opening, or find the
    // token already spent: never a second order.
    for answer in &answers {
        assert!(
            matches!(answer.status, 200 | 201 | 403 | 409),
            "{}: {}",
            answer.status,
            answer.body
        );
    }
    assert!(!urls.is_empty(), "at least one got the page");
    assert!(urls.windows(2).all(|pair| pair[0] == pair[1]), "{urls:?}");
    assert_eq!(order_count(&stack, campaign), before + 2);
}
