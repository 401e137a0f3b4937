//! Who may enter the back-office: invitations, sign-in links by mail, sessions and sign-out.
//!
//! - `POST /v1/admin/invitations` `{"email", "role"}` lets someone in and answers a one-time
//!   link. The deployment's admin token may call it (`cargo xtask admin invite`), so the first
//!   admin needs no database console; after that, an admin who signed in recently.
//! - `POST /v1/admin/sign-in` `{"email"}` mails a link to a member, valid 15 minutes. The
//!   answer is the same whether the address is a member or not.
//! - `POST /v1/admin/session` `{"token"}` uses a link, once, and opens a session: a
//!   `__Host-` cookie, `HttpOnly; Secure; SameSite=Strict`, for 12 hours.
//! - `GET /v1/admin/me` says who the session is; `POST /v1/admin/sign-out` ends it.
//! - `GET /v1/admin/people` lists the members, and `POST /v1/admin/people/{id}/removal`
//!   removes one (admin; removal needs a recent sign-in): their sessions and links stop at once.
//! - `GET /v1/admin/audit[?before=ID]` gives the audit log, 50 lines at a time (treasurer).
//!
//! These routes are same-origin only: they carry no CORS header, and every write must come
//! with the edge's own `Origin`. Links and sessions are stored as SHA-256 hashes.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use tirelire_domain::staff::{InvitationRequest, InvitationResponse, Me};
use tirelire_domain::{Field, FieldError, FieldErrorCode, Locale, Role, is_valid_email};
use worker::{Context, Env, Request, Response, console_error};

use crate::config::Settings;
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_json};
use crate::ids::new_secret;
use crate::mail::outbox::compose;
use crate::mail::{MailSettings, mailer};
use crate::storage::{Actor, OutboxMessage, StaffSession, Storage};

/// The session cookie. `__Host-` makes browsers refuse it unless it is `Secure`, for this
/// host only, on every path.
const COOKIE: &str = "__Host-tirelire_session";
/// How long an invitation's link works.
const INVITATION_SECS: i64 = 7 * 24 * 3600;
/// How long a link asked for by mail works.
const SIGN_IN_LINK_SECS: i64 = 15 * 60;
/// How long a session lasts.
const SESSION_SECS: i64 = 12 * 3600;
/// How recent the sign-in must be for changes to money or people.
const RECENT_SECS: i64 = 3600;
/// The largest body these routes read.
const BODY_LIMIT: usize = 4 * 1024;

/// What a route needs of the person calling it.
#[derive(Clone, Copy)]
pub struct Need {
    /// The least role.
    pub role: Role,
    /// Whether it changes money or people, which asks for a recent sign-in.
    pub sensitive: bool,
}

/// The signed-in person calling a route, and their session's hash.
pub struct Caller {
    /// Their open session.
    pub session: StaffSession,
    hash: String,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Refuses a write whose `Origin` is not the edge's own: a page elsewhere cannot act with the
/// session of someone who visits it, whatever their browser does with cookies.
pub fn same_origin(req: &Request) -> Result<(), EdgeError> {
    let own = req.url()?.origin().ascii_serialization();
    match req.headers().get("Origin")? {
        Some(origin) if origin == own => Ok(()),
        other => Err(EdgeError::OriginNotAllowed(other)),
    }
}

/// A write from the back-office: it must come from the edge's own pages, from someone whose
/// session meets `need`. Gives the storage it looked the session up in, and the caller.
pub async fn writer(req: &Request, env: &Env, need: Need) -> Result<(Storage, Caller), EdgeError> {
    same_origin(req)?;
    let storage = Storage::from_env(env)?;
    let caller = caller(req, &storage, need).await?;
    Ok((storage, caller))
}

fn session_token(req: &Request) -> Result<Option<String>, EdgeError> {
    let cookies = req.headers().get("Cookie")?.unwrap_or_default();
    Ok(cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
    }))
}

/// The caller, if their session is open and their role and sign-in meet `need`.
pub async fn caller(req: &Request, storage: &Storage, need: Need) -> Result<Caller, EdgeError> {
    let Some(token) = session_token(req)? else {
        return Err(EdgeError::Unauthorized);
    };
    let hash = hash(&token);
    let now = now_secs();
    let Some(session) = storage.staff_session(&hash, now).await? else {
        return Err(EdgeError::Unauthorized);
    };
    if !session.role().covers(need.role) {
        return Err(EdgeError::Forbidden(session.role().name()));
    }
    if need.sensitive && now - session.signed_in_at > RECENT_SECS {
        return Err(EdgeError::SignInAgain);
    }
    Ok(Caller { session, hash })
}

/// An email address as stored: trimmed and in lower case; anything else is 422 on `email`.
pub fn address(email: &str) -> Result<String, EdgeError> {
    let email = email.trim().to_lowercase();
    if is_valid_email(&email) {
        Ok(email)
    } else {
        Err(EdgeError::InvalidSubmission(vec![FieldError::new(
            Field::Email,
            FieldErrorCode::Invalid,
        )]))
    }
}

/// The back-office's address for a link's secret. The secret rides in the fragment, which
/// browsers send to no server and keep out of `Referer`.
fn link(req: &Request, token: &str) -> Result<String, EdgeError> {
    let origin = req.url()?.origin().ascii_serialization();
    Ok(format!("{origin}/admin/#sign-in={token}"))
}

/// `POST /v1/admin/invitations`.
pub async fn invite(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    let actor = if req.headers().has("Authorization")? {
        super::admin::authorize(&req, env)?;
        Actor::Deployment
    } else {
        same_origin(&req)?;
        let need = Need {
            role: Role::Admin,
            sensitive: true,
        };
        Actor::Person(caller(&req, &storage, need).await?.session.person_id)
    };
    let request: InvitationRequest = read_json(&mut req, BODY_LIMIT, ctx).await?;
    let email = address(&request.email)?;
    let token = new_secret()?;
    let now = now_secs();
    let expires_at = now + INVITATION_SECS;
    storage
        .invite(&email, request.role, &hash(&token), now, expires_at, actor)
        .await?;
    Ok(json(
        201,
        &InvitationResponse {
            link: link(&req, &token)?,
            expires_at,
        },
    )?)
}

#[derive(Deserialize)]
struct SignInRequest {
    email: String,
    #[serde(default)]
    language: Option<String>,
}

/// `POST /v1/admin/sign-in`: mails a link to a member, after the answer. Whether the address
/// is a member does not show in the answer.
pub async fn sign_in(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    same_origin(&req)?;
    let request: SignInRequest = read_json(&mut req, BODY_LIMIT, ctx).await?;
    let email = address(&request.email)?;
    let locale = request
        .language
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or_default();
    let storage = Storage::from_env(env)?;
    let token = new_secret()?;
    let now = now_secs();
    let member = storage
        .add_sign_in_link(&email, &hash(&token), now, now + SIGN_IN_LINK_SECS)
        .await?;
    if member {
        let link = link(&req, &token)?;
        let env = env.clone();
        ctx.wait_until(async move {
            if let Err(error) = mail_link(&env, &email, locale, &link, now).await {
                console_error!("sign-in link: {error}");
            }
        });
    }
    Ok(json(202, &serde_json::json!({ "sent": true }))?)
}

/// Sends a sign-in link now. It is not kept in the outbox: the link is a secret, and whoever
/// misses it asks for another.
async fn mail_link(
    env: &Env,
    email: &str,
    locale: Locale,
    link: &str,
    now: i64,
) -> Result<(), String> {
    let settings = Settings::read(env).map_err(|error| error.to_string())?;
    let Some(mail) =
        MailSettings::read(env, settings.development).map_err(|error| error.to_string())?
    else {
        return Err("MAIL_PROVIDER is not set, so no sign-in link can be mailed".into());
    };
    let organisation = Storage::from_env(env)
        .map_err(|error| error.to_string())?
        .organisation_name()
        .await
        .map_err(|error| error.to_string())?;
    let key = format!("sign_in:{now}:{}", &hash(link)[..12]);
    let row = OutboxMessage {
        id: 0,
        key: key.clone(),
        template: "sign_in".into(),
        locale: locale.tag().into(),
        recipient: email.into(),
        params: serde_json::json!({
            "link": link,
            "minutes": SIGN_IN_LINK_SECS / 60,
            "organisation": organisation,
        })
        .to_string(),
        attempts: 1,
        created_at: now,
    };
    let message = compose(&mail, &row)?;
    match mailer(&mail, env).send(&message, &key).await {
        crate::mail::Outcome::Sent => Ok(()),
        other => Err(format!("{other:?}")),
    }
}

#[derive(Deserialize)]
struct SessionRequest {
    token: String,
}

fn me(session: &StaffSession) -> Me {
    Me {
        email: session.email.clone(),
        role: session.role(),
        signed_in_at: session.signed_in_at,
        expires_at: session.expires_at,
    }
}

/// `POST /v1/admin/session`: uses a link and opens a session.
pub async fn open(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    same_origin(&req)?;
    let request: SessionRequest = read_json(&mut req, BODY_LIMIT, ctx).await?;
    let storage = Storage::from_env(env)?;
    let session_token = new_secret()?;
    let session_hash = hash(&session_token);
    let now = now_secs();
    storage
        .use_sign_in_link(
            &hash(request.token.trim()),
            &session_hash,
            now,
            now + SESSION_SECS,
        )
        .await?
        .ok_or(EdgeError::SignInLinkInvalid)?;
    let session = storage
        .staff_session(&session_hash, now)
        .await?
        .ok_or_else(|| EdgeError::Runtime("a session just opened cannot be read".into()))?;
    let mut response = json(200, &me(&session))?;
    response.headers_mut().set(
        "Set-Cookie",
        &format!(
            "{COOKIE}={session_token}; Path=/; Max-Age={SESSION_SECS}; HttpOnly; Secure; SameSite=Strict"
        ),
    )?;
    Ok(response)
}

/// `GET /v1/admin/me`.
pub async fn who(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    let need = Need {
        role: Role::Volunteer,
        sensitive: false,
    };
    let caller = caller(&req, &storage, need).await?;
    Ok(json(200, &me(&caller.session))?)
}

/// `POST /v1/admin/sign-out`.
pub async fn sign_out(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let need = Need {
        role: Role::Volunteer,
        sensitive: false,
    };
    let (storage, caller) = writer(&req, env, need).await?;
    storage
        .end_session(&caller.hash, caller.session.person_id, now_secs())
        .await?;
    let mut response = Response::empty()?.with_status(204);
    response.headers_mut().set(
        "Set-Cookie",
        &format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"),
    )?;
    Ok(response)
}

/// `GET /v1/admin/people`.
pub async fn people(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    let need = Need {
        role: Role::Admin,
        sensitive: false,
    };
    caller(&req, &storage, need).await?;
    Ok(json(200, &storage.people().await?)?)
}

/// `POST /v1/admin/people/{id}/removal`.
pub async fn remove(req: Request, id: &str, env: &Env) -> Result<Response, EdgeError> {
    let need = Need {
        role: Role::Admin,
        sensitive: true,
    };
    let (storage, caller) = writer(&req, env, need).await?;
    let person_id: i64 = id.parse().map_err(|_| EdgeError::NotFound)?;
    if person_id == caller.session.person_id {
        return Err(EdgeError::CannotRemoveSelf);
    }
    if !storage
        .remove_person(
            person_id,
            Actor::Person(caller.session.person_id),
            now_secs(),
        )
        .await?
    {
        return Err(EdgeError::NotFound);
    }
    Ok(Response::empty()?.with_status(204))
}

/// `GET /v1/admin/audit`.
pub async fn audit(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    let need = Need {
        role: Role::Treasurer,
        sensitive: false,
    };
    caller(&req, &storage, need).await?;
    let url = req.url()?;
    let before = match url.query_pairs().find(|(name, _)| name == "before") {
        Some((_, value)) => Some(
            value
                .parse::<i64>()
                .map_err(|_| EdgeError::InvalidQuery("before".into()))?,
        ),
        None => None,
    };
    Ok(json(200, &storage.audit_lines(before, 50).await?)?)
}
