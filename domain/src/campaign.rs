//! A campaign as the public sees it: what it is for, which amounts it suggests, the limits a
//! donation must respect, and how much it has raised.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::offer::OfferView;
use crate::setup::CampaignKind;
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
            && !text.split('-').any(str::is_empty);
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

/// The limits a donation to one campaign must respect, in the campaign's currency.
///
/// On the wire: `{"currency": "EUR", "min_amount": 100, "max_amount": 1000000}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RulesWire", into = "RulesWire")]
pub struct DonationRules {
    min: Money,
    max: Money,
}

impl DonationRules {
    /// The limits of a campaign in `currency`, in its minor units.
    pub fn new(currency: Currency, min_minor: i64, max_minor: i64) -> Self {
        Self {
            min: Money::new(min_minor, currency),
            max: Money::new(max_minor, currency),
        }
    }

    /// The currency the campaign collects in.
    pub fn currency(&self) -> Currency {
        self.min.currency
    }

    /// The smallest accepted amount.
    pub fn min(&self) -> Money {
        self.min
    }

    /// The largest accepted amount.
    pub fn max(&self) -> Money {
        self.max
    }
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct RulesWire {
    currency: Currency,
    min_amount: i64,
    max_amount: i64,
}

impl From<RulesWire> for DonationRules {
    fn from(wire: RulesWire) -> Self {
        Self::new(wire.currency, wire.min_amount, wire.max_amount)
    }
}

impl From<DonationRules> for RulesWire {
    fn from(rules: DonationRules) -> Self {
        Self {
            currency: rules.currency(),
            min_amount: rules.min.minor,
            max_amount: rules.max.minor,
        }
    }
}

/// What `GET /v1/campaigns/{slug}` returns: everything the widget shows before the donor types.
///
/// Every amount is [`Money`]; on the wire they are minor units in the currency of `rules`
/// (`preset_amounts`, `goal_amount`, `raised_amount`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ViewWire", into = "ViewWire")]
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
    /// The amounts offered as one-tap choices.
    pub presets: Vec<Money>,
    /// The amount the campaign hopes to reach, if it has one.
    pub goal: Option<Money>,
    /// The amount of paid donations so far, less what went back to donors.
    pub raised: Money,
    /// How many donations count so far.
    pub donation_count: i64,
    /// Whether the campaign has stopped collecting: the form gives way to thanks.
    pub closed: bool,
    /// What it collects.
    pub kind: CampaignKind,
    /// Its tiers, rates or rewards, questions and options, as the public sees them.
    pub offer: OfferView,
    /// What the edge asks of a checkout and where it may send the donor; set by the edge for
    /// each answer, from its own settings.
    pub checkout: CheckoutPolicy,
}

#[derive(Clone, Serialize, Deserialize)]
struct ViewWire {
    slug: CampaignSlug,
    organisation: String,
    title: String,
    description: String,
    rules: DonationRules,
    preset_amounts: Vec<i64>,
    goal_amount: Option<i64>,
    raised_amount: i64,
    donation_count: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    closed: bool,
    #[serde(default)]
    kind: CampaignKind,
    #[serde(default)]
    offer: OfferView,
    #[serde(default)]
    checkout: CheckoutPolicy,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl From<ViewWire> for CampaignView {
    fn from(wire: ViewWire) -> Self {
        let currency = wire.rules.currency();
        let money = |minor| Money::new(minor, currency);
        Self {
            slug: wire.slug,
            organisation: wire.organisation,
            title: wire.title,
            description: wire.description,
            rules: wire.rules,
            presets: wire.preset_amounts.into_iter().map(money).collect(),
            goal: wire.goal_amount.map(money),
            raised: money(wire.raised_amount),
            donation_count: wire.donation_count,
            closed: wire.closed,
            kind: wire.kind,
            offer: wire.offer,
            checkout: wire.checkout,
        }
    }
}

impl From<CampaignView> for ViewWire {
    fn from(view: CampaignView) -> Self {
        Self {
            slug: view.slug,
            organisation: view.organisation,
            title: view.title,
            description: view.description,
            rules: view.rules,
            preset_amounts: view.presets.iter().map(|money| money.minor).collect(),
            goal_amount: view.goal.map(|money| money.minor),
            raised_amount: view.raised.minor,
            donation_count: view.donation_count,
            closed: view.closed,
            kind: view.kind,
            offer: view.offer,
            checkout: view.checkout,
        }
    }
}

/// `GET /v1/campaigns/{slug}/progress`: an open feed of how a campaign is doing, for the
/// widget's bar and for anyone else (a stream overlay, the association's home page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The currency of the amounts.
    pub currency: Currency,
    /// What was raised, in minor units, less what went back.
    pub raised: i64,
    /// The goal, in minor units, if there is one.
    pub goal: Option<i64>,
    /// `raised` as a whole percentage of `goal` (it may pass 100).
    pub percent: Option<u32>,
    /// How many paid orders count.
    pub contributors: i64,
    /// When it ends, in Unix seconds, if it does.
    pub closes_at: Option<i64>,
    /// Whole days left before it ends (0 on its last day and after).
    pub days_left: Option<u32>,
    /// Whether it still collects.
    pub open: bool,
}

impl Progress {
    /// The progress of `view` at `now`.
    pub fn of(view: &CampaignView, now: i64) -> Self {
        let goal = view.goal.map(|goal| goal.minor);
        Self {
            currency: view.rules.currency(),
            raised: view.raised.minor,
            goal,
            percent: goal.filter(|goal| *goal > 0).map(|goal| {
                u32::try_from(view.raised.minor.max(0) * 100 / goal).unwrap_or(u32::MAX)
            }),
            contributors: view.donation_count,
            closes_at: view.offer.closes_at,
            days_left: view
                .offer
                .closes_at
                .map(|closes| u32::try_from((closes - now).max(0) / 86_400).unwrap_or(0)),
            open: !view.closed,
        }
    }
}

/// The edge's conditions for a checkout, which the widget follows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPolicy {
    /// The origins of the payment provider's pages (`https://checkout.stripe.com`). The widget
    /// sends the donor to no other place.
    pub payment_origins: Vec<String>,
    /// Whether a checkout must carry a challenge token (Cloudflare Turnstile), which the
    /// widget obtains from the edge's challenge page.
    pub challenge: bool,
    /// The shortest time, in milliseconds, between showing the form and sending it. People
    /// take longer; scripts that post at once are refused.
    pub min_fill_ms: u32,
}

impl CheckoutPolicy {
    /// Whether the donor may be sent to a page on `origin`, as serialized by a URL parser
    /// (`https://checkout.stripe.com`): it must be one of the provider's, and `https`, or plain
    /// `http` only on loopback, where a local simulator stands in for the provider.
    pub fn allows_payment_origin(&self, origin: &str) -> bool {
        let loopback = origin
            .strip_prefix("http://")
            .map(|host| host.rsplit_once(':').map_or(host, |(host, _port)| host))
            .is_some_and(|host| matches!(host, "127.0.0.1" | "localhost" | "[::1]"));
        (origin.starts_with("https://") || loopback)
            && self.payment_origins.iter().any(|allowed| allowed == origin)
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

    fn policy(origins: &[&str]) -> CheckoutPolicy {
        CheckoutPolicy {
            payment_origins: origins.iter().map(|origin| (*origin).to_owned()).collect(),
            ..CheckoutPolicy::default()
        }
    }

    #[test]
    fn payment_pages_on_the_providers_origin_are_allowed() {
        let stripe = policy(&["https://checkout.stripe.com"]);
        assert!(stripe.allows_payment_origin("https://checkout.stripe.com"));
        let simulator = policy(&["http://127.0.0.1:12111"]);
        assert!(simulator.allows_payment_origin("http://127.0.0.1:12111"));
    }

    #[test]
    fn every_other_destination_is_refused() {
        let stripe = policy(&["https://checkout.stripe.com", "http://checkout.example"]);
        for origin in [
            "null",
            "http://checkout.stripe.com",
            "https://checkout.stripe.com.evil.example",
            "https://evil.example",
            "http://checkout.example",
            "",
        ] {
            assert!(!stripe.allows_payment_origin(origin), "{origin}");
        }
        assert!(!CheckoutPolicy::default().allows_payment_origin("https://checkout.stripe.com"));
    }

    #[test]
    fn the_view_keeps_its_json_shape_with_money_inside() {
        let json = r#"{"slug":"jardin-2026","organisation":"A","title":"T","description":"",
            "rules":{"currency":"EUR","min_amount":100,"max_amount":500000},
            "preset_amounts":[1000,2000],"goal_amount":150000,"raised_amount":2050,
            "donation_count":2}"#;
        let view: Result<CampaignView, _> = serde_json::from_str(json);
        let view = view.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(view.raised, Money::new(2050, Currency::Eur));
        assert_eq!(view.goal, Some(Money::new(150_000, Currency::Eur)));
        assert_eq!(view.presets[1], Money::new(2000, Currency::Eur));
        assert_eq!(view.rules.min(), Money::new(100, Currency::Eur));
        let back = serde_json::to_value(&view).unwrap_or_default();
        assert_eq!(back["raised_amount"], 2050);
        assert_eq!(back["rules"]["max_amount"], 500_000);
        assert_eq!(back["rules"]["currency"], "EUR");
    }

    #[test]
    fn slug_deserialization_validates() {
        assert!(serde_json::from_str::<CampaignSlug>("\"jardin-2026\"").is_ok());
        assert!(serde_json::from_str::<CampaignSlug>("\"../etc\"").is_err());
    }
}
