//! Sending the donation: the form validates with the domain's rules, then the edge opens a
//! payment page and the browser goes there: this window, or the whole window when the widget
//! is framed, since PSPs refuse to be shown in frames.

use tirelire_domain::api::{CheckoutRequest, ErrorCode};
use tirelire_domain::{CampaignSlug, Locale};
use yew::prelude::*;

use crate::api::{ApiFailure, Edge};
use crate::i18n::checkout_failure;
use crate::state::{Action, FormState};

/// A callback that submits the form.
#[hook]
pub fn use_checkout(
    edge: Edge,
    slug: CampaignSlug,
    locale: Locale,
    return_to: Option<String>,
    form: UseReducerHandle<FormState>,
) -> Callback<()> {
    Callback::from(move |()| {
        if form.is_busy() {
            return;
        }
        let submission = form.submission();
        form.dispatch(Action::Submit);
        let Ok(donation) = submission else {
            return;
        };
        let (edge, slug, dispatcher) = (edge.clone(), slug.clone(), form.dispatcher());
        let return_to = return_to.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let framed = return_to.is_some();
            let return_url = return_to
                .unwrap_or_else(|| gloo::utils::window().location().href().unwrap_or_default());
            let request = CheckoutRequest {
                donation,
                return_url,
                locale,
            };
            match edge.checkout(&slug, &request).await {
                Ok(session) => {
                    dispatcher.dispatch(Action::Redirecting);
                    if go_to(&session.checkout_url, framed).is_err() {
                        dispatcher.dispatch(Action::Failed(checkout_failure(
                            locale,
                            Some(ErrorCode::Unknown),
                        )));
                    }
                }
                Err(ApiFailure::Refused {
                    code: ErrorCode::InvalidSubmission,
                    fields,
                    ..
                }) => {
                    dispatcher.dispatch(Action::Rejected(fields));
                }
                Err(failure) => {
                    dispatcher.dispatch(Action::Failed(checkout_failure(locale, failure.code())))
                }
            }
        });
    })
}

/// Opens the payment page: in this window, or in the whole window (else a new tab) when framed.
fn go_to(url: &str, framed: bool) -> Result<(), wasm_bindgen::JsValue> {
    let window = gloo::utils::window();
    if framed {
        let top = window.top()?.ok_or(wasm_bindgen::JsValue::NULL)?;
        if top.location().set_href(url).is_ok() {
            return Ok(());
        }
        return window.open_with_url_and_target(url, "_blank").map(|_| ());
    }
    window.location().assign(url)
}
