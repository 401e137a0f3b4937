//! Everything the widget says, one table per language (`fr.rs`, `en.rs`). Error codes from the
//! domain and the edge become sentences here, and nowhere else; no code branches on a language.
//!
//! Adding a language is adding a file like `fr.rs` and its line in [`texts`] (and its tag in
//! the domain's `Locale`); the build gives the loader its words from the same file. Texts with a
//! value in them are templates: `{amount}` and the like are filled by [`fill`].

mod en;
mod fr;

use tirelire_domain::api::ErrorCode;
use tirelire_domain::setup::CampaignKind;
use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale, Money};

/// The texts of one language.
pub struct Texts {
    /// The language's tag.
    pub lang: &'static str,
    /// Above the preset amounts.
    pub amount_legend: &'static str,
    /// The choice that reveals the free amount field.
    pub other_amount: &'static str,
    /// The free amount field's label.
    pub custom_amount_label: &'static str,
    /// The first name field's label.
    pub first_name: &'static str,
    /// The last name field's label.
    pub last_name: &'static str,
    /// The email field's label.
    pub email: &'static str,
    /// Under the email field.
    pub email_hint: &'static str,
    /// Above the donor's details.
    pub details_legend: &'static str,
    /// While the campaign loads.
    pub loading: &'static str,
    /// The campaign could not be loaded.
    pub load_failed: &'static str,
    /// Said instead of the form once the campaign has closed.
    pub closed: &'static str,
    /// The button that tries again.
    pub retry: &'static str,
    /// On the button while the donation is being sent.
    pub sending: &'static str,
    /// On the button while the payment page is being opened.
    pub redirecting: &'static str,
    /// Under the button.
    pub secure_note: &'static str,
    /// The network failed during checkout.
    pub network_failed: &'static str,
    /// The PSP failed during checkout.
    pub provider_failed: &'static str,
    /// Anything else failed during checkout.
    pub unexpected_failure: &'static str,
    /// The page's origin is not allowed for this campaign.
    pub origin_refused: &'static str,
    /// Too many checkouts.
    pub rate_limited: &'static str,
    /// The anti-robot check failed; it starts again.
    pub challenge_failed: &'static str,
    /// The donor pressed the button before the anti-robot check finished.
    pub challenge_pending: &'static str,
    /// The edge took the submission for a script's.
    pub looks_automated: &'static str,
    /// Title of the cancelled message.
    pub cancelled_title: &'static str,
    /// Body of the cancelled message.
    pub cancelled_body: &'static str,
    /// Title of the thank-you message.
    pub thanks_title: &'static str,
    /// While the payment's confirmation is awaited.
    pub confirming: &'static str,
    /// Title once the confirmation has taken longer than the widget waits.
    pub still_confirming_title: &'static str,
    /// Body of that message.
    pub still_confirming: &'static str,
    /// The payment did not go through.
    pub not_paid: &'static str,
    /// The button that brings the form back.
    pub give_again: &'static str,
    /// The footer.
    pub powered_by: &'static str,
    /// The widget's accessible name.
    pub region_label: &'static str,
    /// The label of the field people must leave empty (read by no one but scripts).
    pub honeypot_label: &'static str,
    /// The title of the anti-robot check's frame.
    pub challenge_title: &'static str,
    /// The button, when the amount cannot be read.
    pub donate: &'static str,
    /// The button: `{amount}`.
    pub donate_amount: &'static str,
    /// The amount raised: `{raised}`.
    pub raised: &'static str,
    /// The amount raised against the goal: `{raised}`, `{goal}`.
    pub raised_of_goal: &'static str,
    /// No donation yet.
    pub no_donation_yet: &'static str,
    /// One donation.
    pub one_donation: &'static str,
    /// Several donations: `{count}`.
    pub donations: &'static str,
    /// The thank-you line once paid: `{amount}`.
    pub thanks_paid: &'static str,
    /// The consent checkbox's label: `{organisation}`.
    pub consent: &'static str,
    /// The messages next to fields.
    pub fields: FieldTexts,
    /// What the kinds other than a plain gift add: tiers, tickets, rewards, options.
    pub order: OrderTexts,
}

/// The loader's texts, which it says before or instead of the WebAssembly: the build reads
/// them from each language's file (each stays on one line, without escapes), so the widget
/// itself never carries them.
pub struct LoaderTexts {
    /// The title of the frame that shows the form where WebAssembly cannot run on the page.
    pub fallback_frame: &'static str,
    /// The link under that frame, to open the form in a tab of its own.
    pub fallback_link: &'static str,
    /// What the edge's own page says when WebAssembly cannot run there either.
    pub fallback_unsupported: &'static str,
}

/// The loader's texts for `locale`.
pub fn loader_texts(locale: Locale) -> &'static LoaderTexts {
    match locale {
        Locale::Fr => &fr::LOADER,
        Locale::En => &en::LOADER,
    }
}

/// The words of tiers, tickets, rewards, questions, options and the summary.
pub struct OrderTexts {
    /// Above a membership's tiers, an event's rates, a crowdfunding's rewards.
    pub legends: [&'static str; 3],
    /// The choice of no reward.
    pub no_reward: &'static str,
    /// A pay-what-you-want tier's or a reward's least amount: `{amount}`.
    pub from_price: &'static str,
    /// A rate that costs nothing.
    pub free: &'static str,
    /// What is left: `{count}`.
    pub remaining: &'static str,
    /// Nothing is left.
    pub sold_out: &'static str,
    /// A rate's quantity field: `{label}`.
    pub quantity_of: &'static str,
    /// Above once or monthly.
    pub frequency: &'static str,
    /// A gift made once.
    pub once: &'static str,
    /// A gift every month.
    pub monthly: &'static str,
    /// The fees box: `{fee}`.
    pub cover_fees: &'static str,
    /// The promo code field.
    pub promo_label: &'static str,
    /// The button that checks the code.
    pub promo_apply: &'static str,
    /// Once the code is known: `{amount}`.
    pub promo_applied: &'static str,
    /// Above the order's lines.
    pub summary: &'static str,
    /// The last line.
    pub total: &'static str,
    /// A gift's line.
    pub gift: &'static str,
    /// A discount's line: `{code}`.
    pub discount: &'static str,
    /// The fees' line.
    pub fees: &'static str,
    /// After an optional question's label.
    pub optional: &'static str,
    /// The empty choice of a choice list.
    pub choose: &'static str,
    /// The button of an event, of a membership, of a monthly gift: `{amount}`.
    pub buttons: [&'static str; 3],
    /// The button of an order that costs nothing.
    pub confirm_free: &'static str,
    /// Before an event's sales open: `{date}`.
    pub opens_on: &'static str,
    /// Days left to a crowdfunding: `{count}`.
    pub days_left: &'static str,
    /// The thanks' title, once paid, for an event and a membership.
    pub thanks_titles: [&'static str; 2],
    /// The thanks' line, once paid, for an event and a membership: `{amount}`.
    pub thanks_lines: [&'static str; 2],
    /// Under the email field, for an event and a membership.
    pub email_hints: [&'static str; 2],
    /// The consent checkbox's label, for an event and a membership: `{organisation}`.
    pub consents: [&'static str; 2],
    /// No item picked.
    pub items_required: &'static str,
    /// Too few left.
    pub items_sold_out: &'static str,
    /// A reward needs more.
    pub items_too_small: &'static str,
    /// More than an order may hold.
    pub items_too_large: &'static str,
    /// An unknown code.
    pub promo_invalid: &'static str,
    /// A code used up.
    pub promo_sold_out: &'static str,
    /// A required question left empty.
    pub answer_required: &'static str,
    /// An answer of the wrong form.
    pub answer_invalid: &'static str,
    /// A pay-what-you-want tier under its price: `{min}`.
    pub tier_too_small: &'static str,
}

/// The messages shown next to fields.
pub struct FieldTexts {
    /// No amount.
    pub amount_required: &'static str,
    /// An amount that cannot be read.
    pub amount_invalid: &'static str,
    /// Below the minimum: `{min}`.
    pub amount_too_small: &'static str,
    /// Above the maximum: `{max}`.
    pub amount_too_large: &'static str,
    /// A currency the campaign does not take.
    pub currency: &'static str,
    /// No first name.
    pub first_name_required: &'static str,
    /// No last name.
    pub last_name_required: &'static str,
    /// A name too long.
    pub name_too_long: &'static str,
    /// No email.
    pub email_required: &'static str,
    /// An email too long.
    pub email_too_long: &'static str,
    /// An email that cannot be one.
    pub email_invalid: &'static str,
    /// The consent box is not ticked.
    pub consent: &'static str,
    /// Anything else.
    pub other: &'static str,
}

/// The texts for `locale`.
pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::Fr => &fr::TEXTS,
        Locale::En => &en::TEXTS,
    }
}

/// `template` with each `{name}` replaced by its value; a brace that names no value stays.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.find('}').and_then(|close| {
            values
                .iter()
                .find(|(name, _)| *name == &after[..close])
                .map(|(_, value)| (*value, close))
        });
        match named {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// The submit button: "Donner 20,00 €".
pub fn donate_button(locale: Locale, amount: Option<Money>) -> String {
    let texts = texts(locale);
    match amount {
        Some(amount) => fill(
            texts.donate_amount,
            &[("amount", &amount.format_exact(locale))],
        ),
        None => texts.donate.to_owned(),
    }
}

/// "1 240 € collectés sur 1 500 €".
pub fn raised(locale: Locale, raised: Money, goal: Option<Money>) -> String {
    let texts = texts(locale);
    let raised = raised.format(locale);
    match goal {
        Some(goal) => fill(
            texts.raised_of_goal,
            &[("raised", &raised), ("goal", &goal.format(locale))],
        ),
        None => fill(texts.raised, &[("raised", &raised)]),
    }
}

/// "12 dons".
pub fn donation_count(locale: Locale, count: i64) -> String {
    let texts = texts(locale);
    match count {
        0 => texts.no_donation_yet.to_owned(),
        1 => texts.one_donation.to_owned(),
        n => fill(texts.donations, &[("count", &n.to_string())]),
    }
}

/// The thank-you line once the payment is confirmed.
pub fn thanks_paid(locale: Locale, amount: Money) -> String {
    fill(
        texts(locale).thanks_paid,
        &[("amount", &amount.format_exact(locale))],
    )
}

/// Where a kind has words of its own in [`OrderTexts`]' pairs: an event's, a membership's.
/// Donations and crowdfunding speak of a gift.
pub fn own_words(kind: CampaignKind) -> Option<usize> {
    match kind {
        CampaignKind::Event => Some(0),
        CampaignKind::Membership => Some(1),
        CampaignKind::Donation | CampaignKind::Crowdfunding => None,
    }
}

/// The consent checkbox's label, which names the association and what the details are for.
pub fn consent(locale: Locale, organisation: &str, kind: CampaignKind) -> String {
    let texts = texts(locale);
    let template = own_words(kind).map_or(texts.consent, |index| texts.order.consents[index]);
    fill(template, &[("organisation", organisation)])
}

/// The line under the email field: what the address is for.
pub fn email_hint(locale: Locale, kind: CampaignKind) -> &'static str {
    let texts = texts(locale);
    own_words(kind).map_or(texts.email_hint, |index| texts.order.email_hints[index])
}

/// The message shown next to a field for an error code.
pub fn field_error(
    locale: Locale,
    field: Field,
    code: FieldErrorCode,
    rules: &DonationRules,
) -> String {
    use Field::*;
    use FieldErrorCode::*;
    let texts = &texts(locale).fields;
    let text = match (field, code) {
        (Amount, Required) => texts.amount_required,
        (Amount, Invalid) => texts.amount_invalid,
        (Amount, TooSmall) => {
            return fill(
                texts.amount_too_small,
                &[("min", &rules.min().format(locale))],
            );
        }
        (Amount, TooLarge) => {
            return fill(
                texts.amount_too_large,
                &[("max", &rules.max().format(locale))],
            );
        }
        (Currency, _) => texts.currency,
        (FirstName, Required) => texts.first_name_required,
        (LastName, Required) => texts.last_name_required,
        (FirstName | LastName, TooLong) => texts.name_too_long,
        (Email, Required) => texts.email_required,
        (Email, TooLong) => texts.email_too_long,
        (Email, _) => texts.email_invalid,
        (Consent, _) => texts.consent,
        (_, _) => order_error(locale, field, code).unwrap_or(texts.other),
    };
    text.into()
}

/// The message for an error on the parts of an order: items, code, answers.
pub fn order_error(locale: Locale, field: Field, code: FieldErrorCode) -> Option<&'static str> {
    use Field::*;
    use FieldErrorCode::*;
    let texts = &texts(locale).order;
    Some(match (field, code) {
        (Items, Required) => texts.items_required,
        (Items, SoldOut) => texts.items_sold_out,
        (Items, TooSmall) => texts.items_too_small,
        (Items, TooLarge) => texts.items_too_large,
        (PromoCode, SoldOut) => texts.promo_sold_out,
        (PromoCode, _) => texts.promo_invalid,
        (Answer, Required) => texts.answer_required,
        (Answer, _) => texts.answer_invalid,
        _ => return None,
    })
}

/// The message for a checkout the edge refused for a reason other than the fields; `None` is a
/// network failure.
pub fn checkout_failure(locale: Locale, code: Option<ErrorCode>) -> &'static str {
    let texts = texts(locale);
    match code {
        None => texts.network_failed,
        Some(ErrorCode::OriginNotAllowed | ErrorCode::InvalidReturnUrl) => texts.origin_refused,
        Some(ErrorCode::PaymentProviderError) => texts.provider_failed,
        Some(ErrorCode::RateLimited) => texts.rate_limited,
        Some(ErrorCode::ChallengeFailed) => texts.challenge_failed,
        Some(ErrorCode::LooksAutomated) => texts.looks_automated,
        Some(_) => texts.unexpected_failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tirelire_domain::Currency;

    const LOCALES: [Locale; 2] = [Locale::Fr, Locale::En];

    fn rules() -> DonationRules {
        DonationRules::new(Currency::Eur, 100, 1_000_000)
    }

    #[test]
    fn limits_are_named_in_the_donors_language() {
        let fr = field_error(
            Locale::Fr,
            Field::Amount,
            FieldErrorCode::TooSmall,
            &rules(),
        );
        assert_eq!(fr, "Le don minimum est de 1\u{a0}€.");
        let en = field_error(
            Locale::En,
            Field::Amount,
            FieldErrorCode::TooLarge,
            &rules(),
        );
        assert_eq!(en, "The maximum online donation is €10,000.");
    }

    #[test]
    fn every_field_error_has_a_sentence_in_every_language() {
        let fields = [
            Field::Amount,
            Field::Currency,
            Field::FirstName,
            Field::LastName,
            Field::Email,
            Field::Consent,
        ];
        let codes = [
            FieldErrorCode::Required,
            FieldErrorCode::Invalid,
            FieldErrorCode::TooLong,
            FieldErrorCode::TooSmall,
            FieldErrorCode::TooLarge,
            FieldErrorCode::Unsupported,
        ];
        for locale in LOCALES {
            for field in fields {
                for code in codes {
                    let text = field_error(locale, field, code, &rules());
                    assert!(text.ends_with('.'), "{locale:?} {field:?} {code:?}: {text}");
                    assert!(!text.contains('{'), "{locale:?} {field:?} {code:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn each_table_is_its_own_language() {
        for locale in LOCALES {
            assert_eq!(texts(locale).lang, locale.tag());
        }
    }

    #[test]
    fn templates_are_filled() {
        let amount = Money::new(2000, Currency::Eur);
        assert_eq!(
            donate_button(Locale::Fr, Some(amount)),
            "Donner 20,00\u{a0}€"
        );
        assert_eq!(donate_button(Locale::En, Some(amount)), "Donate €20.00");
        assert_eq!(donate_button(Locale::En, None), "Donate");
        assert_eq!(donation_count(Locale::Fr, 12), "12 dons");
        assert_eq!(
            consent(Locale::En, "Les Amis", CampaignKind::Donation),
            "I agree that Les Amis keeps these details to handle my donation and contact me about it."
        );
        for locale in LOCALES {
            let line = raised(locale, amount, Some(amount));
            assert!(!line.contains('{'), "{line}");
        }
    }

    #[test]
    fn a_booking_and_a_membership_say_what_the_details_are_for() {
        let kinds = [
            CampaignKind::Donation,
            CampaignKind::Membership,
            CampaignKind::Event,
            CampaignKind::Crowdfunding,
        ];
        for locale in LOCALES {
            for kind in kinds {
                let wording = consent(locale, "Les Amis", kind);
                assert!(
                    wording.contains("Les Amis") && !wording.contains('{'),
                    "{wording}"
                );
                assert!(!email_hint(locale, kind).is_empty());
            }
        }
        assert!(consent(Locale::Fr, "Les Amis", CampaignKind::Membership).contains("mon adhésion"));
        assert!(consent(Locale::En, "Les Amis", CampaignKind::Event).contains("my booking"));
        assert!(consent(Locale::Fr, "Les Amis", CampaignKind::Crowdfunding).contains("mon don"));
        assert_eq!(
            email_hint(Locale::En, CampaignKind::Event),
            "Your tickets will arrive there."
        );
    }

    #[test]
    fn the_loader_has_its_words_in_every_language() {
        for locale in LOCALES {
            let loader = loader_texts(locale);
            for text in [
                loader.fallback_frame,
                loader.fallback_link,
                loader.fallback_unsupported,
            ] {
                assert!(
                    !text.is_empty() && !text.contains(['\n', '\\', '"']),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn a_value_is_put_in_once_and_unknown_braces_stay() {
        assert_eq!(
            fill("{a} et {b}", &[("a", "{b}"), ("b", "deux")]),
            "{b} et deux"
        );
        assert_eq!(fill("{x} {a", &[("a", "1")]), "{x} {a");
        assert_eq!(fill("{a}{a}", &[("a", "é")]), "éé");
    }

    #[test]
    fn refusals_get_their_own_words() {
        for locale in LOCALES {
            let texts = texts(locale);
            assert_eq!(
                checkout_failure(locale, Some(ErrorCode::RateLimited)),
                texts.rate_limited
            );
            assert_eq!(
                checkout_failure(locale, Some(ErrorCode::ChallengeFailed)),
                texts.challenge_failed
            );
            assert_eq!(checkout_failure(locale, None), texts.network_failed);
        }
    }
}
