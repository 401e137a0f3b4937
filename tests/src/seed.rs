//! Years of donations written straight into the edge's local D1, for the tests and the bench
//! that need many payments at once.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Writes `count` paid card payments for the campaign called `slug`, one a second from `since`
/// on, each with its own name and address (`donateur{i}@example.org`) and an amount between
/// 1 € and 500 €. Ids are `ord_bulk000001` on, so writing them twice adds nothing.
pub fn payments(d1_file: &Path, slug: &str, count: u32, since: i64) -> Result<(), String> {
    let db = Connection::open_with_flags(d1_file, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|error| format!("cannot open {}: {error}", d1_file.display()))?;
    db.busy_timeout(Duration::from_secs(10))
        .map_err(|error| error.to_string())?;
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO orders (id, campaign_id, amount, currency, first_name, last_name, email,
                             locale, consent_at, status, psp, psp_session_id, created_at,
                             updated_at, paid_at)
         SELECT printf('ord_bulk%06d', i), (SELECT id FROM campaigns WHERE slug = ?1),
                100 + (i * 37) % 50000, 'EUR', 'Prénom' || i, 'Nom' || i,
                'donateur' || i || '@example.org', 'fr', ?3, 'paid', 'stripe',
                printf('cs_test_bulk%06d', i), ?3 + i, ?3 + i, ?3 + i
         FROM n WHERE true
         ON CONFLICT DO NOTHING",
        rusqlite::params![slug, count, since],
    )
    .map_err(|error| format!("cannot write the payments: {error}"))?;
    Ok(())
}

/// The first column of the first row of `sql`, read from the edge's local D1, for figures that
/// must not rely on the edge's own counters.
pub fn count(d1_file: &Path, sql: &str) -> Result<i64, String> {
    let db = Connection::open_with_flags(d1_file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|error| format!("cannot open {}: {error}", d1_file.display()))?;
    db.busy_timeout(Duration::from_secs(10))
        .map_err(|error| error.to_string())?;
    db.query_row(sql, [], |row| row.get(0))
        .map_err(|error| format!("cannot count: {error}"))
}
