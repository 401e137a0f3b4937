//! Sending the donation: the form validates with the domain's rules, then the edge opens a
//! payment page and the browser goes there.

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
        wasm_bindgen_futures::spawn_local(async move {
            let return_url = gloo::utils::window().location().href().unwrap_or_default();
            let request = CheckoutRequest {
                donation,
                return_url,
                locale,
            };
            match edge.checkout(&slug, &request).await {
                Ok(session) => {
                    dispatcher.dispatch(Action::Redirecting);
                    if gloo::utils::window()
                        .location()
                        .assign(&session.checkout_url)
                        .is_err()
                    {
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
