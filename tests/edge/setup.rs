//! Campaigns set up from the back-office: created, changed, closed, archived and opened again
//! without SQL, by treasurers only, from the edge's own pages only; and what donors then see.

mod common;

use common::{count, serial, signed_in, stack, unique, write, write_from};
use serde_json::{Value, json};
use tirelire_tests::running::{Answer, Running};

fn written(stack: &Running) -> (i64, i64, i64) {
    (
        count(stack, "SELECT count(*) FROM campaigns"),
        count(stack, "SELECT count(*) FROM campaign_origins"),
        count(stack, "SELECT count(*) FROM audit_log"),
    )
}

fn new_slug() -> String {
    format!("kermesse-{}-{}", std::process::id(), unique())
}

/// Settings for a campaign the test site may carry.
fn settings(stack: &Running, slug: &str) -> Value {
    json!({
        "slug": slug,
        "status": "open",
        "title": "  La kermesse de l'école ",
        "description": "Pour les stands et le goûter.",
        "currency": "EUR",
        "presets": [2000, 1000, 5000],
        "min_amount": 500,
        "max_amount": 100000,
        "goal_amount": 300000,
        "origins": ["HTTPS://Ecole.Example:443/", stack.site_url],
    })
}

fn public(stack: &Running, slug: &str) -> Answer {
    stack.send("GET", &format!("/v1/campaigns/{slug}"), &[], None)
}

fn donate(stack: &Running, slug: &str) -> Answer {
    common::checkout(
        stack,
        slug,
        common::donation(stack, 2000).to_string().as_bytes(),
    )
}

#[test]
fn only_a_treasurer_on_the_edge_s_own_pages_sets_up_a_campaign() {
    let _turn = serial();
    let stack = stack();
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let slug = new_slug();
    let body = settings(&stack, &slug);
    let before = written(&stack);

    for path in [
        "/v1/admin/campaigns".to_owned(),
        "/v1/admin/campaigns/jardin-2026".to_owned(),
    ] {
        let answer = write(&stack, &path, None, &body);
        assert_eq!(answer.status, 401, "{path}: {}", answer.body);
        let answer = write(&stack, &path, Some(&volunteer), &body);
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert_eq!(answer.error_code(), "forbidden");
        let answer = write_from(
            &stack,
            &path,
            Some("https://evil.example"),
            Some(&treasurer),
            &body,
        );
        assert_eq!(answer.error_code(), "origin_not_allowed");
    }
    let answer = stack.send("GET", "/v1/admin/campaigns/jardin-2026", &[], None);
    assert_eq!(answer.status, 401);

    // Wrong settings are named, field by field.
    let mut wrong = body.clone();
    wrong["slug"] = json!("La Kermesse");
    wrong["title"] = json!("");
    wrong["presets"] = json!([100]);
    wrong["origins"] = json!(["https://ecole.example/dons"]);
    let answer = write(&stack, "/v1/admin/campaigns", Some(&treasurer), &wrong);
    assert_eq!(answer.status, 422, "{}", answer.body);
    let fields: Vec<String> = answer.json()["error"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|field| {
            format!(
                "{}:{}",
                field["field"].as_str().unwrap_or_default(),
                field["code"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            "slug:invalid",
            "title:required",
            "presets:invalid",
            "origins:invalid"
        ]
    );
    // A slug taken by another campaign.
    let mut taken = body.clone();
    taken["slug"] = json!("jardin-2026");
    let answer = write(&stack, "/v1/admin/campaigns", Some(&treasurer), &taken);
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.error_code(), "slug_taken");
    // Another campaign's slug in the body of an update.
    let answer = write(
        &stack,
        "/v1/admin/campaigns/jardin-2026",
        Some(&treasurer),
        &body,
    );
    assert_eq!(answer.status, 422, "{}", answer.body);

    assert_eq!(written(&stack), before, "no refusal wrote anything");
    assert_eq!(public(&stack, &slug).status, 404);
}

#[test]
fn a_campaign_created_in_the_back_office_collects_closes_archives_and_opens_again() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let slug = new_slug();

    let answer = write(
        &stack,
        "/v1/admin/campaigns",
        Some(&treasurer),
        &settings(&stack, &slug),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let saved = stack.send(
        "GET",
        &format!("/v1/admin/campaigns/{slug}"),
        &[("Cookie", &volunteer)],
        None,
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(saved["title"], json!("La kermesse de l'école"));
    assert_eq!(saved["presets"], json!([1000, 2000, 5000]));
    let mut origins: Vec<String> = saved["origins"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|origin| origin.as_str().map(str::to_owned))
        .collect();
    origins.sort();
    let mut expected = vec!["https://ecole.example".to_owned(), stack.site_url.clone()];
    expected.sort();
    assert_eq!(origins, expected, "stored as browsers send them");

    // Donors see it and give through it.
    let view = public(&stack, &slug);
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.json()["title"], json!("La kermesse de l'école"));
    assert_eq!(view.json()["goal_amount"], json!(300000));
    assert_eq!(view.json().get("closed"), None);
    assert_eq!(donate(&stack, &slug).status, 201);

    // Closed: it shows, says so, and takes no more.
    let mut change = saved.clone();
    change["status"] = json!("closed");
    change["title"] = json!("La kermesse (terminée)");
    let path = format!("/v1/admin/campaigns/{slug}");
    let answer = write(&stack, &path, Some(&treasurer), &change);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let view = public(&stack, &slug);
    assert_eq!(view.json()["closed"], json!(true), "{}", view.body);
    assert_eq!(
        view.json()["title"],
        json!("La kermesse (terminée)"),
        "the cached copy was forgotten"
    );
    let refused = donate(&stack, &slug);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(refused.error_code(), "campaign_closed");

    // Archived: gone from the sites, still in the back-office.
    change["status"] = json!("archived");
    assert_eq!(write(&stack, &path, Some(&treasurer), &change).status, 200);
    assert_eq!(public(&stack, &slug).status, 404);
    assert_eq!(donate(&stack, &slug).error_code(), "campaign_not_found");
    let list = stack.send(
        "GET",
        "/v1/admin/campaigns",
        &[("Cookie", &volunteer)],
        None,
    );
    let listed = list.json().as_array().cloned().unwrap_or_default();
    let entry = listed
        .iter()
        .find(|campaign| campaign["slug"] == json!(slug))
        .unwrap_or_else(|| panic!("the archived campaign is listed: {}", list.body));
    assert_eq!(entry["status"], json!("archived"));
    assert_eq!(entry["count"], json!(0));

    // Open again.
    change["status"] = json!("open");
    assert_eq!(write(&stack, &path, Some(&treasurer), &change).status, 200);
    assert_eq!(donate(&stack, &slug).status, 201);

    let actions = count(
        &stack,
        &format!("SELECT count(*) FROM audit_log WHERE subject = 'campaign:{slug}'"),
    );
    assert_eq!(actions, 4, "created, then changed three times");
}
