//! The KV copy of each campaign, which spares D1 a query on every widget view.
//!
//! A failure here never fails a request: the cache is skipped and D1 answers.

use tirelire_domain::CampaignSlug;
use worker::console_warn;

use super::{CampaignRecord, Storage};

/// How long a copy may be served, in seconds. It is also KV's minimum.
const TTL_SECS: u64 = 60;

fn key(slug: &CampaignSlug) -> String {
    format!("campaign:v3:{slug}")
}

impl Storage {
    pub(super) async fn cached_campaign(&self, slug: &CampaignSlug) -> Option<CampaignRecord> {
        match self.cache.get(&key(slug)).json::<CampaignRecord>().await {
            Ok(record) => record,
            Err(error) => {
                console_warn!("campaign cache read failed for {slug}: {error}");
                None
            }
        }
    }

    pub(super) async fn cache_campaign(&self, record: &CampaignRecord) {
        // As JSON text: KV's own conversion goes through JavaScript values, where a map (what
        // is left of each counter) becomes a `Map` that `JSON.stringify` writes as `{}`.
        let Ok(text) = serde_json::to_string(record) else {
            return;
        };
        let put = match self.cache.put(&key(&record.view.slug), text.as_str()) {
            Ok(put) => put.expiration_ttl(TTL_SECS).execute().await,
            Err(error) => Err(error),
        };
        if let Err(error) = put {
            console_warn!(
                "campaign cache write failed for {}: {error}",
                record.view.slug
            );
        }
    }

    /// Drops the cached copy of a campaign whose totals just changed.
    pub async fn forget_campaign(&self, slug: &CampaignSlug) {
        if let Err(error) = self.cache.delete(&key(slug)).await {
            console_warn!("campaign cache delete failed for {slug}: {error}");
        }
    }
}
