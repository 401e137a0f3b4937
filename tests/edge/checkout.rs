//! A donation becomes one pending order in D1 and one checkout session at the PSP.

mod common;

use common::*;

#[test]
fn checkout_creates_exactly_one_pending_order_and_one_session() {
    let stack = stack();
    // This campaign is used by this test alone, so no other test's orders can be counted.
    let before = order_count(&stack, "test-one-order");
    let (order_id, session_id) = checkout_ok(&stack, "test-one-order", 2000);

    assert_eq!(order_count(&stack, "test-one-order"), before + 1);
    assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
    let stored_session: String = db(&stack)
        .query_row(
            "SELECT psp_session_id FROM orders WHERE id = ?1",
            [&order_id],
            |row| row.get(0),
        )
        .expect("the order has a session");
    assert_eq!(stored_session, session_id);

    let sessions = stripe_api(&stack, "GET", "/v1/checkout/sessions").json();
    let for_order: Vec<_> = sessions["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|session| session["client_reference_id"] == order_id.as_str())
        .collect();
    assert_eq!(for_order.len(), 1, "one session for the order");
    let session = for_order[0];
    assert_eq!(session["id"], session_id.as_str());
    assert_eq!(session["amount_total"], 2000);
    assert_eq!(session["currency"], "eur");
    assert_eq!(session["mode"], "payment");
    assert!(
        session["customer_email"]
            .as_str()
            .is_some_and(|email| email.starts_with("camille.dupont+")),
        "{}",
        session["customer_email"]
    );
    assert_eq!(session["metadata"]["order_id"], order_id.as_str());
    assert_eq!(session["metadata"]["campaign"], "test-one-order");
    assert_eq!(session["status"], "open");
    let ahead = session["expires_at"].as_i64().unwrap_or_default() - now();
    assert!((43 * 60..=46 * 60).contains(&ahead), "expires in {ahead} s");
    // The consent the donor gave is kept with its wording's version.
    let (version, text): (String, String) = db(&stack)
        .query_row(
            "SELECT consent_version, consent_text FROM orders WHERE id = ?1",
            [&order_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the order has its consent");
    assert_eq!(version, "2026-11");
    assert!(text.starts_with("J'accepte"), "{text}");
}

#[test]
fn the_psp_sends_the_donor_back_to_the_page_they_came_from() {
    let stack = stack();
    let (order_id, session_id) = checkout_ok(&stack, "test-checkout", 1500);
    let session = stripe_api(
        &stack,
        "GET",
        &format!("/v1/checkout/sessions/{session_id}"),
    )
    .json();
    let base = format!(
        "{}/dons?page=1&tirelire_campaign=test-checkout&tirelire_order={order_id}",
        stack.site_url
    );
    assert_eq!(
        session["success_url"],
        format!("{base}&tirelire_result=paid")
    );
    assert_eq!(
        session["cancel_url"],
        format!("{base}&tirelire_result=cancelled")
    );
}

#[test]
fn order_view_shows_status_and_amount_but_nothing_personal() {
    let stack = stack();
    let (order_id, _) = checkout_ok(&stack, "test-checkout", 1000);
    let answer = stack.get(&format!("/v1/orders/{order_id}"));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.allow_origin.as_deref(), Some("*"));
    let order = answer.json();
    assert_eq!(order["status"], "pending");
    assert_eq!(order["amount"], 1000);
    assert_eq!(order["currency"], "EUR");
    assert!(!answer.body.contains("camille"), "{}", answer.body);
}

#[test]
fn campaign_view_carries_rules_presets_and_totals() {
    let stack = stack();
    let answer = stack.get("/v1/campaigns/jardin-2026");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.allow_origin.as_deref(), Some("*"));
    let campaign = answer.json();
    assert_eq!(campaign["slug"], "jardin-2026");
    assert_eq!(campaign["organisation"], "Les Amis du Jardin Partagé");
    assert_eq!(
        campaign["preset_amounts"],
        serde_json::json!([1000, 2000, 5000])
    );
    assert_eq!(campaign["rules"]["currency"], "EUR");
    // What the widget must ask and where it may send the donor.
    assert_eq!(campaign["checkout"]["challenge"], true);
    assert_eq!(campaign["checkout"]["min_fill_ms"], 3000);
    assert_eq!(
        campaign["checkout"]["payment_origins"],
        serde_json::json!(["https://checkout.stripe.com", stack.sim_url])
    );
    assert!(campaign["raised_amount"].is_i64());
    assert!(
        !answer.body.contains(&stack.site_url),
        "allowed origins stay private: {}",
        answer.body
    );
}

#[test]
fn preflight_is_answered_for_the_widget() {
    let stack = stack();
    let answer = stack.send(
        "OPTIONS",
        "/v1/campaigns/test-checkout/checkout",
        &[
            ("Origin", &stack.site_url),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(answer.status, 204);
    assert_eq!(answer.allow_origin.as_deref(), Some("*"));
}
