//! Which provider sends the association's mail, as whom, and who is told of each payment.
//!
//! Every setting is a Worker variable or secret (docs/deploy.md has one example per provider).
//! Without `MAIL_PROVIDER`, the edge sends no mail and writes none to the outbox.

use tirelire_domain::{Locale, is_valid_email};

use super::Mailbox;
use crate::config::{ConfigError, Source};

const MAIL_PROVIDER: &str = "MAIL_PROVIDER";
const MAIL_FROM: &str = "MAIL_FROM";
const MAIL_FROM_NAME: &str = "MAIL_FROM_NAME";
const MAIL_REPLY_TO: &str = "MAIL_REPLY_TO";
const MAIL_TREASURER: &str = "MAIL_TREASURER";
const MAIL_TREASURER_LANGUAGE: &str = "MAIL_TREASURER_LANGUAGE";
const MAIL_TIMEOUT_MS: &str = "MAIL_TIMEOUT_MS";
const MAIL_BINDING: &str = "MAIL_BINDING";
const SMTP_HOST: &str = "SMTP_HOST";
const SMTP_PORT: &str = "SMTP_PORT";
const SMTP_SECURITY: &str = "SMTP_SECURITY";
const SMTP_USERNAME: &str = "SMTP_USERNAME";
const SMTP_PASSWORD: &str = "SMTP_PASSWORD";
const BREVO_API_KEY: &str = "BREVO_API_KEY";
const MAILJET_API_KEY: &str = "MAILJET_API_KEY";
const MAILJET_SECRET_KEY: &str = "MAILJET_SECRET_KEY";

/// How the edge sends mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailSettings {
    /// The provider and its credentials.
    pub provider: Provider,
    /// The association's sender address; its domain names the messages.
    pub from: Mailbox,
    /// Where replies go: the association's contact address.
    pub reply_to: Option<Mailbox>,
    /// How long one attempt may take.
    pub timeout_ms: u32,
}

impl MailSettings {
    /// The address donors are told to write to.
    pub fn contact(&self) -> &str {
        self.reply_to
            .as_ref()
            .map_or(&self.from.address, |reply_to| &reply_to.address)
    }
}

/// A provider and what it needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provider {
    /// The association's mailbox, over SMTP.
    Smtp(SmtpSettings),
    /// Brevo's transactional API.
    Brevo {
        /// The v3 API key.
        api_key: String,
    },
    /// Mailjet's Send API v3.1.
    Mailjet {
        /// The API key.
        api_key: String,
        /// The secret key.
        secret_key: String,
    },
    /// Cloudflare's `send_email` binding.
    Cloudflare {
        /// The binding's name in `wrangler.toml`.
        binding: String,
    },
}

impl Provider {
    /// The provider's name, as in `MAIL_PROVIDER`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Brevo { .. } => "brevo",
            Self::Mailjet { .. } => "mailjet",
            Self::Cloudflare { .. } => "cloudflare",
        }
    }
}

/// An SMTP server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpSettings {
    /// Its host name.
    pub host: String,
    /// Its port: 465 for implicit TLS, 587 for STARTTLS.
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// The login, if the server asks for one (they all do but a local catcher).
    pub credentials: Option<(String, String)>,
}

/// How an SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain text, then STARTTLS before anything else is said (port 587).
    StartTls,
    /// Plain text throughout: only to a catcher on loopback, in development.
    None,
}

/// What the ledger writes to the outbox when a payment is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notices {
    /// Whether the donor gets a receipt: true whenever a provider is set.
    pub donor: bool,
    /// The treasurer's address and language, if they want one mail per payment.
    pub treasurer: Option<(String, Locale)>,
}

impl Notices {
    /// Reads what to write. It never fails: a payment is applied whatever the mail settings
    /// say, and a message waiting in the outbox goes out once they are fixed.
    pub fn read(source: &impl Source) -> Self {
        if source.get(MAIL_PROVIDER).is_none() {
            return Self::default();
        }
        let treasurer = source.get(MAIL_TREASURER).map(|address| {
            let locale = source
                .get(MAIL_TREASURER_LANGUAGE)
                .and_then(|tag| Locale::from_tag(&tag))
                .unwrap_or_default();
            (address, locale)
        });
        Self {
            donor: true,
            treasurer,
        }
    }
}

impl MailSettings {
    /// Reads the mail settings; `None` when no provider is set. Only a development
    /// environment may use plain-text SMTP, and then only to a loopback host.
    pub fn read(source: &impl Source, development: bool) -> Result<Option<Self>, ConfigError> {
        let Some(name) = source.get(MAIL_PROVIDER) else {
            return Ok(None);
        };
        let provider = match name.to_ascii_lowercase().as_str() {
            "smtp" => Provider::Smtp(smtp(source, development)?),
            "brevo" => Provider::Brevo {
                api_key: required(source, BREVO_API_KEY)?,
            },
            "mailjet" => Provider::Mailjet {
                api_key: required(source, MAILJET_API_KEY)?,
                secret_key: required(source, MAILJET_SECRET_KEY)?,
            },
            "cloudflare" => Provider::Cloudflare {
                binding: source.get(MAIL_BINDING).unwrap_or_else(|| "MAIL".into()),
            },
            _ => {
                return Err(ConfigError::Invalid {
                    name: MAIL_PROVIDER,
                    why: format!("{name:?} is not smtp, brevo, mailjet or cloudflare"),
                });
            }
        };
        let from = Mailbox::named(
            source.get(MAIL_FROM_NAME).unwrap_or_default(),
            address(source, MAIL_FROM)?.ok_or(ConfigError::Missing(MAIL_FROM))?,
        );
        let reply_to = address(source, MAIL_REPLY_TO)?.map(Mailbox::bare);
        let timeout_ms = match source.get(MAIL_TIMEOUT_MS) {
            None => 10_000,
            Some(text) => text.parse().map_err(|_| ConfigError::Invalid {
                name: MAIL_TIMEOUT_MS,
                why: format!("{text:?} is not a whole number"),
            })?,
        };
        Ok(Some(Self {
            provider,
            from,
            reply_to,
            timeout_ms,
        }))
    }
}

fn required(source: &impl Source, name: &'static str) -> Result<String, ConfigError> {
    source.get(name).ok_or(ConfigError::Missing(name))
}

fn address(source: &impl Source, name: &'static str) -> Result<Option<String>, ConfigError> {
    match source.get(name) {
        None => Ok(None),
        Some(address) if is_valid_email(&address) => Ok(Some(address)),
        Some(address) => Err(ConfigError::Invalid {
            name,
            why: format!("{address:?} is not an email address"),
        }),
    }
}

fn smtp(source: &impl Source, development: bool) -> Result<SmtpSettings, ConfigError> {
    let host = required(source, SMTP_HOST)?;
    let security = match source.get(SMTP_SECURITY).as_deref() {
        None => None,
        Some("tls") => Some(Security::Tls),
        Some("starttls") => Some(Security::StartTls),
        Some("none") => Some(Security::None),
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: SMTP_SECURITY,
                why: format!("{other:?} is not tls, starttls or none"),
            });
        }
    };
    let port = match source.get(SMTP_PORT) {
        None => match security {
            Some(Security::StartTls) => 587,
            _ => 465,
        },
        Some(text) => text.parse().map_err(|_| ConfigError::Invalid {
            name: SMTP_PORT,
            why: format!("{text:?} is not a port number"),
        })?,
    };
    if port == 25 {
        return Err(ConfigError::Invalid {
            name: SMTP_PORT,
            why: "Cloudflare Workers cannot connect to port 25; use 465 or 587".into(),
        });
    }
    // Without a word, the port says it: 465 is TLS from the start, anything else STARTTLS.
    let security = security.unwrap_or(if port == 465 {
        Security::Tls
    } else {
        Security::StartTls
    });
    let loopback = matches!(host.as_str(), "localhost" | "::1") || host.starts_with("127.");
    if security == Security::None && !(development && loopback) {
        return Err(ConfigError::Invalid {
            name: SMTP_SECURITY,
            why: "plain-text SMTP is only for a local catcher in a development environment".into(),
        });
    }
    let credentials = match (source.get(SMTP_USERNAME), source.get(SMTP_PASSWORD)) {
        (Some(username), Some(password)) => Some((username, password)),
        (None, None) => None,
        (Some(_), None) => return Err(ConfigError::Missing(SMTP_PASSWORD)),
        (None, Some(_)) => return Err(ConfigError::Missing(SMTP_USERNAME)),
    };
    Ok(SmtpSettings {
        host,
        port,
        security,
        credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Map;

    fn read(
        pairs: &[(&'static str, &'static str)],
        development: bool,
    ) -> Result<Option<MailSettings>, ConfigError> {
        MailSettings::read(&Map(pairs.iter().copied().collect()), development)
    }

    const SENDER: (&str, &str) = (MAIL_FROM, "tresorerie@amis-du-parc.fr");

    #[test]
    fn no_provider_means_no_mail() {
        assert_eq!(read(&[SENDER], false), Ok(None));
        let notices = Notices::read(&Map([(MAIL_TREASURER, "t@amis-du-parc.fr")].into()));
        assert_eq!(notices, Notices::default());
    }

    #[test]
    fn smtp_security_follows_the_port() {
        let settings = read(
            &[
                (MAIL_PROVIDER, "smtp"),
                SENDER,
                (SMTP_HOST, "ssl0.ovh.net"),
                (SMTP_USERNAME, "tresorerie@amis-du-parc.fr"),
                (SMTP_PASSWORD, "secret"),
            ],
            false,
        );
        let Ok(Some(MailSettings {
            provider: Provider::Smtp(smtp),
            ..
        })) = settings
        else {
            panic!("{settings:?}");
        };
        assert_eq!((smtp.port, smtp.security), (465, Security::Tls));

        let starttls = read(
            &[
                (MAIL_PROVIDER, "smtp"),
                SENDER,
                (SMTP_HOST, "mail.gandi.net"),
                (SMTP_PORT, "587"),
            ],
            false,
        );
        assert!(matches!(
            starttls,
            Ok(Some(MailSettings {
                provider: Provider::Smtp(SmtpSettings {
                    security: Security::StartTls,
                    ..
                }),
                ..
            }))
        ));
    }

    #[test]
    fn port_25_and_plain_text_are_refused() {
        let base = [(MAIL_PROVIDER, "smtp"), SENDER, (SMTP_HOST, "127.0.0.1")];
        let mut port_25 = base.to_vec();
        port_25.push((SMTP_PORT, "25"));
        assert!(matches!(
            read(&port_25, true),
            Err(ConfigError::Invalid {
                name: SMTP_PORT,
                ..
            })
        ));

        let mut plain = base.to_vec();
        plain.extend([(SMTP_PORT, "1025"), (SMTP_SECURITY, "none")]);
        assert!(matches!(
            read(&plain, false),
            Err(ConfigError::Invalid {
                name: SMTP_SECURITY,
                ..
            })
        ));
        assert!(read(&plain, true).is_ok_and(|settings| settings.is_some()));

        let mut remote = plain.clone();
        remote[2] = (SMTP_HOST, "smtp.example.org");
        assert!(matches!(
            read(&remote, true),
            Err(ConfigError::Invalid {
                name: SMTP_SECURITY,
                ..
            })
        ));
    }

    #[test]
    fn what_is_missing_or_wrong_is_named() {
        assert_eq!(
            read(&[(MAIL_PROVIDER, "brevo"), SENDER], false),
            Err(ConfigError::Missing(BREVO_API_KEY))
        );
        assert_eq!(
            read(
                &[(MAIL_PROVIDER, "mailjet"), SENDER, (MAILJET_API_KEY, "k")],
                false
            ),
            Err(ConfigError::Missing(MAILJET_SECRET_KEY))
        );
        assert_eq!(
            read(&[(MAIL_PROVIDER, "brevo"), (BREVO_API_KEY, "k")], false),
            Err(ConfigError::Missing(MAIL_FROM))
        );
        assert!(matches!(
            read(
                &[
                    (MAIL_PROVIDER, "brevo"),
                    (BREVO_API_KEY, "k"),
                    (MAIL_FROM, "pas-une-adresse")
                ],
                false
            ),
            Err(ConfigError::Invalid {
                name: MAIL_FROM,
                ..
            })
        ));
        assert!(matches!(
            read(&[(MAIL_PROVIDER, "sendmail"), SENDER], false),
            Err(ConfigError::Invalid {
                name: MAIL_PROVIDER,
                ..
            })
        ));
    }

    #[test]
    fn the_treasurer_chooses_a_language() {
        let notices = Notices::read(&Map([
            (MAIL_PROVIDER, "brevo"),
            (MAIL_TREASURER, "tresorier@amis-du-parc.fr"),
            (MAIL_TREASURER_LANGUAGE, "en"),
        ]
        .into()));
        assert_eq!(
            notices,
            Notices {
                donor: true,
                treasurer: Some(("tresorier@amis-du-parc.fr".into(), Locale::En)),
            }
        );
    }
}
