//! How often checkouts may be opened.
//!
//! Within a minute, the Workers Rate Limiting binding counts per client address and campaign,
//! without touching storage. Over an hour (per address) and a day (per email), D1 counts:
//! KV cannot, because it is eventually consistent and has no atomic increment. A counter's key
//! is a hash of what it counts, so no address or email is kept in it.

use sha2::{Digest, Sha256};

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

/// The binding's key for a client and a campaign.
pub fn minute_key(client: &str, campaign_id: i64) -> String {
    format!("checkout:{campaign_id}:{client}")
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
