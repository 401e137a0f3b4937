//! The edge's settings: plain variables from `wrangler.toml` (`[vars]`) and the secrets the
//! deployer sets with `wrangler secret put` (or `.dev.vars` locally). None is ever committed.
//!
//! Settings are read from a lookup function, so that their rules (defaults, what only a
//! development environment may change) are tested on the host.

use thiserror::Error;
use worker::Env;

use crate::guard::{Limits, TurnstileSettings};
use crate::psp::PaymentProvider;
use crate::psp::stripe::{self, Stripe, StripeConfigError};

/// `development` lets the PSP and Turnstile point at local stand-ins; anything else is
/// production.
const ENVIRONMENT: &str = "ENVIRONMENT";
/// Which provider takes payments; `stripe` is the only one yet.
const PAYMENT_PROVIDER: &str = "PAYMENT_PROVIDER";
const STRIPE_API_BASE: &str = "STRIPE_API_BASE";
const STRIPE_SECRET_KEY: &str = "STRIPE_SECRET_KEY";
const STRIPE_WEBHOOK_SECRET: &str = "STRIPE_WEBHOOK_SECRET";
const TURNSTILE_SITE_KEY: &str = "TURNSTILE_SITE_KEY";
const TURNSTILE_SECRET_KEY: &str = "TURNSTILE_SECRET_KEY";
const TURNSTILE_VERIFY_URL: &str = "TURNSTILE_VERIFY_URL";
const TURNSTILE_SCRIPT_URL: &str = "TURNSTILE_SCRIPT_URL";
const CHECKOUTS_PER_IP_HOUR: &str = "CHECKOUTS_PER_IP_HOUR";
const CHECKOUTS_PER_EMAIL_DAY: &str = "CHECKOUTS_PER_EMAIL_DAY";
const MIN_FILL_SECONDS: &str = "MIN_FILL_SECONDS";
const PSP_TIMEOUT_MS: &str = "PSP_TIMEOUT_MS";
const RETENTION_DAYS: &str = "RETENTION_DAYS";

/// Why the settings cannot be used. The message names the setting, for the deployer's log.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required setting or secret is missing.
    #[error("the {0} setting is missing")]
    Missing(&'static str),
    /// A setting has a value the edge cannot use.
    #[error("the {name} setting is wrong: {why}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// What is wrong.
        why: String,
    },
}

/// Where settings come from: a variable or secret by name, `None` when unset or empty.
pub trait Source {
    /// The value of the setting `name`.
    fn get(&self, name: &str) -> Option<String>;
}

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        let value = self
            .secret(name)
            .map(|secret| secret.to_string())
            .or_else(|_| self.var(name).map(|var| var.to_string()))
            .ok()?;
        let value = value.trim().to_owned();
        (!value.is_empty()).then_some(value)
    }
}

/// The settings that do not need the PSP's secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Whether local stand-ins are allowed.
    pub development: bool,
    /// The checkout limits.
    pub limits: Limits,
    /// Turnstile, when the deployment has keys.
    pub turnstile: Option<TurnstileSettings>,
    /// How long to wait for the PSP, per attempt.
    pub psp_timeout_ms: u32,
    /// After how many days the personal data of orders that were never paid is erased.
    pub retention_days: u32,
}

impl Settings {
    /// Reads the settings.
    pub fn read(source: &impl Source) -> Result<Self, ConfigError> {
        let development = match source.get(ENVIRONMENT).as_deref() {
            None | Some("production") => false,
            Some("development") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: ENVIRONMENT,
                    why: format!("{other:?} is neither production nor development"),
                });
            }
        };
        let limits = Limits {
            per_ip_hour: number(source, CHECKOUTS_PER_IP_HOUR, Limits::DEFAULT.per_ip_hour)?,
            per_email_day: number(
                source,
                CHECKOUTS_PER_EMAIL_DAY,
                Limits::DEFAULT.per_email_day,
            )?,
            min_fill_ms: number(source, MIN_FILL_SECONDS, Limits::DEFAULT.min_fill_ms / 1000)?
                .saturating_mul(1000),
        };
        Ok(Self {
            development,
            limits,
            turnstile: turnstile(source, development)?,
            psp_timeout_ms: number(source, PSP_TIMEOUT_MS, 8_000)?,
            retention_days: number(source, RETENTION_DAYS, 30)?,
        })
    }
}

fn number(source: &impl Source, name: &'static str, default: u32) -> Result<u32, ConfigError> {
    match source.get(name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| ConfigError::Invalid {
            name,
            why: format!("{text:?} is not a whole number"),
        }),
    }
}

fn turnstile(
    source: &impl Source,
    development: bool,
) -> Result<Option<TurnstileSettings>, ConfigError> {
    let (site_key, secret_key) = match (
        source.get(TURNSTILE_SITE_KEY),
        source.get(TURNSTILE_SECRET_KEY),
    ) {
        (None, None) => return Ok(None),
        (Some(site_key), Some(secret_key)) => (site_key, secret_key),
        (Some(_), None) => return Err(ConfigError::Missing(TURNSTILE_SECRET_KEY)),
        (None, Some(_)) => return Err(ConfigError::Missing(TURNSTILE_SITE_KEY)),
    };
    let mut settings = TurnstileSettings::cloudflare(site_key, secret_key);
    for (name, slot) in [
        (TURNSTILE_VERIFY_URL, &mut settings.verify_url),
        (TURNSTILE_SCRIPT_URL, &mut settings.script_url),
    ] {
        if let Some(url) = source.get(name) {
            if !development && url != *slot {
                return Err(ConfigError::Invalid {
                    name,
                    why: "only a development environment may point Turnstile elsewhere".into(),
                });
            }
            *slot = url;
        }
    }
    Ok(Some(settings))
}

/// The payment provider of this deployment.
pub fn provider(
    source: &impl Source,
    settings: &Settings,
) -> Result<Box<dyn PaymentProvider>, ConfigError> {
    match source.get(PAYMENT_PROVIDER).as_deref() {
        None | Some("stripe") => {}
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: PAYMENT_PROVIDER,
                why: format!("{other:?} is not a provider this edge knows"),
            });
        }
    }
    let api_base = source
        .get(STRIPE_API_BASE)
        .unwrap_or_else(|| stripe::DEFAULT_API_BASE.to_owned());
    let secret_key = source
        .get(STRIPE_SECRET_KEY)
        .ok_or(ConfigError::Missing(STRIPE_SECRET_KEY))?;
    let stripe = Stripe::new(
        &api_base,
        &secret_key,
        source.get(STRIPE_WEBHOOK_SECRET),
        settings.development,
    )
    .map_err(|error| {
        let name = match error {
            StripeConfigError::NotASecretKey => STRIPE_SECRET_KEY,
            StripeConfigError::NotAUrl | StripeConfigError::Insecure => STRIPE_API_BASE,
        };
        ConfigError::Invalid {
            name,
            why: error.to_string(),
        }
    })?;
    Ok(Box::new(stripe))
}

/// Settings from a list of pairs, for host tests.
#[cfg(test)]
pub struct Map(pub std::collections::HashMap<&'static str, &'static str>);

#[cfg(test)]
impl Source for Map {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|value| (*value).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(pairs: &[(&'static str, &'static str)]) -> Map {
        Map(pairs.iter().copied().collect())
    }

    #[test]
    fn defaults_are_production_and_sensible_limits() {
        let settings = Settings::read(&source(&[]));
        assert_eq!(
            settings,
            Ok(Settings {
                development: false,
                limits: Limits::DEFAULT,
                turnstile: None,
                psp_timeout_ms: 8_000,
                retention_days: 30,
            })
        );
    }

    #[test]
    fn limits_are_settings() {
        let settings = Settings::read(&source(&[
            (CHECKOUTS_PER_IP_HOUR, "100"),
            (CHECKOUTS_PER_EMAIL_DAY, "3"),
            (MIN_FILL_SECONDS, "0"),
        ]))
        .map(|settings| settings.limits);
        assert_eq!(
            settings,
            Ok(Limits {
                per_ip_hour: 100,
                per_email_day: 3,
                min_fill_ms: 0
            })
        );
        assert!(matches!(
            Settings::read(&source(&[(CHECKOUTS_PER_IP_HOUR, "lots")])),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn turnstile_needs_both_keys() {
        assert_eq!(
            Settings::read(&source(&[(TURNSTILE_SITE_KEY, "1x00000000000000000000AA")])),
            Err(ConfigError::Missing(TURNSTILE_SECRET_KEY))
        );
        let settings = Settings::read(&source(&[
            (TURNSTILE_SITE_KEY, "1x00000000000000000000AA"),
            (TURNSTILE_SECRET_KEY, "1x0000000000000000000000000000000AA"),
        ]));
        let turnstile = settings.ok().and_then(|settings| settings.turnstile);
        assert_eq!(
            turnstile.map(|t| t.verify_url),
            Some(crate::guard::turnstile::SITEVERIFY_URL.to_owned())
        );
    }

    #[test]
    fn only_development_may_point_turnstile_elsewhere() {
        let keys = [
            (TURNSTILE_SITE_KEY, "1x00000000000000000000AA"),
            (TURNSTILE_SECRET_KEY, "1x0000000000000000000000000000000AA"),
            (TURNSTILE_VERIFY_URL, "http://127.0.0.1:9/siteverify"),
        ];
        assert!(matches!(
            Settings::read(&source(&keys)),
            Err(ConfigError::Invalid {
                name: TURNSTILE_VERIFY_URL,
                ..
            })
        ));
        let mut dev = keys.to_vec();
        dev.push((ENVIRONMENT, "development"));
        let turnstile = Settings::read(&source(&dev)).ok().and_then(|s| s.turnstile);
        assert_eq!(
            turnstile.map(|t| t.verify_url),
            Some("http://127.0.0.1:9/siteverify".to_owned())
        );
    }

    #[test]
    fn only_development_may_use_plain_http_for_the_psp() {
        let pairs = [
            (STRIPE_API_BASE, "http://127.0.0.1:12111"),
            (STRIPE_SECRET_KEY, "sk_test_1"),
        ];
        let production = source(&pairs);
        let settings = Settings::read(&production).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            provider(&production, &settings).err(),
            Some(ConfigError::Invalid {
                name: STRIPE_API_BASE,
                ..
            })
        ));
        let mut dev = pairs.to_vec();
        dev.push((ENVIRONMENT, "development"));
        let development = source(&dev);
        let settings = Settings::read(&development).unwrap_or_else(|e| panic!("{e}"));
        assert!(provider(&development, &settings).is_ok());
    }

    #[test]
    fn a_missing_key_is_named() {
        let empty = source(&[]);
        let settings = Settings::read(&empty).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            provider(&empty, &settings).err(),
            Some(ConfigError::Missing(STRIPE_SECRET_KEY))
        ));
    }
}
