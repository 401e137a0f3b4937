//! Helpers shared by the edge integration tests: requests as the widget and the PSP send them,
//! and direct reads of the local D1 database to check what was stored.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::{Value, json};
use tirelire_tests::mail_catcher::CatcherClient;
use tirelire_tests::running::{Answer, Running};

/// The running stack.
pub fn stack() -> Running {
    Running::from_env()
}

/// A number no other call in this test process gets, to tell donors and clients apart.
pub fn unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A client address of its own, in the range reserved for tests (198.18.0.0/15), so that the
/// per-client limits only meet the tests that are about them.
pub fn client_ip() -> String {
    let n = unique() + std::process::id() % 200 * 1000;
    format!("198.{}.{}.{}", 18 + (n >> 16 & 1), n >> 8 & 255, n & 255)
}

/// A donor's email of its own, for the same reason.
pub fn email() -> String {
    format!(
        "camille.dupont+{}-{}@example.fr",
        std::process::id(),
        unique()
    )
}

/// A Turnstile token earned on the edge's own page, as the widget's frame earns it.
pub fn challenge_token(stack: &Running) -> String {
    challenge_token_for(stack, "127.0.0.1", "checkout")
}

/// A token earned on `hostname` for `action`.
pub fn challenge_token_for(stack: &Running, hostname: &str, action: &str) -> String {
    let body = format!(
        "sitekey={}&action={action}&hostname={hostname}",
        tirelire_tests::turnstile_sim::PASSING_SITE_KEY
    );
    let answer = stack.send(
        "POST",
        &format!("{}/_sim/turnstile/token", stack.turnstile_url),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(body.as_bytes()),
    );
    answer.json()["token"]
        .as_str()
        .expect("the stand-in issues a token")
        .to_owned()
}

/// A valid checkout body for `amount` cents, returning to the demo site, from a donor of its
/// own, with a fresh challenge token, sent after the form was shown for five seconds.
pub fn donation(stack: &Running, amount: i64) -> Value {
    json!({
        "donation": {
            "amount": amount,
            "currency": "EUR",
            "first_name": "Camille",
            "last_name": "Dupont",
            "email": email(),
            "consent": true,
            "consent_version": "2026-11",
            "consent_text": "J'accepte que l'association conserve ces informations."
        },
        "return_url": format!("{}/dons?page=1", stack.site_url),
        "locale": "fr",
        "challenge_token": challenge_token(stack),
        "fill_ms": 5000
    })
}

/// `POST /v1/campaigns/{campaign}/checkout` from the demo site's origin, as the widget sends it,
/// from a client of its own.
pub fn checkout(stack: &Running, campaign: &str, body: &[u8]) -> Answer {
    checkout_from(stack, campaign, Some(&stack.site_url), body)
}

/// The same, from any origin (or none).
pub fn checkout_from(stack: &Running, campaign: &str, origin: Option<&str>, body: &[u8]) -> Answer {
    checkout_as(stack, campaign, origin, &client_ip(), body)
}

/// The same, from a given client address.
pub fn checkout_as(
    stack: &Running,
    campaign: &str,
    origin: Option<&str>,
    ip: &str,
    body: &[u8],
) -> Answer {
    let mut headers = vec![
        ("Content-Type", "text/plain;charset=UTF-8"),
        ("CF-Connecting-IP", ip),
    ];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    stack.send(
        "POST",
        &format!("/v1/campaigns/{campaign}/checkout"),
        &headers,
        Some(body),
    )
}

/// A successful checkout: its order id and session id.
pub fn checkout_ok(stack: &Running, campaign: &str, amount: i64) -> (String, String) {
    let answer = checkout(
        stack,
        campaign,
        donation(stack, amount).to_string().as_bytes(),
    );
    assert_eq!(answer.status, 201, "checkout failed: {}", answer.body);
    let body = answer.json();
    let order_id = body["order_id"].as_str().unwrap_or_default().to_owned();
    let url = body["checkout_url"].as_str().unwrap_or_default();
    let session_id = url.rsplit('/').next().unwrap_or_default().to_owned();
    assert!(
        session_id.starts_with("cs_test_"),
        "unexpected checkout URL {url}"
    );
    (order_id, session_id)
}

/// A read-only connection to the edge's local D1 database.
pub fn db(stack: &Running) -> Connection {
    let connection = Connection::open_with_flags(stack.d1_file(), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the local D1 database opens");
    connection
        .busy_timeout(Duration::from_secs(5))
        .expect("a busy timeout can be set");
    connection
}

/// An order's stored status.
pub fn order_status(stack: &Running, order_id: &str) -> Option<String> {
    db(stack)
        .query_row(
            "SELECT status FROM orders WHERE id = ?1",
            [order_id],
            |row| row.get(0),
        )
        .optional()
        .expect("orders can be read")
}

/// How many orders a campaign has, in any status.
pub fn order_count(stack: &Running, campaign: &str) -> i64 {
    db(stack)
        .query_row(
            "SELECT count(*) FROM orders o JOIN campaigns c ON c.id = o.campaign_id WHERE c.slug = ?1",
            [campaign],
            |row| row.get(0),
        )
        .expect("orders can be counted")
}

/// A campaign's stored total and donation count.
pub fn totals(stack: &Running, campaign: &str) -> (i64, i64) {
    db(stack)
        .query_row(
            "SELECT raised_amount, donation_count FROM campaigns WHERE slug = ?1",
            [campaign],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the campaign can be read")
}

/// A request to the simulator's Stripe API, with the edge's key.
pub fn stripe_api(stack: &Running, method: &str, path: &str) -> Answer {
    let authorization = format!("Bearer {}", stack.sim_api_key);
    stack.send(
        method,
        &format!("{}{path}", stack.sim_url),
        &[("Authorization", &authorization)],
        None,
    )
}

/// A form post to one of the simulator's own controls (`/_sim/…`); its answer as JSON.
pub fn sim_post(stack: &Running, path: &str, form: &str) -> Value {
    let answer = stack.send(
        "POST",
        &format!("{}{path}", stack.sim_url),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    );
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.json()
}

/// Arms `count` simulator faults of `kind` for a campaign's sessions and payments.
pub fn arm(stack: &Running, campaign: &str, kind: &str, count: u32) {
    sim_post(
        stack,
        "/_sim/faults",
        &format!("campaign={campaign}&kind={kind}&count={count}"),
    );
}

/// How many sessions the simulator opened whose metadata has `key` set to `value`.
pub fn sessions_with(stack: &Running, key: &str, value: &str) -> usize {
    let sessions = stripe_api(stack, "GET", "/v1/checkout/sessions").json();
    sessions["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|session| session["metadata"][key] == value)
        .count()
}

/// The payment intent a paid session names.
pub fn payment_intent(stack: &Running, session_id: &str) -> String {
    let session = stripe_api(stack, "GET", &format!("/v1/checkout/sessions/{session_id}")).json();
    session["payment_intent"]
        .as_str()
        .expect("a paid session names its payment intent")
        .to_owned()
}

/// `POST /v1/refunds`, as the back-office will send it through the edge.
pub fn refund(stack: &Running, intent: &str, amount: Option<i64>) -> Value {
    let mut form = format!("payment_intent={intent}");
    if let Some(amount) = amount {
        form.push_str(&format!("&amount={amount}"));
    }
    let answer = stack.send(
        "POST",
        &format!("{}/v1/refunds", stack.sim_url),
        &[
            ("Authorization", &format!("Bearer {}", stack.sim_api_key)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(form.as_bytes()),
    );
    assert_eq!(answer.status, 200, "refund: {}", answer.body);
    answer.json()
}

/// Presses Pay on the simulator's page for a session; returns where it redirects.
pub fn pay(stack: &Running, session_id: &str) -> String {
    let answer = stack.send(
        "POST",
        &format!("{}/c/pay/{session_id}/pay", stack.sim_url),
        &[],
        Some(b""),
    );
    assert_eq!(answer.status, 303, "pay failed: {}", answer.body);
    answer.location.unwrap_or_default()
}

/// The simulator's event of `kind` about a session.
pub fn event_for(stack: &Running, kind: &str, session_id: &str) -> Value {
    let events = stripe_api(stack, "GET", &format!("/v1/events?type={kind}")).json();
    events["data"]
        .as_array()
        .and_then(|events| {
            events
                .iter()
                .find(|event| event["data"]["object"]["id"] == session_id)
        })
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} event for {session_id}"))
}

/// Asks the simulator to deliver an event again; returns the edge's status.
pub fn resend(stack: &Running, event_id: &str) -> u16 {
    let answer = stack.send(
        "POST",
        &format!("{}/_sim/events/{event_id}/resend", stack.sim_url),
        &[],
        Some(b""),
    );
    assert_eq!(answer.status, 200, "resend failed: {}", answer.body);
    u16::try_from(answer.json()["status"].as_u64().unwrap_or_default()).unwrap_or_default()
}

/// Posts a webhook body to the edge with the given `Stripe-Signature` header.
pub fn post_webhook(stack: &Running, payload: &str, signature: Option<&str>) -> Answer {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(signature) = signature {
        headers.push(("Stripe-Signature", signature));
    }
    stack.send(
        "POST",
        "/v1/webhooks/stripe",
        &headers,
        Some(payload.as_bytes()),
    )
}

/// A `checkout.session.completed` event for a session, as Stripe would send it.
pub fn completed_event(event_id: &str, session_id: &str, order_id: &str, amount: i64) -> String {
    json!({
        "id": event_id,
        "object": "event",
        "type": "checkout.session.completed",
        "created": now(),
        "livemode": false,
        "data": { "object": {
            "id": session_id,
            "object": "checkout.session",
            "client_reference_id": order_id,
            "metadata": { "order_id": order_id },
            "amount_total": amount,
            "currency": "eur",
            "payment_status": "paid",
            "payment_intent": format!("pi_{}", unique()),
            "status": "complete"
        } }
    })
    .to_string()
}

/// Posts an event to the edge, signed with the webhook secret as Stripe signs it.
pub fn deliver(stack: &Running, payload: &str) -> Answer {
    let signature = tirelire_tests::psp_sim::sign(payload, &stack.webhook_secret, now());
    post_webhook(stack, payload, Some(&signature))
}

/// How many anomalies of `kind` were kept for an order.
pub fn anomalies(stack: &Running, kind: &str, order_id: &str) -> i64 {
    db(stack)
        .query_row(
            "SELECT count(*) FROM anomalies WHERE kind = ?1 AND order_id = ?2",
            [kind, order_id],
            |row| row.get(0),
        )
        .expect("anomalies can be counted")
}

/// The current Unix time.
pub fn now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(elapsed.as_secs()).expect("the time fits")
}

/// The association's day at the Unix time `at`, in the time zone the edge's settings give it
/// (`TIME_ZONE` in wrangler.toml): at 23:30 UTC it is already the next day in Paris.
pub fn day_at(at: i64) -> tirelire_domain::Day {
    let date = jiff::Timestamp::from_second(at)
        .expect("a time within jiff's range")
        .in_tz("Europe/Paris")
        .expect("the zone database knows Paris")
        .date();
    tirelire_domain::Day::parse(&date.to_string()).expect("jiff writes days as YYYY-MM-DD")
}

// The back-office: people let in with the deployment's token, and their sessions.

pub fn admin_token() -> String {
    std::env::var("TIRELIRE_ADMIN_TOKEN").expect("TIRELIRE_ADMIN_TOKEN is set by cargo xtask test")
}

pub fn address(name: &str) -> String {
    format!("{name}-{}-{}@asso.example", std::process::id(), unique())
}

/// `POST /v1/admin/invitations` with the deployment's token.
pub fn invite_with_token(stack: &Running, email: &str, role: &str) -> Answer {
    let bearer = format!("Bearer {}", admin_token());
    stack.send(
        "POST",
        "/v1/admin/invitations",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        Some(
            json!({ "email": email, "role": role })
                .to_string()
                .as_bytes(),
        ),
    )
}

/// The secret in an invitation's or a mail's link.
pub fn token_of(link: &str) -> String {
    link.split_once("#sign-in=")
        .map(|(_, token)| token.to_owned())
        .unwrap_or_else(|| panic!("no token in {link}"))
}

/// A JSON write from the edge's own pages, with a session cookie if given.
pub fn write(stack: &Running, path: &str, cookie: Option<&str>, body: &Value) -> Answer {
    write_from(stack, path, Some(&stack.edge_url), cookie, body)
}

pub fn write_from(
    stack: &Running,
    path: &str,
    origin: Option<&str>,
    cookie: Option<&str>,
    body: &Value,
) -> Answer {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    stack.send("POST", path, &headers, Some(body.to_string().as_bytes()))
}

pub fn me(stack: &Running, cookie: &str) -> Answer {
    stack.send("GET", "/v1/admin/me", &[("Cookie", cookie)], None)
}

/// Uses a link; gives the answer and the `name=value` of the cookie it set, if any.
pub fn open_session(stack: &Running, token: &str) -> (Answer, Option<String>) {
    let answer = write(stack, "/v1/admin/session", None, &json!({ "token": token }));
    let cookie = answer
        .header("set-cookie")
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    (answer, cookie)
}

/// A person let in as `role`, signed in: their email and session cookie.
pub fn signed_in(stack: &Running, role: &str) -> (String, String) {
    let email = address(role);
    let invited = invite_with_token(stack, &email, role);
    assert_eq!(invited.status, 201, "{}", invited.body);
    let (answer, cookie) = open_session(
        stack,
        &token_of(invited.json()["link"].as_str().unwrap_or_default()),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    (email, cookie.expect("a session cookie"))
}

/// The tests of one file that count rows, run the sweep at a chosen time or count messages
/// take turns: another test's writes would show up in their counts.
pub fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The first column of the first row of `sql`, read from D1.
pub fn count(stack: &Running, sql: &str) -> i64 {
    db(stack)
        .query_row(sql, [], |row| row.get(0))
        .expect("D1 can be read")
}

/// The demo's mail catcher.
pub fn catcher() -> CatcherClient {
    let url = std::env::var("TIRELIRE_MAIL_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("TIRELIRE_MAIL_URL is not set: run these tests with `cargo xtask test`");
    CatcherClient::new(&url)
}

/// Waits until `count` messages reached `to`, then a little more, to see that no other comes.
pub fn mail_to(to: &str, count: usize) -> Vec<Value> {
    let catcher = catcher();
    let deadline = Instant::now() + Duration::from_secs(20);
    while catcher.messages_to(to).len() < count && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(1500));
    catcher.messages_to(to)
}

/// The text under `key` in each object of the JSON array `list`.
pub fn texts_of<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .map(|items| items.iter().filter_map(|item| item[key].as_str()).collect())
        .unwrap_or_default()
}

/// A checkout body for a campaign that is not a plain donation: `amount` is the free amount
/// (0 when none applies) and `choices` what the donor picked (`items`, `monthly`,
/// `cover_fees`, `promo_code`, `answers`).
pub fn order(stack: &Running, amount: i64, choices: Value) -> Value {
    let mut body = donation(stack, amount);
    if let (Some(donation), Some(choices)) = (body["donation"].as_object_mut(), choices.as_object())
    {
        for (key, value) in choices {
            donation.insert(key.clone(), value.clone());
        }
    }
    body
}

/// The order id a checkout answered with.
pub fn order_id_of(answer: &Answer) -> String {
    answer.json()["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A text column of an order (`psp_session_id`, `psp_payment_id`…), if it holds one.
pub fn order_text(stack: &Running, order_id: &str, column: &str) -> Option<String> {
    db(stack)
        .query_row(
            &format!("SELECT {column} FROM orders WHERE id = ?1"),
            [order_id],
            |row| row.get(0),
        )
        .expect("the order can be read")
}

/// The session id at the end of a checkout URL.
pub fn session_of(answer: &Answer) -> String {
    let url = answer.json()["checkout_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// What is taken of one of a campaign's counters, and its capacity.
pub fn stock(stack: &Running, campaign: &str, counter: &str) -> (i64, i64) {
    db(stack)
        .query_row(
            "SELECT s.taken, s.capacity FROM stock s JOIN campaigns c ON c.id = s.campaign_id
             WHERE c.slug = ?1 AND s.counter = ?2",
            [campaign, counter],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the counter exists")
}

/// `POST /v1/checkout/sessions/{id}/expire` at the simulator, as the PSP does after its time.
pub fn expire(stack: &Running, session_id: &str) {
    let answer = stack.send(
        "POST",
        &format!("{}/v1/checkout/sessions/{session_id}/expire", stack.sim_url),
        &[
            ("Authorization", &format!("Bearer {}", stack.sim_api_key)),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(b""),
    );
    assert_eq!(answer.status, 200, "expire: {}", answer.body);
}
