//! Every route of the back-office, in one table: each refuses a missing or forged session, a
//! write from another site or from no site at all, and a role below its own, and none of these
//! refusals writes anything anywhere.

mod common;

use common::{signed_in, stack};
use serde_json::{Value, json};
use tirelire_tests::running::Running;

/// A route, the least role it asks, and a body it would accept.
struct Route {
    method: &'static str,
    path: &'static str,
    role: &'static str,
    body: Value,
}

fn routes() -> Vec<Route> {
    let read = |path: &'static str, role: &'static str| Route {
        method: "GET",
        path,
        role,
        body: Value::Null,
    };
    let write = |path: &'static str, role: &'static str, body: Value| Route {
        method: "POST",
        path,
        role,
        body,
    };
    let campaign = json!({
        "slug": "refused", "status": "open", "title": "Refusée", "currency": "EUR",
        "min_amount": 100, "max_amount": 10000, "origins": [],
    });
    vec![
        read("/v1/admin/me", "volunteer"),
        write("/v1/admin/sign-out", "volunteer", json!({})),
        read("/v1/admin/dashboard", "volunteer"),
        read("/v1/admin/campaigns", "volunteer"),
        read("/v1/admin/campaigns/jardin-2026", "volunteer"),
        write("/v1/admin/campaigns", "treasurer", campaign.clone()),
        write("/v1/admin/campaigns/jardin-2026", "treasurer", {
            let mut same = campaign;
            same["slug"] = json!("jardin-2026");
            same
        }),
        write(
            "/v1/admin/campaigns/jardin-2026/check",
            "volunteer",
            json!({ "url": "http://127.0.0.1:9/" }),
        ),
        read("/v1/admin/payments", "volunteer"),
        read("/v1/admin/payments.csv", "treasurer"),
        read("/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA", "volunteer"),
        write(
            "/v1/admin/payments/offline",
            "treasurer",
            json!({
                "campaign": "jardin-2026", "amount": 1000, "method": "cash",
                "received_at": common::now(), "first_name": "Ana", "last_name": "Lyse",
            }),
        ),
        write(
            "/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/reversal",
            "treasurer",
            json!({ "reason": "erreur" }),
        ),
        write(
            "/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/refund",
            "treasurer",
            json!({ "amount": 100 }),
        ),
        write(
            "/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/note",
            "volunteer",
            json!({ "text": "note" }),
        ),
        write(
            "/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA/receipt",
            "treasurer",
            json!({}),
        ),
        read("/v1/admin/donors?email=ana%40example.org", "treasurer"),
        write(
            "/v1/admin/donors/erasure",
            "treasurer",
            json!({ "email": "ana@example.org" }),
        ),
        read("/v1/admin/people", "admin"),
        write("/v1/admin/people/1/removal", "admin", json!({})),
        write(
            "/v1/admin/invitations",
            "admin",
            json!({ "email": "intrus@example.org", "role": "admin" }),
        ),
        read("/v1/admin/audit", "treasurer"),
        read("/v1/admin/settings", "volunteer"),
        write(
            "/v1/admin/settings",
            "admin",
            json!({ "name": "Autre nom", "address": "", "contact_email": "" }),
        ),
        write(
            "/v1/admin/settings/test-mail",
            "admin",
            json!({ "to": "intrus@example.org" }),
        ),
    ]
}

/// How many rows every table of D1 holds.
fn every_table(stack: &Running) -> Vec<(String, i64)> {
    let db = common::db(stack);
    let tables: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .expect("the tables can be listed");
    tables
        .into_iter()
        .map(|table| {
            let rows = common::count(stack, &format!("SELECT count(*) FROM \"{table}\""));
            (table, rows)
        })
        .collect()
}

fn send(
    stack: &Running,
    route: &Route,
    origin: Option<&str>,
    cookie: Option<&str>,
) -> (u16, String) {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    let body = route.body.to_string();
    let answer = stack.send(
        route.method,
        route.path,
        &headers,
        (route.method == "POST").then_some(body.as_bytes()),
    );
    (answer.status, answer.error_code())
}

#[test]
fn every_back_office_route_refuses_strangers_other_sites_and_lesser_roles_and_writes_nothing() {
    let stack = stack();
    let sessions: Vec<(&str, String)> = ["volunteer", "treasurer", "admin"]
        .into_iter()
        .map(|role| (role, signed_in(&stack, role).1))
        .collect();
    let cookie_of = |role: &str| {
        sessions
            .iter()
            .find(|(name, _)| *name == role)
            .map(|(_, cookie)| cookie.clone())
            .unwrap_or_default()
    };
    let rank = |role: &str| {
        ["volunteer", "treasurer", "admin"]
            .iter()
            .position(|r| *r == role)
    };
    let own = stack.edge_url.clone();
    let before = every_table(&stack);
    let mut refused = 0;
    for route in routes() {
        let what = format!("{} {}", route.method, route.path);
        let origin = (route.method == "POST").then_some(own.as_str());
        for cookie in [None, Some("__Host-tirelire_session=forged")] {
            assert_eq!(
                send(&stack, &route, origin, cookie),
                (401, "unauthorized".to_owned()),
                "{what} with {cookie:?}"
            );
            refused += 1;
        }
        if route.method == "POST" {
            for other in [Some("https://evil.example"), Some("null"), None] {
                assert_eq!(
                    send(&stack, &route, other, Some(&cookie_of("admin"))),
                    (403, "origin_not_allowed".to_owned()),
                    "{what} from {other:?}"
                );
                refused += 1;
            }
        }
        for lesser in ["volunteer", "treasurer"] {
            if rank(lesser) < rank(route.role) {
                assert_eq!(
                    send(&stack, &route, origin, Some(&cookie_of(lesser))),
                    (403, "forbidden".to_owned()),
                    "{what} as {lesser}"
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 100, "{refused} refusals checked");
    assert_eq!(every_table(&stack), before, "no refusal wrote anything");
}
