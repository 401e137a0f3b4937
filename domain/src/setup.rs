//! A campaign as the treasurer sets it up in the back-office, and the rules its settings follow.
//!
//! Kinds other than donations (membership, tickets, crowdfunding) will add their own settings
//! beside these; `kind` says which apply.

use serde::{Deserialize, Serialize};

use crate::offer::Offer;
use crate::wire::wire_names;
use crate::{CampaignSlug, Currency, Field, FieldError, FieldErrorCode, WebOrigin, clean_text};

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// The most amounts offered in one tap.
pub const MAX_PRESETS: usize = 6;
/// The smallest amount a campaign may accept, in minor units: card payments below 0,50 € cost
/// more than they bring.
pub const LOWEST_MINIMUM: i64 = 50;
/// The largest amount a campaign may accept, in minor units.
pub const HIGHEST_MAXIMUM: i64 = 100_000_000;
/// The most sites a campaign may allow.
pub const MAX_ORIGINS: usize = 20;

/// Where a campaign stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CampaignStatus {
    /// It collects.
    Open,
    /// It shows its total and thanks, and collects no more.
    Closed,
    /// It is gone from the sites; its payments stay in the lists and exports.
    Archived,
}

wire_names!(CampaignStatus {
    Open = "open",
    Closed = "closed",
    Archived = "archived",
});

impl CampaignStatus {
    /// Its name for a French treasurer.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Open => "Ouverte",
            Self::Closed => "Close",
            Self::Archived => "Archivée",
        }
    }
}

/// What a campaign collects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CampaignKind {
    /// Gifts, of an amount the donor chooses, once or every month.
    #[default]
    Donation,
    /// Memberships, in tiers, for a period.
    Membership,
    /// Tickets for an event, in rates, within a number of seats.
    Event,
    /// Contributions towards a goal by a date, with rewards.
    Crowdfunding,
}

wire_names!(CampaignKind {
    Donation = "donation",
    Membership = "membership",
    Event = "event",
    Crowdfunding = "crowdfunding",
});

impl CampaignKind {
    /// Its name for a French treasurer.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Donation => "Dons",
            Self::Membership => "Adhésions",
            Self::Event => "Billetterie",
            Self::Crowdfunding => "Financement participatif",
        }
    }
}

/// A campaign's settings (`GET` and `POST /v1/admin/campaigns/{slug}`, `POST
/// /v1/admin/campaigns`). Amounts are minor units of `currency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSetup {
    /// Its short name in addresses and snippets; fixed once created.
    pub slug: String,
    /// What it collects.
    #[serde(default)]
    pub kind: CampaignKind,
    /// Where it stands.
    pub status: CampaignStatus,
    /// Its title.
    pub title: String,
    /// One or two sentences on what the money is for.
    #[serde(default)]
    pub description: String,
    /// The currency it collects in.
    pub currency: Currency,
    /// The amounts offered in one tap.
    #[serde(default)]
    pub presets: Vec<i64>,
    /// The smallest amount accepted.
    pub min_amount: i64,
    /// The largest amount accepted.
    pub max_amount: i64,
    /// What it hopes to reach, if anything.
    #[serde(default)]
    pub goal_amount: Option<i64>,
    /// The sites whose pages may carry its form, as people write them; stored as browsers
    /// send them.
    #[serde(default)]
    pub origins: Vec<String>,
    /// What it offers besides a free amount, by kind: tiers, rates, rewards, questions, promo
    /// codes, fees, monthly gifts.
    #[serde(default)]
    pub offer: Offer,
}

impl CampaignSetup {
    /// The settings cleaned (texts trimmed, amounts sorted, origins in the form browsers send),
    /// or every field at fault.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field, code| errors.push(FieldError::new(field, code));
        if CampaignSlug::parse(&self.slug).is_err() {
            fail(Field::Slug, FieldErrorCode::Invalid);
        }
        self.title = clean_text(&self.title);
        if self.title.is_empty() {
            fail(Field::Title, FieldErrorCode::Required);
        } else if self.title.chars().count() > MAX_TITLE_CHARS {
            fail(Field::Title, FieldErrorCode::TooLong);
        }
        self.description = self.description.trim().to_owned();
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            fail(Field::Description, FieldErrorCode::TooLong);
        }
        if self.min_amount < LOWEST_MINIMUM {
            fail(Field::Minimum, FieldErrorCode::TooSmall);
        }
        if self.max_amount > HIGHEST_MAXIMUM {
            fail(Field::Maximum, FieldErrorCode::TooLarge);
        } else if self.max_amount < self.min_amount {
            fail(Field::Maximum, FieldErrorCode::TooSmall);
        }
        self.presets.sort_unstable();
        self.presets.dedup();
        if self.presets.len() > MAX_PRESETS {
            fail(Field::Presets, FieldErrorCode::TooLong);
        } else if self
            .presets
            .iter()
            .any(|amount| *amount < self.min_amount || *amount > self.max_amount)
        {
            fail(Field::Presets, FieldErrorCode::Invalid);
        }
        if self
            .goal_amount
            .is_some_and(|goal| goal <= 0 || goal > HIGHEST_MAXIMUM * 100)
        {
            fail(Field::Goal, FieldErrorCode::Invalid);
        } else if self.kind == CampaignKind::Crowdfunding && self.goal_amount.is_none() {
            fail(Field::Goal, FieldErrorCode::Required);
        }
        let mut origins = Vec::new();
        for written in self.origins.iter().map(|origin| origin.trim()) {
            if written.is_empty() {
                continue;
            }
            match WebOrigin::parse(written) {
                Ok(origin) if !origins.contains(&origin.as_str().to_owned()) => {
                    origins.push(origin.as_str().to_owned());
                }
                Ok(_) => {}
                Err(_) => fail(Field::Origins, FieldErrorCode::Invalid),
            }
        }
        if origins.len() > MAX_ORIGINS {
            fail(Field::Origins, FieldErrorCode::TooLong);
        }
        self.origins = origins;
        match std::mem::take(&mut self.offer).checked(self.kind) {
            Ok(offer) => self.offer = offer,
            Err(offer_errors) => errors.extend(offer_errors),
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            errors.dedup();
            Err(errors)
        }
    }
}

/// `POST /v1/admin/campaigns/{slug}/check` `{"url"}`: what the edge found on a page of the
/// association's site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCheck {
    /// The page.
    pub url: String,
    /// Its HTTP status, if it answered.
    pub status: Option<u16>,
    /// Whether the page holds the campaign's `<div data-tirelire-campaign>`.
    pub form_found: bool,
    /// Whether it loads the widget from this edge.
    pub script_found: bool,
    /// Whether its site is one of the campaign's allowed origins.
    pub origin_allowed: bool,
}

/// Whether `html` holds the form of the campaign called `slug`: its `div`, with the attribute
/// quoted either way.
pub fn page_has_form(html: &str, slug: &str) -> bool {
    ['"', '\'']
        .iter()
        .any(|quote| html.contains(&format!("data-tirelire-campaign={quote}{slug}{quote}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> CampaignSetup {
        CampaignSetup {
            slug: "kermesse-2027".into(),
            kind: CampaignKind::Donation,
            status: CampaignStatus::Open,
            title: "  La kermesse\u{200B} ".into(),
            description: "Pour les stands.".into(),
            currency: Currency::Eur,
            presets: vec![5000, 1000, 2000, 1000],
            min_amount: 500,
            max_amount: 100_000,
            goal_amount: Some(300_000),
            origins: vec![
                "HTTPS://Ecole.example:443/".into(),
                "https://ecole.example".into(),
                " ".into(),
                "http://localhost:8080".into(),
            ],
            offer: Offer::default(),
        }
    }

    #[test]
    fn good_settings_come_back_cleaned() {
        let checked = setup()
            .checked()
            .unwrap_or_else(|errors| panic!("{errors:?}"));
        assert_eq!(checked.title, "La kermesse");
        assert_eq!(checked.presets, [1000, 2000, 5000]);
        assert_eq!(
            checked.origins,
            ["https://ecole.example", "http://localhost:8080"]
        );
    }

    #[test]
    fn every_wrong_field_is_named() {
        let wrong = CampaignSetup {
            slug: "Kermesse 2027".into(),
            title: " ".into(),
            description: "x".repeat(MAX_DESCRIPTION_CHARS + 1),
            presets: vec![100],
            min_amount: 10,
            max_amount: 5,
            goal_amount: Some(0),
            origins: vec!["https://ecole.example/dons".into(), "null".into()],
            ..setup()
        };
        let fields: Vec<(Field, FieldErrorCode)> = wrong
            .checked()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|error| (error.field, error.code))
            .collect();
        assert_eq!(
            fields,
            [
                (Field::Slug, FieldErrorCode::Invalid),
                (Field::Title, FieldErrorCode::Required),
                (Field::Description, FieldErrorCode::TooLong),
                (Field::Minimum, FieldErrorCode::TooSmall),
                (Field::Maximum, FieldErrorCode::TooSmall),
                (Field::Presets, FieldErrorCode::Invalid),
                (Field::Goal, FieldErrorCode::Invalid),
                (Field::Origins, FieldErrorCode::Invalid),
            ]
        );
    }

    #[test]
    fn a_page_holds_the_form_with_either_quote_and_not_another_campaign_s() {
        assert!(page_has_form(
            "<div data-tirelire-campaign=\"kermesse\"></div>",
            "kermesse"
        ));
        assert!(page_has_form(
            "<div data-tirelire-campaign='kermesse'>",
            "kermesse"
        ));
        assert!(!page_has_form(
            "<div data-tirelire-campaign=\"kermesse-2\">",
            "kermesse"
        ));
        assert!(!page_has_form("<p>kermesse</p>", "kermesse"));
    }

    #[test]
    fn statuses_have_stable_names() {
        for &status in CampaignStatus::ALL {
            assert_eq!(CampaignStatus::from_name(status.name()), Some(status));
        }
        assert_eq!(
            serde_json::to_string(&CampaignStatus::Archived).unwrap_or_default(),
            "\"archived\""
        );
    }
}
