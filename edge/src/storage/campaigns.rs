//! Campaigns: read from D1, kept for a minute in KV, forgotten there when a payment lands.

use serde::{Deserialize, Serialize};
use tirelire_domain::{CampaignSlug, CampaignView, CheckoutPolicy, Currency, DonationRules, Money};
use worker::query;

use super::{Storage, StorageError};

/// A campaign with what the edge needs to enforce its rules, beyond what the public sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRecord {
    /// The campaign's row id.
    pub id: i64,
    /// The public view, totals included.
    pub view: CampaignView,
    /// The origins whose pages may start a checkout, in the form browsers send (the schema
    /// normalises them on insert and refuses what is not an origin).
    pub allowed_origins: Vec<String>,
}

impl CampaignRecord {
    /// Whether a page on `origin` may start a checkout.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }

    /// Whether a page on `host` (a host name, as Turnstile reports it) belongs to an allowed
    /// origin.
    pub fn allows_host(&self, host: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|origin| url::Url::parse(origin).is_ok_and(|url| url.host_str() == Some(host)))
    }
}

#[derive(Deserialize)]
struct CampaignRow {
    id: i64,
    slug: String,
    organisation: String,
    title: String,
    description: String,
    currency: String,
    preset_amounts: String,
    min_amount: i64,
    max_amount: i64,
    goal_amount: Option<i64>,
    raised_amount: i64,
    donation_count: i64,
    origins: String,
}

impl CampaignRow {
    fn into_record(self) -> Result<CampaignRecord, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("campaign {}: {what}", self.slug));
        let currency = Currency::from_code(&self.currency).ok_or_else(|| corrupt("currency"))?;
        let slug = CampaignSlug::parse(&self.slug).map_err(|_| corrupt("slug"))?;
        let presets: Vec<i64> =
            serde_json::from_str(&self.preset_amounts).map_err(|_| corrupt("preset_amounts"))?;
        let money = |minor| Money::new(minor, currency);
        let allowed_origins =
            serde_json::from_str(&self.origins).map_err(|_| corrupt("origins"))?;
        Ok(CampaignRecord {
            id: self.id,
            view: CampaignView {
                slug,
                organisation: self.organisation,
                title: self.title,
                description: self.description,
                rules: DonationRules::new(currency, self.min_amount, self.max_amount),
                presets: presets.into_iter().map(money).collect(),
                goal: self.goal_amount.map(money),
                raised: money(self.raised_amount),
                donation_count: self.donation_count,
                checkout: CheckoutPolicy::default(),
            },
            allowed_origins,
        })
    }
}

impl Storage {
    /// The campaign called `slug`, from the cache if it holds a fresh copy.
    pub async fn campaign(
        &self,
        slug: &CampaignSlug,
    ) -> Result<Option<CampaignRecord>, StorageError> {
        if let Some(record) = self.cached_campaign(slug).await {
            return Ok(Some(record));
        }
        let statement = query!(
            &self.db,
            "SELECT c.id, c.slug, o.name AS organisation, c.title, c.description, c.currency,
                    c.preset_amounts, c.min_amount, c.max_amount, c.goal_amount,
                    c.raised_amount, c.donation_count,
                    (SELECT json_group_array(origin) FROM campaign_origins
                     WHERE campaign_id = c.id) AS origins
             FROM campaigns c JOIN organisations o ON o.id = c.organisation_id
             WHERE c.slug = ?1",
            slug.as_str()
        )?;
        let Some(row) = statement.first::<CampaignRow>(None).await? else {
            return Ok(None);
        };
        let record = row.into_record()?;
        self.cache_campaign(&record).await;
        Ok(Some(record))
    }
}
