//! A donor's rights: everything kept about their address, handed over as JSON, and erased so
//! that no name or address of theirs is left anywhere in D1, while the accounts and the totals
//! stay as they were.

mod common;

use common::{checkout, donation, signed_in, stack, totals, unique, write, write_from};
use serde_json::json;
use tirelire_tests::running::Running;

const CAMPAIGN: &str = "test-gdpr";

/// How many cells of any text column, in any table, contain `needle` (in any case).
fn cells_containing(stack: &Running, needle: &str) -> Vec<String> {
    let db = common::db(stack);
    let tables: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
        )
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .expect("the tables can be listed");
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()
            })
            .expect("the columns can be listed");
        for column in columns {
            let count: i64 = db
                .query_row(
                    &format!(
                        "SELECT count(*) FROM \"{table}\" WHERE instr(lower(CAST(\"{column}\" AS TEXT)), lower(?1)) > 0"
                    ),
                    [needle],
                    |row| row.get(0),
                )
                .expect("a column can be searched");
            if count > 0 {
                found.push(format!("{table}.{column} ×{count}"));
            }
        }
    }
    found
}

#[test]
fn a_donor_s_data_is_handed_over_then_erased_everywhere_and_the_totals_stay() {
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let tag = format!("{}x{}", std::process::id(), unique());
    let first = format!("Prunelle{tag}");
    let last = format!("Quignard{tag}");
    let email = format!("prunelle.{tag}@example.org");

    // Two gifts through the form, one paid, and a cheque recorded by hand.
    let mut body = donation(&stack, 3000);
    body["donation"]["first_name"] = json!(first);
    body["donation"]["last_name"] = json!(last);
    body["donation"]["email"] = json!(email.to_uppercase());
    let paid = checkout(&stack, CAMPAIGN, body.to_string().as_bytes());
    assert_eq!(paid.status, 201, "{}", paid.body);
    let session = paid.json()["checkout_url"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    common::pay(&stack, &session);
    body["challenge_token"] = json!(common::challenge_token(&stack));
    body["donation"]["amount"] = json!(1500);
    assert_eq!(
        checkout(&stack, CAMPAIGN, body.to_string().as_bytes()).status,
        201
    );
    let cheque = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &json!({
            "campaign": CAMPAIGN, "amount": 2000, "method": "cheque",
            "received_at": common::now() - 60, "first_name": first, "last_name": last,
            "email": email, "reference": "123",
        }),
    );
    assert_eq!(cheque.status, 201, "{}", cheque.body);
    let before = totals(&stack, CAMPAIGN);
    assert_eq!(before.0, 5000);

    // The file: every payment, every message.
    let query = format!("/v1/admin/donors?email={}", email.replace('@', "%40"));
    assert_eq!(
        stack
            .send("GET", &query, &[("Cookie", &volunteer)], None)
            .error_code(),
        "forbidden"
    );
    let file = stack.send("GET", &query, &[("Cookie", &treasurer)], None);
    assert_eq!(file.status, 200, "{}", file.body);
    let file = file.json();
    assert_eq!(file["payments"].as_array().map(Vec::len), Some(3), "{file}");
    assert!(
        file["payments"][0]["consent_text"]
            .as_str()
            .is_some_and(|text| text.starts_with("J'accepte")),
        "{file}"
    );
    let templates = common::texts_of(&file["messages"], "template");
    assert!(templates.contains(&"donor_receipt"), "{templates:?}");
    let download = stack.send(
        "GET",
        &format!("{query}&download=1"),
        &[("Cookie", &treasurer)],
        None,
    );
    assert!(
        download
            .header("content-disposition")
            .is_some_and(|value| value.starts_with("attachment")),
        "the file downloads"
    );
    assert!(!cells_containing(&stack, &email).is_empty());

    // Refused: a volunteer, another site, not an address.
    let erasure = json!({ "email": email.to_uppercase() });
    let path = "/v1/admin/donors/erasure";
    assert_eq!(
        write(&stack, path, Some(&volunteer), &erasure).error_code(),
        "forbidden"
    );
    assert_eq!(
        write_from(
            &stack,
            path,
            Some("https://evil.example"),
            Some(&treasurer),
            &erasure
        )
        .error_code(),
        "origin_not_allowed"
    );
    assert_eq!(
        write(
            &stack,
            path,
            Some(&treasurer),
            &json!({ "email": "nobody" })
        )
        .status,
        422
    );
    assert!(
        !cells_containing(&stack, &email).is_empty(),
        "nothing was erased yet"
    );

    // Erased: no name or address left anywhere, the accounts as they were.
    let answer = write(&stack, path, Some(&treasurer), &erasure);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["payments"], json!(3));
    for needle in [&email, &first, &last] {
        assert_eq!(
            cells_containing(&stack, needle),
            Vec::<String>::new(),
            "{needle} is left"
        );
    }
    assert_eq!(totals(&stack, CAMPAIGN), before);
    let left = stack
        .send("GET", &query, &[("Cookie", &treasurer)], None)
        .json();
    assert_eq!(left["payments"], json!([]));
    let audit: String = common::db(&stack)
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'donor_erased' ORDER BY id DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("the erasure is in the audit log");
    assert_eq!(audit, r#"{"payments":3,"messages":2}"#);
}
