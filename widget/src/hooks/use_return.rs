//! The donor's return from the PSP: the edge added `tirelire_campaign`, `tirelire_order` and
//! `tirelire_result` to the page's address. The widget of that campaign reads them once, takes
//! them out of the address (so that a reload shows the form again), and follows the order until
//! the payment is confirmed.

use gloo::timers::future::TimeoutFuture;
use tirelire_domain::api::{OrderView, return_params};
use tirelire_domain::{CampaignSlug, OrderStatus};
use web_sys::{Url, UrlSearchParams};
use yew::prelude::*;

use crate::api::Edge;

/// How the donor came back, if they did.
#[derive(Clone, Debug, PartialEq)]
pub enum Return {
    /// Not coming back from the PSP, or the message was dismissed.
    None,
    /// They left the payment page without paying.
    Cancelled,
    /// They paid; the edge has not confirmed it yet.
    Confirming,
    /// The edge confirmed the payment.
    Paid(OrderView),
    /// The edge has not confirmed the payment within the time the widget waits; it will.
    StillConfirming,
    /// The payment failed or the session expired.
    NotPaid,
}

/// How often, and how many times, the order is asked for while its confirmation is awaited.
const POLL_EVERY_MS: u32 = 1_500;
const POLLS: u32 = 20;

/// The return for this campaign's widget, and a callback to dismiss it.
#[hook]
pub fn use_return(edge: Edge, slug: CampaignSlug) -> (Return, Callback<()>) {
    let state = use_state(|| Return::None);
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            if let Some((order_id, paid)) = take_return_params(&slug) {
                if paid {
                    state.set(Return::Confirming);
                    wasm_bindgen_futures::spawn_local(follow(edge, order_id, state));
                } else {
                    state.set(Return::Cancelled);
                }
            }
        });
    }
    let dismiss = {
        let state = state.clone();
        Callback::from(move |()| state.set(Return::None))
    };
    ((*state).clone(), dismiss)
}

async fn follow(edge: Edge, order_id: String, state: UseStateHandle<Return>) {
    for attempt in 0..POLLS {
        if attempt > 0 {
            TimeoutFuture::new(POLL_EVERY_MS).await;
        }
        match edge.order(&order_id).await {
            Ok(order) if order.status == OrderStatus::Paid => {
                state.set(Return::Paid(order));
                return;
            }
            Ok(order) if order.status != OrderStatus::Pending => {
                state.set(Return::NotPaid);
                return;
            }
            // Pending, or a passing network failure: ask again.
            _ => {}
        }
    }
    // The webhook is late, or the payment settles later: say so plainly rather than spin.
    state.set(Return::StillConfirming);
}

/// Reads and removes the return parameters meant for `slug`: the order id, and whether the
/// donor went through payment.
fn take_return_params(slug: &CampaignSlug) -> Option<(String, bool)> {
    let window = gloo::utils::window();
    let href = window.location().href().ok()?;
    let url = Url::new(&href).ok()?;
    let params: UrlSearchParams = url.search_params();
    if params.get(return_params::CAMPAIGN).as_deref() != Some(slug.as_str()) {
        return None;
    }
    let order_id = params.get(return_params::ORDER)?;
    let paid = params.get(return_params::RESULT).as_deref() == Some(return_params::PAID);
    for name in [
        return_params::CAMPAIGN,
        return_params::ORDER,
        return_params::RESULT,
    ] {
        params.delete(name);
    }
    let clean = url.href();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some((order_id, paid))
}
