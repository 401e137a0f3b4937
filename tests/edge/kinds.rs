//! Each kind of collection from checkout to what it leaves behind: members and their card,
//! renewals and reminders, tickets checked in at the door, a crowdfunding's open feed, the
//! donor's own page, and events that come in any order.
//!
//! Every test here takes its turn (`serial`): the reminder tests run the sweep as if a year
//! later, which erases the donor of any order still unpaid at that time, another test's
//! included; and several tests count the seats of the same events.

mod common;

use common::*;
use serde_json::{Value, json};
use tirelire_tests::running::{Answer, Running};

/// A paid order of `campaign`: checkout with `choices` and the free `amount`, then Pay at the
/// simulator. Its id and the donor's email.
fn paid_order(stack: &Running, campaign: &str, amount: i64, choices: Value) -> (String, String) {
    let body = order(stack, amount, choices);
    let email = body["donation"]["email"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (pay_for(stack, campaign, &body), email)
}

/// Checks `body` out on `campaign` and pays it at the simulator (unless it was confirmed at
/// once); the order's id, once paid.
fn pay_for(stack: &Running, campaign: &str, body: &Value) -> String {
    let answer = checkout(stack, campaign, body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let order_id = order_id_of(&answer);
    if answer.json()["confirmed"] != true {
        pay(stack, &session_of(&answer));
    }
    wait_for(stack, &order_id, "paid");
    order_id
}

fn wait_for(stack: &Running, order_id: &str, status: &str) {
    for _ in 0..100 {
        if order_status(stack, order_id).as_deref() == Some(status) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("order {order_id} never became {status}");
}

fn periods(stack: &Running, email: &str) -> Vec<(String, String)> {
    let db = db(stack);
    let mut statement = db
        .prepare(
            "SELECT s.starts_on, s.ends_on FROM memberships s JOIN members m ON m.id = s.member_id
             WHERE m.email = lower(?1) ORDER BY s.starts_on",
        )
        .expect("memberships can be read");
    statement
        .query_map([email], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("memberships can be read")
        .map(|row| row.expect("a row"))
        .collect()
}

fn membership(tier: &str) -> Value {
    json!({"items": [{"key": tier, "quantity": 1}], "answers": {"taille": "M"}})
}

#[test]
fn a_paid_membership_makes_a_member_with_a_period_and_a_card() {
    let stack = stack();
    let _serial = serial();
    let (order_id, email) = paid_order(&stack, "test-membership", 0, membership("plein"));
    let amount: i64 = db(&stack)
        .query_row(
            "SELECT amount FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order");
    assert_eq!(amount, 2500, "the tier's price");
    let periods = periods(&stack, &email);
    assert_eq!(periods.len(), 1, "{periods:?}");
    let today = day_at(now());
    assert_eq!(periods[0].0, today.to_string());
    assert_eq!(
        periods[0].1,
        today.plus_months(12).plus_days(-1).to_string(),
        "twelve rolling months"
    );
    // Other tests' messages may be ahead of it in the outbox; the sweep sends what is due.
    stack.sweep(now());
    let cards: Vec<Value> = mail_to(&email, 1)
        .into_iter()
        .filter(|mail| {
            mail["subject"]
                .as_str()
                .is_some_and(|s| s.contains("Bienvenue"))
        })
        .collect();
    assert_eq!(cards.len(), 1, "one card mail");
    let text = cards[0]["text"].as_str().unwrap_or_default();
    let link = text
        .lines()
        .find(|line| line.contains("/o/"))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .trim()
        .to_owned();
    let page = stack.get(&link);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Carte de membre"), "{}", page.body);
    assert!(page.body.contains("<svg"), "the card carries a QR code");
}

#[test]
fn renewing_with_the_same_email_extends_the_member_rather_than_adding_one() {
    let stack = stack();
    let _serial = serial();
    let (_, email) = paid_order(&stack, "test-membership", 0, membership("plein"));
    let mut body = order(&stack, 6000, membership("bienfaiteur"));
    body["donation"]["email"] = json!(email.to_uppercase());
    let answer = checkout(&stack, "test-membership", body.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    let renewal = order_id_of(&answer);
    pay(&stack, &session_of(&answer));
    wait_for(&stack, &renewal, "paid");

    let members = count(
        &stack,
        &format!("SELECT count(*) FROM members WHERE email = lower('{email}')"),
    );
    assert_eq!(members, 1, "one member");
    let periods = periods(&stack, &email);
    assert_eq!(periods.len(), 2, "{periods:?}");
    let first_end = tirelire_domain::Day::parse(&periods[0].1).expect("a day");
    assert_eq!(
        periods[1].0,
        first_end.plus_days(1).to_string(),
        "{periods:?}"
    );
}

#[test]
fn a_pay_what_you_want_tier_refuses_less_than_its_minimum() {
    let stack = stack();
    let _serial = serial();
    let body = order(&stack, 4000, membership("bienfaiteur"));
    let answer = checkout(&stack, "test-membership", body.to_string().as_bytes());
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.json()["error"]["fields"],
        json!([{"field": "amount", "code": "too_small", "index": 1}])
    );
    let body = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    );
    let answer = checkout(&stack, "test-membership", body.to_string().as_bytes());
    assert_eq!(answer.status, 422, "a required question: {}", answer.body);
    assert_eq!(
        answer.json()["error"]["fields"],
        json!([{"field": "answer", "code": "required", "index": 0}])
    );
}

/// A member of the campaign with reminders 30 days before and 7 after the end: their email
/// and the day their membership ends.
fn member_to_remind(stack: &Running) -> (String, tirelire_domain::Day) {
    let (_, email) = paid_order(
        stack,
        "test-reminders",
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    );
    let ends_on = tirelire_domain::Day::parse(&periods(stack, &email)[0].1).expect("a day");
    (email, ends_on)
}

/// The renewal reminders written for `email`.
fn reminders_written(stack: &Running, email: &str) -> i64 {
    count(
        stack,
        &format!(
            "SELECT count(*) FROM member_reminders r JOIN members m ON m.id = r.member_id
             WHERE m.email = lower('{email}')"
        ),
    )
}

#[test]
fn a_member_whose_membership_ends_in_thirty_days_gets_exactly_one_reminder() {
    let stack = stack();
    let _serial = serial();
    let (email, ends_on) = member_to_remind(&stack);
    let thirty_days_before = ends_on.plus_days(-30).unix() + 10 * 3600;
    for run in 0..3 {
        stack.sweep(thirty_days_before + run * 600);
    }
    stack.sweep(ends_on.plus_days(-29).unix() + 10 * 3600);
    let reminders = count(
        &stack,
        &format!(
            "SELECT count(*) FROM outbox WHERE template = 'member_reminder'
             AND recipient = '{email}'"
        ),
    );
    assert_eq!(reminders, 1);
    let mails: Vec<Value> = mail_to(&email, 2)
        .into_iter()
        .filter(|mail| {
            mail["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Votre adhésion"))
        })
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let text = mails[0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("prendra fin"), "{text}");
    assert!(
        text.contains(&stack.site_url),
        "the link leads back to the form: {text}"
    );

    // A week after the end, the second reminder, once.
    stack.sweep(ends_on.plus_days(7).unix() + 10 * 3600);
    stack.sweep(ends_on.plus_days(8).unix() + 10 * 3600);
    assert_eq!(reminders_written(&stack, &email), 2);
}

#[test]
fn a_reminder_falls_due_on_the_association_s_day_not_on_utc_s() {
    let stack = stack();
    let _serial = serial();
    let (email, ends_on) = member_to_remind(&stack);
    let due = ends_on.plus_days(-30);
    // 21:00 UTC the day before: still the day before in Paris (22:00 or 23:00).
    stack.sweep(due.unix() - 3 * 3600);
    assert_eq!(reminders_written(&stack, &email), 0);
    // 23:30 UTC the day before: already the day in Paris, though not yet in UTC.
    stack.sweep(due.unix() - 1800);
    assert_eq!(reminders_written(&stack, &email), 1);
}

fn ticket_tokens(stack: &Running, order_id: &str) -> Vec<String> {
    let db = db(stack);
    let mut statement = db
        .prepare("SELECT token FROM tickets WHERE order_id = ?1 ORDER BY seat")
        .expect("tickets can be read");
    statement
        .query_map([order_id], |row| row.get(0))
        .expect("tickets can be read")
        .map(|row| row.expect("a row"))
        .collect()
}

fn check_in(stack: &Running, cookie: &str, token: &str) -> Answer {
    write(
        stack,
        "/v1/admin/check-in",
        Some(cookie),
        &json!({ "token": token }),
    )
}

#[test]
fn a_ticket_checks_in_once_and_an_altered_one_never() {
    let stack = stack();
    let _serial = serial();
    let (order_id, _) = paid_order(
        &stack,
        "test-checkin",
        0,
        json!({"items": [{"key": "plein", "quantity": 2}]}),
    );
    let tokens = ticket_tokens(&stack, &order_id);
    assert_eq!(tokens.len(), 2);
    let (_, volunteer) = signed_in(&stack, "volunteer");

    let first = check_in(&stack, &volunteer, &tokens[0]);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json()["admitted"], true);
    assert_eq!(first.json()["holder"], "Camille Dupont");
    let again = check_in(&stack, &volunteer, &tokens[0]);
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.json()["admitted"], false);
    assert_eq!(again.json()["used_at"], first.json()["used_at"]);

    // One character changed anywhere in the token, and it is refused.
    let token = &tokens[1];
    for position in [0, token.len() / 2, token.len() - 1] {
        let mut altered: Vec<char> = token.chars().collect();
        altered[position] = if altered[position] == 'x' { 'y' } else { 'x' };
        let altered: String = altered.into_iter().collect();
        let answer = check_in(&stack, &volunteer, &altered);
        assert_eq!(answer.status, 422, "{altered}: {}", answer.body);
    }
    let second = check_in(&stack, &volunteer, &tokens[1]);
    assert_eq!(
        second.status, 200,
        "the real one still admits: {}",
        second.body
    );

    let list = stack.send(
        "GET",
        "/v1/admin/campaigns/test-checkin/attendees",
        &[("Cookie", &volunteer)],
        None,
    );
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.json()["checked_in"].as_u64().unwrap_or_default() >= 2);
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let file = stack.send(
        "GET",
        "/v1/admin/campaigns/test-checkin/attendees.csv",
        &[("Cookie", &treasurer)],
        None,
    );
    assert_eq!(file.status, 200);
    assert!(
        file.body.starts_with("\u{feff}Nom;Tarif;Place;Entrée"),
        "{}",
        file.body
    );
}

#[test]
fn a_ticket_of_an_unpaid_order_does_not_admit() {
    let stack = stack();
    let _serial = serial();
    let body = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    );
    let answer = checkout(&stack, "test-checkin", body.to_string().as_bytes());
    assert_eq!(answer.status, 201);
    let order_id = order_id_of(&answer);
    let token = ticket_tokens(&stack, &order_id).remove(0);
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let refused = check_in(&stack, &volunteer, &token);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.json()["paid"], false);
    let anonymous = write(
        &stack,
        "/v1/admin/check-in",
        None,
        &json!({ "token": token }),
    );
    assert_eq!(anonymous.status, 401);
    expire(&stack, &session_of(&answer));
}

#[test]
fn the_donor_s_page_shows_each_ticket_with_its_code_and_nothing_for_a_forged_link() {
    let stack = stack();
    let _serial = serial();
    let (order_id, _) = paid_order(
        &stack,
        "test-checkin",
        0,
        json!({"items": [{"key": "plein", "quantity": 2}]}),
    );
    let token: String = db(&stack)
        .query_row(
            "SELECT donor_token FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("a donor token");
    let page = stack.get(&format!("/o/{token}"));
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("<svg").count(), 2, "one QR code per seat");
    for ticket in ticket_tokens(&stack, &order_id) {
        assert!(page.body.contains(&ticket), "the code is printed too");
    }
    assert!(
        page.header("content-security-policy")
            .is_some_and(|csp| csp.contains("default-src 'none'"))
    );
    assert!(page.allow_origin.is_none(), "no other site may read it");
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(stack.get(&format!("/o/{forged}")).status, 404);
    let other = token.replacen("ord_", "ord_X", 1);
    assert_eq!(stack.get(&format!("/o/{other}")).status, 404);
}

#[test]
fn a_crowdfunding_contribution_moves_its_open_progress_feed() {
    let stack = stack();
    let _serial = serial();
    let before = stack.get("/v1/campaigns/test-crowd/progress");
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(
        before.allow_origin.as_deref(),
        Some("*"),
        "any site may read it"
    );
    let before = before.json();
    paid_order(
        &stack,
        "test-crowd",
        3500,
        json!({"items": [{"key": "sac", "quantity": 1}]}),
    );
    let after = stack.get("/v1/campaigns/test-crowd/progress").json();
    assert_eq!(
        after["raised"].as_i64(),
        before["raised"].as_i64().map(|r| r + 3500)
    );
    assert_eq!(
        after["contributors"].as_i64(),
        before["contributors"].as_i64().map(|c| c + 1)
    );
    assert_eq!(after["goal"], 100_000);
    assert_eq!(
        after["percent"].as_i64(),
        after["raised"]
            .as_i64()
            .map(|raised| raised * 100 / 100_000)
    );
    assert!(after["days_left"].as_i64().is_some_and(|days| days > 1000));
    assert_eq!(after["open"], true);
    let view = stack.get("/v1/campaigns/test-crowd").json();
    assert_eq!(view["kind"], "crowdfunding");
    assert_eq!(view["offer"]["items"][1]["key"], "sac");
}

#[test]
fn a_refunded_ticket_leaves_the_totals_and_gives_its_seat_back() {
    let stack = stack();
    let _serial = serial();
    let (order_id, _) = paid_order(
        &stack,
        "test-event",
        0,
        json!({"items": [{"key": "reduit", "quantity": 1}]}),
    );
    let (raised, _) = totals(&stack, "test-event");
    let (taken, _) = stock(&stack, "test-event", "capacity");
    let intent: String = db(&stack)
        .query_row(
            "SELECT psp_payment_id FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("a payment");
    refund(&stack, &intent, None);
    wait_for(&stack, &order_id, "refunded");
    assert_eq!(totals(&stack, "test-event").0, raised - 600);
    assert_eq!(stock(&stack, "test-event", "capacity").0, taken - 1);
}

#[test]
fn a_late_expiry_never_undoes_a_paid_ticket() {
    let stack = stack();
    let _serial = serial();
    let (order_id, _) = paid_order(
        &stack,
        "test-event",
        0,
        json!({"items": [{"key": "reduit", "quantity": 1}]}),
    );
    let (taken, _) = stock(&stack, "test-event", "capacity");
    let session: String = db(&stack)
        .query_row(
            "SELECT psp_session_id FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("a session");
    let expired = json!({
        "id": format!("evt_late_{}", unique()),
        "object": "event",
        "type": "checkout.session.expired",
        "livemode": false,
        "created": now(),
        "data": {"object": {"id": session, "object": "checkout.session", "status": "expired",
                            "payment_status": "unpaid", "amount_total": 600, "currency": "eur",
                            "metadata": {"order_id": order_id}}}
    });
    let answer = deliver(&stack, &expired.to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("paid"));
    assert_eq!(
        stock(&stack, "test-event", "capacity").0,
        taken,
        "the seat stays taken"
    );
}

#[test]
fn a_member_s_file_holds_their_record_answers_and_tickets_and_erasing_leaves_only_periods() {
    let stack = stack();
    let _serial = serial();
    let (order_id, email) = paid_order(&stack, "test-membership", 0, membership("plein"));
    // The same person books a seat.
    let mut body = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    );
    body["donation"]["email"] = json!(email);
    let ticket_order = pay_for(&stack, "test-event", &body);

    // Before: their file holds the member record, the answers and the ticket.
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let file_path = format!("/v1/admin/donors?email={}", email.replace('+', "%2B"));
    let file = stack.send("GET", &file_path, &[("Cookie", &treasurer)], None);
    assert_eq!(file.status, 200, "{}", file.body);
    let file = file.json();
    assert_eq!(
        file["member"]["periods"].as_array().map(Vec::len),
        Some(1),
        "{file}"
    );
    assert_eq!(file["member"]["periods"][0]["tier"], "plein");
    let payment = |id: &str| {
        file["payments"]
            .as_array()
            .and_then(|payments| payments.iter().find(|p| p["id"] == id))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        payment(&order_id)["answers"],
        json!({"taille": "M"}),
        "{file}"
    );
    assert_eq!(
        payment(&ticket_order)["tickets"][0]["label"],
        "Plein tarif",
        "{file}"
    );
    assert_eq!(payment(&ticket_order)["tickets"][0]["used_at"], json!(null));

    let erased = write(
        &stack,
        "/v1/admin/donors/erasure",
        Some(&treasurer),
        &json!({ "email": email }),
    );
    assert_eq!(erased.status, 200, "{}", erased.body);
    let left: (String, String, String, Option<String>) = db(&stack)
        .query_row(
            "SELECT m.first_name, m.last_name, m.email, o.answers
             FROM memberships s JOIN members m ON m.id = s.member_id
             JOIN orders o ON o.id = s.order_id WHERE s.order_id = ?1",
            [&order_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .expect("the period is kept for the accounts");
    assert_eq!(left.0, "");
    assert_eq!(left.1, "");
    assert!(!left.2.contains('@'), "{}", left.2);
    assert_eq!(left.3, None, "the answers went with the name");
    let listed = stack.send("GET", "/v1/admin/members", &[("Cookie", &treasurer)], None);
    assert!(!listed.body.contains(&email), "{}", listed.body);
    let file = stack
        .send("GET", &file_path, &[("Cookie", &treasurer)], None)
        .json();
    assert_eq!(file["payments"], json!([]), "{file}");
    assert_eq!(file.get("member"), None, "{file}");
}
