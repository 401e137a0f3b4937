//! How much the campaign has raised, against its goal when it has one.

use tirelire_domain::{CampaignView, Locale};
use yew::prelude::*;

use crate::i18n;

/// What [`progress`] shows.
pub struct ProgressProps<'a> {
    /// The campaign.
    pub campaign: &'a CampaignView,
    /// The donor's language.
    pub locale: Locale,
}

/// The amount raised, a bar towards the goal, and the number of donations.
pub fn progress(props: &ProgressProps<'_>) -> Html {
    let campaign = &props.campaign;
    let raised = i18n::raised(props.locale, campaign.raised, campaign.goal);
    let percent = campaign
        .goal
        .filter(|goal| goal.minor > 0)
        .map(|goal| (campaign.raised.minor.saturating_mul(100) / goal.minor).clamp(0, 100));
    // A crowdfunding counts its days; past its end, it says it has closed instead.
    let days_left = campaign
        .offer
        .closes_at
        .filter(|_| !campaign.closed)
        .map(|closes| {
            ((closes as f64 - js_sys::Date::now() / 1000.0) / 86_400.0)
                .floor()
                .max(0.0) as i64
        });
    html! {
        <div class="progress">
            <p class="raised" data-testid="raised">{ raised.clone() }</p>
            // A native element: it needs no `style` attribute, which a strict `style-src`
            // would block, and assistive technology reads it as a progress bar.
            if let Some(percent) = percent {
                <progress class="bar" max="100" value={percent.to_string()} aria-label={raised.clone()}>
                    { format!("{percent}\u{a0}%") }
                </progress>
            }
            <p class="count">
                { i18n::donation_count(props.locale, campaign.donation_count) }
                if let Some(percent) = percent.filter(|_| days_left.is_some()) {
                    { format!(" · {percent}\u{a0}%") }
                }
                if let Some(days) = days_left {
                    { " · " }{ i18n::fill(i18n::texts(props.locale).order.days_left, &[("count", &days.to_string())]) }
                }
            </p>
        </div>
    }
}
