//! The donation form: amount, donor's details, consent, and the button that opens payment.

use std::rc::Rc;

use tirelire_domain::{CampaignView, Field, Locale};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use tirelire_domain::Money;
use tirelire_domain::offer::LineKind;
use tirelire_domain::setup::CampaignKind;

use super::amount_picker::{AmountPickerProps, amount_picker};
use super::challenge_frame::{ChallengeFrameProps, challenge_frame};
use super::consent_box::{ConsentBoxProps, consent_box};
use super::item_picker::{ItemPickerProps, Picking, item_picker};
use super::order_options::{OrderOptionsProps, order_options};
use super::order_summary::{OrderSummaryProps, order_summary};
use super::questions::{QuestionsProps, questions};
use super::text_field::{TextFieldProps, text_field};
use crate::api::Edge;
use crate::hooks::{CheckoutContext, use_challenge, use_checkout};
use crate::i18n::{consent, donate_button, email_hint, fill, texts};
use crate::state::{Action, AmountChoice, FormState, Phase};

/// Props of [`DonationForm`].
#[derive(Properties)]
pub struct DonationFormProps {
    /// The campaign.
    pub campaign: Rc<CampaignView>,
    /// The edge.
    pub edge: Edge,
    /// The donor's language.
    pub locale: Locale,
    /// The framing page, when the widget is framed (see [`crate::components::app::AppProps`]).
    pub return_to: Option<String>,
}

/// The same campaign is the same loaded view; comparing every field of it would cost the
/// widget's size for nothing.
impl PartialEq for DonationFormProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.campaign, &other.campaign)
            && self.edge == other.edge
            && self.locale == other.locale
            && self.return_to == other.return_to
    }
}

/// The form.
#[function_component(DonationForm)]
pub fn donation_form(props: &DonationFormProps) -> Html {
    let campaign = &props.campaign;
    let locale = props.locale;
    let texts = texts(locale);
    let form = {
        let campaign = campaign.clone();
        let wording = consent(locale, &campaign.organisation, campaign.kind);
        use_reducer(move || FormState::new(campaign, wording))
    };
    let challenge = use_challenge(&props.edge.origin());
    // The anti-robot check starts when the donor starts on the form, not when the page opens:
    // until then, nothing but the campaign's public data comes from anywhere but the page.
    let engaged = use_state_eq(|| false);
    let onfocusin = {
        let engaged = engaged.setter();
        Callback::from(move |_: FocusEvent| engaged.set(true))
    };
    let submit = use_checkout(
        CheckoutContext {
            edge: props.edge.clone(),
            slug: campaign.slug.clone(),
            policy: campaign.checkout.clone(),
            locale,
            return_to: props.return_to.clone(),
        },
        form.clone(),
        challenge.clone(),
    );
    let form_ref = use_node_ref();

    // After a refused attempt, take the donor to the first field to fix.
    {
        let form_ref = form_ref.clone();
        use_effect_with(form.failed_attempts, move |attempts| {
            if *attempts > 0 {
                let first_invalid = form_ref
                    .cast::<HtmlElement>()
                    .and_then(|form| form.query_selector("[aria-invalid=true]").ok().flatten())
                    .or_else(|| {
                        form_ref.cast::<HtmlElement>().and_then(|form| {
                            form.query_selector("fieldset.amounts input:checked")
                                .ok()
                                .flatten()
                        })
                    })
                    .and_then(|element| element.dyn_into::<HtmlElement>().ok());
                if let Some(element) = first_invalid {
                    let _ = element.focus();
                }
            }
        });
    }

    let dispatch_text = |field: Field| {
        let form = form.clone();
        Callback::from(move |text: String| form.dispatch(Action::SetText(field, text)))
    };
    let on_choose = {
        let form = form.clone();
        Callback::from(move |choice| {
            form.dispatch(match choice {
                AmountChoice::Preset(amount) => Action::ChoosePreset(amount),
                AmountChoice::Custom => Action::ChooseCustom,
            })
        })
    };
    let on_custom_input = {
        let form = form.clone();
        Callback::from(move |text| form.dispatch(Action::SetCustomAmount(text)))
    };
    let on_consent = {
        let form = form.clone();
        Callback::from(move |checked| form.dispatch(Action::SetConsent(checked)))
    };
    let on_website = {
        let form = form.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            form.dispatch(Action::SetWebsite(input.value()));
        })
    };
    let onsubmit = submit.reform(|event: SubmitEvent| event.prevent_default());
    let on_promo_apply = {
        let (form, edge, slug) = (form.clone(), props.edge.clone(), campaign.slug.clone());
        Callback::from(move |()| {
            let code = form.choices.promo_code.trim().to_owned();
            if code.is_empty() || form.promo.is_some() {
                return;
            }
            let (dispatcher, edge, slug) = (form.dispatcher(), edge.clone(), slug.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let found = edge.promo_code(&slug, &code).await.ok();
                dispatcher.dispatch(Action::PromoFound(found));
            });
        })
    };

    let busy = form.is_busy();
    let kind = campaign.kind;
    let offer = &campaign.offer;
    let currency = form.rules.currency();
    let priced = form.priced();
    let total = Money::new(priced.total(), currency);
    let line_amount = |wanted: LineKind| {
        priced
            .lines
            .iter()
            .find(|line| line.kind == wanted)
            .map(|line| Money::new(line.amount.abs(), currency))
    };
    let fee = offer.fee.map(|rule| {
        let before_fees = priced.total() - line_amount(LineKind::Fee).map_or(0, |fee| fee.minor);
        Money::new(rule.cover(before_fees), currency)
    });
    let order_texts = &texts.order;
    let button = match form.phase {
        Phase::Submitting => texts.sending.to_owned(),
        Phase::Redirecting => texts.redirecting.to_owned(),
        _ if kind == CampaignKind::Event && total.minor == 0 && !priced.lines.is_empty() => {
            order_texts.confirm_free.to_owned()
        }
        _ => {
            // Before anything is picked, the button says what it does without a price.
            let amount = if priced.lines.is_empty() {
                String::new()
            } else {
                total.format_exact(locale)
            };
            let priced_button = |template: &str| {
                fill(template, &[("amount", &amount)])
                    .trim_end_matches([' ', '—'])
                    .to_owned()
            };
            match kind {
                CampaignKind::Event => priced_button(order_texts.buttons[0]),
                CampaignKind::Membership => priced_button(order_texts.buttons[1]),
                _ if form.choices.monthly => priced_button(order_texts.buttons[2]),
                _ => donate_button(locale, form.amount().ok().map(|_| total)),
            }
        }
    };
    let picker = |picking: Picking| {
        item_picker(&ItemPickerProps {
            items: &offer.items,
            picking,
            picks: &form.choices.items,
            currency,
            errors: form.errors_of(Field::Items),
            locale,
            disabled: busy,
            dispatch: form.dispatcher(),
        })
    };
    let amount_error = form.errors_of(Field::Amount).into_iter().next();
    let tier_minimum = amount_error
        .and_then(|error| error.index)
        .and_then(|index| offer.items.get(usize::from(index)))
        .map(|tier| {
            fill(
                order_texts.tier_too_small,
                &[("min", &Money::new(tier.price, currency).format(locale))],
            )
        });
    let summary = kind != CampaignKind::Donation || priced.lines.len() > 1;
    let options = order_options(&OrderOptionsProps {
        offers_monthly: kind == CampaignKind::Donation && offer.monthly,
        monthly: form.choices.monthly,
        fee: fee.filter(|fee| fee.minor > 0),
        cover_fees: form.choices.cover_fees,
        offers_promo: offer.promo,
        promo_code: &form.choices.promo_code,
        promo: form.promo.as_ref(),
        discount: line_amount(LineKind::Discount),
        promo_error: form.error(Field::PromoCode),
        currency,
        locale,
        disabled: busy,
        dispatch: form.dispatcher(),
        on_promo_apply,
    });
    let failure = match form.phase {
        Phase::Failed(message) => Some(message),
        _ => None,
    };
    let rules = form.rules;
    // The donor's name and email; the email's hint says why it is asked.
    let details =
        |field: Field, id: &'static str, label: &'static str, value: &str, autocomplete| {
            let email = field == Field::Email;
            text_field(&TextFieldProps {
                field,
                id,
                label,
                value: AttrValue::from(value.to_owned()),
                kind: if email { "email" } else { "text" },
                autocomplete,
                inputmode: if email { "email" } else { "text" },
                hint: email.then_some(email_hint(locale, kind)),
                suffix: None,
                error: form.error(field),
                rules,
                locale,
                disabled: busy,
                on_input: dispatch_text(field),
            })
        };
    html! {
        <form ref={form_ref} novalidate=true {onsubmit} {onfocusin} aria-busy={busy.then_some("true")}>
            if kind == CampaignKind::Membership { { picker(Picking::Tier) } }
            if kind == CampaignKind::Event { { picker(Picking::Rates) } }
            if form.wants_amount() {
                { amount_picker(&AmountPickerProps {
                    presets: &campaign.presets,
                    choice: form.choice,
                    custom_amount: AttrValue::from(form.custom_amount.clone()),
                    error: form.error(Field::Amount).filter(|_| tier_minimum.is_none()),
                    rules,
                    locale,
                    disabled: busy,
                    on_choose,
                    on_custom_input,
                }) }
            }
            if let Some(message) = tier_minimum {
                <p class="error" role="alert">{ message }</p>
            }
            if kind == CampaignKind::Crowdfunding && !offer.items.is_empty() { { picker(Picking::Reward) } }
            { options }
            if summary && !priced.lines.is_empty() {
                { order_summary(&OrderSummaryProps { priced: &priced, currency, locale }) }
            }
            { questions(&QuestionsProps {
                questions: &offer.questions,
                answers: &form.choices.answers,
                errors: form.errors_of(Field::Answer),
                locale,
                disabled: busy,
                dispatch: form.dispatcher(),
            }) }
            <fieldset class="details">
                <legend>{ texts.details_legend }</legend>
                <div class="name-row">
                    { details(Field::FirstName, "first-name", texts.first_name, &form.first_name, "given-name") }
                    { details(Field::LastName, "last-name", texts.last_name, &form.last_name, "family-name") }
                </div>
                { details(Field::Email, "email", texts.email, &form.email, "email") }
            </fieldset>
            { consent_box(&ConsentBoxProps {
                label: AttrValue::from(form.consent_text.clone()),
                checked: form.consent,
                error: form.error(Field::Consent),
                rules,
                locale,
                disabled: busy,
                on_change: on_consent,
            }) }
            // Hidden from people (and from assistive technology); scripts fill every field.
            <div class="trap" aria-hidden="true">
                <label for="website">{ texts.honeypot_label }</label>
                <input type="text" id="website" name="website" tabindex="-1" autocomplete="off"
                    value={form.website.clone()} oninput={on_website} />
            </div>
            if campaign.checkout.challenge {
                { challenge_frame(&ChallengeFrameProps {
                    challenge: &challenge,
                    edge_url: props.edge.base(),
                    slug: &campaign.slug,
                    locale,
                    started: *engaged,
                }) }
            }
            if let Some(message) = failure {
                <p class="notice notice-error" role="alert" data-testid="checkout-failure">{ message }</p>
            }
            <button type="submit" class="primary" disabled={busy}>{ button }</button>
            <p class="secure">{ texts.secure_note }</p>
        </form>
    }
}
