//! A person's rights over their data (GDPR articles 15, 17 and 20), for the treasurer.
//!
//! - `GET /v1/admin/donors?email=…` gives everything kept about an address, as JSON; with
//!   `&download=1`, as a file to hand over;
//! - `POST /v1/admin/donors/erasure` `{"email"}` erases it (recent sign-in): the payments stay
//!   in the accounts and the totals, without a name or an address.

use tirelire_domain::Role;
use tirelire_domain::payments::Erasure;
use worker::{Context, Env, Request, Response};

use super::staff::{Need, address, caller, writer};
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_json};
use crate::storage::Storage;

const READ: Need = Need {
    role: Role::Treasurer,
    sensitive: false,
};
const ERASE: Need = Need {
    role: Role::Treasurer,
    sensitive: true,
};

/// `GET /v1/admin/donors?email=…[&download=1]`.
pub async fn file(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    let url = req.url()?;
    let mut email = None;
    let mut download = false;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "email" => email = Some(value.into_owned()),
            "download" => download = value == "1",
            _ => {}
        }
    }
    let email = address(&email.unwrap_or_default())?;
    let file = storage.donor_file(&email).await?;
    let mut response = json(200, &file)?;
    if download {
        response.headers_mut().set(
            "Content-Disposition",
            "attachment; filename=\"donnees-personnelles.json\"",
        )?;
    }
    Ok(response)
}

/// `POST /v1/admin/donors/erasure`.
pub async fn erase(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, ERASE).await?;
    let person = caller.session.person_id;
    let erasure: Erasure = read_json(&mut req, 1024, ctx).await?;
    let email = address(&erasure.email)?;
    let erased = storage.erase_donor(&email, person, now_secs()).await?;
    Ok(json(200, &erased)?)
}
