//! Mounting one widget: reading the host element's `data-tirelire-*` attributes, giving it a
//! Shadow DOM with the widget's stylesheet, and starting the Yew app inside.

use tirelire_domain::{CampaignSlug, Locale};
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::api::{Edge, Prefetched};
use crate::components::app::{App, AppProps, set_state};

/// Mounts the widget in `host`, talking to the edge at `edge_url`. The loader chose that edge:
/// the one that served it, or the host's `data-tirelire-edge` only when the deployment allows
/// it, so that whoever may edit a page's attributes cannot send donors elsewhere. `style` is
/// the widget's stylesheet, which the loader carries minified. `campaign` is the loader's
/// request for the campaign (a `Promise<Response>`), started while the WebAssembly was
/// downloading.
///
/// A host without a valid `data-tirelire-campaign` shows a visible explanation instead, for the
/// person who pasted the snippet.
#[wasm_bindgen]
pub fn mount(
    host: Element,
    edge_url: String,
    style: &str,
    campaign: Option<js_sys::Promise>,
) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    if host.shadow_root().is_some() {
        return Ok(());
    }
    let locale = host
        .get_attribute("data-tirelire-locale")
        .as_deref()
        .and_then(Locale::from_tag)
        .or_else(document_locale)
        .unwrap_or_default();
    let prefetched = campaign.map(Prefetched);
    let campaign = host
        .get_attribute("data-tirelire-campaign")
        .and_then(|slug| CampaignSlug::parse(slug.trim()).ok());
    // Set by the edge's own page when a site frames it: the page the donor comes back to.
    let return_to = host
        .get_attribute("data-tirelire-return-to")
        .filter(|url| !url.is_empty());

    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    adopt_style(&shadow, style)?;
    let document = gloo::utils::document();
    let root = document.create_element("div")?;
    root.set_class_name("tirelire");
    root.set_attribute("lang", locale.tag())?;
    shadow.append_child(&root)?;

    let Some(slug) = campaign else {
        set_state(&host, "misconfigured");
        root.set_inner_html(MISCONFIGURED);
        return Ok(());
    };
    yew::Renderer::<App>::with_root_and_props(
        root,
        AppProps {
            host,
            slug,
            edge: Edge::new(&edge_url),
            locale,
            return_to,
            prefetched,
        },
    )
    .render();
    Ok(())
}

/// What a snippet without a valid campaign shows, for the person who pasted it, in both
/// languages since the page's may be neither.
const MISCONFIGURED: &str = "<p class=\"notice notice-error\" role=\"alert\">Tirelire\u{a0}: \
    l'attribut data-tirelire-campaign manque ou n'est pas un nom de campagne valide. \
    <span lang=\"en\">(Tirelire: data-tirelire-campaign is missing or is not a valid campaign \
    name.)</span></p>";

fn document_locale() -> Option<Locale> {
    let lang = gloo::utils::document()
        .document_element()?
        .get_attribute("lang")?;
    Locale::from_tag(&lang)
}

/// A constructed stylesheet applies even under a `style-src` CSP that blocks inline `<style>`;
/// browsers without constructable stylesheets get a `<style>` element instead.
fn adopt_style(shadow: &ShadowRoot, style: &str) -> Result<(), JsValue> {
    let adopted = CssStyleSheet::new().and_then(|sheet| {
        sheet.replace_sync(style)?;
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        Ok(())
    });
    if adopted.is_err() {
        let element = gloo::utils::document().create_element("style")?;
        element.set_text_content(Some(style));
        shadow.append_child(&element)?;
    }
    Ok(())
}
