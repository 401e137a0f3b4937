//! Bad requests get a 4xx with a stable code: never a 5xx, and never a stored order.

mod common;

use common::*;
use serde_json::json;

const CAMPAIGN: &str = "test-inputs";

fn assert_refused(answer: &tirelire_tests::running::Answer, status: u16, code: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.error_code(), code, "{what}: {}", answer.body);
}

/// `body` with the value at `pointer` replaced.
fn altered(body: &serde_json::Value, pointer: &str, value: serde_json::Value) -> String {
    let mut body = body.clone();
    *body.pointer_mut(pointer).expect("the field exists") = value;
    body.to_string()
}

#[test]
fn disallowed_or_missing_origin_is_forbidden() {
    let stack = stack();
    let before = order_count(&stack, CAMPAIGN);
    let body = donation(&stack, 2000).to_string();
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let answer = checkout_from(&stack, CAMPAIGN, origin, body.as_bytes());
        assert_refused(&answer, 403, "origin_not_allowed", &format!("{origin:?}"));
        // The refusal is readable by the widget, which shows it to the treasurer.
        assert_eq!(answer.allow_origin.as_deref(), Some("*"));
    }
    // The origin is checked before the body is read: even garbage gets 403.
    let answer = checkout_from(&stack, CAMPAIGN, Some("https://evil.example"), b"{garbage");
    assert_refused(
        &answer,
        403,
        "origin_not_allowed",
        "garbage from a foreign origin",
    );
    assert_eq!(order_count(&stack, CAMPAIGN), before);
}

#[test]
fn unknown_campaign_is_not_found() {
    let stack = stack();
    let body = donation(&stack, 2000).to_string();
    for slug in ["no-such-campaign", "Bad_Slug", "a--b"] {
        assert_refused(
            &checkout(&stack, slug, body.as_bytes()),
            404,
            "campaign_not_found",
            slug,
        );
        assert_refused(
            &stack.get(&format!("/v1/campaigns/{slug}")),
            404,
            "campaign_not_found",
            slug,
        );
    }
}

#[test]
fn malformed_bodies_are_refused_with_stable_codes() {
    let stack = stack();
    let before = order_count(&stack, CAMPAIGN);
    let good = donation(&stack, 2000);
    let with = |pointer: &str, value: serde_json::Value| altered(&good, pointer, value);
    let cases: Vec<(&str, String)> = vec![
        ("empty body", String::new()),
        ("not JSON", "{garbage".into()),
        ("JSON array", "[]".into()),
        ("amount as text", with("/donation/amount", json!("20"))),
        (
            "amount as a fraction",
            with("/donation/amount", json!(20.5)),
        ),
        (
            "amount beyond 64 bits",
            good.to_string().replace("2000", "99999999999999999999"),
        ),
        ("email as a number", with("/donation/email", json!(42))),
        ("consent as text", with("/donation/consent", json!("yes"))),
        (
            "missing donation",
            json!({ "return_url": stack.site_url }).to_string(),
        ),
        ("unknown locale", with("/locale", json!("tlh"))),
        // Money is an amount and a currency this edge knows, or the request is malformed.
        ("unknown currency", with("/donation/currency", json!("XBT"))),
        ("missing currency", {
            let mut body = good.clone();
            body["donation"]
                .as_object_mut()
                .expect("an object")
                .remove("currency");
            body.to_string()
        }),
    ];
    for (what, body) in cases {
        assert_refused(
            &checkout(&stack, CAMPAIGN, body.as_bytes()),
            400,
            "malformed_body",
            what,
        );
    }
    assert_eq!(order_count(&stack, CAMPAIGN), before);
}

#[test]
fn invalid_fields_are_named_with_their_codes() {
    let stack = stack();
    let before = order_count(&stack, CAMPAIGN);
    let good = donation(&stack, 2000);
    let with = |pointer: &str, value: serde_json::Value| altered(&good, pointer, value);
    let cases = [
        (
            "negative amount",
            with("/donation/amount", json!(-2000)),
            "amount",
            "too_small",
        ),
        (
            "zero amount",
            with("/donation/amount", json!(0)),
            "amount",
            "too_small",
        ),
        (
            "below the minimum",
            with("/donation/amount", json!(99)),
            "amount",
            "too_small",
        ),
        (
            "huge amount",
            with("/donation/amount", json!(1_000_000_000_000_i64)),
            "amount",
            "too_large",
        ),
        (
            "blank first name",
            with("/donation/first_name", json!("   ")),
            "first_name",
            "required",
        ),
        (
            "over-long last name",
            with("/donation/last_name", json!("x".repeat(101))),
            "last_name",
            "too_long",
        ),
        (
            "over-long email",
            with(
                "/donation/email",
                json!(format!("{}@example.fr", "a".repeat(300))),
            ),
            "email",
            "too_long",
        ),
        (
            "malformed email",
            with("/donation/email", json!("camille@")),
            "email",
            "invalid",
        ),
        (
            "no consent",
            with("/donation/consent", json!(false)),
            "consent",
            "required",
        ),
    ];
    for (what, body, field, code) in cases {
        let answer = checkout(&stack, CAMPAIGN, body.as_bytes());
        assert_refused(&answer, 422, "invalid_submission", what);
        assert_eq!(
            answer.json()["error"]["fields"],
            json!([{ "field": field, "code": code }]),
            "{what}"
        );
    }
    assert_eq!(order_count(&stack, CAMPAIGN), before);
}

#[test]
fn return_url_must_stay_on_an_allowed_origin() {
    let stack = stack();
    let before = order_count(&stack, CAMPAIGN);
    for url in [
        "https://evil.example/phish",
        "javascript:alert(1)",
        "/relative",
        "",
    ] {
        let mut body = donation(&stack, 2000);
        body["return_url"] = json!(url);
        let answer = checkout(&stack, CAMPAIGN, body.to_string().as_bytes());
        assert_refused(&answer, 422, "invalid_return_url", url);
    }
    assert_eq!(order_count(&stack, CAMPAIGN), before);
}

#[test]
fn oversized_body_is_refused() {
    let stack = stack();
    let mut body = donation(&stack, 2000);
    body["padding"] = json!("x".repeat(64 * 1024));
    assert_refused(
        &checkout(&stack, CAMPAIGN, body.to_string().as_bytes()),
        413,
        "payload_too_large",
        "64 KiB",
    );
}

#[test]
fn unknown_routes_and_methods_get_json_refusals() {
    let stack = stack();
    assert_refused(
        &stack.get("/v1/nothing-here"),
        404,
        "not_found",
        "unknown path",
    );
    assert_refused(
        &stack.send("DELETE", "/v1/campaigns/jardin-2026", &[], None),
        405,
        "method_not_allowed",
        "DELETE",
    );
    assert_refused(
        &stack.get("/v1/orders/not-an-order"),
        404,
        "order_not_found",
        "malformed order id",
    );
    assert_refused(
        &stack.get("/v1/orders/ord_AAAAAAAAAAAAAAAAAAAAAA"),
        404,
        "order_not_found",
        "unknown order id",
    );
    assert_refused(
        &stack.send("GET", "/v1/webhooks/stripe", &[], None),
        405,
        "method_not_allowed",
        "GET webhook",
    );
}
