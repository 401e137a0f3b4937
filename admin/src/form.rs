//! What the back-office's forms share: reading a field into a state, and amounts in euros as
//! people type them.

use tirelire_domain::api::{ApiError, ErrorCode};
use tirelire_domain::{Currency, FieldError, Money};
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Reads an input's or a select's value into a state, on any event it sends.
pub fn bind<E: AsRef<web_sys::Event> + 'static>(state: &UseStateHandle<String>) -> Callback<E> {
    let state = state.clone();
    Callback::from(move |event: E| {
        let target = event.as_ref().target();
        let value = target
            .as_ref()
            .and_then(|target| {
                wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlInputElement>(target)
                    .map(web_sys::HtmlInputElement::value)
                    .or_else(|| {
                        wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlSelectElement>(target)
                            .map(web_sys::HtmlSelectElement::value)
                    })
                    .or_else(|| {
                        wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlTextAreaElement>(target)
                            .map(web_sys::HtmlTextAreaElement::value)
                    })
            })
            .unwrap_or_default();
        state.set(value);
    })
}

/// The amount typed in euros (`45`, `45,50`), in cents; `None` when empty.
pub fn euros(text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Money::parse(text, Currency::Eur)
        .map(|money| Some(money.minor))
        .map_err(|_| ())
}

/// Cents as someone types them: `25,00`.
pub fn plain(minor: i64) -> String {
    format!("{},{:02}", minor / 100, minor % 100)
}

/// A refusal's code and field errors, read from its body.
pub async fn refusal(response: gloo::net::http::Response) -> (Option<ErrorCode>, Vec<FieldError>) {
    match response.json::<ApiError>().await {
        Ok(body) => (Some(body.error.code), body.error.fields),
        Err(_) => (Some(ErrorCode::Internal), Vec::new()),
    }
}

fn date_of(unix_seconds: i64) -> js_sys::Date {
    let millis = format!("{unix_seconds}000")
        .parse::<f64>()
        .unwrap_or_default();
    js_sys::Date::new(&JsValue::from_f64(millis))
}

/// A date as the reader's browser writes it in French: `03/12/2026`.
pub fn local_date(unix_seconds: i64) -> String {
    date_of(unix_seconds)
        .to_locale_date_string("fr-FR", &JsValue::UNDEFINED)
        .into()
}

/// A date and time as the reader's browser writes them in French: `03/12/2026 14:05:00`.
pub fn local_date_time(unix_seconds: i64) -> String {
    date_of(unix_seconds)
        .to_locale_string("fr-FR", &JsValue::UNDEFINED)
        .into()
}

/// Sends `body` as JSON to one of the edge's routes.
pub async fn post<T: serde::Serialize>(
    path: &str,
    body: &T,
) -> Result<gloo::net::http::Response, gloo::net::Error> {
    gloo::net::http::Request::post(path)
        .json(body)?
        .send()
        .await
}

/// What to tell the person about a refusal: the sentence for each field at fault, or the one
/// for the refusal's code when no field is named.
pub fn refusal_texts(
    code: Option<ErrorCode>,
    fields: &[FieldError],
    problem: fn(Option<ErrorCode>) -> &'static str,
    field: fn(&FieldError) -> &'static str,
) -> Vec<String> {
    if fields.is_empty() {
        vec![problem(code).to_owned()]
    } else {
        fields.iter().map(|error| field(error).to_owned()).collect()
    }
}
