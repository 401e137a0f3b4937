//! `GET /v1/campaigns/{slug}`: what the widget shows, with live totals.

use tirelire_domain::CampaignSlug;
use worker::{Env, Response};

use crate::error::EdgeError;
use crate::http::json;
use crate::storage::{CampaignRecord, Storage};

/// The campaign named in a URL, with the storage it came from; a malformed slug is simply a
/// campaign that does not exist.
pub async fn find(slug: &str, env: &Env) -> Result<(Storage, CampaignRecord), EdgeError> {
    let not_found = || EdgeError::CampaignNotFound(slug.to_owned());
    let slug = CampaignSlug::parse(slug).map_err(|_| not_found())?;
    let storage = Storage::from_env(env)?;
    let campaign = storage.campaign(&slug).await?.ok_or_else(not_found)?;
    Ok((storage, campaign))
}

/// The campaign's public view.
pub async fn get(slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let (_, campaign) = find(slug, env).await?;
    Ok(json(200, &campaign.view)?)
}
