//! The figures of the back-office's first page, each from one query.

use serde::Deserialize;
use tirelire_domain::payments::{AnomalyView, Dashboard, Total, UnsentMail};
use worker::query;

use super::{Storage, StorageError};

#[derive(Deserialize)]
struct Counts {
    pending: i64,
    failed: i64,
}

impl Storage {
    /// The dashboard at `now`. Months are counted in French winter time (UTC+1), so that a
    /// payment made on the evening of the last day of a month counts in that month.
    pub async fn dashboard(&self, now: i64) -> Result<Dashboard, StorageError> {
        let year_ago = now - 366 * 86_400;
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "SELECT strftime('%Y-%m', paid_at, 'unixepoch', '+1 hour') AS key,
                            sum(counted_amount) AS counted, count(*) AS count
                     FROM orders WHERE paid_at >= ?1 AND counted_amount > 0
                     GROUP BY key ORDER BY key",
                    year_ago,
                )?,
                query!(
                    &self.db,
                    "SELECT method AS key, sum(counted_amount) AS counted, count(*) AS count
                     FROM orders WHERE counted_amount > 0 GROUP BY method ORDER BY counted DESC"
                ),
                query!(
                    &self.db,
                    "SELECT (SELECT count(*) FROM orders WHERE status = 'pending'
                             AND created_at >= ?1 - 86400) AS pending,
                            (SELECT count(*) FROM orders WHERE status = 'failed'
                             AND updated_at >= ?1 - 30 * 86400) AS failed",
                    now,
                )?,
                query!(
                    &self.db,
                    "SELECT kind, order_id, detail, created_at FROM anomalies
                     ORDER BY id DESC LIMIT 10"
                ),
                query!(
                    &self.db,
                    "SELECT template, order_id, last_error, created_at FROM outbox
                     WHERE status = 'dead' ORDER BY id DESC LIMIT 10"
                ),
            ])
            .await?;
        let part = |index: usize| {
            results
                .get(index)
                .ok_or_else(|| StorageError::Corrupt("a dashboard query gave nothing".into()))
        };
        let counts = part(2)?
            .results::<Counts>()?
            .into_iter()
            .next()
            .unwrap_or(Counts {
                pending: 0,
                failed: 0,
            });
        Ok(Dashboard {
            campaigns: self.campaign_summaries().await?,
            months: part(0)?.results::<Total>()?,
            methods: part(1)?.results::<Total>()?,
            pending: counts.pending,
            failed: counts.failed,
            anomalies: part(3)?.results::<AnomalyView>()?,
            unsent: part(4)?.results::<UnsentMail>()?,
        })
    }
}
