//! A labelled text input with its error, wired for screen readers.

use tirelire_domain::{DonationRules, Field, FieldErrorCode, Locale};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::field_error;

/// Props of [`TextField`].
#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    /// The field, which names the input and finds its error.
    pub field: Field,
    /// The element id; unique within the widget's shadow root.
    pub id: AttrValue,
    /// The visible label.
    pub label: AttrValue,
    /// The value.
    pub value: AttrValue,
    /// `text` or `email`.
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    /// The browser's autofill hint.
    pub autocomplete: AttrValue,
    /// `text`, `email` or `decimal`, for the phone's keyboard.
    #[prop_or(AttrValue::Static("text"))]
    pub inputmode: AttrValue,
    /// A line under the label.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// A suffix shown inside the field, such as `€`.
    #[prop_or_default]
    pub suffix: Option<AttrValue>,
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
#[function_component(TextField)]
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
        <div class={classes!("field", props.error.map(|_| "invalid"))}>
            <label for={props.id.clone()}>{ &props.label }</label>
            if let Some(hint) = &props.hint {
                <p class="hint" id={hint_id.clone()}>{ hint }</p>
            }
            <div class="input-wrap">
                <input
                    id={props.id.clone()}
                    name={props.id.clone()}
                    type={props.kind.clone()}
                    inputmode={props.inputmode.clone()}
                    autocomplete={props.autocomplete.clone()}
                    value={props.value.clone()}
                    required=true
                    disabled={props.disabled}
                    aria-invalid={props.error.map(|_| "true")}
                    aria-describedby={(!described_by.is_empty()).then(|| described_by.join(" "))}
                    {oninput}
                />
                if let Some(suffix) = &props.suffix {
                    <span class="suffix" aria-hidden="true">{ suffix }</span>
                }
            </div>
            if let Some(code) = props.error {
                <p class="error" id={error_id}>{ field_error(props.locale, props.field, code, &props.rules) }</p>
            }
        </div>
    }
}
