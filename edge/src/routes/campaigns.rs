//! `GET /v1/campaigns/{slug}`: what the widget shows, with live totals.

use tirelire_domain::CampaignSlug;
use worker::{Env, Response};

use crate::error::EdgeError;
use crate::http::json;
use crate::storage::Storage;

/// The campaign's public view.
pub async fn get(slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let slug =
        CampaignSlug::parse(slug).map_err(|_| EdgeError::CampaignNotFound(slug.to_owned()))?;
    let storage = Storage::from_env(env)?;
    let campaign = storage
        .campaign(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(slug.to_string()))?;
    Ok(json(200, &campaign.view)?)
}
