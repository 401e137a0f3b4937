//! The amount: preset choices as radio buttons, and "Other amount" with a free field.

use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale, Money};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::text_field::{TextFieldProps, text_field};
use crate::i18n::{field_error, texts};
use crate::state::AmountChoice;

/// What [`amount_picker`] shows.
pub struct AmountPickerProps<'a> {
    /// The preset amounts.
    pub presets: &'a [Money],
    /// The current choice.
    pub choice: AmountChoice,
    /// The free amount typed.
    pub custom_amount: AttrValue,
    /// The amount's error, if any.
    pub error: Option<FieldErrorCode>,
    /// The campaign's limits.
    pub rules: DonationRules,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Called with a new choice.
    pub on_choose: Callback<AmountChoice>,
    /// Called with the free amount on every keystroke.
    pub on_custom_input: Callback<String>,
}

/// The picker.
pub fn amount_picker(props: &AmountPickerProps<'_>) -> Html {
    let texts = texts(props.locale);
    let option = |choice: AmountChoice, id: String, label: String| {
        let on_choose = props.on_choose.clone();
        let onchange = Callback::from(move |event: Event| {
            if event.target_unchecked_into::<HtmlInputElement>().checked() {
                on_choose.emit(choice);
            }
        });
        html! {
            <label class="choice" for={id.clone()}>
                <input type="radio" name="amount" id={id} checked={props.choice == choice}
                       disabled={props.disabled} {onchange} />
                <span>{ label }</span>
            </label>
        }
    };
    let custom = props.choice == AmountChoice::Custom;
    // With a preset picked, the amount's error belongs to the group; with "Other", to the field.
    let group_error = props.error.filter(|_| !custom);
    html! {
        <fieldset class="amounts" aria-describedby={group_error.map(|_| "amount-error")}>
            <legend>{ texts.amount_legend }</legend>
            <div class="choices">
                { for props.presets.iter().map(|amount| {
                    let id = format!("amount-{}", amount.minor);
                    option(AmountChoice::Preset(*amount), id, amount.format(props.locale))
                }) }
                { option(AmountChoice::Custom, "amount-other".into(), texts.other_amount.into()) }
            </div>
            if custom {
                { text_field(&TextFieldProps {
                    field: Field::Amount,
                    id: "custom-amount",
                    label: texts.custom_amount_label,
                    value: props.custom_amount.clone(),
                    kind: "text",
                    autocomplete: "off",
                    inputmode: "decimal",
                    hint: None,
                    suffix: Some(props.rules.currency().symbol()),
                    error: props.error,
                    rules: props.rules,
                    locale: props.locale,
                    disabled: props.disabled,
                    on_input: props.on_custom_input.clone(),
                }) }
            }
            if let Some(code) = group_error {
                <p class="error" id="amount-error">{ field_error(props.locale, Field::Amount, code, &props.rules) }</p>
            }
        </fieldset>
    }
}
