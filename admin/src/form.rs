//! What the back-office's forms share: reading a field into a state, and amounts in euros as
//! people type them.

use tirelire_domain::{Currency, Money};
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
