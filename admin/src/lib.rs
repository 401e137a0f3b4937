//! The Tirelire back-office, served by the association's edge under `/admin/`.
//!
//! This first part lets people in: it uses the one-time link in the address
//! (`/admin/#sign-in=…`), asks for a new link by mail, says who is signed in, and signs out.
//! Once in, it lists, filters and exports the payments, records those received by hand (and
//! cancels them), and gives the snippet to paste, pinned to this edge's build.
//! It talks only to its own edge's `/v1/admin/…` routes; the session is an `HttpOnly` cookie
//! that this code never sees.

mod campaigns;
mod dashboard;
mod detail;
mod donors;
mod door;
mod form;
mod members;
mod offer_form;
mod payments;
mod settings;
mod team;

use form::post;

use gloo::net::http::Request;
use tirelire_domain::Role;
use tirelire_domain::staff::Me;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

/// Starts the back-office in `root`.
#[wasm_bindgen]
pub fn start_admin(root: Element) {
    console_error_panic_hook::set_once();
    yew::Renderer::<App>::with_root(root).render();
}

/// Where the back-office stands.
#[derive(Clone, PartialEq)]
enum Phase {
    /// Asking the edge who this is.
    Loading,
    /// Nobody is signed in; `notice` says why, or what happened.
    SignIn(Option<Notice>),
    /// Someone is.
    In(Me),
}

#[derive(Clone, PartialEq)]
enum Notice {
    LinkSent,
    LinkInvalid,
    SignedOut,
    Unreachable,
}

impl Notice {
    fn text(&self) -> &'static str {
        match self {
            Self::LinkSent => {
                "Si cette adresse fait partie de l'équipe, un lien de connexion vient de lui être envoyé. Il sert une fois, pendant 15 minutes."
            }
            Self::LinkInvalid => {
                "Ce lien a déjà servi ou a expiré. Demandez-en un nouveau ci-dessous."
            }
            Self::SignedOut => "Vous êtes déconnecté·e.",
            Self::Unreachable => {
                "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
            }
        }
    }

    fn is_error(&self) -> bool {
        matches!(self, Self::LinkInvalid | Self::Unreachable)
    }
}

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "administration",
        Role::Treasurer => "trésorerie",
        Role::Volunteer => "bénévole",
    }
}

/// Uses the link in the address, if there is one, then asks who is signed in.
async fn arrive() -> Phase {
    let location = gloo::utils::window().location();
    let hash = location.hash().unwrap_or_default();
    if let Some(token) = hash.strip_prefix("#sign-in=") {
        // The secret leaves the address at once: no bookmark or shared screen keeps it.
        let _ = gloo::utils::history().replace_state_with_url(&JsValue::NULL, "", Some("/admin/"));
        return match post("/v1/admin/session", &serde_json::json!({ "token": token })).await {
            Ok(response) if response.ok() => match response.json::<Me>().await {
                Ok(me) => Phase::In(me),
                Err(_) => Phase::SignIn(Some(Notice::Unreachable)),
            },
            Ok(response) if response.status() == 400 => Phase::SignIn(Some(Notice::LinkInvalid)),
            _ => Phase::SignIn(Some(Notice::Unreachable)),
        };
    }
    match Request::get("/v1/admin/me").send().await {
        Ok(response) if response.ok() => match response.json::<Me>().await {
            Ok(me) => Phase::In(me),
            Err(_) => Phase::SignIn(Some(Notice::Unreachable)),
        },
        Ok(response) if response.status() == 401 => Phase::SignIn(None),
        _ => Phase::SignIn(Some(Notice::Unreachable)),
    }
}

#[function_component(App)]
fn app() -> Html {
    let phase = use_state(|| Phase::Loading);
    {
        let phase = phase.clone();
        use_effect_with((), move |()| {
            let start = move || {
                let phase = phase.clone();
                wasm_bindgen_futures::spawn_local(async move { phase.set(arrive().await) });
            };
            start();
            // A link pasted into this tab changes only the address's fragment.
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                    start();
                });
            move || drop(listener)
        });
    }
    let set = {
        let phase = phase.clone();
        Callback::from(move |next: Phase| phase.set(next))
    };
    match &*phase {
        Phase::Loading => html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> },
        Phase::SignIn(notice) => html! { <SignIn notice={notice.clone()} on_done={set} /> },
        Phase::In(me) => html! { <Home me={me.clone()} on_done={set} /> },
    }
}

#[derive(Properties, PartialEq)]
struct SignInProps {
    notice: Option<Notice>,
    on_done: Callback<Phase>,
}

#[function_component(SignIn)]
fn sign_in(props: &SignInProps) -> Html {
    let email = use_state(String::new);
    let busy = use_state(|| false);
    let oninput = {
        let email = email.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            email.set(input.value());
        })
    };
    let onsubmit = {
        let email = email.clone();
        let busy = busy.clone();
        let on_done = props.on_done.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let address = (*email).trim().to_owned();
            let busy = busy.clone();
            let on_done = on_done.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let body = serde_json::json!({ "email": address, "language": "fr" });
                let notice = match post("/v1/admin/sign-in", &body).await {
                    Ok(response) if response.status() == 202 => Notice::LinkSent,
                    _ => Notice::Unreachable,
                };
                busy.set(false);
                on_done.emit(Phase::SignIn(Some(notice)));
            });
        })
    };
    html! {
        <>
            <h1>{ "Espace de gestion" }</h1>
            if let Some(notice) = &props.notice {
                <p class={classes!("notice", notice.is_error().then_some("error"))} role="status">
                    { notice.text() }
                </p>
            }
            <form class="card" {onsubmit}>
                <p class="muted">{ "Recevez par mail un lien pour entrer. Pas de mot de passe à retenir." }</p>
                <label for="email">{ "Votre adresse e-mail" }</label>
                <input id="email" type="email" autocomplete="email" required=true
                       value={(*email).clone()} {oninput} />
                <button type="submit" disabled={*busy}>{ "Recevoir un lien" }</button>
            </form>
        </>
    }
}

/// The loader's pinned address and hash, as the build writes them.
#[derive(Clone, PartialEq, serde::Deserialize)]
struct Pinned {
    script: String,
    integrity: String,
}

#[derive(Properties, PartialEq)]
pub(crate) struct SnippetProps {
    /// The campaign's slug, or none for a placeholder to replace.
    #[prop_or_default]
    pub slug: Option<String>,
}

/// The snippet to paste, pinned to this edge's build with Subresource Integrity.
#[function_component(Snippet)]
pub(crate) fn snippet(props: &SnippetProps) -> Html {
    let pinned = use_state(|| None::<Pinned>);
    {
        let pinned = pinned.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/widget/v1/pinned.json").send().await {
                    pinned.set(response.json::<Pinned>().await.ok());
                }
            });
        });
    }
    let Some(pinned) = &*pinned else {
        return html! {};
    };
    let origin = gloo::utils::window()
        .location()
        .origin()
        .unwrap_or_default();
    let code = format!(
        "<script src=\"{origin}/{}\"\n        integrity=\"{}\"\n        crossorigin=\"anonymous\" async></script>\n<div data-tirelire-campaign=\"{}\"></div>",
        pinned.script,
        pinned.integrity,
        props.slug.as_deref().unwrap_or("votre-campagne")
    );
    let (id, label) = match &props.slug {
        Some(slug) => (
            format!("snippet-{slug}"),
            "Le code à coller pour cette campagne",
        ),
        None => ("snippet".to_owned(), "Le code à coller sur votre site"),
    };
    let hint = format!("{id}-hint");
    html! {
        <section class="card">
            <label for={id.clone()}>{ label }</label>
            <p class="muted" id={hint.clone()}>
                if props.slug.is_none() { { "Remplacez votre-campagne par le nom court de votre campagne. " } }
                { "L'empreinte (integrity) garantit que votre site charge exactement ce formulaire ; après une mise à jour du serveur, recopiez ce code." }
            </p>
            <textarea id={id} readonly=true rows="5" aria-describedby={hint} value={code} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct HomeProps {
    me: Me,
    on_done: Callback<Phase>,
}

/// The back-office's two pages.
#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Dashboard,
    Payments,
    Campaigns,
    Members,
    Door,
    Donors,
    Team,
    Journal,
    Settings,
}

#[function_component(Home)]
fn home(props: &HomeProps) -> Html {
    let tab = use_state(|| Tab::Dashboard);
    let choose = |chosen: Tab| {
        let tab = tab.clone();
        Callback::from(move |_: MouseEvent| tab.set(chosen))
    };
    let current = |which: Tab| if *tab == which { Some("page") } else { None };
    let onclick = {
        let on_done = props.on_done.clone();
        Callback::from(move |_| {
            let on_done = on_done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let notice = match post("/v1/admin/sign-out", &serde_json::json!({})).await {
                    Ok(response) if response.status() == 204 || response.status() == 401 => {
                        Notice::SignedOut
                    }
                    _ => Notice::Unreachable,
                };
                on_done.emit(Phase::SignIn(Some(notice)));
            });
        })
    };
    html! {
        <>
            <h1>{ "Espace de gestion" }</h1>
            <section class="card who" data-testid="signed-in">
                <p>{ "Connecté·e : " }<strong>{ &props.me.email }</strong></p>
                <p class="muted">{ format!("Rôle : {}", role_name(props.me.role)) }</p>
                <button type="button" class="secondary" {onclick}>{ "Se déconnecter" }</button>
            </section>
            <nav class="tabs" aria-label="Rubriques">
                <button type="button" aria-current={current(Tab::Dashboard)} onclick={choose(Tab::Dashboard)}>{ "Tableau de bord" }</button>
                <button type="button" aria-current={current(Tab::Payments)} onclick={choose(Tab::Payments)}>{ "Paiements" }</button>
                <button type="button" aria-current={current(Tab::Campaigns)} onclick={choose(Tab::Campaigns)}>{ "Campagnes" }</button>
                <button type="button" aria-current={current(Tab::Members)} onclick={choose(Tab::Members)}>{ "Membres" }</button>
                <button type="button" aria-current={current(Tab::Door)} onclick={choose(Tab::Door)}>{ "Entrées" }</button>
                if props.me.role.covers(Role::Treasurer) {
                    <button type="button" aria-current={current(Tab::Donors)} onclick={choose(Tab::Donors)}>{ "Données personnelles" }</button>
                    <button type="button" aria-current={current(Tab::Journal)} onclick={choose(Tab::Journal)}>{ "Journal" }</button>
                }
                if props.me.role.covers(Role::Admin) {
                    <button type="button" aria-current={current(Tab::Team)} onclick={choose(Tab::Team)}>{ "Équipe" }</button>
                    <button type="button" aria-current={current(Tab::Settings)} onclick={choose(Tab::Settings)}>{ "Réglages" }</button>
                }
            </nav>
            {
                match *tab {
                    Tab::Dashboard => html! { <dashboard::DashboardView /> },
                    Tab::Payments => html! { <payments::Payments role={props.me.role} /> },
                    Tab::Campaigns => html! {
                        <>
                            <campaigns::Campaigns role={props.me.role} />
                            <Snippet />
                        </>
                    },
                    Tab::Members => html! { <members::Members /> },
                    Tab::Door => html! { <door::Door /> },
                    Tab::Donors => html! { <donors::Donors /> },
                    Tab::Team => html! { <team::Team /> },
                    Tab::Journal => html! { <team::Journal /> },
                    Tab::Settings => html! { <settings::SettingsPage role={props.me.role} email={props.me.email.clone()} /> },
                }
            }
        </>
    }
}
