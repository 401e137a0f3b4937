//! Tickets at the door, from the back-office on a phone:
//!
//! - `POST /v1/admin/check-in` `{"token"}` checks a ticket in (any member, volunteers
//!   included): a token whose signature is wrong is refused before any lookup (422); the first
//!   check-in admits (200), every later one answers when it was used (409);
//! - `GET /v1/admin/campaigns/{slug}/attendees` lists an event's tickets with how many were
//!   checked in (any member), and `…/attendees.csv` gives the same list as a file.

use tirelire_domain::tickets::{Attendee, Attendees, CheckIn, TicketToken};
use tirelire_domain::{CampaignSlug, Field, FieldError, FieldErrorCode, Role};
use worker::{Context, Env, Request, Response};

use super::staff::{Need, caller, writer};
use crate::error::EdgeError;
use crate::export;
use crate::http::{json, now_secs, read_json};
use crate::ids::new_secret;
use crate::mail::templates::numeric_date_time;
use crate::signing::Purpose;
use crate::storage::{CheckedIn, Storage, StoredTicket};

const DOOR: Need = Need {
    role: Role::Volunteer,
    sensitive: false,
};

fn check_in_of(ticket: &StoredTicket, admitted: bool) -> CheckIn {
    CheckIn {
        admitted,
        used_at: ticket.used_at,
        paid: ticket.paid != 0,
        holder: ticket.holder.clone(),
        label: ticket.label.clone(),
        seat: u32::try_from(ticket.seat).unwrap_or_default(),
        campaign: ticket.campaign.clone(),
    }
}

fn invalid_ticket() -> EdgeError {
    EdgeError::InvalidSubmission(vec![FieldError::new(
        Field::Reference,
        FieldErrorCode::Invalid,
    )])
}

/// `POST /v1/admin/check-in`.
pub async fn check_in(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, DOOR).await?;
    let body: TicketToken = read_json(&mut req, 1024, ctx).await?;
    let now = now_secs();
    let signer = storage.signer(&new_secret()?, now).await?;
    let Some(ticket_id) = signer.verify(Purpose::Ticket, &body.token) else {
        return Err(invalid_ticket());
    };
    match storage
        .check_in(ticket_id, caller.session.person_id, now)
        .await?
    {
        CheckedIn::Admitted(ticket) => Ok(json(200, &check_in_of(&ticket, true))?),
        CheckedIn::AlreadyUsed(ticket) | CheckedIn::NotPaid(ticket) => {
            Ok(json(409, &check_in_of(&ticket, false))?)
        }
        // Signed by this edge but gone (its data erased, a database restored from before).
        CheckedIn::Unknown => Err(invalid_ticket()),
    }
}

async fn attendees_of(req: &Request, slug: &str, env: &Env) -> Result<Vec<Attendee>, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(req, &storage, DOOR).await?;
    let not_found = || EdgeError::CampaignNotFound(slug.to_owned());
    let slug = CampaignSlug::parse(slug).map_err(|_| not_found())?;
    let campaign = storage.campaign(&slug).await?.ok_or_else(not_found)?;
    Ok(storage
        .attendees(campaign.id)
        .await?
        .into_iter()
        .map(|ticket| Attendee {
            token: ticket.token,
            holder: ticket.holder,
            label: ticket.label,
            seat: u32::try_from(ticket.seat).unwrap_or_default(),
            used_at: ticket.used_at,
        })
        .collect())
}

/// `GET /v1/admin/campaigns/{slug}/attendees`.
pub async fn attendees(req: Request, slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let tickets = attendees_of(&req, slug, env).await?;
    let checked_in = tickets.iter().filter(|t| t.used_at.is_some()).count();
    Ok(json(
        200,
        &Attendees {
            checked_in: u32::try_from(checked_in).unwrap_or(u32::MAX),
            tickets,
        },
    )?)
}

/// `GET /v1/admin/campaigns/{slug}/attendees.csv`.
pub async fn attendees_csv(req: Request, slug: &str, env: &Env) -> Result<Response, EdgeError> {
    let tickets = attendees_of(&req, slug, env).await?;
    let rows: Vec<[String; 4]> = tickets
        .into_iter()
        .map(|ticket| {
            [
                ticket.holder,
                ticket.label,
                ticket.seat.to_string(),
                ticket.used_at.map(numeric_date_time).unwrap_or_default(),
            ]
        })
        .collect();
    let file =
        export::table(["Nom", "Tarif", "Place", "Entrée"], &rows).map_err(EdgeError::Runtime)?;
    export::attachment(file, &format!("participants-{slug}.csv"))
}
