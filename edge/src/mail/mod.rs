//! Mail through the association's own provider: its mailbox over SMTP, a transactional service
//! over HTTP (Brevo, Mailjet), or Cloudflare's `send_email` binding.
//!
//! Messages never go out on a request's critical path. What a change causes to be said (a
//! payment's receipt, the treasurer's notice) is written to the D1 outbox in the same batch as
//! the change, keyed so that it is written once; it is then sent after the answer, with
//! `wait_until`, and the scheduled sweep retries what failed (see [`outbox`]).

pub mod api;
mod cloudflare;
pub mod message;
pub mod outbox;
pub mod settings;
pub mod smtp;
pub mod templates;

use futures_util::future::LocalBoxFuture;
use serde::Serialize;

pub use message::{Mailbox, Message};
pub use settings::{MailSettings, Notices, Provider};

/// What became of one attempt to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    /// The provider took the message.
    Sent,
    /// The provider failed or refused for now (a 4xx SMTP reply, a 429 or 5xx, no answer): the
    /// same message may go through later.
    RetryLater(String),
    /// The provider refused this message for good (a 5xx SMTP reply to the recipient or the
    /// content, a 400 from an API): sending it again would fail again.
    Refused(String),
    /// The provider refuses the edge itself (credentials, sender, missing binding): nothing can
    /// go out until the settings are fixed.
    Misconfigured(String),
}

impl Outcome {
    /// A short name for logs and the outbox.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::RetryLater(_) => "retry_later",
            Self::Refused(_) => "refused",
            Self::Misconfigured(_) => "misconfigured",
        }
    }

    /// What the provider said, if it failed.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Sent => None,
            Self::RetryLater(detail) | Self::Refused(detail) | Self::Misconfigured(detail) => {
                Some(detail)
            }
        }
    }
}

/// A way out for mail. Each adapter turns its provider's answers into an [`Outcome`]; none
/// panics or gives up silently.
pub trait Mailer {
    /// Sends one message. `idempotency_key` names the message across attempts, for providers
    /// that can drop a repeated request.
    fn send<'a>(
        &'a self,
        message: &'a Message,
        idempotency_key: &'a str,
    ) -> LocalBoxFuture<'a, Outcome>;
}

/// The mailer the settings choose.
pub fn mailer(settings: &MailSettings, env: &worker::Env) -> Box<dyn Mailer> {
    let timeout_ms = settings.timeout_ms;
    match &settings.provider {
        Provider::Smtp(smtp) => Box::new(smtp::WorkerSmtp {
            settings: smtp.clone(),
            hello: settings.from.domain().to_owned(),
            timeout_ms,
        }),
        Provider::Brevo { api_key } => Box::new(api::HttpMailer {
            api: api::Api::Brevo {
                api_key: api_key.clone(),
            },
            timeout_ms,
        }),
        Provider::Mailjet {
            api_key,
            secret_key,
        } => Box::new(api::HttpMailer {
            api: api::Api::Mailjet {
                api_key: api_key.clone(),
                secret_key: secret_key.clone(),
            },
            timeout_ms,
        }),
        Provider::Cloudflare { binding } => Box::new(cloudflare::Binding::new(env, binding)),
    }
}
