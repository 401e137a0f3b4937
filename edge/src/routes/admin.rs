//! Administration routes for the person who deploys the edge, behind the `ADMIN_TOKEN` secret
//! (`Authorization: Bearer …`). Without that secret they do not exist.
//!
//! - `POST /v1/admin/mail/test` `{"to": "you@example.org", "language": "fr"}` sends a test
//!   message now, through the configured provider, and answers what the provider said
//!   (`cargo xtask mail-test` calls it);
//! - `GET /v1/admin/mail/outbox` counts the outbox's messages by status and lists the dead
//!   and failing ones with the provider's last words.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tirelire_domain::{Field, FieldError, FieldErrorCode, Locale, is_valid_email};
use worker::{Context, Env, Request, Response};

use crate::config::{Settings, Source};
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_json};
use crate::mail::outbox::{message_id, sender};
use crate::mail::templates::{self, Template};
use crate::mail::{MailSettings, Mailbox, Message, Outcome, mailer};
use crate::storage::{OutboxProblem, OutboxSummary, Storage};

const ADMIN_TOKEN: &str = "ADMIN_TOKEN";

#[derive(Deserialize)]
struct TestRequest {
    to: String,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Serialize)]
struct TestAnswer {
    provider: &'static str,
    from: String,
    to: String,
    message_id: String,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Serialize)]
struct OutboxAnswer {
    summary: OutboxSummary,
    problems: Vec<OutboxProblem>,
}

/// Refuses the request unless it carries the admin token. Both sides are hashed before they
/// are compared, so the comparison's time says nothing about the token.
pub fn authorize(req: &Request, env: &Env) -> Result<(), EdgeError> {
    let Some(token) = env.get(ADMIN_TOKEN) else {
        return Err(EdgeError::NotFound);
    };
    let given = req
        .headers()
        .get("Authorization")?
        .and_then(|value| value.strip_prefix("Bearer ").map(str::to_owned))
        .unwrap_or_default();
    if Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes()) {
        Ok(())
    } else {
        Err(EdgeError::Unauthorized)
    }
}

/// Sends a test message now and says what became of it.
pub async fn mail_test(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    authorize(&req, env)?;
    send_test(&mut req, env, ctx).await
}

/// Reads `{"to", "language"?}`, sends the test message now, and answers what the provider
/// said, naming the setting at fault when there is one. The deployment's token and an admin's
/// session both reach it.
pub async fn send_test(req: &mut Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let request: TestRequest = read_json(req, 4 * 1024, ctx).await?;
    let to = request.to.trim();
    if !is_valid_email(to) {
        return Err(EdgeError::InvalidSubmission(vec![FieldError::new(
            Field::Email,
            FieldErrorCode::Invalid,
        )]));
    }
    let locale = request
        .language
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or_default();
    let settings = Settings::read(env)?;
    // The deployer holds the token: tell them exactly which setting is wrong.
    let mail = match MailSettings::read(env, settings.development) {
        Ok(Some(mail)) => mail,
        Ok(None) => return misconfigured("MAIL_PROVIDER is not set, so this edge sends no mail"),
        Err(error) => return misconfigured(&error.to_string()),
    };
    let organisation = Storage::from_env(env)?.organisation_name().await?;
    let now = now_secs();
    let values = [
        ("organisation", organisation.clone()),
        ("provider", mail.provider.name().to_owned()),
        ("date", templates::long_date(now, locale)),
    ];
    let rendered = templates::render(Template::Test, locale, &values)
        .map_err(|error| EdgeError::Runtime(error.to_string()))?;
    let recipient = Sha256::digest(to.as_bytes());
    let key = format!(
        "test:{now}:{}",
        hex::encode(recipient.get(..6).unwrap_or_default())
    );
    let message = Message {
        from: sender(&mail, &serde_json::json!({ "organisation": organisation })),
        reply_to: mail.reply_to.clone(),
        to: Mailbox::bare(to),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: message_id(&key, mail.from.domain()),
        date: now,
    };
    let outcome = mailer(&mail, env).send(&message, &key).await;
    Ok(json(
        200,
        &TestAnswer {
            provider: mail.provider.name(),
            from: message.from.address.clone(),
            to: to.to_owned(),
            message_id: message.message_id.clone(),
            outcome,
        },
    )?)
}

fn misconfigured(detail: &str) -> Result<Response, EdgeError> {
    Ok(json(200, &Outcome::Misconfigured(detail.to_owned()))?)
}

/// How the outbox stands.
pub async fn outbox(req: Request, env: &Env) -> Result<Response, EdgeError> {
    authorize(&req, env)?;
    let storage = Storage::from_env(env)?;
    Ok(json(
        200,
        &OutboxAnswer {
            summary: storage.outbox_summary().await?,
            problems: storage.outbox_problems(50).await?,
        },
    )?)
}
