//! A campaign as the public sees it: what it is for, which amounts it suggests, the limits a
//! donation must respect, and how much it has raised.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Currency, Money};

/// The longest campaign slug accepted in a URL or a `data-tirelire-campaign` attribute.
pub const MAX_SLUG_LEN: usize = 64;

/// A campaign's short name in URLs, such as `jardin-2026`: lower-case ASCII letters, digits and
/// single hyphens, neither first nor last.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CampaignSlug(String);

/// Why a text is not a campaign slug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("a campaign slug is 1 to {MAX_SLUG_LEN} lower-case letters, digits and single hyphens")]
pub struct InvalidSlug;

impl CampaignSlug {
    /// Checks that `text` is a well-formed slug.
    pub fn parse(text: &str) -> Result<Self, InvalidSlug> {
        let well_formed = !text.is_empty()
            && text.len() <= MAX_SLUG_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--");
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidSlug)
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CampaignSlug {
    type Error = InvalidSlug;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<CampaignSlug> for String {
    fn from(slug: CampaignSlug) -> Self {
        slug.0
    }
}

impl std::fmt::Display for CampaignSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The limits a donation to one campaign must respect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonationRules {
    /// The currency the campaign collects in.
    pub currency: Currency,
    /// The smallest accepted amount, in minor units.
    pub min_amount: i64,
    /// The largest accepted amount, in minor units.
    pub max_amount: i64,
}

impl DonationRules {
    /// The smallest accepted amount as money.
    pub fn min(&self) -> Money {
        Money::new(self.min_amount, self.currency)
    }

    /// The largest accepted amount as money.
    pub fn max(&self) -> Money {
        Money::new(self.max_amount, self.currency)
    }
}

/// What `GET /v1/campaigns/{slug}` returns: everything the widget shows before the donor types.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignView {
    /// The campaign's slug.
    pub slug: CampaignSlug,
    /// The association that runs the campaign.
    pub organisation: String,
    /// The campaign's title, e.g. "Un nouveau composteur pour le jardin".
    pub title: String,
    /// One or two sentences on what the money is for.
    pub description: String,
    /// The limits a donation must respect.
    pub rules: DonationRules,
    /// The amounts offered as one-tap choices, in minor units.
    pub preset_amounts: Vec<i64>,
    /// The amount the campaign hopes to reach, in minor units, if it has one.
    pub goal_amount: Option<i64>,
    /// The amount of paid donations so far, in minor units.
    pub raised_amount: i64,
    /// How many donations have been paid so far.
    pub donation_count: i64,
}

impl CampaignView {
    /// The amount raised so far as money.
    pub fn raised(&self) -> Money {
        Money::new(self.raised_amount, self.rules.currency)
    }

    /// The goal as money, if the campaign has one.
    pub fn goal(&self) -> Option<Money> {
        self.goal_amount
            .map(|minor| Money::new(minor, self.rules.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_slugs_are_accepted() {
        for slug in ["jardin-2026", "a", "fete-de-la-musique", "2026"] {
            assert!(CampaignSlug::parse(slug).is_ok(), "{slug}");
        }
    }

    #[test]
    fn malformed_slugs_are_refused() {
        let long = "a".repeat(MAX_SLUG_LEN + 1);
        for slug in [
            "",
            "Jardin",
            "jardin_2026",
            "-jardin",
            "jardin-",
            "a--b",
            "é",
            "a/b",
            &long,
        ] {
            assert_eq!(CampaignSlug::parse(slug), Err(InvalidSlug), "{slug}");
        }
    }

    #[test]
    fn slug_deserialization_validates() {
        assert!(serde_json::from_str::<CampaignSlug>("\"jardin-2026\"").is_ok());
        assert!(serde_json::from_str::<CampaignSlug>("\"../etc\"").is_err());
    }
}
