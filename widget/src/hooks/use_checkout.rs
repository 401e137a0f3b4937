//! Sending the donation: the form validates with the domain's rules, then the edge opens a
//! payment page and the browser goes there: this window, or the whole window when the widget
//! is framed, since PSPs refuse to be shown in frames.
//!
//! Each attempt carries a random key. A retry after a lost answer (the network failed) sends
//! the same key, so the edge gives back the same order and page instead of opening a second
//! one; once the edge has answered, the next press is a new attempt with a new key.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::timers::future::TimeoutFuture;
use tirelire_domain::api::{CheckoutRequest, CheckoutResponse, ErrorCode};
use tirelire_domain::{CampaignSlug, CheckoutPolicy, Locale};
use yew::prelude::*;

use crate::api::{ApiFailure, Edge};
use crate::hooks::use_challenge::Challenge;
use crate::i18n::{checkout_failure, texts};
use crate::state::{Action, FormState};

/// How often, and how long apart, an attempt still opening its page is asked again.
const IN_PROGRESS_RETRIES: u32 = 5;
const IN_PROGRESS_WAIT_MS: u32 = 1_500;
/// How long a press waits for the anti-robot check to finish, looking every so often.
const CHALLENGE_WAIT_MS: u32 = 10_000;
const CHALLENGE_POLL_MS: u32 = 250;

/// What the checkout needs besides the form.
#[derive(Clone, PartialEq)]
pub struct CheckoutContext {
    /// The edge.
    pub edge: Edge,
    /// The campaign.
    pub slug: CampaignSlug,
    /// The edge's conditions.
    pub policy: CheckoutPolicy,
    /// The donor's language.
    pub locale: Locale,
    /// The framing page, when framed.
    pub return_to: Option<String>,
}

/// A callback that submits the form.
#[hook]
pub fn use_checkout(
    context: CheckoutContext,
    form: UseReducerHandle<FormState>,
    challenge: Challenge,
) -> Callback<()> {
    let opened_at = use_state(js_sys::Date::now);
    let attempt: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    let opened_at = *opened_at;
    Callback::from(move |()| {
        if form.is_busy() {
            return;
        }
        let submission = form.submission();
        form.dispatch(Action::Submit);
        let Ok(donation) = submission else {
            return;
        };
        let dispatcher = form.dispatcher();
        let texts = texts(context.locale);
        let key = attempt
            .borrow_mut()
            .get_or_insert_with(new_attempt_key)
            .clone();
        let (context, attempt, challenge, website) = (
            context.clone(),
            attempt.clone(),
            challenge.clone(),
            form.website.clone(),
        );
        wasm_bindgen_futures::spawn_local(async move {
            // A person rarely sends the form faster than the edge's minimum; if they do (an
            // autofilled form, a preset amount), the form waits rather than being refused.
            let elapsed = js_sys::Date::now() - opened_at;
            let minimum = f64::from(context.policy.min_fill_ms) + 250.0;
            if elapsed < minimum {
                TimeoutFuture::new((minimum - elapsed) as u32).await;
            }
            // The check usually finishes while the donor types; if not, the press waits a
            // little for it rather than failing at once.
            let mut token = challenge.token();
            let mut waited = 0;
            while context.policy.challenge && token.is_none() && waited < CHALLENGE_WAIT_MS {
                TimeoutFuture::new(CHALLENGE_POLL_MS).await;
                waited += CHALLENGE_POLL_MS;
                token = challenge.token();
            }
            if context.policy.challenge && token.is_none() {
                dispatcher.dispatch(Action::Failed(texts.challenge_pending));
                return;
            }
            let framed = context.return_to.is_some();
            let return_url = context
                .return_to
                .clone()
                .unwrap_or_else(|| gloo::utils::window().location().href().unwrap_or_default());
            let request = CheckoutRequest {
                donation,
                return_url,
                locale: context.locale,
                attempt: Some(key),
                challenge_token: token,
                website,
                fill_ms: (js_sys::Date::now() - opened_at).max(0.0) as u64,
            };
            let page = request.return_url.clone();
            let outcome = send(&context, &request).await;
            // The edge answered: whatever it said, the token is spent and the next press is a
            // new attempt. Only a lost answer keeps the key, so a retry finds its first order.
            if !matches!(outcome, Err(ApiFailure::Network)) {
                attempt.borrow_mut().take();
                challenge.reset();
            }
            match outcome {
                Ok(session) => {
                    // A confirmed order (it cost nothing) comes back to this very page, with
                    // its outcome; anything else must be the provider's page.
                    let allowed = if session.confirmed {
                        session.checkout_url.split('?').next() == page.split(['?', '#']).next()
                    } else {
                        allowed_page(&context.policy, &session.checkout_url)
                    };
                    if !allowed {
                        dispatcher.dispatch(Action::Failed(texts.unexpected_failure));
                        return;
                    }
                    dispatcher.dispatch(Action::Redirecting);
                    if go_to(&session.checkout_url, framed).is_err() {
                        dispatcher.dispatch(Action::Failed(texts.unexpected_failure));
                    }
                }
                Err(ApiFailure::Refused {
                    code: ErrorCode::InvalidSubmission,
                    fields,
                    ..
                }) => dispatcher.dispatch(Action::Rejected(fields)),
                Err(failure) => dispatcher.dispatch(Action::Failed(checkout_failure(
                    context.locale,
                    failure.code(),
                ))),
            }
        });
    })
}

/// Sends the request, asking again while the same attempt is still opening its page.
async fn send(
    context: &CheckoutContext,
    request: &CheckoutRequest,
) -> Result<CheckoutResponse, ApiFailure> {
    let mut outcome = context.edge.checkout(&context.slug, request).await;
    for _ in 0..IN_PROGRESS_RETRIES {
        if outcome.as_ref().err().and_then(ApiFailure::code) != Some(ErrorCode::CheckoutInProgress)
        {
            break;
        }
        TimeoutFuture::new(IN_PROGRESS_WAIT_MS).await;
        outcome = context.edge.checkout(&context.slug, request).await;
    }
    outcome
}

/// Whether the edge's page is one of the provider's, over https (or a local simulator's):
/// whatever the edge answers, the donor is sent nowhere else.
fn allowed_page(policy: &CheckoutPolicy, url: &str) -> bool {
    web_sys::Url::new(url).is_ok_and(|url| policy.allows_payment_origin(&url.origin()))
}

/// A random attempt key: 128 bits, in hex.
fn new_attempt_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = gloo::utils::window()
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes));
    if filled.is_err() {
        // Without the browser's generator, the clock still separates attempts.
        let now = js_sys::Date::now().to_bits().to_le_bytes();
        bytes[..8].copy_from_slice(&now);
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
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
