//! Cloudflare's `send_email` binding, for accounts whose plan has Email Sending: the message
//! goes as the same MIME the SMTP adapter sends.

use futures_util::future::LocalBoxFuture;
use worker::{EmailMessage, Env, SendEmail};

use super::{Mailer, Message, Outcome};

/// The binding, if the Worker has it.
pub struct Binding {
    binding: Result<SendEmail, String>,
}

impl Binding {
    /// Looks the binding called `name` up.
    pub fn new(env: &Env, name: &str) -> Self {
        Self {
            binding: env.send_email(name).map_err(|_| {
                format!("the Worker has no send_email binding called {name} (wrangler.toml)")
            }),
        }
    }
}

impl Mailer for Binding {
    fn send<'a>(&'a self, message: &'a Message, _key: &'a str) -> LocalBoxFuture<'a, Outcome> {
        Box::pin(async move {
            let binding = match &self.binding {
                Ok(binding) => binding,
                Err(missing) => return Outcome::Misconfigured(missing.clone()),
            };
            let mime = String::from_utf8_lossy(&message.to_mime()).into_owned();
            let email = match EmailMessage::new(&message.from.address, &message.to.address, &mime) {
                Ok(email) => email,
                Err(error) => return Outcome::Refused(format!("{error:?}")),
            };
            match binding.send(&email).await {
                Ok(_) => Outcome::Sent,
                // The binding says why in words only; what it refuses now (an address not
                // allowed, a daily limit) may pass later, and the outbox gives up after its
                // attempts anyway.
                Err(error) => Outcome::RetryLater(format!("{error:?}")),
            }
        })
    }
}
