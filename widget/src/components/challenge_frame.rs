//! The frame in which the edge runs the anti-robot check.

use tirelire_domain::{CampaignSlug, Locale};
use yew::prelude::*;

use crate::hooks::use_challenge::Challenge;
use crate::i18n::texts;

/// What [`challenge_frame`] shows.
pub struct ChallengeFrameProps<'a> {
    /// The check's state.
    pub challenge: &'a Challenge,
    /// The edge's origin.
    pub edge_url: &'a str,
    /// The campaign, whose allowed origins may frame the check.
    pub slug: &'a CampaignSlug,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the donor started on the form. Until then the frame holds its place, so that
    /// nothing moves under the donor's finger when it starts, but loads nothing.
    pub started: bool,
}

/// The check, from the edge.
pub fn challenge_frame(props: &ChallengeFrameProps<'_>) -> Html {
    let page_origin = gloo::utils::window()
        .location()
        .origin()
        .unwrap_or_default();
    let src = format!(
        "{}/widget/v1/challenge.html?campaign={}&locale={}&parent={}",
        props.edge_url,
        props.slug,
        props.locale.tag(),
        String::from(js_sys::encode_uri_component(&page_origin)),
    );
    let src = props.started.then_some(src);
    html! {
        <iframe ref={props.challenge.frame()} class="challenge" {src}
            title={texts(props.locale).challenge_title} data-testid="challenge" />
    }
}
