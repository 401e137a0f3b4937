//! The root of one widget: loads the campaign and shows its progress, the donor's return
//! from the PSP, and the form.

use tirelire_domain::setup::CampaignKind;
use tirelire_domain::{CampaignSlug, Locale};
use web_sys::Element;
use yew::prelude::*;

use super::donation_form::DonationForm;
use super::progress::{ProgressProps, progress};
use super::return_notice::{ReturnNoticeProps, return_notice};
use crate::api::{Edge, Prefetched};
use crate::hooks::{CampaignLoad, Return, use_campaign, use_return};
use crate::i18n::texts;

/// What the loader passes for one `<div data-tirelire-campaign>` that names a campaign.
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// The element the widget lives in; its `data-tirelire-state` tells the page and tests
    /// where the widget stands.
    pub host: Element,
    /// The campaign.
    pub slug: CampaignSlug,
    /// The edge.
    pub edge: Edge,
    /// The donor's language.
    pub locale: Locale,
    /// When the widget is framed by a site that cannot run it, that site's page: payment opens
    /// in the whole window and comes back there.
    pub return_to: Option<String>,
    /// The loader's request for the campaign, if it made one.
    pub prefetched: Option<Prefetched>,
}

/// The widget.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let texts = texts(props.locale);
    let (load, reload) = use_campaign(
        props.edge.clone(),
        props.slug.clone(),
        props.prefetched.clone(),
    );
    let (returned, dismiss) = use_return(props.edge.clone(), props.slug.clone());

    // Once a payment is confirmed, show the total that includes it.
    {
        let reload = reload.clone();
        let paid = matches!(returned, Return::Paid(_));
        use_effect_with(paid, move |paid| {
            if *paid {
                reload.emit(());
            }
        });
    }
    // Bring a returning donor's eyes to the widget, which may be far down the page.
    {
        let host = props.host.clone();
        let returning = returned != Return::None;
        use_effect_with(returning, move |returning| {
            if *returning {
                host.scroll_into_view();
            }
        });
    }
    {
        let host = props.host.clone();
        let state = match &load {
            CampaignLoad::Loading => "loading",
            CampaignLoad::Loaded(_) => "ready",
            CampaignLoad::NotFound => "not-found",
            CampaignLoad::Failed => "failed",
        };
        use_effect_with(state, move |state| {
            set_state(&host, state);
            if *state == "ready" {
                let _ = gloo::utils::window()
                    .performance()
                    .map(|performance| performance.mark("tirelire:ready"));
            }
        });
    }

    let body = match &load {
        CampaignLoad::Loading => html! {
            <p class="notice" role="status" aria-busy="true">{ texts.loading }</p>
        },
        CampaignLoad::NotFound => html! {
            <p class="notice notice-error" role="alert">
                { format!("Tirelire\u{a0}: aucune campagne ne s'appelle «\u{a0}{}\u{a0}». Vérifiez l'attribut data-tirelire-campaign.", props.slug) }
            </p>
        },
        CampaignLoad::Failed => {
            let retry = reload.reform(|_: MouseEvent| ());
            html! {
                <div class="notice notice-error" role="alert">
                    <p>{ texts.load_failed }</p>
                    <button type="button" class="secondary" onclick={retry}>{ texts.retry }</button>
                </div>
            }
        }
        CampaignLoad::Loaded(campaign) => {
            let not_yet_open = campaign
                .offer
                .opens_at
                .filter(|opens| (*opens as f64) * 1000.0 > js_sys::Date::now())
                .map(|opens| {
                    let date = js_sys::Date::new(&((opens as f64) * 1000.0).into())
                        .to_locale_date_string(
                            props.locale.tag(),
                            &wasm_bindgen::JsValue::UNDEFINED,
                        );
                    crate::i18n::fill(texts.order.opens_on, &[("date", &String::from(date))])
                });
            let show_form = !campaign.closed
                && !matches!(
                    returned,
                    Return::Paid(_) | Return::Confirming | Return::StillConfirming
                );
            html! {
                <>
                    <header>
                        <p class="organisation">{ &campaign.organisation }</p>
                        <h2>{ &campaign.title }</h2>
                        if !campaign.description.is_empty() {
                            <p class="description">{ &campaign.description }</p>
                        }
                    </header>
                    // Tickets and memberships are sold, not collected towards a goal.
                    if matches!(campaign.kind, CampaignKind::Donation | CampaignKind::Crowdfunding) {
                        { progress(&ProgressProps { campaign, locale: props.locale }) }
                    }
                    { return_notice(&ReturnNoticeProps {
                        returned: &returned,
                        locale: props.locale,
                        kind: campaign.kind,
                        on_dismiss: dismiss.clone(),
                    }) }
                    if campaign.closed {
                        <p class="notice" role="status">{ texts.closed }</p>
                    }
                    if let Some(opens) = not_yet_open.clone() {
                        <p class="notice" role="status">{ opens }</p>
                    }
                    if show_form && not_yet_open.is_none() {
                        <DonationForm campaign={campaign.clone()} edge={props.edge.clone()} locale={props.locale}
                            return_to={props.return_to.clone()} />
                    }
                </>
            }
        }
    };
    html! {
        <section class="card" aria-label={texts.region_label}>
            { body }
            <footer>{ texts.powered_by }</footer>
        </section>
    }
}

/// Tells the page and tests where the widget stands.
pub fn set_state(host: &Element, state: &str) {
    let _ = host.set_attribute("data-tirelire-state", state);
}
