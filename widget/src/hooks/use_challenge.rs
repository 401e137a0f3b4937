//! The anti-robot check (Cloudflare Turnstile), run in a frame served by the edge: Turnstile's
//! script cannot run inside a Shadow DOM, nor on a page whose CSP does not allow it, while a
//! frame from the edge works wherever the widget does.
//!
//! The frame sends its token with `postMessage`. The widget believes only messages from the
//! edge's origin and from its own frame, and asks the frame for a new token once the edge has
//! used one, since a token is good for one checkout.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlIFrameElement, MessageEvent};
use yew::prelude::*;

/// The message the frame sends: `{tirelire: "challenge", token}`.
const FROM_FRAME: &str = "challenge";
/// The message that asks the frame for a new token.
const RESET: &str = "challenge-reset";

/// The check's state, shared by the form and its frame.
#[derive(Clone)]
pub struct Challenge {
    token: Rc<RefCell<Option<String>>>,
    frame: NodeRef,
    edge_origin: Rc<str>,
}

impl PartialEq for Challenge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.token, &other.token)
    }
}

impl Challenge {
    /// The token, if the donor passed the check and it was not used yet.
    pub fn token(&self) -> Option<String> {
        self.token.borrow().clone()
    }

    /// The frame's element, to render it.
    pub fn frame(&self) -> NodeRef {
        self.frame.clone()
    }

    /// Forgets the token and asks the frame for a new one.
    pub fn reset(&self) {
        self.token.borrow_mut().take();
        let Some(window) = self
            .frame
            .cast::<HtmlIFrameElement>()
            .and_then(|frame| frame.content_window())
        else {
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"tirelire".into(), &RESET.into());
        let _ = window.post_message(&message, &self.edge_origin);
    }
}

/// Follows the frame's messages.
#[hook]
pub fn use_challenge(edge_origin: &str) -> Challenge {
    let challenge = use_memo((), {
        let edge_origin: Rc<str> = edge_origin.into();
        move |()| Challenge {
            token: Rc::new(RefCell::new(None)),
            frame: NodeRef::default(),
            edge_origin,
        }
    });
    {
        let challenge = (*challenge).clone();
        use_effect_with((), move |()| {
            let listener = EventListener::new(&gloo::utils::window(), "message", move |event| {
                let Some(event) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                if let Some(token) = token_from_frame(&challenge, event) {
                    *challenge.token.borrow_mut() = token;
                }
            });
            move || drop(listener)
        });
    }
    (*challenge).clone()
}

/// The token (or its loss) a message from the frame carries; `None` for any other message.
fn token_from_frame(challenge: &Challenge, event: &MessageEvent) -> Option<Option<String>> {
    if event.origin() != *challenge.edge_origin {
        return None;
    }
    let frame = challenge
        .frame
        .cast::<HtmlIFrameElement>()?
        .content_window()?;
    let source: JsValue = event.source()?.into();
    if source != JsValue::from(frame) {
        return None;
    }
    let data = event.data();
    let kind = js_sys::Reflect::get(&data, &"tirelire".into()).ok()?;
    if kind.as_string().as_deref() != Some(FROM_FRAME) {
        return None;
    }
    let token = js_sys::Reflect::get(&data, &"token".into()).ok()?;
    Some(
        token
            .as_string()
            .filter(|token| !token.is_empty() && token.len() <= 2048),
    )
}
