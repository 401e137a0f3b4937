//! A donor's submission and the one validation that both the widget and the edge run on it.
//!
//! Errors carry stable machine codes, never sentences: the widget turns them into text in the
//! donor's language, and API clients can rely on them.

use serde::{Deserialize, Serialize};

use crate::money::Money;

use crate::offer::{Answers, Choices, Pick, Priced, PromoCode};
use crate::wire::wire_names;
use crate::{CampaignView, DonationRules};

/// The longest first or last name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest email address accepted, in bytes (the limit of SMTP paths).
pub const MAX_EMAIL_LEN: usize = 254;
/// The longest consent wording accepted, in characters.
pub const MAX_CONSENT_CHARS: usize = 1000;
/// The version of the consent wording the widget shows. A new wording gets a new version, and
/// the edge stores the version and the words each donor agreed to.
pub const CONSENT_VERSION: &str = "2026-11";
/// Every consent version the edge accepts: the current one, and older ones for a widget still
/// cached in a donor's browser.
pub const KNOWN_CONSENT_VERSIONS: &[&str] = &[CONSENT_VERSION];

/// What the donor filled in, as sent by the widget. On the wire the amount is two fields,
/// `"amount": 2000, "currency": "EUR"`; a currency this version does not know is a malformed
/// request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SubmissionWire", into = "SubmissionWire")]
pub struct DonationSubmission {
    /// The amount. Its minor units are signed, so that a negative amount is reported as a
    /// field error rather than as a malformed request.
    pub amount: Money,
    /// The donor's first name.
    pub first_name: String,
    /// The donor's last name.
    pub last_name: String,
    /// Where the receipt and the PSP's confirmation go.
    pub email: String,
    /// Whether the donor agreed that the association keeps their details to handle the gift.
    pub consent: bool,
    /// The version of the consent wording the donor saw ([`CONSENT_VERSION`]).
    #[serde(default)]
    pub consent_version: String,
    /// The consent wording the donor saw, in their language, as shown.
    #[serde(default)]
    pub consent_text: String,
    /// What they picked besides the amount: tiers, rates or a reward, a monthly gift, fees
    /// covered, a promo code, answers.
    #[serde(default)]
    pub choices: Choices,
}

#[derive(Clone, Serialize, Deserialize)]
struct SubmissionWire {
    amount: i64,
    currency: crate::Currency,
    first_name: String,
    last_name: String,
    email: String,
    consent: bool,
    #[serde(default)]
    consent_version: String,
    #[serde(default)]
    consent_text: String,
    // The choices sit beside the donor's fields rather than in an object of their own; serde's
    // `flatten` would do it at a cost in the widget's size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    items: Vec<Pick>,
    #[serde(default, skip_serializing_if = "is_false")]
    monthly: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    cover_fees: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    promo_code: String,
    #[serde(default, skip_serializing_if = "Answers::is_empty")]
    answers: Answers,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl From<SubmissionWire> for DonationSubmission {
    fn from(wire: SubmissionWire) -> Self {
        Self {
            amount: Money::new(wire.amount, wire.currency),
            first_name: wire.first_name,
            last_name: wire.last_name,
            email: wire.email,
            consent: wire.consent,
            consent_version: wire.consent_version,
            consent_text: wire.consent_text,
            choices: Choices {
                items: wire.items,
                monthly: wire.monthly,
                cover_fees: wire.cover_fees,
                promo_code: wire.promo_code,
                answers: wire.answers,
            },
        }
    }
}

impl From<DonationSubmission> for SubmissionWire {
    fn from(submission: DonationSubmission) -> Self {
        Self {
            amount: submission.amount.minor,
            currency: submission.amount.currency,
            first_name: submission.first_name,
            last_name: submission.last_name,
            email: submission.email,
            consent: submission.consent,
            consent_version: submission.consent_version,
            consent_text: submission.consent_text,
            items: submission.choices.items,
            monthly: submission.choices.monthly,
            cover_fees: submission.choices.cover_fees,
            promo_code: submission.choices.promo_code,
            answers: submission.choices.answers,
        }
    }
}

/// A field of the donation form, or of a form of the back-office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The amount.
    Amount,
    /// The amount's currency.
    Currency,
    /// The first name.
    FirstName,
    /// The last name.
    LastName,
    /// The email address.
    Email,
    /// The consent checkbox.
    Consent,
    /// The date a payment was received (back-office).
    Date,
    /// A cheque's number or a transfer's reference (back-office).
    Reference,
    /// Why a payment is cancelled (back-office).
    Reason,
    /// A campaign's short name in addresses (back-office).
    Slug,
    /// A campaign's title (back-office).
    Title,
    /// A campaign's description (back-office).
    Description,
    /// The amounts a campaign offers in one tap (back-office).
    Presets,
    /// A campaign's smallest amount (back-office).
    Minimum,
    /// A campaign's largest amount (back-office).
    Maximum,
    /// A campaign's goal (back-office).
    Goal,
    /// The sites allowed to carry a campaign's form (back-office).
    Origins,
    /// The association's name (back-office).
    Name,
    /// The association's postal address (back-office).
    Address,
    /// The tiers, rates or rewards picked, or offered (back-office); `index` says which.
    Items,
    /// Whether the gift comes back every month.
    Monthly,
    /// The promo code typed.
    PromoCode,
    /// An answer to one of the campaign's own questions; `index` says which.
    Answer,
    /// An event's seats in all (back-office).
    Capacity,
    /// When sales open (back-office).
    OpensAt,
    /// When sales or a crowdfunding close (back-office).
    ClosesAt,
    /// How long a membership lasts (back-office).
    Validity,
    /// When renewal reminders go out (back-office).
    Reminders,
    /// The rule for the payment fees a donor may cover (back-office).
    Fee,
    /// The campaign's own questions (back-office); `index` says which.
    Questions,
    /// The promo codes a campaign accepts (back-office); `index` says which.
    PromoCodes,
}

wire_names!(Field {
    Amount = "amount",
    Currency = "currency",
    FirstName = "first_name",
    LastName = "last_name",
    Email = "email",
    Consent = "consent",
    Date = "date",
    Reference = "reference",
    Reason = "reason",
    Slug = "slug",
    Title = "title",
    Description = "description",
    Presets = "presets",
    Minimum = "minimum",
    Maximum = "maximum",
    Goal = "goal",
    Origins = "origins",
    Name = "name",
    Address = "address",
    Items = "items",
    Monthly = "monthly",
    PromoCode = "promo_code",
    Answer = "answer",
    Capacity = "capacity",
    OpensAt = "opens_at",
    ClosesAt = "closes_at",
    Validity = "validity",
    Reminders = "reminders",
    Fee = "fee",
    Questions = "questions",
    PromoCodes = "promo_codes",
});

/// What is wrong with a field. The serialized names are part of the public API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldErrorCode {
    /// The field is empty, or the box is not ticked.
    Required,
    /// The value does not have the expected form.
    Invalid,
    /// The text is longer than allowed.
    TooLong,
    /// The amount is below the campaign's minimum.
    TooSmall,
    /// The amount is above the campaign's maximum.
    TooLarge,
    /// The campaign does not collect in this currency.
    Unsupported,
    /// Nothing is left of it: the seats, the rewards or the uses of a code are all taken.
    SoldOut,
}

wire_names!(FieldErrorCode {
    Required = "required",
    Invalid = "invalid",
    TooLong = "too_long",
    TooSmall = "too_small",
    TooLarge = "too_large",
    Unsupported = "unsupported",
    SoldOut = "sold_out",
});

/// One problem with one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// The field at fault.
    pub field: Field,
    /// What is wrong with it.
    pub code: FieldErrorCode,
    /// For a field that is a list (the items of an order, a campaign's questions), the
    /// position of the entry at fault, counted from 0 in the campaign's own list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u16>,
}

impl FieldError {
    /// `code` on `field`.
    pub fn new(field: Field, code: FieldErrorCode) -> Self {
        Self {
            field,
            code,
            index: None,
        }
    }

    /// `code` on the entry at `index` of the list `field`.
    pub fn at(field: Field, index: usize, code: FieldErrorCode) -> Self {
        Self {
            field,
            code,
            index: u16::try_from(index).ok(),
        }
    }
}

/// A submission that passed validation, with its text cleaned and trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidDonation {
    /// The total to pay, in the campaign's currency: the sum of the lines.
    pub amount: Money,
    /// The first name, trimmed.
    pub first_name: String,
    /// The last name, trimmed.
    pub last_name: String,
    /// The email address, trimmed.
    pub email: String,
    /// The version of the consent wording the donor agreed to.
    pub consent_version: String,
    /// The words they agreed to, cleaned.
    pub consent_text: String,
    /// The order's lines, answers and holds.
    pub priced: Priced,
}

impl DonationSubmission {
    /// Checks every field against the campaign and reports all problems at once, in form
    /// order, so the donor can fix everything in one pass. `promo` is the campaign's code that
    /// matches the one typed, if any.
    pub fn validate(
        &self,
        campaign: &CampaignView,
        promo: Option<&PromoCode>,
    ) -> Result<ValidDonation, Vec<FieldError>> {
        let rules = &campaign.rules;
        let mut errors = Vec::new();
        let priced = if rules.currency() != self.amount.currency {
            errors.push(FieldError::new(
                Field::Currency,
                FieldErrorCode::Unsupported,
            ));
            Priced::default()
        } else {
            campaign.offer.price(
                campaign.kind,
                rules,
                self.amount.minor,
                &self.choices,
                promo,
                &mut errors,
            )
        };
        let mut fail = |field, code| errors.push(FieldError::new(field, code));
        let first_name = clean_text(&self.first_name);
        if let Some(code) = name_error(&first_name) {
            fail(Field::FirstName, code);
        }
        let last_name = clean_text(&self.last_name);
        if let Some(code) = name_error(&last_name) {
            fail(Field::LastName, code);
        }
        let email = self.email.trim();
        if let Some(code) = email_error(email) {
            fail(Field::Email, code);
        }
        let consent_text = clean_text(&self.consent_text);
        if !self.consent {
            fail(Field::Consent, FieldErrorCode::Required);
        } else if !KNOWN_CONSENT_VERSIONS.contains(&self.consent_version.as_str())
            || consent_text.is_empty()
            || consent_text.chars().count() > MAX_CONSENT_CHARS
        {
            fail(Field::Consent, FieldErrorCode::Invalid);
        }

        if errors.is_empty() {
            Ok(ValidDonation {
                amount: Money::new(priced.total(), rules.currency()),
                priced,
                first_name,
                last_name,
                email: email.to_owned(),
                consent_version: self.consent_version.clone(),
                consent_text,
            })
        } else {
            Err(errors)
        }
    }
}

/// Checks an amount the donor typed against the campaign's limits, as the form does before
/// anything is sent.
pub fn parse_amount(typed: &str, rules: &DonationRules) -> Result<Money, FieldErrorCode> {
    use crate::money::AmountParseError;
    let amount = Money::parse(typed, rules.currency()).map_err(|error| match error {
        AmountParseError::Empty => FieldErrorCode::Required,
        AmountParseError::Invalid => FieldErrorCode::Invalid,
        AmountParseError::TooLarge => FieldErrorCode::TooLarge,
    })?;
    if amount.minor < rules.min().minor {
        Err(FieldErrorCode::TooSmall)
    } else if amount.minor > rules.max().minor {
        Err(FieldErrorCode::TooLarge)
    } else {
        Ok(amount)
    }
}

/// Text as a donor meant it: without control characters, bidirectional overrides and marks,
/// or zero-width characters, which change how a name is shown (in the treasurer's lists, in a
/// receipt) without being part of it, and without surrounding spaces.
pub fn clean_text(text: &str) -> String {
    let kept: String = text.chars().filter(|c| !is_invisible(*c)).collect();
    kept.trim().to_owned()
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

fn name_error(name: &str) -> Option<FieldErrorCode> {
    if name.is_empty() {
        Some(FieldErrorCode::Required)
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(FieldErrorCode::TooLong)
    } else {
        None
    }
}

/// Whether `email` is an address the donation form accepts; the edge checks the addresses in
/// its mail settings with the same rule.
pub fn is_valid_email(email: &str) -> bool {
    email_error(email).is_none()
}

/// Email addresses follow the rule browsers apply to `<input type="email">` (the HTML
/// standard's "valid email address"), so the form and the edge never disagree, with one more
/// demand that PSPs make: the domain has at least two labels.
fn email_error(email: &str) -> Option<FieldErrorCode> {
    if email.is_empty() {
        return Some(FieldErrorCode::Required);
    }
    if email.len() > MAX_EMAIL_LEN {
        return Some(FieldErrorCode::TooLong);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Some(FieldErrorCode::Invalid);
    };
    const LOCAL_SPECIALS: &[u8] = b".!#$%&'*+/=?^_`{|}~-";
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(&b));
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let domain_ok = domain.split('.').count() >= 2 && domain.split('.').all(label_ok);
    if local_ok && domain_ok {
        None
    } else {
        Some(FieldErrorCode::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use crate::offer::{Line, LineKind};

    fn rules() -> DonationRules {
        DonationRules::new(Currency::Eur, 100, 1_000_000)
    }

    fn good() -> DonationSubmission {
        DonationSubmission {
            amount: Money::new(2000, Currency::Eur),
            first_name: "Camille".into(),
            last_name: "Dupont".into(),
            email: "camille.dupont@example.fr".into(),
            consent: true,
            consent_version: CONSENT_VERSION.into(),
            consent_text: "J'accepte que l'association conserve ces informations.".into(),
            choices: Choices::default(),
        }
    }

    fn campaign() -> CampaignView {
        let json = r#"{"slug":"jardin-2026","organisation":"A","title":"T","description":"",
            "rules":{"currency":"EUR","min_amount":100,"max_amount":1000000},
            "preset_amounts":[],"goal_amount":null,"raised_amount":0,"donation_count":0}"#;
        serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}"))
    }

    fn errors_of(submission: &DonationSubmission) -> Vec<FieldError> {
        submission
            .validate(&campaign(), None)
            .err()
            .unwrap_or_default()
    }

    fn only(field: Field, code: FieldErrorCode) -> Vec<FieldError> {
        vec![FieldError::new(field, code)]
    }

    #[test]
    fn good_submission_is_accepted_and_trimmed() {
        let mut submission = good();
        submission.first_name = "  Camille ".into();
        submission.email = " camille.dupont@example.fr\n".into();
        let valid = submission.validate(&campaign(), None);
        assert_eq!(
            valid,
            Ok(ValidDonation {
                amount: Money::new(2000, Currency::Eur),
                first_name: "Camille".into(),
                last_name: "Dupont".into(),
                email: "camille.dupont@example.fr".into(),
                consent_version: CONSENT_VERSION.into(),
                consent_text: "J'accepte que l'association conserve ces informations.".into(),
                priced: Priced {
                    lines: vec![Line {
                        kind: LineKind::Gift,
                        key: String::new(),
                        label: String::new(),
                        quantity: 1,
                        unit: 2000,
                        amount: 2000,
                    }],
                    ..Priced::default()
                },
            })
        );
    }

    #[test]
    fn amounts_outside_the_campaign_limits_are_refused() {
        for (amount, code) in [
            (0, FieldErrorCode::TooSmall),
            (-2000, FieldErrorCode::TooSmall),
            (99, FieldErrorCode::TooSmall),
            (1_000_001, FieldErrorCode::TooLarge),
            (i64::MAX, FieldErrorCode::TooLarge),
        ] {
            let submission = DonationSubmission {
                amount: Money::new(amount, Currency::Eur),
                ..good()
            };
            assert_eq!(
                errors_of(&submission),
                only(Field::Amount, code),
                "{amount}"
            );
        }
        for amount in [100, 1_000_000] {
            let submission = DonationSubmission {
                amount: Money::new(amount, Currency::Eur),
                ..good()
            };
            assert!(submission.validate(&campaign(), None).is_ok(), "{amount}");
        }
    }

    #[test]
    fn the_amount_travels_as_money_in_the_usual_json() {
        let json = serde_json::to_value(good()).unwrap_or_default();
        assert_eq!(json["amount"], 2000);
        assert_eq!(json["currency"], "EUR");
        let back: Result<DonationSubmission, _> = serde_json::from_value(json.clone());
        assert_eq!(back.ok(), Some(good()));
        let mut dollars = json;
        dollars["currency"] = serde_json::json!("USD");
        assert!(serde_json::from_value::<DonationSubmission>(dollars).is_err());
    }

    #[test]
    fn blank_names_are_required() {
        let submission = DonationSubmission {
            first_name: "   ".into(),
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::FirstName, FieldErrorCode::Required)
        );
        let submission = DonationSubmission {
            last_name: String::new(),
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::LastName, FieldErrorCode::Required)
        );
    }

    #[test]
    fn names_are_limited_in_characters_not_bytes() {
        let accented = "é".repeat(MAX_NAME_CHARS);
        let submission = DonationSubmission {
            first_name: accented.clone(),
            ..good()
        };
        assert!(submission.validate(&campaign(), None).is_ok());
        let submission = DonationSubmission {
            first_name: format!("{accented}é"),
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::FirstName, FieldErrorCode::TooLong)
        );
    }

    #[test]
    fn invisible_characters_are_cleaned_from_names() {
        for written in [
            "Du\u{0}pont",
            "Du\u{202E}pont",
            "\u{200B}Dupont\u{FEFF}",
            "\u{2066}Dupont\u{2069}",
            "Dup\u{200D}ont\n",
        ] {
            let submission = DonationSubmission {
                last_name: written.into(),
                ..good()
            };
            let valid = submission.validate(&campaign(), None);
            assert_eq!(
                valid.map(|donation| donation.last_name).as_deref(),
                Ok("Dupont"),
                "{written:?}"
            );
        }
        let accented = clean_text("  Éloïse  Müller-Nguyễn ");
        assert_eq!(accented, "Éloïse  Müller-Nguyễn");
    }

    #[test]
    fn a_name_of_invisible_characters_only_is_required() {
        let submission = DonationSubmission {
            first_name: "\u{200B}\u{202E}\u{0}".into(),
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::FirstName, FieldErrorCode::Required)
        );
    }

    #[test]
    fn consent_needs_a_known_wording() {
        for (version, text) in [
            ("1999-01", "J'accepte."),
            ("", "J'accepte."),
            (CONSENT_VERSION, "  "),
        ] {
            let submission = DonationSubmission {
                consent_version: version.into(),
                consent_text: text.into(),
                ..good()
            };
            assert_eq!(
                errors_of(&submission),
                only(Field::Consent, FieldErrorCode::Invalid),
                "{version:?} {text:?}"
            );
        }
        let submission = DonationSubmission {
            consent_text: "x".repeat(MAX_CONSENT_CHARS + 1),
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::Consent, FieldErrorCode::Invalid)
        );
    }

    #[test]
    fn malformed_emails_are_invalid() {
        for email in [
            "camille",
            "camille@",
            "@example.fr",
            "camille@example",
            "camille@@example.fr",
            "cam ille@example.fr",
            "camille@exa_mple.fr",
            "camille@-example.fr",
            "camille@example..fr",
            "<camille@example.fr>",
        ] {
            let submission = DonationSubmission {
                email: email.into(),
                ..good()
            };
            assert_eq!(
                errors_of(&submission),
                only(Field::Email, FieldErrorCode::Invalid),
                "{email}"
            );
        }
    }

    #[test]
    fn unusual_but_valid_emails_are_accepted() {
        for email in ["a+dons@example.fr", "o'brien@mail.example.org", "x@a-b.co"] {
            let submission = DonationSubmission {
                email: email.into(),
                ..good()
            };
            assert!(submission.validate(&campaign(), None).is_ok(), "{email}");
        }
    }

    #[test]
    fn over_long_email_is_too_long() {
        let email = format!("{}@example.fr", "a".repeat(MAX_EMAIL_LEN));
        let submission = DonationSubmission { email, ..good() };
        assert_eq!(
            errors_of(&submission),
            only(Field::Email, FieldErrorCode::TooLong)
        );
    }

    #[test]
    fn missing_consent_is_required() {
        let submission = DonationSubmission {
            consent: false,
            ..good()
        };
        assert_eq!(
            errors_of(&submission),
            only(Field::Consent, FieldErrorCode::Required)
        );
    }

    #[test]
    fn every_problem_is_reported_in_form_order() {
        let blank = DonationSubmission {
            amount: Money::new(0, Currency::Eur),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            consent: false,
            consent_version: String::new(),
            consent_text: String::new(),
            choices: Choices::default(),
        };
        let fields: Vec<Field> = errors_of(&blank)
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(
            fields,
            [
                Field::Amount,
                Field::FirstName,
                Field::LastName,
                Field::Email,
                Field::Consent
            ]
        );
    }

    #[test]
    fn typed_amount_is_checked_against_the_limits() {
        assert_eq!(
            parse_amount("20", &rules()),
            Ok(Money::new(2000, Currency::Eur))
        );
        assert_eq!(parse_amount("", &rules()), Err(FieldErrorCode::Required));
        assert_eq!(
            parse_amount("vingt", &rules()),
            Err(FieldErrorCode::Invalid)
        );
        assert_eq!(
            parse_amount("0,50", &rules()),
            Err(FieldErrorCode::TooSmall)
        );
        assert_eq!(
            parse_amount("10 000,01", &rules()),
            Err(FieldErrorCode::TooLarge)
        );
        assert_eq!(parse_amount("1e99", &rules()), Err(FieldErrorCode::Invalid));
    }

    #[test]
    fn error_codes_serialize_to_their_stable_names() {
        let error = FieldError::new(Field::FirstName, FieldErrorCode::TooLong);
        assert_eq!(
            serde_json::to_string(&error).ok().as_deref(),
            Some(r#"{"field":"first_name","code":"too_long"}"#)
        );
    }
}
