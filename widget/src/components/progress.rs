//! How much the campaign has raised, against its goal when it has one.

use std::rc::Rc;

use tirelire_domain::{CampaignView, Locale};
use yew::prelude::*;

use crate::i18n;

/// Props of [`Progress`].
#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// The campaign.
    pub campaign: Rc<CampaignView>,
    /// The donor's language.
    pub locale: Locale,
}

/// The amount raised, a bar towards the goal, and the number of donations.
#[function_component(Progress)]
pub fn progress(props: &ProgressProps) -> Html {
    let campaign = &props.campaign;
    let raised = i18n::raised(props.locale, campaign.raised(), campaign.goal());
    let percent = campaign
        .goal_amount
        .filter(|goal| *goal > 0)
        .map(|goal| (campaign.raised_amount.saturating_mul(100) / goal).clamp(0, 100));
    html! {
        <div class="progress">
            <p class="raised" data-testid="raised">{ raised.clone() }</p>
            if let Some(percent) = percent {
                <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                     aria-valuenow={percent.to_string()} aria-label={raised.clone()}>
                    <span style={format!("width: {percent}%")}></span>
                </div>
            }
            <p class="count">{ i18n::donation_count(props.locale, campaign.donation_count) }</p>
        </div>
    }
}
