//! The campaigns: their list with what each raised, and for the treasurer a form to create one
//! or change it (texts, amounts, goal, allowed sites, open, closed or archived), with its
//! snippet and a preview of the form as donors will see it.

use gloo::net::http::Request;
use tirelire_domain::api::ErrorCode;
use tirelire_domain::payments::CampaignSummary;
use tirelire_domain::setup::{CampaignSetup, CampaignStatus, SiteCheck};
use tirelire_domain::{Currency, Field, FieldError, FieldErrorCode, Locale, Money, Role};
use yew::prelude::*;

use tirelire_domain::offer::Offer;
use tirelire_domain::setup::CampaignKind;

use crate::Snippet;
use crate::form::{bind, euros, plain, post, refusal, refusal_texts};
use crate::offer_form::OfferForm;

fn euro_text(minor: i64) -> String {
    Money::new(minor, Currency::Eur).format_exact(Locale::Fr)
}

fn field_text(error: &FieldError) -> &'static str {
    match (error.field, error.code) {
        (Field::Slug, _) => {
            "Le nom court s'écrit en minuscules sans accents, chiffres et tirets (par exemple kermesse-2027), et n'est pas déjà pris."
        }
        (Field::Title, FieldErrorCode::TooLong) => {
            "Le titre est trop long (120 caractères au plus)."
        }
        (Field::Title, _) => "Donnez un titre à la campagne.",
        (Field::Description, _) => "La description est trop longue (1000 caractères au plus).",
        (Field::Minimum, _) => "Le montant minimum est de 0,50 € au moins.",
        (Field::Maximum, FieldErrorCode::TooLarge) => {
            "Le montant maximum est de 1 000 000 € au plus."
        }
        (Field::Maximum, _) => "Le montant maximum doit être au moins égal au minimum.",
        (Field::Presets, FieldErrorCode::TooLong) => "Proposez six montants au plus.",
        (Field::Presets, _) => "Chaque montant proposé doit être entre le minimum et le maximum.",
        (Field::Goal, FieldErrorCode::Required) => {
            "Un financement participatif a un objectif : indiquez-le."
        }
        (Field::Goal, _) => "L'objectif doit être un montant positif, ou rester vide.",
        (Field::Items, FieldErrorCode::Required) => {
            "Ajoutez au moins une formule ou un tarif, avec son intitulé."
        }
        (Field::Items, FieldErrorCode::TooSmall) => {
            "Une limite est plus basse que ce qui est déjà vendu : augmentez-la."
        }
        (Field::Items, _) => {
            "Vérifiez les formules, tarifs ou contreparties : un intitulé de 80 caractères au plus, un prix nul ou d'au moins 0,50 €, 20 par commande au plus."
        }
        (Field::Capacity, FieldErrorCode::TooSmall) => {
            "Le nombre de places est plus bas que les places déjà réservées."
        }
        (Field::Capacity, _) => "Le nombre de places doit être d'au moins 1, ou rester vide.",
        (Field::ClosesAt, FieldErrorCode::Required) => "Indiquez la date de fin de la collecte.",
        (Field::ClosesAt, _) => "La fin de la vente doit venir après son ouverture.",
        (Field::Validity, _) => {
            "Indiquez la durée de l'adhésion : de 1 à 60 mois, ou des dates dans l'ordre."
        }
        (Field::Reminders, _) => "Quatre rappels au plus, à un an au plus de la fin de l'adhésion.",
        (Field::Fee, _) => "Les frais proposés vont jusqu'à 10 % et 5 € par paiement.",
        (Field::Questions, _) => {
            "Vérifiez les questions : chacune a un intitulé, et une liste de choix en a au moins un."
        }
        (Field::PromoCodes, FieldErrorCode::TooSmall) => {
            "Un code a déjà servi plus de fois que sa nouvelle limite."
        }
        (Field::PromoCodes, _) => {
            "Vérifiez les codes promo : 3 à 20 lettres, chiffres ou tirets, tous différents, avec une réduction en % (1 à 100) ou en €."
        }
        (Field::Origins, _) => {
            "Chaque site s'écrit comme une adresse sans chemin, par exemple https://www.mon-asso.fr (une par ligne, vingt au plus)."
        }
        _ => "Vérifiez ce champ.",
    }
}

fn problem_text(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::SlugTaken) => {
            "Une autre campagne porte déjà ce nom court : choisissez-en un autre."
        }
        Some(ErrorCode::Forbidden) => "Votre rôle ne permet pas de modifier les campagnes.",
        Some(ErrorCode::Unauthorized) => {
            "Votre session a pris fin. Rechargez la page pour vous reconnecter."
        }
        None => {
            "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
        }
        Some(_) => "L'enregistrement n'a pas abouti. Réessayez.",
    }
}

/// What the form is about.
#[derive(Clone, PartialEq)]
enum Editing {
    /// Nothing: the list alone.
    None,
    /// A new campaign.
    New,
    /// This campaign, as saved.
    Existing(Box<CampaignSetup>),
}

#[derive(Properties, PartialEq)]
pub struct CampaignsProps {
    /// The signed-in person's role.
    pub role: Role,
}

/// The campaigns section.
#[function_component(Campaigns)]
pub fn campaigns(props: &CampaignsProps) -> Html {
    let list = use_state(|| None::<Vec<CampaignSummary>>);
    let editing = use_state(|| Editing::None);
    let reload = use_state(|| 0_u32);
    let notice = use_state(|| None::<String>);
    {
        let list = list.clone();
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/v1/admin/campaigns").send().await
                    && let Ok(campaigns) = response.json::<Vec<CampaignSummary>>().await
                {
                    list.set(Some(campaigns));
                }
            });
        });
    }
    let treasurer = props.role.covers(Role::Treasurer);
    let open = |slug: String| {
        let editing = editing.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let editing = editing.clone();
            let notice = notice.clone();
            let slug = slug.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match Request::get(&format!("/v1/admin/campaigns/{slug}"))
                    .send()
                    .await
                {
                    Ok(response) if response.ok() => {
                        if let Ok(setup) = response.json::<CampaignSetup>().await {
                            notice.set(None);
                            editing.set(Editing::Existing(Box::new(setup)));
                        }
                    }
                    _ => notice.set(Some(problem_text(None).to_owned())),
                }
            });
        })
    };
    let new = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(Editing::New))
    };
    let on_saved = {
        let editing = editing.clone();
        let reload = reload.clone();
        let notice = notice.clone();
        Callback::from(move |setup: CampaignSetup| {
            notice.set(Some(format!(
                "La campagne « {} » est enregistrée.",
                setup.title
            )));
            editing.set(Editing::Existing(Box::new(setup)));
            reload.set(*reload + 1);
        })
    };
    let on_cancel = {
        let editing = editing.clone();
        Callback::from(move |()| editing.set(Editing::None))
    };

    let rows = match &*list {
        None => html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> },
        Some(campaigns) if campaigns.is_empty() => {
            html! { <p class="muted">{ "Aucune campagne pour l'instant." }</p> }
        }
        Some(campaigns) => html! {
            <ul class="campaigns">
                { for campaigns.iter().map(|campaign| {
                    let raised = euro_text(campaign.raised);
                    let goal = campaign.goal.map(|goal| format!(" sur {}", euro_text(goal))).unwrap_or_default();
                    html! {
                        <li data-campaign={campaign.slug.clone()}>
                            <div>
                                <strong>{ &campaign.title }</strong>
                                <span class={classes!("status", campaign.status.name())}>{ campaign.status.label_fr() }</span>
                                <br />
                                <span class="muted small">{ format!("{raised}{goal} · {} paiement{}", campaign.count, if campaign.count > 1 { "s" } else { "" }) }</span>
                            </div>
                            <button type="button" class="secondary" onclick={open(campaign.slug.clone())}
                                    aria-label={format!("{} la campagne {}", if treasurer { "Modifier" } else { "Voir" }, campaign.title)}>
                                { if treasurer { "Modifier" } else { "Voir" } }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
    };

    html! {
        <section class="card wide" aria-labelledby="campaigns-title">
            <h2 id="campaigns-title">{ "Campagnes" }</h2>
            if let Some(text) = &*notice {
                <p class="notice" role="status">{ text }</p>
            }
            {
                match &*editing {
                    Editing::None => html! {
                        <>
                            if treasurer {
                                <button type="button" class="new" onclick={new}>{ "Nouvelle campagne" }</button>
                            }
                            { rows }
                        </>
                    },
                    Editing::New => html! {
                        <CampaignForm setup={None::<CampaignSetup>} {treasurer} on_saved={on_saved.clone()} on_cancel={on_cancel.clone()} />
                    },
                    Editing::Existing(setup) => html! {
                        <>
                            <CampaignForm setup={Some((**setup).clone())} {treasurer} on_saved={on_saved.clone()} on_cancel={on_cancel.clone()} />
                            <Snippet slug={setup.slug.clone()} />
                            <SiteChecker slug={setup.slug.clone()} first_origin={setup.origins.first().cloned()} />
                            if setup.status == CampaignStatus::Open {
                                <section class="preview">
                                    <h3>{ "Aperçu du formulaire" }</h3>
                                    <iframe title="Aperçu du formulaire de la campagne"
                                            src={format!("/widget/v1/page.html?campaign={}", setup.slug)} />
                                </section>
                            }
                        </>
                    },
                }
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    setup: Option<CampaignSetup>,
    treasurer: bool,
    on_saved: Callback<CampaignSetup>,
    on_cancel: Callback<()>,
}

/// The settings of one campaign, new or saved.
#[function_component(CampaignForm)]
fn campaign_form(props: &FormProps) -> Html {
    let saved = props.setup.clone();
    let initial = |pick: &dyn Fn(&CampaignSetup) -> String, default: &str| {
        saved.as_ref().map_or_else(|| default.to_owned(), pick)
    };
    let title = use_state(|| initial(&|s| s.title.clone(), ""));
    let slug = use_state(|| initial(&|s| s.slug.clone(), ""));
    let description = use_state(|| initial(&|s| s.description.clone(), ""));
    let presets = use_state(|| {
        initial(
            &|s| {
                s.presets
                    .iter()
                    .map(|minor| plain(*minor))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            "10 20 50",
        )
    });
    let min = use_state(|| initial(&|s| plain(s.min_amount), "1"));
    let max = use_state(|| initial(&|s| plain(s.max_amount), "10000"));
    let goal = use_state(|| initial(&|s| s.goal_amount.map(plain).unwrap_or_default(), ""));
    let origins = use_state(|| initial(&|s| s.origins.join("\n"), ""));
    let status = use_state(|| initial(&|s| s.status.name().to_owned(), "open"));
    let kind = use_state(|| saved.as_ref().map(|s| s.kind).unwrap_or_default());
    let offer = use_state(|| saved.as_ref().map(|s| s.offer.clone()).unwrap_or_default());
    let errors = use_state(Vec::<String>::new);
    let busy = use_state(|| false);
    let is_new = saved.is_none();

    let onsubmit = {
        let states = [
            title.clone(),
            slug.clone(),
            description.clone(),
            presets.clone(),
            min.clone(),
            max.clone(),
            goal.clone(),
            origins.clone(),
            status.clone(),
        ];
        let errors = errors.clone();
        let busy = busy.clone();
        let on_saved = props.on_saved.clone();
        let (kind, offer) = (kind.clone(), offer.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let [
                title,
                slug,
                description,
                presets,
                min,
                max,
                goal,
                origins,
                status,
            ] = states.clone().map(|state| (*state).clone());
            let mut wrong = Vec::new();
            let mut amount = |text: &str, what: &str| match euros(text) {
                Ok(amount) => amount,
                Err(()) => {
                    wrong.push(format!("« {text} » n'est pas un montant ({what})."));
                    None
                }
            };
            let presets: Vec<i64> = presets
                .split([' ', ';', '\n'])
                .filter(|part| !part.trim().is_empty())
                .filter_map(|part| amount(part, "montants proposés"))
                .collect();
            let min = amount(&min, "minimum").unwrap_or_default();
            let max = amount(&max, "maximum").unwrap_or_default();
            let goal = amount(&goal, "objectif");
            if !wrong.is_empty() {
                errors.set(wrong);
                return;
            }
            let setup = CampaignSetup {
                slug: slug.trim().to_owned(),
                kind: *kind,
                offer: (*offer).clone(),
                status: CampaignStatus::from_name(&status).unwrap_or(CampaignStatus::Open),
                title,
                description,
                currency: Currency::Eur,
                presets,
                min_amount: min,
                max_amount: max,
                goal_amount: goal,
                origins: origins.lines().map(str::to_owned).collect(),
            };
            let url = if is_new {
                "/v1/admin/campaigns".to_owned()
            } else {
                format!("/v1/admin/campaigns/{}", setup.slug)
            };
            let errors = errors.clone();
            let busy = busy.clone();
            let on_saved = on_saved.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post(&url, &setup).await;
                busy.set(false);
                match sent {
                    Ok(response) if response.ok() => match response.json::<CampaignSetup>().await {
                        Ok(saved) => {
                            errors.set(Vec::new());
                            on_saved.emit(saved);
                        }
                        Err(_) => {
                            errors.set(vec![problem_text(Some(ErrorCode::Internal)).to_owned()])
                        }
                    },
                    Ok(response) => {
                        let (code, fields) = refusal(response).await;
                        errors.set(refusal_texts(code, &fields, problem_text, field_text));
                    }
                    Err(_) => errors.set(vec![problem_text(None).to_owned()]),
                }
            });
        })
    };
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    let disabled = !props.treasurer;
    let heading = if is_new {
        "Nouvelle campagne".to_owned()
    } else {
        format!("Campagne « {} »", *title)
    };
    html! {
        <form {onsubmit} aria-label="Réglages de la campagne" class="campaign-form">
            <h3>{ heading }</h3>
            if !errors.is_empty() {
                <ul class="notice error" role="alert">
                    { for errors.iter().map(|text| html! { <li>{ text }</li> }) }
                </ul>
            }
            <fieldset {disabled}>
                <div class="grid">
                    <div>
                        <label for="c-title">{ "Titre" }</label>
                        <input id="c-title" required=true maxlength="120" value={(*title).clone()} oninput={bind(&title)} />
                    </div>
                    <div>
                        <label for="c-slug">{ "Nom court (dans le code à coller)" }</label>
                        <input id="c-slug" required=true maxlength="64" pattern="[a-z0-9]+(-[a-z0-9]+)*"
                               readonly={!is_new} aria-describedby="c-slug-hint"
                               value={(*slug).clone()} oninput={bind(&slug)} />
                        <p class="muted small" id="c-slug-hint">
                            { if is_new { "Minuscules, chiffres et tirets, par exemple kermesse-2027. Il ne change plus ensuite." } else { "Il ne change plus : les sites l'utilisent." } }
                        </p>
                    </div>
                </div>
                <label for="c-kind">{ "Ce que la campagne collecte" }</label>
                <select id="c-kind" disabled={!is_new} aria-describedby="c-kind-hint" onchange={{
                    let (kind, offer) = (kind.clone(), offer.clone());
                    Callback::from(move |event: Event| {
                        let value = event.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                        kind.set(CampaignKind::from_name(&value).unwrap_or_default());
                        offer.set(Offer::default());
                    })
                }}>
                    { for CampaignKind::ALL.iter().map(|k| html! {
                        <option value={k.name()} selected={*k == *kind}>{ k.label_fr() }</option>
                    }) }
                </select>
                <p class="muted small" id="c-kind-hint">{ "Dons, adhésions, billetterie ou financement participatif ; il ne change plus ensuite." }</p>
                <label for="c-description">{ "Description" }</label>
                <textarea id="c-description" rows="3" maxlength="1000" value={(*description).clone()} oninput={bind(&description)} />
                <div class="grid">
                    // An event sells its rates only; a membership's free amount serves its
                    // pay-what-you-want tiers; only gifts count towards a goal.
                    if *kind != CampaignKind::Event {
                        <div>
                            <label for="c-presets">{ "Montants proposés (€, séparés par des espaces)" }</label>
                            <input id="c-presets" value={(*presets).clone()} oninput={bind(&presets)} />
                        </div>
                        <div>
                            <label for="c-min">{ "Montant minimum (€)" }</label>
                            <input id="c-min" inputmode="decimal" required=true value={(*min).clone()} oninput={bind(&min)} />
                        </div>
                        <div>
                            <label for="c-max">{ "Montant maximum (€)" }</label>
                            <input id="c-max" inputmode="decimal" required=true value={(*max).clone()} oninput={bind(&max)} />
                        </div>
                    }
                    if matches!(*kind, CampaignKind::Donation | CampaignKind::Crowdfunding) {
                        <div>
                            <label for="c-goal">{ "Objectif (€, facultatif)" }</label>
                            <input id="c-goal" inputmode="decimal" value={(*goal).clone()} oninput={bind(&goal)} />
                        </div>
                    }
                    <div>
                        <label for="c-status">{ "État" }</label>
                        <select id="c-status" onchange={bind(&status)}>
                            { for CampaignStatus::ALL.iter().map(|s| html! {
                                <option value={s.name()} selected={s.name() == *status}>{ s.label_fr() }</option>
                            }) }
                        </select>
                    </div>
                </div>
                <OfferForm kind={*kind} offer={(*offer).clone()} on_change={{
                    let offer = offer.clone();
                    Callback::from(move |changed| offer.set(changed))
                }} />
                <label for="c-origins">{ "Sites où le formulaire peut être collé (un par ligne)" }</label>
                <textarea id="c-origins" rows="3" aria-describedby="c-origins-hint" value={(*origins).clone()} oninput={bind(&origins)} />
                <p class="muted small" id="c-origins-hint">{ "Par exemple https://www.mon-asso.fr. Le formulaire refuse les dons venus d'autres sites." }</p>
            </fieldset>
            <div class="actions">
                if props.treasurer {
                    <button type="submit" disabled={*busy}>{ "Enregistrer la campagne" }</button>
                }
                <button type="button" class="secondary" onclick={cancel}>{ "Retour à la liste" }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct CheckProps {
    slug: String,
    first_origin: Option<String>,
}

/// Loads a page of the association's site, through the edge, and says whether the form is
/// there and can collect.
#[function_component(SiteChecker)]
fn site_checker(props: &CheckProps) -> Html {
    let url = use_state(|| {
        props
            .first_origin
            .as_ref()
            .map(|origin| format!("{origin}/"))
            .unwrap_or_default()
    });
    let result = use_state(|| None::<Result<SiteCheck, ()>>);
    let onsubmit = {
        let (url, result, slug) = (url.clone(), result.clone(), props.slug.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (result, body) = (result.clone(), serde_json::json!({ "url": (*url).trim() }));
            let path = format!("/v1/admin/campaigns/{slug}/check");
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post(&path, &body).await;
                result.set(Some(match sent {
                    Ok(response) if response.ok() => {
                        response.json::<SiteCheck>().await.map_err(|_| ())
                    }
                    _ => Err(()),
                }));
            });
        })
    };
    let line = |good: bool, yes: &str, no: &str| {
        html! { <li class={if good { "good" } else { "bad" }}>{ if good { format!("✓ {yes}") } else { format!("✗ {no}") } }</li> }
    };
    html! {
        <form {onsubmit} aria-label="Vérifier une page du site" class="check">
            <label for="check-url">{ "Une page de votre site où vous avez collé le code" }</label>
            <input id="check-url" type="url" required=true value={(*url).clone()} oninput={bind(&url)} />
            <button type="submit" class="secondary">{ "Vérifier ce site" }</button>
            {
                match &*result {
                    None => html! {},
                    Some(Err(())) => html! { <p class="notice error" role="status">{ "La vérification n'a pas pu se faire. Vérifiez l'adresse de la page." }</p> },
                    Some(Ok(check)) => html! {
                        <ul class="checks" role="status" data-testid="site-check">
                            { line(check.status.is_some_and(|status| status < 400), "la page répond", &format!("la page ne répond pas ({})", check.status.map_or("pas de réponse".to_owned(), |status| format!("erreur {status}")))) }
                            { line(check.form_found, "le code de cette campagne est sur la page", "le code de cette campagne n'est pas sur la page (ou la page le cache aux robots)") }
                            { line(check.script_found, "la page charge le formulaire depuis ce serveur", "la page ne charge pas le formulaire depuis ce serveur") }
                            { line(check.origin_allowed, "ce site est autorisé à collecter", "ce site n'est pas dans la liste des sites autorisés : ajoutez-le ci-dessus") }
                        </ul>
                    },
                }
            }
        </form>
    }
}
