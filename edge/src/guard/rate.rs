//! How often checkouts may be opened, and promo codes tried.
//!
//! Within a minute, the Workers Rate Limiting binding counts per client address and campaign,
//! without touching storage: checkouts, and apart from them, promo-code lookups, so that codes
//! cannot be found by trying many. Over an hour (per address) and a day (per email), D1 counts:
//! KV cannot, because it is eventually consistent and has no atomic increment. A counter's key
//! is a hash of what it counts, so no address or email is kept in it.

use sha2::{Digest, Sha256};
use worker::{Env, console_warn};

use crate::error::EdgeError;

/// The checkout limits, settings of the deployment. A limit of 0 turns that limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Checkouts per client address per hour, all campaigns together.
    pub per_ip_hour: u32,
    /// Checkouts per email address per day, all campaigns together.
    pub per_email_day: u32,
    /// The shortest time between showing the form and sending it, in milliseconds.
    pub min_fill_ms: u32,
}

impl Limits {
    /// Generous for people (a family giving from one home connection, a donor fixing a typo),
    /// tight for a script trying stolen cards.
    pub const DEFAULT: Self = Self {
        per_ip_hour: 30,
        per_email_day: 10,
        min_fill_ms: 3_000,
    };
}

/// The name of the Rate Limiting binding in `wrangler.toml`. Its limit and its 60-second
/// period are set there.
pub const BINDING: &str = "CHECKOUT_LIMITER";
/// The binding's period, which a refusal asks the client to wait.
pub const BINDING_PERIOD_SECS: i64 = 60;

/// The binding's key for what a client does (`checkout`, `promo`) on a campaign.
pub fn minute_key(what: &str, client: Option<&str>, campaign_id: i64) -> String {
    format!("{what}:{campaign_id}:{}", client.unwrap_or("unknown"))
}

/// The Rate Limiting binding's verdict for `key`; `what` names the limit in a refusal.
/// Without the binding (an old `wrangler.toml`), a checkout's longer limits in D1 still hold;
/// the gap is logged.
pub async fn limit_per_minute(env: &Env, key: String, what: &'static str) -> Result<(), EdgeError> {
    let Ok(limiter) = env.rate_limiter(BINDING) else {
        console_warn!("the {BINDING} binding is missing; nothing is limited per minute");
        return Ok(());
    };
    match limiter.limit(key).await {
        Ok(outcome) if outcome.success => Ok(()),
        Ok(_) => Err(EdgeError::RateLimited {
            what,
            retry_after: BINDING_PERIOD_SECS,
        }),
        Err(error) => {
            console_warn!("the rate limiter failed, letting the request through: {error}");
            Ok(())
        }
    }
}

/// One window of a D1 counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The counter's key: what is counted, hashed.
    pub key: String,
    /// When the window started, in Unix seconds.
    pub start: i64,
    /// When it ends.
    pub end: i64,
    /// How many checkouts it allows.
    pub limit: u32,
}

impl Window {
    fn new(kind: &str, subject: &str, now: i64, length: i64, limit: u32) -> Self {
        let start = now - now.rem_euclid(length);
        let digest = Sha256::new()
            .chain_update(kind.as_bytes())
            .chain_update([0])
            .chain_update(subject.as_bytes())
            .finalize();
        Self {
            key: format!(
                "{kind}:{}",
                hex::encode(digest.get(..16).unwrap_or_default())
            ),
            start,
            end: start + length,
            limit,
        }
    }

    /// The hour window for a client address.
    pub fn ip_hour(client: &str, now: i64, limits: &Limits) -> Self {
        Self::new("ip-hour", client, now, 3600, limits.per_ip_hour)
    }

    /// The day window for an email address, whatever its case.
    pub fn email_day(email: &str, now: i64, limits: &Limits) -> Self {
        Self::new(
            "email-day",
            &email.to_lowercase(),
            now,
            86_400,
            limits.per_email_day,
        )
    }

    /// Seconds until the window ends, for `Retry-After`.
    pub fn retry_after(&self, now: i64) -> i64 {
        (self.end - now).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_123;

    #[test]
    fn windows_are_aligned_and_end_on_time() {
        let hour = Window::ip_hour("203.0.113.9", NOW, &Limits::DEFAULT);
        assert_eq!(hour.start % 3600, 0);
        assert_eq!(hour.end - hour.start, 3600);
        assert!((hour.start..hour.end).contains(&NOW));
        assert_eq!(hour.retry_after(NOW), hour.end - NOW);
        assert_eq!(hour.limit, Limits::DEFAULT.per_ip_hour);
    }

    #[test]
    fn keys_hide_what_they_count_and_ignore_case() {
        let one = Window::email_day("Camille@Example.fr", NOW, &Limits::DEFAULT);
        let two = Window::email_day("camille@example.fr", NOW, &Limits::DEFAULT);
        assert_eq!(one.key, two.key);
        assert!(!one.key.contains("camille"));
        assert!(one.key.starts_with("email-day:"));
        let other = Window::email_day("sam@example.fr", NOW, &Limits::DEFAULT);
        assert_ne!(one.key, other.key);
        assert_ne!(
            Window::ip_hour("1.2.3.4", NOW, &Limits::DEFAULT).key,
            Window::email_day("1.2.3.4", NOW, &Limits::DEFAULT).key
        );
    }
}
