//! Campaigns set up from the back-office, without SQL.
//!
//! - `GET /v1/admin/campaigns/{slug}` gives a campaign's settings (any member);
//! - `POST /v1/admin/campaigns` creates one (treasurer);
//! - `POST /v1/admin/campaigns/{slug}` replaces its settings: texts, amounts, goal, allowed
//!   sites, and whether it is open, closed or archived (treasurer). Its slug, kind and
//!   currency stay as created, since snippets and payments name them.

use tirelire_domain::setup::CampaignSetup;
use tirelire_domain::{CampaignSlug, Field, FieldError, FieldErrorCode, Role};
use worker::{Context, Env, Request, Response};

use super::staff::{Need, caller, same_origin};
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_body};
use crate::storage::Storage;

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
    let bytes = read_body(req, 16 * 1024, ctx).await?;
    let setup: CampaignSetup = serde_json::from_slice(&bytes)
        .map_err(|error| EdgeError::MalformedBody(error.to_string()))?;
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
    same_origin(&req)?;
    let storage = Storage::from_env(env)?;
    let person = caller(&req, &storage, WRITE).await?.session.person_id;
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
    same_origin(&req)?;
    let storage = Storage::from_env(env)?;
    let person = caller(&req, &storage, WRITE).await?.session.person_id;
    let slug = slug_of(slug)?;
    let setup = setup(&mut req, ctx).await?;
    if setup.slug != slug.as_str() {
        return Err(EdgeError::InvalidSubmission(vec![FieldError {
            field: Field::Slug,
            code: FieldErrorCode::Invalid,
        }]));
    }
    if !storage.update_campaign(&setup, person, now_secs()).await? {
        return Err(EdgeError::CampaignNotFound(setup.slug));
    }
    let saved = storage
        .campaign_setup(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(setup.slug.clone()))?;
    Ok(json(200, &saved)?)
}
