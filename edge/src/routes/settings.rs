//! The association's settings, for admins.
//!
//! - `GET /v1/admin/settings` gives the association's name, address and contact, and how mail
//!   is set up (any member may read it);
//! - `POST /v1/admin/settings` `{"name","address","contact_email"}` changes the association's
//!   details (admin);
//! - `POST /v1/admin/settings/test-mail` `{"to"}` sends a test message through the mail
//!   provider and says what it answered (admin).
//!
//! The mail provider and its secrets are the deployment's (`wrangler.toml` and `wrangler secret
//! put`): the back-office shows them and tests them, and never holds a password.

use tirelire_domain::staff::{Association, Settings as SettingsView};
use tirelire_domain::{Field, FieldError, FieldErrorCode, Role, clean_text, is_valid_email};
use worker::{Context, Env, Request, Response};

use super::staff::{Need, caller, writer};
use crate::config::Settings;
use crate::error::EdgeError;
use crate::http::{json, now_secs, read_json};
use crate::mail::MailSettings;
use crate::storage::Storage;

const READ: Need = Need {
    role: Role::Volunteer,
    sensitive: false,
};
const WRITE: Need = Need {
    role: Role::Admin,
    sensitive: false,
};

/// `GET /v1/admin/settings`.
pub async fn get(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    let development = Settings::read(env)?.development;
    let (mail_provider, mail_from, mail_problem) = match MailSettings::read(env, development) {
        Ok(Some(mail)) => (
            Some(mail.provider.name().to_owned()),
            Some(mail.from.address.clone()),
            None,
        ),
        Ok(None) => (
            None,
            None,
            Some("MAIL_PROVIDER is not set: this edge sends no mail.".to_owned()),
        ),
        Err(error) => (None, None, Some(error.to_string())),
    };
    Ok(json(
        200,
        &SettingsView {
            association: storage.association().await?,
            mail_provider,
            mail_from,
            mail_problem,
        },
    )?)
}

/// `POST /v1/admin/settings`.
pub async fn set(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, WRITE).await?;
    let person = caller.session.person_id;
    let given: Association = read_json(&mut req, 4 * 1024, ctx).await?;
    let association = Association {
        name: clean_text(&given.name),
        address: given.address.trim().to_owned(),
        contact_email: given.contact_email.trim().to_lowercase(),
    };
    let mut errors = Vec::new();
    if association.name.is_empty() || association.name.chars().count() > 120 {
        errors.push(FieldError::new(Field::Name, FieldErrorCode::Invalid));
    }
    if association.address.chars().count() > 300 {
        errors.push(FieldError::new(Field::Address, FieldErrorCode::TooLong));
    }
    if !association.contact_email.is_empty() && !is_valid_email(&association.contact_email) {
        errors.push(FieldError::new(Field::Email, FieldErrorCode::Invalid));
    }
    if !errors.is_empty() {
        return Err(EdgeError::InvalidSubmission(errors));
    }
    storage
        .set_association(&association, person, now_secs())
        .await?;
    Ok(json(200, &association)?)
}

/// `POST /v1/admin/settings/test-mail`.
pub async fn test_mail(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    writer(&req, env, WRITE).await?;
    super::admin::send_test(&mut req, env, ctx).await
}
