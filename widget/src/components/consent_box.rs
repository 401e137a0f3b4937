//! The consent checkbox, whose wording names the association that keeps the donor's details.

use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::field_error;

/// What [`consent_box`] shows.
pub struct ConsentBoxProps {
    /// The consent wording, which names the association.
    pub label: AttrValue,
    /// Whether the box is ticked.
    pub checked: bool,
    /// The error, if any.
    pub error: Option<FieldErrorCode>,
    /// The campaign's limits (for the error text's signature).
    pub rules: DonationRules,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Called when the box changes.
    pub on_change: Callback<bool>,
}

/// The checkbox and its label.
pub fn consent_box(props: &ConsentBoxProps) -> Html {
    let onchange = props
        .on_change
        .reform(|event: Event| event.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="field consent">
            <label for="consent">
                <input type="checkbox" id="consent" name="consent" checked={props.checked}
                       required=true disabled={props.disabled}
                       aria-invalid={props.error.map(|_| "true")}
                       aria-describedby={props.error.map(|_| "consent-error")}
                       {onchange} />
                <span>{ props.label.clone() }</span>
            </label>
            if let Some(code) = props.error {
                <p class="error" id="consent-error">{ field_error(props.locale, Field::Consent, code, &props.rules) }</p>
            }
        </div>
    }
}
