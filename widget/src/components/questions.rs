//! The campaign's own questions: a line or several of text, a number, a date, a box to tick,
//! a choice in a list; each labelled, optional ones said so, errors next to them.

use tirelire_domain::offer::{AnswerKind, Answers, Question};
use tirelire_domain::{Field, FieldError, Locale};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{order_error, texts};
use crate::state::{Action, FormState};

/// What [`questions`] shows.
pub struct QuestionsProps<'a> {
    /// The questions.
    pub questions: &'a [Question],
    /// The answers given, by key.
    pub answers: &'a Answers,
    /// The errors on the answers.
    pub errors: Vec<FieldError>,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Where answers go.
    pub dispatch: UseReducerDispatcher<FormState>,
}

/// The questions, one field each.
pub fn questions(props: &QuestionsProps<'_>) -> Html {
    let texts = &texts(props.locale).order;
    let field = |index: usize, question: &Question| {
        let id = format!("answer-{index}");
        let error_id = format!("{id}-error");
        let error = props
            .errors
            .iter()
            .find(|error| error.index == u16::try_from(index).ok())
            .and_then(|error| order_error(props.locale, Field::Answer, error.code));
        let value = props
            .answers
            .get(&question.key)
            .unwrap_or_default()
            .to_owned();
        let key = question.key.clone();
        let dispatch = props.dispatch.clone();
        let answer: Callback<String> =
            Callback::from(move |text| dispatch.dispatch(Action::Answer(key.clone(), text)));
        let invalid = error.map(|_| "true");
        let described = error.map(|_| error_id.clone());
        let label = html! {
            <>
                { &question.label }
                if !question.required && question.kind != AnswerKind::YesNo {
                    <span class="optional">{ texts.optional }</span>
                }
            </>
        };
        let input = |kind: &'static str, mode: &'static str| {
            let oninput = answer.reform(|event: InputEvent| {
                event.target_unchecked_into::<HtmlInputElement>().value()
            });
            html! {
                <input type={kind} id={id.clone()} inputmode={mode} value={value.clone()}
                    required={question.required} disabled={props.disabled}
                    aria-invalid={invalid} aria-describedby={described.clone()} {oninput} />
            }
        };
        let control = match question.kind {
            AnswerKind::Text => input("text", "text"),
            AnswerKind::Number => input("text", "decimal"),
            AnswerKind::Date => input("date", "text"),
            AnswerKind::LongText => {
                let oninput = answer.reform(|event: InputEvent| {
                    event.target_unchecked_into::<HtmlTextAreaElement>().value()
                });
                html! {
                    <textarea id={id.clone()} rows="3" value={value.clone()} required={question.required}
                        disabled={props.disabled} aria-invalid={invalid}
                        aria-describedby={described.clone()} {oninput} />
                }
            }
            AnswerKind::Choice => {
                let onchange = answer.reform(|event: Event| {
                    event.target_unchecked_into::<HtmlSelectElement>().value()
                });
                html! {
                    <select id={id.clone()} required={question.required} disabled={props.disabled}
                        aria-invalid={invalid} aria-describedby={described.clone()} {onchange}>
                        <option value="" selected={value.is_empty()}>{ texts.choose }</option>
                        { for question.choices.iter().map(|choice| html! {
                            <option value={choice.clone()} selected={*choice == value}>{ choice }</option>
                        }) }
                    </select>
                }
            }
            AnswerKind::YesNo => {
                let onchange = answer.reform(|event: Event| {
                    let ticked = event.target_unchecked_into::<HtmlInputElement>().checked();
                    if ticked { "yes" } else { "no" }.to_owned()
                });
                return html! {
                    <div class="field consent">
                        <label for={id.clone()}>
                            <input type="checkbox" id={id.clone()} checked={value == "yes"}
                                required={question.required} disabled={props.disabled}
                                aria-invalid={invalid} aria-describedby={described} {onchange} />
                            <span>{ label }</span>
                        </label>
                        if let Some(error) = error { <p class="error" id={error_id}>{ error }</p> }
                    </div>
                };
            }
        };
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                { control }
                if let Some(error) = error { <p class="error" id={error_id}>{ error }</p> }
            </div>
        }
    };
    html! {
        <div class="questions">
            { for props.questions.iter().enumerate().map(|(index, question)| field(index, question)) }
        </div>
    }
}
