//! `GET /v1/campaigns/{slug}`: what the widget shows, with live totals and the conditions of a
//! checkout. A closed campaign says so (`closed`), and an archived one is not found.

use tirelire_domain::campaign::Progress;
use tirelire_domain::offer::PromoCode;
use tirelire_domain::setup::CampaignStatus;
use tirelire_domain::{CampaignSlug, CheckoutPolicy};
use worker::{Env, Request, Response, console_warn};

use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::guard::rate;
use crate::http::{client_ip, json};
use crate::storage::{CampaignRecord, Storage};

/// The campaign named in a URL, with the storage it came from; a malformed slug is simply a
/// campaign that does not exist, and so is an archived one.
pub async fn find(slug: &str, env: &Env) -> Result<(Storage, CampaignRecord), EdgeError> {
    let not_found = || EdgeError::CampaignNotFound(slug.to_owned());
    let slug = CampaignSlug::parse(slug).map_err(|_| not_found())?;
    let storage = Storage::from_env(env)?;
    let campaign = storage
        .campaign(&slug)
        .await?
        .filter(|campaign| campaign.status != CampaignStatus::Archived)
        .ok_or_else(not_found)?;
    Ok((storage, campaign))
}

/// The campaign's public view.
pub async fn get(slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let (_, campaign) = find(slug, env).await?;
    let mut view = campaign.view_at(crate::http::now_secs());
    view.checkout = policy(env)?;
    Ok(json(200, &view)?)
}

/// `GET /v1/campaigns/{slug}/progress`: how the campaign is doing, open to any site.
pub async fn progress(slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let (_, campaign) = find(slug, env).await?;
    let now = crate::http::now_secs();
    let mut response = json(200, &Progress::of(&campaign.view_at(now), now))?;
    // Totals are cached for a minute anyway; a feed read by an overlay every few seconds
    // may as well be cached by the browser and Cloudflare for as long.
    response
        .headers_mut()
        .set("Cache-Control", "public, max-age=30")?;
    Ok(response)
}

/// `GET /v1/campaigns/{slug}/promo-codes/{code}`: what a code the donor typed takes off, so
/// that the form shows the right total before sending. Unknown codes are 404; a code's limit
/// of uses is not told, and is checked by the checkout. Lookups are limited per address and
/// campaign, like checkouts, and counted apart from them.
pub async fn promo_code(
    req: &Request,
    slug: &str,
    code: &str,
    env: &Env,
) -> Result<Response, EdgeError> {
    let (_, campaign) = find(slug, env).await?;
    let key = rate::minute_key("promo", client_ip(req).as_deref(), campaign.id);
    rate::limit_per_minute(env, key, "promo codes per address and campaign per minute").await?;
    let Some(promo) = campaign.promo_code(code) else {
        return Err(EdgeError::NotFound);
    };
    let public = PromoCode {
        limit: None,
        ..promo.clone()
    };
    Ok(json(200, &public)?)
}

/// What the edge asks of a checkout. Without the PSP's keys the form still shows, and the
/// checkout explains that the edge is not configured yet.
fn policy(env: &Env) -> Result<CheckoutPolicy, EdgeError> {
    let settings = Settings::read(env)?;
    let payment_origins = match config::provider(env, &settings) {
        Ok(provider) => provider.payment_origins(),
        Err(error) => {
            console_warn!("{error}");
            Vec::new()
        }
    };
    Ok(CheckoutPolicy {
        payment_origins,
        challenge: settings.turnstile.is_some(),
        min_fill_ms: settings.limits.min_fill_ms,
    })
}
