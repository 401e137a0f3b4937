//! The schema's own guarantees, on the migrations the edge runs, applied to a fresh SQLite
//! database: allowed origins are stored in the form browsers send or refused, and the totals
//! follow payments, refunds and lost disputes in the same statement.

use std::path::Path;

use rusqlite::Connection;

fn migrated() -> Connection {
    let db = Connection::open_in_memory().expect("an in-memory database");
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../edge/migrations");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("the migrations folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    for file in files {
        let sql = std::fs::read_to_string(&file).expect("a migration");
        db.execute_batch(&sql)
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
    }
    db.execute_batch(
        "INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'asso', 'Asso', 0);
         INSERT INTO campaigns (id, organisation_id, slug, title, currency, min_amount,
                                max_amount, created_at)
         VALUES (1, 1, 'c', 'C', 'EUR', 100, 100000, 0);",
    )
    .expect("a campaign");
    db
}

fn origins(db: &Connection) -> Vec<String> {
    let mut statement = db
        .prepare("SELECT origin FROM campaign_origins ORDER BY origin")
        .expect("a query");
    statement
        .query_map([], |row| row.get(0))
        .expect("rows")
        .filter_map(Result::ok)
        .collect()
}

#[test]
fn allowed_origins_are_stored_as_browsers_send_them() {
    let db = migrated();
    for written in [
        "https://Asso.org/",
        "HTTPS://ASSO.ORG:443",
        "  https://asso.org//  ",
        "http://LOCALHOST:8080/",
        "http://dons.asso.org:80",
    ] {
        db.execute(
            "INSERT INTO campaign_origins (campaign_id, origin) VALUES (1, ?1)",
            [written],
        )
        .unwrap_or_else(|error| panic!("{written}: {error}"));
    }
    assert_eq!(
        origins(&db),
        [
            "http://dons.asso.org",
            "http://localhost:8080",
            "https://asso.org"
        ]
    );
}

#[test]
fn what_cannot_be_an_origin_is_refused_loudly() {
    let db = migrated();
    for written in [
        "null",
        "asso.org",
        "https://asso.org/dons",
        "https://asso.org/?x",
        "ftp://asso.org",
        "javascript:alert(1)",
        "",
    ] {
        let inserted = db.execute(
            "INSERT INTO campaign_origins (campaign_id, origin) VALUES (1, ?1)",
            [written],
        );
        assert!(inserted.is_err(), "{written:?} was stored");
    }
    assert!(origins(&db).is_empty());
}

#[test]
fn totals_follow_payments_refunds_and_lost_disputes_exactly() {
    let db = migrated();
    db.execute_batch(
        "INSERT INTO orders (id, campaign_id, amount, currency, first_name, last_name, email,
                             locale, consent_at, psp, created_at, updated_at)
         VALUES ('a', 1, 2000, 'EUR', 'A', 'B', 'a@b.fr', 'fr', 0, 'stripe', 0, 0),
                ('b', 1, 3000, 'EUR', 'A', 'B', 'a@b.fr', 'fr', 0, 'stripe', 0, 0);",
    )
    .expect("orders");
    let totals = || -> (i64, i64) {
        db.query_row(
            "SELECT raised_amount, donation_count FROM campaigns WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the campaign")
    };
    let run = |sql: &str| db.execute_batch(sql).expect(sql);

    run("UPDATE orders SET status = 'paid' WHERE id IN ('a', 'b')");
    assert_eq!(totals(), (5000, 2));
    run("UPDATE orders SET refunded_amount = 500 WHERE id = 'a'");
    assert_eq!(totals(), (4500, 2));
    // The same refund recorded again changes nothing.
    run("UPDATE orders SET refunded_amount = 500 WHERE id = 'a'");
    assert_eq!(totals(), (4500, 2));
    run("UPDATE orders SET status = 'refunded', refunded_amount = 2000 WHERE id = 'a'");
    assert_eq!(totals(), (3000, 1));
    run("UPDATE orders SET dispute_status = 'open', disputed_amount = 3000 WHERE id = 'b'");
    assert_eq!(totals(), (3000, 1), "an open dispute moves no money");
    run("UPDATE orders SET dispute_status = 'lost' WHERE id = 'b'");
    assert_eq!(totals(), (0, 0));
}
