//! The back-office's payments: who may list, export, record and reverse them; payments by hand
//! in the totals and the export; the CSV as a spreadsheet reads it; and an export of 20,000
//! payments.

mod common;

use common::{count, mail_to, serial, signed_in, stack, totals, write, write_from};
use serde_json::{Value, json};
use tirelire_tests::running::{Answer, Running};

fn get(stack: &Running, path: &str, cookie: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> = cookie
        .map(|cookie| ("Cookie", cookie))
        .into_iter()
        .collect();
    stack.send("GET", path, &headers, None)
}

/// Orders and audit entries: what a refusal must leave as it was.
fn written(stack: &Running) -> (i64, i64, i64) {
    (
        count(stack, "SELECT count(*) FROM orders"),
        count(stack, "SELECT count(*) FROM audit_log"),
        count(
            stack,
            "SELECT count(*) FROM orders WHERE reversed_at IS NOT NULL",
        ),
    )
}

fn cheque(campaign: &str, amount: i64, first_name: &str) -> Value {
    json!({
        "campaign": campaign,
        "amount": amount,
        "method": "cheque",
        "received_at": common::now() - 3600,
        "first_name": first_name,
        "last_name": "Martin",
        "email": "",
        "reference": "0001234",
    })
}

/// The CSV's rows after the header, cell by cell, as a spreadsheet splits them.
fn csv_rows(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body
        .strip_prefix('\u{feff}')
        .expect("the export starts with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("the export has a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|record| {
            record
                .expect("every line of the export is well formed")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, rows)
}

/// The cell of `row` under `column`.
fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let index = header
        .iter()
        .position(|name| name == column)
        .unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    row.get(index).map_or("", String::as_str)
}

fn export(stack: &Running, query: &str, cookie: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let answer = get(
        stack,
        &format!("/v1/admin/payments.csv?{query}"),
        Some(cookie),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        answer
            .header("content-disposition")
            .is_some_and(|value| value.starts_with("attachment")),
        "the export downloads as a file"
    );
    csv_rows(&answer.body)
}

#[test]
fn every_payments_route_refuses_strangers_foreign_origins_and_the_wrong_role() {
    let _turn = serial();
    let stack = stack();
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let card_order = common::checkout_ok(&stack, "test-hand", 2000).0;
    let before = written(&stack);

    // Reads: nobody without a session; the export is for money people.
    for path in [
        "/v1/admin/campaigns",
        "/v1/admin/payments",
        "/v1/admin/payments.csv",
    ] {
        for cookie in [None, Some("__Host-tirelire_session=forged")] {
            let answer = get(&stack, path, cookie);
            assert_eq!(answer.status, 401, "{path} {cookie:?}: {}", answer.body);
            assert_eq!(answer.error_code(), "unauthorized");
            assert_eq!(answer.allow_origin, None);
        }
    }
    let answer = get(&stack, "/v1/admin/payments.csv", Some(&volunteer));
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(answer.error_code(), "forbidden");
    assert_eq!(
        get(&stack, "/v1/admin/payments", Some(&volunteer)).status,
        200
    );

    // Writes: nobody without a session, from another origin, or below treasurer.
    let offline = cheque("test-hand", 1500, "Refusé");
    let reversal = json!({ "reason": "saisie en double" });
    let reversal_path = format!("/v1/admin/payments/{card_order}/reversal");
    for (path, body) in [
        ("/v1/admin/payments/offline", &offline),
        (reversal_path.as_str(), &reversal),
    ] {
        let answer = write(&stack, path, None, body);
        assert_eq!(answer.status, 401, "{path}: {}", answer.body);
        let answer = write(&stack, path, Some("__Host-tirelire_session=forged"), body);
        assert_eq!(answer.status, 401, "{path}: {}", answer.body);
        for origin in [Some("https://evil.example"), None] {
            let answer = write_from(&stack, path, origin, Some(&treasurer), body);
            assert_eq!(
                answer.status, 403,
                "{path} from {origin:?}: {}",
                answer.body
            );
            assert_eq!(answer.error_code(), "origin_not_allowed");
        }
        let answer = write(&stack, path, Some(&volunteer), body);
        assert_eq!(answer.status, 403, "{path}: {}", answer.body);
        assert_eq!(answer.error_code(), "forbidden");
    }

    // Bad input is refused with a code, and writes nothing either.
    let answer = get(&stack, "/v1/admin/payments?status=lost", Some(&volunteer));
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.error_code(), "invalid_query");
    let answer = get(
        &stack,
        "/v1/admin/payments?after=nonsense",
        Some(&volunteer),
    );
    assert_eq!(answer.error_code(), "invalid_query");
    let mut wrong = cheque("test-hand", -5, "");
    wrong["received_at"] = json!(common::now() + 30 * 86_400);
    let answer = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &wrong,
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    let fields: Vec<Value> = answer.json()["error"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for expected in [
        json!({ "field": "amount", "code": "too_small" }),
        json!({ "field": "date", "code": "invalid" }),
        json!({ "field": "first_name", "code": "required" }),
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    let mut card = cheque("test-hand", 1000, "Carte");
    card["method"] = json!("card");
    assert_eq!(
        write(
            &stack,
            "/v1/admin/payments/offline",
            Some(&treasurer),
            &card
        )
        .status,
        422
    );
    let answer = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &cheque("no-such-campaign", 1000, "Ana"),
    );
    assert_eq!(answer.error_code(), "campaign_not_found");

    // A card payment is refunded, not reversed.
    let answer = write(&stack, &reversal_path, Some(&treasurer), &reversal);
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.error_code(), "not_reversible");
    let answer = write(
        &stack,
        "/v1/admin/payments/ord_nothing_here_at_all/reversal",
        Some(&treasurer),
        &reversal,
    );
    assert_eq!(answer.status, 404, "{}", answer.body);

    assert_eq!(written(&stack), before, "no refusal wrote anything");
}

#[test]
fn a_cheque_counts_in_the_totals_and_the_export_and_its_reversal_takes_it_out() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (raised, donations) = totals(&stack, "test-hand");

    let answer = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &cheque("test-hand", 4550, "Lucie"),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(totals(&stack, "test-hand"), (raised + 4550, donations + 1));
    // The public campaign shows it at once: the cached copy was forgotten.
    let public = stack.send("GET", "/v1/campaigns/test-hand", &[], None);
    assert_eq!(
        public.json()["raised_amount"],
        json!(raised + 4550),
        "{}",
        public.body
    );

    let list = get(
        &stack,
        "/v1/admin/payments?campaign=test-hand&method=cheque&q=lucie%20mart",
        Some(&treasurer),
    );
    assert_eq!(list.status, 200, "{}", list.body);
    let page = list.json();
    let row = page["payments"]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["id"] == json!(id)))
        .cloned()
        .unwrap_or_else(|| panic!("the cheque is listed: {page}"));
    assert_eq!(row["status"], json!("paid"));
    assert_eq!(row["counted"], json!(4550));
    assert_eq!(row["reference"], json!("0001234"));

    let (header, rows) = export(&stack, "campaign=test-hand&method=cheque", &treasurer);
    let line = rows
        .iter()
        .find(|row| cell(&header, row, "Référence") == id)
        .unwrap_or_else(|| panic!("the cheque is exported: {rows:?}"));
    assert_eq!(cell(&header, line, "Moyen de paiement"), "Chèque");
    assert_eq!(cell(&header, line, "Montant"), "45,50");
    assert_eq!(cell(&header, line, "Net"), "45,50");
    assert_eq!(
        cell(&header, line, "N° de chèque ou de virement"),
        "0001234"
    );

    // The reversing entry takes it out of the totals and says so in the export.
    let path = format!("/v1/admin/payments/{id}/reversal");
    let reason = json!({ "reason": "Chèque saisi deux fois" });
    let answer = write(&stack, &path, Some(&treasurer), &reason);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["already"], json!(false));
    assert_eq!(totals(&stack, "test-hand"), (raised, donations));
    let (header, rows) = export(&stack, "campaign=test-hand&method=cheque", &treasurer);
    let line = rows
        .iter()
        .find(|row| cell(&header, row, "Référence") == id)
        .unwrap_or_else(|| panic!("the reversed cheque is still exported: {rows:?}"));
    assert_eq!(cell(&header, line, "Statut"), "Annulé");
    assert_eq!(cell(&header, line, "Montant"), "45,50");
    assert_eq!(cell(&header, line, "Remboursé ou annulé"), "45,50");
    assert_eq!(cell(&header, line, "Net"), "0,00");

    // Twice is once.
    let audit_before = count(&stack, "SELECT count(*) FROM audit_log");
    let again = write(&stack, &path, Some(&treasurer), &reason);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["already"], json!(true));
    assert_eq!(totals(&stack, "test-hand"), (raised, donations));
    assert_eq!(
        count(&stack, "SELECT count(*) FROM audit_log"),
        audit_before
    );

    // The amount was never edited, and the audit log says who did what.
    let db = common::db(&stack);
    let amount: i64 = db
        .query_row("SELECT amount FROM orders WHERE id = ?1", [&id], |row| {
            row.get(0)
        })
        .expect("the order is kept");
    assert_eq!(amount, 4550);
    let subject = format!("order:{id}");
    let actions: Vec<String> = db
        .prepare("SELECT action FROM audit_log WHERE subject = ?1 ORDER BY id")
        .and_then(|mut statement| {
            statement
                .query_map([&subject], |row| row.get(0))?
                .collect::<Result<_, _>>()
        })
        .expect("the audit log can be read");
    assert_eq!(actions, ["recorded_payment", "reversed_payment"]);
}

#[test]
fn a_donor_named_like_a_formula_stays_text_in_the_export() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let name = "=HYPERLINK(\"http://x\")";
    let mut payment = cheque("test-export", 1200, name);
    payment["last_name"] = json!("+33 1 23; \"Dupont\"");
    payment["email"] = json!("@dupont@example.org");
    let answer = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &payment,
    );
    // An email that starts with @ is not an address.
    assert_eq!(answer.status, 422, "{}", answer.body);
    payment["email"] = json!("-dupont@example.org");
    let answer = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &payment,
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let id = answer.json()["id"].as_str().unwrap_or_default().to_owned();

    let (header, rows) = export(&stack, "campaign=test-export", &treasurer);
    assert_eq!(
        header.first().map(String::as_str),
        Some("Date"),
        "{header:?}"
    );
    let line = rows
        .iter()
        .find(|row| cell(&header, row, "Référence") == id)
        .unwrap_or_else(|| panic!("the payment is exported: {rows:?}"));
    assert_eq!(cell(&header, line, "Prénom"), format!("'{name}"));
    assert_eq!(cell(&header, line, "Nom"), "'+33 1 23; \"Dupont\"");
    assert_eq!(cell(&header, line, "E-mail"), "'-dupont@example.org");
    assert_eq!(cell(&header, line, "Campagne"), "'=Export; \"quoted\"");
    for row in &rows {
        for value in row {
            assert!(
                !value.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {value}"
            );
        }
    }
}

/// Waits, a few seconds at most, for the PSP's event to bring a campaign to `expected`.
fn totals_become(stack: &Running, campaign: &str, expected: (i64, i64)) {
    for _ in 0..50 {
        if totals(stack, campaign) == expected {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(totals(stack, campaign), expected);
}

#[test]
fn a_treasurer_refunds_half_a_card_payment_and_the_event_brings_it_to_the_totals() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let campaign = "test-admin-refund";
    let (raised, donations) = totals(&stack, campaign);
    let (order, session) = common::checkout_ok(&stack, campaign, 5000);
    let path = format!("/v1/admin/payments/{order}/refund");

    // Not paid yet: nothing to refund.
    let answer = write(&stack, &path, Some(&treasurer), &json!({}));
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.error_code(), "not_refundable");
    common::pay(&stack, &session);
    assert_eq!(totals(&stack, campaign), (raised + 5000, donations + 1));

    // Refusals first: a volunteer, another site, more than was paid.
    let answer = write(&stack, &path, Some(&volunteer), &json!({ "amount": 2500 }));
    assert_eq!(answer.error_code(), "forbidden");
    let answer = write_from(
        &stack,
        &path,
        Some("https://evil.example"),
        Some(&treasurer),
        &json!({ "amount": 2500 }),
    );
    assert_eq!(answer.error_code(), "origin_not_allowed");
    let answer = write(&stack, &path, Some(&treasurer), &json!({ "amount": 5001 }));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.json()["error"]["fields"],
        json!([{ "field": "amount", "code": "too_large" }])
    );
    assert_eq!(totals(&stack, campaign), (raised + 5000, donations + 1));

    // Half, through the PSP; the PSP's event moves the totals.
    let answer = write(&stack, &path, Some(&treasurer), &json!({ "amount": 2500 }));
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.json()["amount"], json!(2500));
    assert!(
        answer.json()["refund_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("re_")),
        "{}",
        answer.body
    );
    totals_become(&stack, campaign, (raised + 2500, donations + 1));
    let refunds = common::stripe_api(
        &stack,
        "GET",
        &format!(
            "/v1/refunds?payment_intent={}",
            common::payment_intent(&stack, &session)
        ),
    );
    let (header, rows) = export(&stack, &format!("campaign={campaign}"), &treasurer);
    let line = rows
        .iter()
        .find(|row| cell(&header, row, "Référence") == order)
        .unwrap_or_else(|| panic!("the payment is exported: {rows:?} {}", refunds.body));
    assert_eq!(cell(&header, line, "Montant"), "50,00");
    assert_eq!(cell(&header, line, "Remboursé ou annulé"), "25,00");
    assert_eq!(cell(&header, line, "Net"), "25,00");
    assert_eq!(cell(&header, line, "Moyen de paiement"), "Carte");

    // The rest, with no amount; then nothing is left.
    let answer = write(&stack, &path, Some(&treasurer), &json!({}));
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.json()["amount"], json!(2500));
    totals_become(&stack, campaign, (raised, donations));
    let answer = write(&stack, &path, Some(&treasurer), &json!({}));
    assert_eq!(answer.error_code(), "not_refundable");
    let requests = count(
        &stack,
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'refund_requested' AND subject = 'order:{order}'"
        ),
    );
    assert_eq!(requests, 2);
}

#[test]
fn twenty_thousand_payments_page_filter_and_export_whole() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    tirelire_tests::seed::payments(&stack.d1_file(), "test-bulk", 20_000, 1_700_000_000)
        .expect("the payments are written");
    let (expected_count, expected_sum): (i64, i64) = common::db(&stack)
        .query_row(
            "SELECT count(*), sum(counted_amount) FROM orders WHERE campaign_id = 921",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the payments can be counted");
    assert!(expected_count >= 20_000);

    // The first page says how many match; the next pages follow without gap or repeat.
    let first = get(
        &stack,
        "/v1/admin/payments?campaign=test-bulk",
        Some(&treasurer),
    );
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert_eq!(first["summary"]["count"], json!(expected_count));
    assert_eq!(first["summary"]["counted"], json!(expected_sum));
    let mut seen: Vec<String> = Vec::new();
    let mut dates: Vec<i64> = Vec::new();
    let mut page = first;
    for _ in 0..4 {
        for row in page["payments"].as_array().cloned().unwrap_or_default() {
            seen.push(row["id"].as_str().unwrap_or_default().to_owned());
            dates.push(row["date"].as_i64().unwrap_or_default());
        }
        let next = page["next"].as_str().expect("more pages follow").to_owned();
        let answer = get(
            &stack,
            &format!(
                "/v1/admin/payments?campaign=test-bulk&after={}",
                next.replace('~', "%7E")
            ),
            Some(&treasurer),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        page = answer.json();
        assert_eq!(page["summary"], Value::Null, "only the first page counts");
    }
    assert_eq!(seen.len(), 200);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200, "no payment shows twice");
    assert!(
        dates.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    assert_eq!(seen.first().map(String::as_str), Some("ord_bulk020000"));

    // Filters narrow the list.
    let answer = get(
        &stack,
        "/v1/admin/payments?campaign=test-bulk&q=donateur12345%40&sort=largest",
        Some(&treasurer),
    );
    let rows = answer.json()["payments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), 1, "{}", answer.body);
    assert_eq!(rows[0]["email"], json!("donateur12345@example.org"));
    let answer = get(
        &stack,
        "/v1/admin/payments?campaign=test-bulk&min=49000&max=49100&sort=smallest",
        Some(&treasurer),
    );
    let rows = answer.json()["payments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!rows.is_empty(), "{}", answer.body);
    let amounts: Vec<i64> = rows
        .iter()
        .map(|row| row["amount"].as_i64().unwrap_or_default())
        .collect();
    assert!(
        amounts
            .iter()
            .all(|amount| (49_000..=49_100).contains(amount))
    );
    assert!(
        amounts.windows(2).all(|pair| pair[0] <= pair[1]),
        "smallest first"
    );
    let window = format!(
        "/v1/admin/payments?campaign=test-bulk&from={}&to={}",
        1_700_000_000 + 101,
        1_700_000_000 + 111
    );
    let answer = get(&stack, &window, Some(&treasurer));
    assert_eq!(
        answer.json()["summary"]["count"],
        json!(10),
        "{}",
        answer.body
    );

    // The export has every payment, once, and adds up to the same total.
    let (header, rows) = export(&stack, "campaign=test-bulk&sort=oldest", &treasurer);
    assert_eq!(
        i64::try_from(rows.len()).unwrap_or_default(),
        expected_count
    );
    let mut ids: Vec<&str> = rows
        .iter()
        .map(|row| cell(&header, row, "Référence"))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(i64::try_from(ids.len()).unwrap_or_default(), expected_count);
    let cents = |text: &str| -> i64 {
        let (units, cents) = text.split_once(',').expect("a decimal comma");
        units.parse::<i64>().expect("units") * 100 + cents.parse::<i64>().expect("cents")
    };
    let sum: i64 = rows
        .iter()
        .map(|row| cents(cell(&header, row, "Net")))
        .sum();
    assert_eq!(sum, expected_sum);
    assert_eq!(
        rows.first().map(|row| cell(&header, row, "Date")),
        Some("14/11/2023 23:13"),
        "the oldest first, in French time"
    );
}

#[test]
fn the_dashboard_counts_a_payment_in_its_month_and_its_way_of_paying() {
    let _turn = serial();
    let stack = stack();
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    assert_eq!(get(&stack, "/v1/admin/dashboard", None).status, 401);
    let figure = |board: &Value, list: &str, key: &str| -> i64 {
        board[list]
            .as_array()
            .and_then(|totals| totals.iter().find(|total| total["key"] == json!(key)))
            .map_or(0, |total| total["counted"].as_i64().unwrap_or_default())
    };
    // The month as the dashboard counts it: French winter time.
    let month = common::db(&stack)
        .query_row(
            "SELECT strftime('%Y-%m', ?1, 'unixepoch', '+1 hour')",
            [common::now() - 60],
            |row| row.get::<_, String>(0),
        )
        .expect("SQLite tells the month");
    let before = get(&stack, "/v1/admin/dashboard", Some(&volunteer)).json();

    let mut cash = cheque("test-hand", 777, "Liquide");
    cash["method"] = json!("cash");
    cash["received_at"] = json!(common::now() - 60);
    assert_eq!(
        write(
            &stack,
            "/v1/admin/payments/offline",
            Some(&treasurer),
            &cash
        )
        .status,
        201
    );
    let after = get(&stack, "/v1/admin/dashboard", Some(&volunteer));
    assert_eq!(after.status, 200, "{}", after.body);
    let after = after.json();
    assert_eq!(
        figure(&after, "methods", "cash"),
        figure(&before, "methods", "cash") + 777
    );
    assert_eq!(
        figure(&after, "months", &month),
        figure(&before, "months", &month) + 777
    );
    let campaign = |board: &Value| {
        board["campaigns"]
            .as_array()
            .and_then(|list| list.iter().find(|c| c["slug"] == json!("test-hand")))
            .map_or(0, |c| c["raised"].as_i64().unwrap_or_default())
    };
    assert_eq!(campaign(&after), campaign(&before) + 777);
}

#[test]
fn a_payment_shows_its_history_takes_notes_and_sends_its_receipt_again() {
    let _turn = serial();
    let stack = stack();
    let (treasurer_email, treasurer) = signed_in(&stack, "treasurer");
    let (volunteer_email, volunteer) = signed_in(&stack, "volunteer");
    let (order, session) = common::checkout_ok(&stack, "test-hand", 2500);
    common::pay(&stack, &session);
    let donor: String = common::db(&stack)
        .query_row("SELECT email FROM orders WHERE id = ?1", [&order], |row| {
            row.get(0)
        })
        .expect("the order is stored");
    assert_eq!(mail_to(&donor, 1).len(), 1, "the first receipt");

    let path = format!("/v1/admin/payments/{order}");
    assert_eq!(get(&stack, &path, None).status, 401);
    let note = write(
        &stack,
        &format!("{path}/note"),
        Some(&volunteer),
        &json!({ "text": "Reçu papier remis à la fête" }),
    );
    assert_eq!(note.status, 201, "{}", note.body);
    assert_eq!(
        write(
            &stack,
            &format!("{path}/note"),
            Some(&volunteer),
            &json!({ "text": " " })
        )
        .status,
        422
    );

    // Again: the volunteer may not, the treasurer may, and the donor gets it.
    assert_eq!(
        write(
            &stack,
            &format!("{path}/receipt"),
            Some(&volunteer),
            &json!({})
        )
        .error_code(),
        "forbidden"
    );
    let again = write(
        &stack,
        &format!("{path}/receipt"),
        Some(&treasurer),
        &json!({}),
    );
    assert_eq!(again.status, 202, "{}", again.body);
    let receipts = mail_to(&donor, 2);
    assert_eq!(receipts.len(), 2, "the receipt came again");
    assert_eq!(receipts[0]["subject"], receipts[1]["subject"]);

    let detail = get(&stack, &path, Some(&volunteer));
    assert_eq!(detail.status, 200, "{}", detail.body);
    let detail = detail.json();
    assert_eq!(detail["payment"]["id"], json!(order));
    assert_eq!(detail["payment"]["status"], json!("paid"));
    assert!(
        detail["session_id"]
            .as_str()
            .is_some_and(|id| id == session)
    );
    assert!(
        detail["payment_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("pi_")),
        "{detail}"
    );
    let kinds = common::texts_of(&detail["events"], "kind");
    assert!(kinds.contains(&"checkout.session.completed"), "{kinds:?}");
    let templates = common::texts_of(&detail["messages"], "template");
    assert_eq!(
        templates
            .iter()
            .filter(|template| **template == "donor_receipt")
            .count(),
        2,
        "{templates:?}"
    );
    let history: Vec<(String, String)> = detail["history"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|line| {
                    (
                        line["action"].as_str().unwrap_or_default().to_owned(),
                        line["who"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        history,
        [
            ("note".to_owned(), volunteer_email),
            ("receipt_resent".to_owned(), treasurer_email),
        ]
    );

    // A cheque has no receipt to send again; an unknown payment is not found.
    let cheque = write(
        &stack,
        "/v1/admin/payments/offline",
        Some(&treasurer),
        &cheque("test-hand", 1000, "Sans"),
    );
    let cheque_id = cheque.json()["id"].as_str().unwrap_or_default().to_owned();
    let answer = write(
        &stack,
        &format!("/v1/admin/payments/{cheque_id}/receipt"),
        Some(&treasurer),
        &json!({}),
    );
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert_eq!(answer.error_code(), "no_receipt");
    assert_eq!(
        get(
            &stack,
            "/v1/admin/payments/ord_AAAAAAAAAAAAAAAAAAAAAA",
            Some(&treasurer)
        )
        .status,
        404
    );
}
