//! The donation form's state, the actions that change it, and the one validation it runs,
//! which is the domain's.

use std::rc::Rc;

use tirelire_domain::offer::{Choices, Pick, Priced, PromoCode};
use tirelire_domain::setup::CampaignKind;
use tirelire_domain::{
    CONSENT_VERSION, CampaignView, DonationRules, DonationSubmission, Field, FieldError,
    FieldErrorCode, Money, parse_amount,
};
use yew::Reducible;

/// Which amount the donor picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountChoice {
    /// One of the campaign's preset amounts.
    Preset(Money),
    /// The free amount they type.
    Custom,
}

/// Where the submission stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// The donor is filling the form.
    Editing,
    /// The checkout request is on its way.
    Submitting,
    /// The payment page is opening.
    Redirecting,
    /// The checkout failed; the message says why.
    Failed(&'static str),
}

/// Everything the form shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FormState {
    /// The campaign.
    pub campaign: Rc<CampaignView>,
    /// The campaign's limits.
    pub rules: DonationRules,
    /// What the donor picked besides the amount.
    pub choices: Choices,
    /// The promo code the edge recognised, if any.
    pub promo: Option<PromoCode>,
    /// Whether the edge said the code typed is unknown; until it has said either, the edge's
    /// checkout decides.
    pub promo_unknown: bool,
    /// The amount picked.
    pub choice: AmountChoice,
    /// What the donor typed as a free amount.
    pub custom_amount: String,
    /// The first name typed.
    pub first_name: String,
    /// The last name typed.
    pub last_name: String,
    /// The email typed.
    pub email: String,
    /// Whether the consent box is ticked.
    pub consent: bool,
    /// The consent wording the donor sees, sent with the donation so the association keeps the
    /// words agreed to.
    pub consent_text: String,
    /// The field hidden from people; anything in it was put there by a script.
    pub website: String,
    /// The errors shown next to the fields.
    pub errors: Vec<FieldError>,
    /// How many times the donor pressed the button with errors; after the first, the errors
    /// follow every keystroke, and each press moves the focus to the first error.
    pub failed_attempts: u32,
    /// Where the submission stands.
    pub phase: Phase,
}

/// What can happen to the form.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A preset amount was picked.
    ChoosePreset(Money),
    /// "Other amount" was picked.
    ChooseCustom,
    /// The free amount changed.
    SetCustomAmount(String),
    /// A text field changed.
    SetText(Field, String),
    /// The consent box changed.
    SetConsent(bool),
    /// The hidden field changed (only scripts do that).
    SetWebsite(String),
    /// The donor pressed the button; the form validates, and either shows errors or starts the
    /// checkout.
    Submit,
    /// The edge refused some fields.
    Rejected(Vec<FieldError>),
    /// The checkout failed for another reason.
    Failed(&'static str),
    /// The payment page is opening.
    Redirecting,
    /// `quantity` of the item `key` (a tier, a reward, a rate); for the kinds where one item
    /// is picked, it replaces the pick, and 0 takes it back.
    Pick(String, u32),
    /// Once or every month.
    SetMonthly(bool),
    /// Whether the donor covers the payment fees.
    SetCoverFees(bool),
    /// The promo code typed.
    SetPromo(String),
    /// What the edge said of the code: its discount, or `None` for an unknown code.
    PromoFound(Option<PromoCode>),
    /// An answer to the campaign's question `key`.
    Answer(String, String),
}

impl FormState {
    /// A blank form for a campaign, with the middle preset picked as a suggestion, showing
    /// `consent_text` next to the consent box.
    pub fn new(campaign: Rc<CampaignView>, consent_text: String) -> Self {
        let presets = &campaign.presets;
        let choice = presets
            .get(presets.len() / 2)
            .map_or(AmountChoice::Custom, |amount| AmountChoice::Preset(*amount));
        Self {
            rules: campaign.rules,
            choices: Choices::default(),
            promo: None,
            promo_unknown: false,
            campaign,
            choice,
            custom_amount: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            consent: false,
            consent_text,
            website: String::new(),
            errors: Vec::new(),
            failed_attempts: 0,
            phase: Phase::Editing,
        }
    }

    /// Whether the donor chooses an amount: a gift, a contribution, or a pay-what-you-want
    /// tier; tickets and fixed tiers have their price.
    pub fn wants_amount(&self) -> bool {
        match self.campaign.kind {
            CampaignKind::Donation | CampaignKind::Crowdfunding => true,
            CampaignKind::Event => false,
            CampaignKind::Membership => self.choices.items.first().is_some_and(|pick| {
                self.campaign
                    .offer
                    .items
                    .iter()
                    .any(|item| item.key == pick.key && item.open_price)
            }),
        }
    }

    /// The order's lines as they stand, whatever is still wrong.
    pub fn priced(&self) -> Priced {
        let amount = self.amount().map_or(0, |amount| amount.minor);
        self.campaign.offer.price(
            self.campaign.kind,
            &self.rules,
            amount,
            &self.choices,
            self.promo.as_ref(),
            &mut Vec::new(),
        )
    }

    /// The amount as it stands, if it can be read; nothing when the donor chooses none.
    pub fn amount(&self) -> Result<Money, FieldErrorCode> {
        if !self.wants_amount() {
            return Ok(Money::new(0, self.rules.currency()));
        }
        match self.choice {
            AmountChoice::Preset(amount) => Ok(amount),
            AmountChoice::Custom => parse_amount(&self.custom_amount, &self.rules),
        }
    }

    /// The submission, or every error in it, checked by the same rules as the edge's.
    pub fn submission(&self) -> Result<DonationSubmission, Vec<FieldError>> {
        let amount = self.amount();
        let submission = DonationSubmission {
            amount: amount.unwrap_or(Money::new(0, self.rules.currency())),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            consent: self.consent,
            consent_version: CONSENT_VERSION.to_owned(),
            consent_text: self.consent_text.clone(),
            choices: self.choices.clone(),
        };
        let mut errors = match submission.validate(&self.campaign, self.promo.as_ref()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        };
        if self.promo.is_none() && !self.promo_unknown {
            errors.retain(|error| error.field != Field::PromoCode);
        }
        if let Err(code) = amount {
            errors.retain(|error| error.field != Field::Amount);
            errors.insert(0, FieldError::new(Field::Amount, code));
        }
        if errors.is_empty() {
            Ok(submission)
        } else {
            Err(errors)
        }
    }

    /// The error shown for `field`, if any.
    pub fn error(&self, field: Field) -> Option<FieldErrorCode> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.code)
    }

    /// The errors shown for `field`, with the entry of the list they concern.
    pub fn errors_of(&self, field: Field) -> Vec<FieldError> {
        self.errors
            .iter()
            .filter(|error| error.field == field)
            .copied()
            .collect()
    }

    /// Whether the form can be edited.
    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Submitting | Phase::Redirecting)
    }

    fn revalidate(&mut self) {
        if self.failed_attempts > 0 {
            self.errors = self.submission().err().unwrap_or_default();
        }
    }
}

impl Reducible for FormState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if self.is_busy()
            && !matches!(
                action,
                Action::Rejected(_) | Action::Failed(_) | Action::Redirecting
            )
        {
            return self;
        }
        let mut next = (*self).clone();
        let edits = !matches!(
            action,
            Action::SetWebsite(_)
                | Action::Submit
                | Action::Rejected(_)
                | Action::Failed(_)
                | Action::Redirecting
        );
        match action {
            Action::ChoosePreset(amount) => next.choice = AmountChoice::Preset(amount),
            Action::ChooseCustom => next.choice = AmountChoice::Custom,
            Action::SetCustomAmount(text) => {
                next.custom_amount = text;
                next.choice = AmountChoice::Custom;
            }
            Action::SetText(Field::FirstName, text) => next.first_name = text,
            Action::SetText(Field::LastName, text) => next.last_name = text,
            Action::SetText(Field::Email, text) => next.email = text,
            Action::SetText(_, _) => {}
            Action::SetConsent(consent) => next.consent = consent,
            Action::SetWebsite(text) => next.website = text,
            Action::Submit => match next.submission() {
                Ok(_) => {
                    next.errors.clear();
                    next.phase = Phase::Submitting;
                }
                Err(errors) => {
                    next.errors = errors;
                    next.failed_attempts += 1;
                    next.phase = Phase::Editing;
                }
            },
            Action::Rejected(errors) => {
                next.errors = errors;
                next.failed_attempts += 1;
                next.phase = Phase::Editing;
            }
            Action::Failed(message) => next.phase = Phase::Failed(message),
            Action::Redirecting => next.phase = Phase::Redirecting,
            Action::Pick(key, quantity) => {
                let items = &mut next.choices.items;
                if next.campaign.kind == CampaignKind::Event {
                    items.retain(|pick| pick.key != key);
                } else {
                    items.clear();
                }
                if quantity > 0 {
                    items.push(Pick { key, quantity });
                }
            }
            Action::SetMonthly(monthly) => next.choices.monthly = monthly,
            Action::SetCoverFees(cover) => next.choices.cover_fees = cover,
            Action::SetPromo(code) => {
                next.choices.promo_code = code;
                next.promo = None;
                next.promo_unknown = false;
            }
            Action::PromoFound(promo) => {
                next.promo_unknown = promo.is_none();
                next.promo = promo;
            }
            Action::Answer(key, answer) => {
                next.choices.answers.set(key, answer);
            }
        }
        if edits {
            next.revalidate();
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use tirelire_domain::Currency;

    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    fn form() -> Rc<FormState> {
        let campaign = CampaignView {
            slug: tirelire_domain::CampaignSlug::parse("jardin").unwrap_or_else(|_| unreachable!()),
            organisation: "A".into(),
            title: "T".into(),
            description: String::new(),
            rules: DonationRules::new(Currency::Eur, 100, 1_000_000),
            presets: vec![eur(1000), eur(2000), eur(5000)],
            goal: None,
            raised: eur(0),
            donation_count: 0,
            closed: false,
            kind: Default::default(),
            offer: Default::default(),
            checkout: Default::default(),
        };
        Rc::new(FormState::new(
            Rc::new(campaign),
            "J'accepte que l'association conserve ces informations.".into(),
        ))
    }

    fn apply(state: Rc<FormState>, actions: impl IntoIterator<Item = Action>) -> Rc<FormState> {
        actions.into_iter().fold(state, Reducible::reduce)
    }

    fn filled() -> Vec<Action> {
        vec![
            Action::SetText(Field::FirstName, "Camille".into()),
            Action::SetText(Field::LastName, "Dupont".into()),
            Action::SetText(Field::Email, "camille@example.fr".into()),
            Action::SetConsent(true),
        ]
    }

    #[test]
    fn middle_preset_is_suggested() {
        assert_eq!(form().choice, AmountChoice::Preset(eur(2000)));
    }

    #[test]
    fn complete_form_starts_the_checkout() {
        let state = apply(form(), filled().into_iter().chain([Action::Submit]));
        assert_eq!(state.phase, Phase::Submitting);
        assert!(state.errors.is_empty());
    }

    #[test]
    fn empty_form_shows_every_error_in_form_order() {
        let state = apply(form(), [Action::Submit]);
        let fields: Vec<Field> = state.errors.iter().map(|error| error.field).collect();
        assert_eq!(
            fields,
            [
                Field::FirstName,
                Field::LastName,
                Field::Email,
                Field::Consent
            ]
        );
        assert_eq!(state.phase, Phase::Editing);
        assert_eq!(state.failed_attempts, 1);
    }

    #[test]
    fn errors_follow_typing_after_the_first_attempt() {
        let state = apply(
            form(),
            [
                Action::Submit,
                Action::SetText(Field::FirstName, "Camille".into()),
            ],
        );
        assert_eq!(state.error(Field::FirstName), None);
        assert_eq!(state.error(Field::LastName), Some(FieldErrorCode::Required));
    }

    #[test]
    fn errors_wait_for_the_first_attempt() {
        let state = apply(form(), [Action::SetText(Field::Email, "camille@".into())]);
        assert!(state.errors.is_empty());
    }

    #[test]
    fn typed_amount_is_checked_with_the_campaign_limits() {
        for (typed, code) in [
            ("", FieldErrorCode::Required),
            ("abc", FieldErrorCode::Invalid),
            ("0,50", FieldErrorCode::TooSmall),
            ("20000", FieldErrorCode::TooLarge),
        ] {
            let actions = filled()
                .into_iter()
                .chain([Action::SetCustomAmount(typed.into()), Action::Submit]);
            let state = apply(form(), actions);
            assert_eq!(
                state.errors,
                [FieldError::new(Field::Amount, code)],
                "{typed:?}"
            );
        }
        let actions = filled()
            .into_iter()
            .chain([Action::SetCustomAmount("25,50".into())]);
        assert_eq!(
            apply(form(), actions).amount(),
            Ok(Money::new(2550, Currency::Eur))
        );
    }

    #[test]
    fn picking_a_preset_after_typing_uses_the_preset() {
        let actions = [
            Action::SetCustomAmount("7".into()),
            Action::ChoosePreset(eur(5000)),
        ];
        assert_eq!(
            apply(form(), actions).amount(),
            Ok(Money::new(5000, Currency::Eur))
        );
    }

    #[test]
    fn a_busy_form_ignores_edits() {
        let state = apply(
            form(),
            filled()
                .into_iter()
                .chain([Action::Submit, Action::ChoosePreset(eur(1000))]),
        );
        assert_eq!(state.choice, AmountChoice::Preset(eur(2000)));
    }

    #[test]
    fn edge_rejection_shows_its_fields() {
        let rejected = vec![FieldError::new(Field::Email, FieldErrorCode::Invalid)];
        let state = apply(
            form(),
            filled()
                .into_iter()
                .chain([Action::Submit, Action::Rejected(rejected.clone())]),
        );
        assert_eq!(state.phase, Phase::Editing);
        assert_eq!(state.error(Field::Email), Some(FieldErrorCode::Invalid));
    }

    #[test]
    fn the_submission_carries_the_consent_wording_and_its_version() {
        let state = apply(form(), filled());
        let submission = state.submission();
        assert_eq!(
            submission.as_ref().map(|s| s.consent_version.as_str()),
            Ok(CONSENT_VERSION)
        );
        assert_eq!(
            submission.as_ref().map(|s| s.consent_text.as_str()),
            Ok("J'accepte que l'association conserve ces informations.")
        );
    }

    #[test]
    fn failure_can_be_retried() {
        let actions =
            filled()
                .into_iter()
                .chain([Action::Submit, Action::Failed("down"), Action::Submit]);
        assert_eq!(apply(form(), actions).phase, Phase::Submitting);
    }
}
