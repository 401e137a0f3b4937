//! A labelled text input with its error, wired for screen readers.

use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::field_error;

/// What [`text_field`] shows.
pub struct TextFieldProps {
    /// The field, which names the input and finds its error.
    pub field: Field,
    /// The element id; unique within the widget's shadow root.
    pub id: &'static str,
    /// The visible label.
    pub label: &'static str,
    /// The value.
    pub value: AttrValue,
    /// `text` or `email`.
    pub kind: &'static str,
    /// The browser's autofill hint.
    pub autocomplete: &'static str,
    /// `text`, `email` or `decimal`, for the phone's keyboard.
    pub inputmode: &'static str,
    /// A line under the label.
    pub hint: Option<&'static str>,
    /// A suffix shown inside the field, such as `€`.
    pub suffix: Option<&'static str>,
    /// The error to show, if any.
    pub error: Option<FieldErrorCode>,
    /// The campaign's limits, named in amount errors.
    pub rules: DonationRules,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Called with the new value on every keystroke.
    pub on_input: Callback<String>,
}

/// The field.
pub fn text_field(props: &TextFieldProps) -> Html {
    let error_id = format!("{}-error", props.id);
    let hint_id = format!("{}-hint", props.id);
    let described_by: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        props.error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let oninput = props
        .on_input
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class="field">
            <label for={props.id}>{ props.label }</label>
            if let Some(hint) = props.hint {
                <p class="hint" id={hint_id.clone()}>{ hint }</p>
            }
            <div class="input-wrap">
                <input
                    id={props.id}
                    name={props.id}
                    type={props.kind}
                    inputmode={props.inputmode}
                    autocomplete={props.autocomplete}
                    value={props.value.clone()}
                    required=true
                    disabled={props.disabled}
                    aria-invalid={props.error.map(|_| "true")}
                    aria-describedby={(!described_by.is_empty()).then(|| described_by.join(" "))}
                    {oninput}
                />
                if let Some(suffix) = props.suffix {
                    <span class="suffix" aria-hidden="true">{ suffix }</span>
                }
            </div>
            if let Some(code) = props.error {
                <p class="error" id={error_id}>{ field_error(props.locale, props.field, code, &props.rules) }</p>
            }
        </div>
    }
}
