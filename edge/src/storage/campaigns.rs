//! Campaigns: read from D1, kept for a minute in KV, forgotten there when a payment lands.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use tirelire_domain::offer::{CAPACITY_COUNTER, Offer, PromoCode};
use tirelire_domain::setup::{CampaignKind, CampaignSetup, CampaignStatus};
use tirelire_domain::{CampaignSlug, CampaignView, CheckoutPolicy, Currency, DonationRules, Money};
use worker::{D1PreparedStatement, query};

use super::staff::AuditEntry;
use super::{Actor, Storage, StorageError};

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
    /// Where it stands.
    pub status: CampaignStatus,
    /// Everything it offers, promo codes included.
    pub offer: Offer,
    /// What is left of each limited counter (`capacity`, `item:{key}`, `promo:{code}`).
    pub left: BTreeMap<String, i64>,
}

impl CampaignRecord {
    /// The public view as of `now`: closed once its status says so or its sales have ended,
    /// with what remains where the campaign shows it (and, always, what is sold out).
    pub fn view_at(&self, now: i64) -> CampaignView {
        let mut view = self.view.clone();
        view.closed = self.status != CampaignStatus::Open
            || self.offer.closes_at.is_some_and(|closes| now >= closes);
        let mut offer = self.offer.clone().public();
        let shown = |left: i64| {
            let left = u32::try_from(left.max(0)).unwrap_or(u32::MAX);
            (self.offer.show_remaining || left == 0).then_some(left)
        };
        let seats = self.left.get(CAPACITY_COUNTER).copied();
        for item in &mut offer.items {
            let own = self.left.get(&format!("item:{}", item.key)).copied();
            let left = match (own, seats) {
                (Some(own), Some(seats)) => Some(own.min(seats)),
                (own, seats) => own.or(seats),
            };
            item.remaining = left.and_then(shown);
        }
        view.offer = offer;
        view
    }

    /// The campaign's promo code matching what a donor typed, if any.
    pub fn promo_code(&self, typed: &str) -> Option<&PromoCode> {
        let typed = PromoCode::normalise(typed);
        self.offer
            .promo_codes
            .iter()
            .find(|code| !typed.is_empty() && code.code == typed)
    }

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
    status: String,
    kind: String,
    settings: String,
    stock: String,
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
        let status = CampaignStatus::from_name(&self.status).ok_or_else(|| corrupt("status"))?;
        let kind = CampaignKind::from_name(&self.kind).ok_or_else(|| corrupt("kind"))?;
        let offer: Offer = serde_json::from_str(&self.settings).map_err(|_| corrupt("settings"))?;
        let left = serde_json::from_str(&self.stock).map_err(|_| corrupt("stock"))?;
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
                closed: status != CampaignStatus::Open,
                kind,
                offer: Default::default(),
                checkout: CheckoutPolicy::default(),
            },
            allowed_origins,
            status,
            offer,
            left,
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
                    c.raised_amount, c.donation_count, c.status, c.kind, c.settings,
                    (SELECT json_group_array(origin) FROM campaign_origins
                     WHERE campaign_id = c.id) AS origins,
                    (SELECT json_group_object(counter, capacity - taken) FROM stock
                     WHERE campaign_id = c.id) AS stock
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

#[derive(Deserialize)]
struct StockRow {
    stock: String,
}

impl Storage {
    /// What is left of each of a campaign's limited counters, read now.
    pub async fn stock_left(
        &self,
        campaign_id: i64,
    ) -> Result<BTreeMap<String, i64>, StorageError> {
        let row = query!(
            &self.db,
            "SELECT json_group_object(counter, capacity - taken) AS stock FROM stock
             WHERE campaign_id = ?1",
            campaign_id
        )?
        .first::<StockRow>(None)
        .await?;
        row.map_or(Ok(BTreeMap::new()), |row| {
            serde_json::from_str(&row.stock).map_err(|_| StorageError::Corrupt("stock".into()))
        })
    }
}

#[derive(Deserialize)]
struct SetupRow {
    slug: String,
    kind: String,
    status: String,
    title: String,
    description: String,
    currency: String,
    preset_amounts: String,
    min_amount: i64,
    max_amount: i64,
    goal_amount: Option<i64>,
    origins: String,
    settings: String,
}

#[derive(Deserialize)]
struct CampaignId {
    id: i64,
}

impl Storage {
    /// The settings of the campaign called `slug`, whatever its status.
    pub async fn campaign_setup(
        &self,
        slug: &CampaignSlug,
    ) -> Result<Option<CampaignSetup>, StorageError> {
        let Some(row) = query!(
            &self.db,
            "SELECT slug, kind, status, title, description, currency, preset_amounts,
                    min_amount, max_amount, goal_amount, settings,
                    (SELECT json_group_array(origin) FROM campaign_origins
                     WHERE campaign_id = c.id) AS origins
             FROM campaigns c WHERE slug = ?1",
            slug.as_str()
        )?
        .first::<SetupRow>(None)
        .await?
        else {
            return Ok(None);
        };
        let corrupt = |what: &str| StorageError::Corrupt(format!("campaign {}: {what}", row.slug));
        Ok(Some(CampaignSetup {
            kind: CampaignKind::from_name(&row.kind).ok_or_else(|| corrupt("kind"))?,
            offer: serde_json::from_str(&row.settings).map_err(|_| corrupt("settings"))?,
            status: CampaignStatus::from_name(&row.status).ok_or_else(|| corrupt("status"))?,
            currency: Currency::from_code(&row.currency).ok_or_else(|| corrupt("currency"))?,
            presets: serde_json::from_str(&row.preset_amounts)
                .map_err(|_| corrupt("preset_amounts"))?,
            origins: serde_json::from_str(&row.origins).map_err(|_| corrupt("origins"))?,
            slug: row.slug,
            title: row.title,
            description: row.description,
            min_amount: row.min_amount,
            max_amount: row.max_amount,
            goal_amount: row.goal_amount,
        }))
    }

    /// Creates a campaign from checked settings, for the first organisation, with its audit
    /// entry. `false` when the slug is taken.
    pub async fn create_campaign(
        &self,
        setup: &CampaignSetup,
        person: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        self.ensure_association(now).await?;
        let presets = serde_json::to_string(&setup.presets)
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        let settings = serde_json::to_string(&setup.offer)
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        let created = query!(
            &self.db,
            "INSERT INTO campaigns (organisation_id, slug, title, description, currency,
                                    preset_amounts, min_amount, max_amount, goal_amount,
                                    status, kind, created_at, updated_at, settings)
             SELECT (SELECT min(id) FROM organisations), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                    ?10, ?11, ?11, ?12
             WHERE true
             ON CONFLICT (slug) DO NOTHING
             RETURNING id",
            setup.slug,
            setup.title,
            setup.description,
            setup.currency.code(),
            presets,
            setup.min_amount,
            setup.max_amount,
            setup.goal_amount,
            setup.status.name(),
            setup.kind.name(),
            now,
            settings,
        )?
        .first::<CampaignId>(None)
        .await?;
        let Some(campaign) = created else {
            return Ok(false);
        };
        let mut statements = self.origin_statements(campaign.id, &setup.origins)?;
        statements.push(self.audit_statement(
            &AuditEntry {
                actor: Actor::Person(person),
                action: "campaign_created",
                subject: format!("campaign:{}", setup.slug),
                detail: Some(serde_json::json!({ "title": setup.title })),
            },
            now,
        )?);
        self.db.batch(statements).await?;
        Ok(true)
    }

    /// Replaces a campaign's settings (not its slug, kind or currency) with checked ones, with
    /// its audit entry. `false` when no campaign has the slug.
    pub async fn update_campaign(
        &self,
        setup: &CampaignSetup,
        person: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let Some(campaign) = query!(
            &self.db,
            "SELECT id FROM campaigns WHERE slug = ?1",
            setup.slug
        )?
        .first::<CampaignId>(None)
        .await?
        else {
            return Ok(false);
        };
        let presets = serde_json::to_string(&setup.presets)
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        let settings = serde_json::to_string(&setup.offer)
            .map_err(|error| StorageError::Corrupt(error.to_string()))?;
        let mut statements = vec![
            query!(
                &self.db,
                "UPDATE campaigns
                 SET title = ?2, description = ?3, preset_amounts = ?4, min_amount = ?5,
                     max_amount = ?6, goal_amount = ?7, status = ?8, updated_at = ?9,
                     settings = ?10
                 WHERE id = ?1",
                campaign.id,
                setup.title,
                setup.description,
                presets,
                setup.min_amount,
                setup.max_amount,
                setup.goal_amount,
                setup.status.name(),
                now,
                settings,
            )?,
            query!(
                &self.db,
                "DELETE FROM campaign_origins WHERE campaign_id = ?1",
                campaign.id
            )?,
        ];
        statements.extend(self.origin_statements(campaign.id, &setup.origins)?);
        statements.push(self.audit_statement(
            &AuditEntry {
                actor: Actor::Person(person),
                action: "campaign_updated",
                subject: format!("campaign:{}", setup.slug),
                detail: Some(serde_json::json!({ "status": setup.status.name() })),
            },
            now,
        )?);
        self.db.batch(statements).await?;
        if let Ok(slug) = CampaignSlug::parse(&setup.slug) {
            self.forget_campaign(&slug).await;
        }
        Ok(true)
    }

    fn origin_statements(
        &self,
        campaign_id: i64,
        origins: &[String],
    ) -> Result<Vec<D1PreparedStatement>, StorageError> {
        origins
            .iter()
            .map(|origin| {
                Ok(query!(
                    &self.db,
                    "INSERT INTO campaign_origins (campaign_id, origin) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                    campaign_id,
                    origin,
                )?)
            })
            .collect()
    }
}
