//! Campaigns set up from the back-office, without SQL.
//!
//! - `GET /v1/admin/campaigns/{slug}` gives a campaign's settings (any member);
//! - `POST /v1/admin/campaigns` creates one (treasurer);
//! - `POST /v1/admin/campaigns/{slug}` replaces its settings: texts, amounts, goal, allowed
//!   sites, what it offers (tiers, rates, rewards, questions, codes), and whether it is open,
//!   closed or archived (treasurer). Its slug, kind and currency stay as created, since
//!   snippets and payments name them; a limit cannot go below what orders already hold;
//! - `POST /v1/admin/campaigns/{slug}/check` `{"url"}` loads a page of the association's site
//!   and says whether the campaign's form is on it (any member).

use tirelire_domain::setup::{CampaignSetup, SiteCheck, page_has_form};
use tirelire_domain::{CampaignSlug, Field, FieldError, FieldErrorCode, Role};
use worker::{Context, Env, Request, Response};

use super::staff::{Need, caller, writer};
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_json};
use crate::storage::{Storage, StorageError};

const READ: Need = Need {
    role: Role::Volunteer,
    sensitive: false,
};
const WRITE: Need = Need {
    role: Role::Treasurer,
    sensitive: false,
};

fn slug_of(text: &str) -> Result<CampaignSlug, EdgeError> {
    CampaignSlug::parse(text).map_err(|_| EdgeError::CampaignNotFound(text.to_owned()))
}

/// Reads and checks the settings in the body.
async fn setup(req: &mut Request, ctx: &Context) -> Result<CampaignSetup, EdgeError> {
    // Fifty promo codes and ten questions of twenty choices fit well within this.
    let setup: CampaignSetup = read_json(req, 64 * 1024, ctx).await?;
    setup.checked().map_err(EdgeError::InvalidSubmission)
}

/// `GET /v1/admin/campaigns/{slug}`.
pub async fn get(req: Request, slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    let setup = storage
        .campaign_setup(&slug_of(slug)?)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(slug.to_owned()))?;
    Ok(json(200, &setup)?)
}

/// `POST /v1/admin/campaigns`.
pub async fn create(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, WRITE).await?;
    let person = caller.session.person_id;
    let setup = setup(&mut req, ctx).await?;
    if !storage.create_campaign(&setup, person, now_secs()).await? {
        return Err(EdgeError::SlugTaken(setup.slug));
    }
    Ok(json(201, &setup)?)
}

/// `POST /v1/admin/campaigns/{slug}`.
pub async fn update(
    mut req: Request,
    slug: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, WRITE).await?;
    let person = caller.session.person_id;
    let slug = slug_of(slug)?;
    let setup = setup(&mut req, ctx).await?;
    if setup.slug != slug.as_str() {
        return Err(EdgeError::InvalidSubmission(vec![FieldError::new(
            Field::Slug,
            FieldErrorCode::Invalid,
        )]));
    }
    let stored = storage
        .campaign_setup(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(setup.slug.clone()))?;
    if stored.kind != setup.kind {
        return Err(EdgeError::MalformedBody(
            "a campaign's kind is fixed once it is created".into(),
        ));
    }
    match storage.update_campaign(&setup, person, now_secs()).await {
        Ok(true) => {}
        Ok(false) => return Err(EdgeError::CampaignNotFound(setup.slug)),
        Err(StorageError::OutOfStock) => {
            return Err(EdgeError::InvalidSubmission(
                below_taken(&storage, &setup).await?,
            ));
        }
        Err(error) => return Err(error.into()),
    }
    let saved = storage
        .campaign_setup(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(setup.slug.clone()))?;
    Ok(json(200, &saved)?)
}

/// Which of the new limits are below what orders already hold, entry by entry.
async fn below_taken(
    storage: &Storage,
    setup: &CampaignSetup,
) -> Result<Vec<FieldError>, EdgeError> {
    let Some(campaign) = storage.campaign(&slug_of(&setup.slug)?).await? else {
        return Ok(Vec::new());
    };
    let left = storage.stock_left(campaign.id).await?;
    let old = campaign.offer.counters();
    let mut errors = Vec::new();
    for (counter, capacity) in setup.offer.counters() {
        let Some((_, old_capacity)) = old.iter().find(|(name, _)| *name == counter) else {
            continue;
        };
        let taken = i64::from(*old_capacity) - left.get(&counter).copied().unwrap_or(0);
        if i64::from(capacity) >= taken {
            continue;
        }
        let (field, index) = match counter.split_once(':') {
            Some(("item", key)) => (
                Field::Items,
                setup.offer.items.iter().position(|item| item.key == key),
            ),
            Some(("promo", code)) => (
                Field::PromoCodes,
                setup.offer.promo_codes.iter().position(|c| c.code == code),
            ),
            _ => (Field::Capacity, None),
        };
        errors.push(match index {
            Some(index) => FieldError::at(field, index, FieldErrorCode::TooSmall),
            None => FieldError::new(field, FieldErrorCode::TooSmall),
        });
    }
    if errors.is_empty() {
        errors.push(FieldError::new(Field::Capacity, FieldErrorCode::TooSmall));
    }
    Ok(errors)
}

/// How long the edge waits for a page it checks.
const CHECK_TIMEOUT_MS: u32 = 8_000;

/// `POST /v1/admin/campaigns/{slug}/check` `{"url"}`: loads a page of the association's site
/// and says whether it carries the campaign's form, loads the widget from this edge, and is on
/// an allowed site (any member).
pub async fn check(
    mut req: Request,
    slug: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    #[derive(serde::Deserialize)]
    struct Page {
        url: String,
    }
    let (storage, _) = writer(&req, env, READ).await?;
    let slug = slug_of(slug)?;
    let setup = storage
        .campaign_setup(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(slug.to_string()))?;
    let page: Page = read_json(&mut req, 4 * 1024, ctx).await?;
    let invalid = || {
        EdgeError::InvalidSubmission(vec![FieldError::new(
            Field::Origins,
            FieldErrorCode::Invalid,
        )])
    };
    let url = url::Url::parse(page.url.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let origin = url.origin().ascii_serialization();
    let edge = req.url()?.origin().ascii_serialization();
    let request = crate::outbound::HttpRequest {
        method: "GET",
        url: url.to_string(),
        headers: vec![("Accept".into(), "text/html".into())],
        body: None,
    };
    let answer = crate::outbound::send(&request, CHECK_TIMEOUT_MS).await.ok();
    let html = answer
        .as_ref()
        .map(|answer| answer.body.as_str())
        .unwrap_or_default();
    Ok(json(
        200,
        &SiteCheck {
            url: url.to_string(),
            status: answer.as_ref().map(|answer| answer.status),
            form_found: page_has_form(html, slug.as_str()),
            script_found: html.contains(&format!("{edge}/widget/v1/")),
            origin_allowed: setup.origins.contains(&origin),
        },
    )?)
}
