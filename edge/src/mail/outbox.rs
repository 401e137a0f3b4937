//! Sending what the outbox holds: right after the answer that wrote it (through
//! `wait_until`), then by the scheduled sweep, with backoff, until the provider takes it or the
//! attempts run out. A dead message is kept, with the provider's last words.

use serde_json::Value;
use tirelire_domain::{Currency, Locale, Money};
use worker::{Env, console_error, console_log, console_warn};

use super::templates::{self, Template};
use super::{MailSettings, Mailbox, Message, Outcome, mailer};
use crate::config::Settings;
use crate::error::EdgeError;
use crate::storage::{OutboxMessage, Storage};

/// Attempts before a message is given up: about five hours of trying in all.
pub const MAX_ATTEMPTS: i64 = 6;
/// The wait after each failed attempt, in seconds: 1 min, 5 min, 15 min, 1 h, 4 h.
const BACKOFF_SECS: [i64; 5] = [60, 300, 900, 3_600, 14_400];
/// How long an attempt may hold a message before another sender may take it.
const LEASE_SECS: i64 = 120;

/// What one round of sending did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Messages the provider took.
    pub sent: u32,
    /// Messages that will be tried again.
    pub retrying: u32,
    /// Messages given up on.
    pub dead: u32,
}

/// Sends, after the answer, what a change just wrote to the outbox: nobody waits on mail,
/// and what fails here is the sweep's to retry.
pub async fn send_after(env: Env, now: i64, limit: u32) {
    let sent = match Storage::from_env(&env) {
        Ok(storage) => send_due(&env, &storage, now, limit).await,
        Err(error) => Err(error.into()),
    };
    if let Err(error) = sent {
        console_error!("mail after a change: {error}");
    }
}

/// Sends up to `limit` messages due at `now`. Without mail settings it sends nothing and
/// claims nothing, so the messages wait for the settings to be fixed.
pub async fn send_due(
    env: &Env,
    storage: &Storage,
    now: i64,
    limit: u32,
) -> Result<Sent, EdgeError> {
    let development = Settings::read(env)?.development;
    let Some(settings) = MailSettings::read(env, development)? else {
        return Ok(Sent::default());
    };
    let mailer = mailer(&settings, env);
    let mut report = Sent::default();
    for message in storage.claim_mail(now, limit, LEASE_SECS).await? {
        let outcome = match compose(&settings, &message) {
            Ok(composed) => mailer.send(&composed, &message.key).await,
            // A message that cannot be written now never will be.
            Err(why) => Outcome::Refused(format!("cannot be written: {why}")),
        };
        console_log!(
            "mail {} (attempt {}): {}{}",
            message.key,
            message.attempts,
            outcome.name(),
            outcome
                .detail()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        );
        match next_step(&outcome, message.attempts, now) {
            Step::Done => {
                storage.mail_sent(message.id, now).await?;
                report.sent += 1;
            }
            Step::RetryAt(at) => {
                storage
                    .mail_retry(message.id, at, outcome.detail().unwrap_or_default())
                    .await?;
                report.retrying += 1;
            }
            Step::GiveUp => {
                console_warn!(
                    "mail {} is dead after {} attempts",
                    message.key,
                    message.attempts
                );
                storage
                    .mail_dead(message.id, outcome.detail().unwrap_or_default())
                    .await?;
                report.dead += 1;
            }
        }
    }
    Ok(report)
}

/// What follows an attempt.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Done,
    RetryAt(i64),
    GiveUp,
}

fn next_step(outcome: &Outcome, attempts: i64, now: i64) -> Step {
    match outcome {
        Outcome::Sent => Step::Done,
        Outcome::Refused(_) => Step::GiveUp,
        // Settings can be fixed while the message waits, so they count as a passing failure.
        Outcome::RetryLater(_) | Outcome::Misconfigured(_) if attempts >= MAX_ATTEMPTS => {
            Step::GiveUp
        }
        Outcome::RetryLater(_) | Outcome::Misconfigured(_) => {
            let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
            let wait = BACKOFF_SECS
                .get(index)
                .or(BACKOFF_SECS.last())
                .copied()
                .unwrap_or(3_600);
            Step::RetryAt(now + wait)
        }
    }
}

/// The message a stored row stands for.
pub fn compose(settings: &MailSettings, row: &OutboxMessage) -> Result<Message, String> {
    let template = Template::from_name(&row.template)
        .ok_or_else(|| format!("no template is called {:?}", row.template))?;
    let locale = Locale::from_tag(&row.locale).unwrap_or_default();
    let params: Value = serde_json::from_str(&row.params).map_err(|error| error.to_string())?;
    let values = values(template, locale, &params, settings)?;
    let borrowed: Vec<(&str, String)> = values
        .iter()
        .map(|(name, value)| (*name, value.clone()))
        .collect();
    let rendered = templates::render(template, locale, &borrowed)?;
    let to = match template {
        Template::DonorReceipt
        | Template::TicketReceipt
        | Template::MonthlyReceipt
        | Template::MemberCard
        | Template::MemberReminder => Mailbox::named(
            format!(
                "{} {}",
                text(&params, "first_name"),
                text(&params, "last_name")
            ),
            row.recipient.clone(),
        ),
        _ => Mailbox::bare(row.recipient.clone()),
    };
    Ok(Message {
        from: sender(settings, &params),
        reply_to: settings.reply_to.clone(),
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: message_id(&row.key, settings.from.domain()),
        date: row.created_at,
    })
}

/// The sender: the association's address, under `MAIL_FROM_NAME` or else its name.
pub fn sender(settings: &MailSettings, params: &Value) -> Mailbox {
    match &settings.from.name {
        Some(_) => settings.from.clone(),
        None => Mailbox::named(text(params, "organisation"), settings.from.address.clone()),
    }
}

/// A Message-ID on the association's domain, the same on every attempt, so that a message the
/// provider took twice (an answer lost on the way back) can be recognised as one.
pub fn message_id(key: &str, domain: &str) -> String {
    let local: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("{local}@{domain}")
}

fn text(params: &Value, name: &str) -> String {
    match params.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// The values of a template, from the stored parameters and the settings.
fn values(
    template: Template,
    locale: Locale,
    params: &Value,
    settings: &MailSettings,
) -> Result<Vec<(&'static str, String)>, String> {
    let date = |name: &str| {
        params
            .get(name)
            .and_then(Value::as_i64)
            .map(|at| templates::long_date(at, locale))
    };
    let amount = || -> Option<String> {
        let currency = Currency::from_code(params.get("currency")?.as_str()?)?;
        Some(Money::new(params.get("amount")?.as_i64()?, currency).format_exact(locale))
    };
    template
        .values()
        .iter()
        .map(|name| {
            let value = match *name {
                "amount" => amount(),
                "date" => date("paid_at").or_else(|| date("date")),
                "starts_on" | "ends_on" => date(name),
                "when" => Some(
                    match (params.get("ended").and_then(Value::as_bool), locale) {
                        (Some(true), Locale::Fr) => "a pris fin",
                        (_, Locale::Fr) => "prendra fin",
                        (Some(true), Locale::En) => "ended",
                        (_, Locale::En) => "will end",
                    }
                    .to_owned(),
                ),
                "contact" => Some(settings.contact().to_owned()),
                "provider" => Some(settings.provider.name().to_owned()),
                "donor_name" => Some(
                    format!(
                        "{} {}",
                        text(params, "first_name"),
                        text(params, "last_name")
                    )
                    .trim()
                    .to_owned(),
                ),
                "donor_email" => Some(text(params, "email")),
                other => params.get(other).map(|_| text(params, other)),
            };
            value
                .map(|value| (*name, value))
                .ok_or_else(|| format!("no value for {name}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mail::Provider;

    fn settings() -> MailSettings {
        MailSettings {
            provider: Provider::Brevo {
                api_key: "k".into(),
            },
            from: Mailbox::bare("tresorerie@amis-du-parc.fr"),
            reply_to: Some(Mailbox::bare("contact@amis-du-parc.fr")),
            timeout_ms: 1_000,
        }
    }

    fn row(template: &str, locale: &str, params: Value) -> OutboxMessage {
        OutboxMessage {
            id: 1,
            key: format!("{template}:ord_AAAAAAAAAAAAAAAAAAAAAA"),
            template: template.into(),
            locale: locale.into(),
            recipient: "zoe@example.org".into(),
            params: params.to_string(),
            attempts: 1,
            created_at: 1_795_476_600,
        }
    }

    fn paid(first_name: &str) -> Value {
        json!({
            "first_name": first_name, "last_name": "Lefèvre", "email": "zoe@example.org",
            "amount": 2550, "currency": "EUR", "paid_at": 1_795_476_600,
            "campaign": "Rénovation du kiosque", "organisation": "Les Amis du Parc",
            "reference": "ord_AAAAAAAAAAAAAAAAAAAAAA"
        })
    }

    #[test]
    fn a_receipt_says_what_the_donor_gave_in_their_language() {
        let fr = compose(&settings(), &row("donor_receipt", "fr", paid("Zoé")))
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(fr.subject, "Merci pour votre don à Les Amis du Parc");
        assert!(fr.text.contains("25,50\u{a0}€"), "{}", fr.text);
        assert!(fr.text.contains("24 novembre 2026"));
        assert!(fr.text.contains("ord_AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(fr.text.contains("contact@amis-du-parc.fr"));
        assert_eq!(
            fr.message_id,
            "donor_receipt.ord_AAAAAAAAAAAAAAAAAAAAAA@amis-du-parc.fr"
        );
        assert_eq!(
            fr.from,
            Mailbox::named("Les Amis du Parc", "tresorerie@amis-du-parc.fr")
        );
        assert_eq!(fr.to, Mailbox::named("Zoé Lefèvre", "zoe@example.org"));

        let en = compose(&settings(), &row("donor_receipt", "en", paid("Zoe")))
            .unwrap_or_else(|error| panic!("{error}"));
        assert!(en.text.contains("€25.50") && en.text.contains("24 November 2026"));
        // Nothing the association has not set up is promised.
        for word in ["fiscal", "impôt", "tax", "reçu fiscal", "deduct"] {
            assert!(
                !fr.text.to_lowercase().contains(word) && !en.text.to_lowercase().contains(word)
            );
        }
    }

    #[test]
    fn a_hostile_name_is_harmless_in_both_parts() {
        let message = compose(
            &settings(),
            &row(
                "donor_receipt",
                "fr",
                paid("<script>alert(1)</script>\"; DROP"),
            ),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(!message.html.contains("<script>"));
        assert!(message.html.contains("&lt;script&gt;"));
        // In plain text a name is only text: it is kept as the donor typed it.
        assert!(message.text.contains("<script>alert(1)</script>\"; DROP"));
    }

    #[test]
    fn a_sign_in_row_as_the_back_office_will_write_it_makes_its_message() {
        let link = "https://dons.amis-du-parc.fr/admin/sign-in?token=abc&next=/\"x";
        let row = OutboxMessage {
            key: "sign_in:tok_123".into(),
            ..row(
                "sign_in",
                "en",
                json!({ "link": link, "minutes": 15, "organisation": "Les Amis du Parc" }),
            )
        };
        let message = compose(&settings(), &row).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(message.subject, "Your sign-in link for Les Amis du Parc");
        assert!(message.text.contains(link) && message.text.contains("15 minutes"));
        // In the HTML the link stays one attribute: its & and " are escaped.
        assert!(message.html.contains(
            "href=\"https://dons.amis-du-parc.fr/admin/sign-in?token=abc&amp;next=/&quot;x\""
        ));
        assert_eq!(message.to, Mailbox::bare("zoe@example.org"));
        assert_eq!(message.message_id, "sign_in.tok_123@amis-du-parc.fr");
    }

    #[test]
    fn a_row_that_cannot_be_written_is_an_error() {
        let mut params = paid("Zoé");
        params.as_object_mut().map(|object| object.remove("amount"));
        assert!(compose(&settings(), &row("donor_receipt", "fr", params)).is_err());
        assert!(compose(&settings(), &row("no_such_template", "fr", paid("Zoé"))).is_err());
    }

    #[test]
    fn failures_back_off_then_give_up() {
        let later = Outcome::RetryLater("451".into());
        assert_eq!(next_step(&Outcome::Sent, 1, 0), Step::Done);
        assert_eq!(next_step(&later, 1, 1_000), Step::RetryAt(1_060));
        assert_eq!(next_step(&later, 2, 1_000), Step::RetryAt(1_300));
        assert_eq!(next_step(&later, 5, 1_000), Step::RetryAt(15_400));
        assert_eq!(next_step(&later, MAX_ATTEMPTS, 1_000), Step::GiveUp);
        assert_eq!(
            next_step(&Outcome::Misconfigured("535".into()), 1, 0),
            Step::RetryAt(60)
        );
        assert_eq!(
            next_step(&Outcome::Refused("550".into()), 1, 0),
            Step::GiveUp
        );
    }
}
