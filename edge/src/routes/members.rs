//! The association's members, in the back-office:
//!
//! - `GET /v1/admin/members?standing=active|expiring|lapsed` lists them, each with their latest
//!   membership (any member);
//! - `GET /v1/admin/members.csv?standing=…` gives the same list as a file (treasurer).

use tirelire_domain::Role;
use tirelire_domain::membership::{MemberLine, MemberStanding};
use worker::{Env, Request, Response};

use super::staff::{Need, caller};
use crate::error::EdgeError;
use crate::export;
use crate::http::{json, now_secs};
use crate::storage::Storage;

const READ: Need = Need {
    role: Role::Volunteer,
    sensitive: false,
};
const EXPORT: Need = Need {
    role: Role::Treasurer,
    sensitive: false,
};

async fn members_of(req: &Request, env: &Env, need: Need) -> Result<Vec<MemberLine>, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(req, &storage, need).await?;
    let url = req.url()?;
    let standing = match url.query_pairs().find(|(name, _)| name == "standing") {
        None => None,
        Some((_, value)) if value.is_empty() => None,
        Some((_, value)) => Some(
            MemberStanding::from_name(&value)
                .ok_or_else(|| EdgeError::InvalidQuery(format!("standing={value}")))?,
        ),
    };
    let today = storage.day(now_secs());
    Ok(storage.members(today, standing).await?)
}

/// `GET /v1/admin/members`.
pub async fn list(req: Request, env: &Env) -> Result<Response, EdgeError> {
    Ok(json(200, &members_of(&req, env, READ).await?)?)
}

/// `GET /v1/admin/members.csv`.
pub async fn csv(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let members = members_of(&req, env, EXPORT).await?;
    let rows: Vec<[String; 8]> = members
        .into_iter()
        .map(|member| {
            [
                member.last_name,
                member.first_name,
                member.email,
                member.tier,
                member.campaign,
                member.since.to_string(),
                member.ends_on.to_string(),
                match member.standing {
                    MemberStanding::Active => "À jour",
                    MemberStanding::Expiring => "Expire bientôt",
                    MemberStanding::Lapsed => "Expirée",
                }
                .to_owned(),
            ]
        })
        .collect();
    let file = export::table(
        [
            "Nom",
            "Prénom",
            "E-mail",
            "Formule",
            "Campagne",
            "Membre depuis",
            "Fin d'adhésion",
            "Situation",
        ],
        &rows,
    )
    .map_err(EdgeError::Runtime)?;
    export::attachment(file, "membres.csv")
}
