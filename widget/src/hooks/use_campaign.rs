//! Loading the campaign's public view, and loading it again on demand (after a payment, to
//! show the new total, or when the donor asks to retry).

use std::rc::Rc;

use tirelire_domain::api::ErrorCode;
use tirelire_domain::{CampaignSlug, CampaignView};
use yew::prelude::*;

use crate::api::{ApiFailure, Edge, Prefetched};

/// Where loading the campaign stands.
#[derive(Clone, Debug, PartialEq)]
pub enum CampaignLoad {
    /// The first answer is awaited.
    Loading,
    /// The campaign, as last loaded.
    Loaded(Rc<CampaignView>),
    /// The edge knows no campaign by this name: the snippet is wrong.
    NotFound,
    /// The edge could not be reached or failed.
    Failed,
}

/// The campaign, and a callback that loads it again. The first load uses the loader's
/// `prefetched` request when there is one.
#[hook]
pub fn use_campaign(
    edge: Edge,
    slug: CampaignSlug,
    prefetched: Option<Prefetched>,
) -> (CampaignLoad, Callback<()>) {
    let load = use_state(|| CampaignLoad::Loading);
    let generation = use_state(|| 0u32);
    {
        let load = load.clone();
        use_effect_with(
            (edge, slug, *generation),
            move |(edge, slug, generation)| {
                let (edge, slug) = (edge.clone(), slug.clone());
                let prefetched = prefetched.filter(|_| *generation == 0);
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = match edge.campaign(&slug, prefetched).await {
                        Ok(view) => CampaignLoad::Loaded(Rc::new(view)),
                        Err(ApiFailure::Refused {
                            code: ErrorCode::CampaignNotFound,
                            ..
                        }) => CampaignLoad::NotFound,
                        Err(_) => CampaignLoad::Failed,
                    };
                    // A reload keeps showing the last good view if it fails.
                    if !(matches!(outcome, CampaignLoad::Failed)
                        && matches!(*load, CampaignLoad::Loaded(_)))
                    {
                        load.set(outcome);
                    }
                });
            },
        );
    }
    let reload = Callback::from(move |()| generation.set(generation.wrapping_add(1)));
    ((*load).clone(), reload)
}
