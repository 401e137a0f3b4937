//! The association's settings: its name, address and contact, and a test of the mail set up
//! when the edge was deployed.

use gloo::net::http::Request;
use tirelire_domain::Role;
use tirelire_domain::staff::{Association, Settings};
use yew::prelude::*;

use crate::form::{bind, post, refusal};

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// The signed-in person's role.
    pub role: Role,
    /// Their address, where a test message goes by default.
    pub email: String,
}

/// The settings section.
#[function_component(SettingsPage)]
pub fn settings_page(props: &SettingsProps) -> Html {
    let loaded = use_state(|| None::<Settings>);
    let name = use_state(String::new);
    let address = use_state(String::new);
    let contact = use_state(String::new);
    let notice = use_state(|| None::<(bool, String)>);
    let test_to = use_state(|| props.email.clone());
    let test_result = use_state(|| None::<(bool, String)>);
    {
        let (loaded, name, address, contact) = (
            loaded.clone(),
            name.clone(),
            address.clone(),
            contact.clone(),
        );
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/v1/admin/settings").send().await
                    && let Ok(settings) = response.json::<Settings>().await
                {
                    name.set(settings.association.name.clone());
                    address.set(settings.association.address.clone());
                    contact.set(settings.association.contact_email.clone());
                    loaded.set(Some(settings));
                }
            });
        });
    }
    let admin = props.role.covers(Role::Admin);
    let onsubmit = {
        let (name, address, contact, notice) = (
            name.clone(),
            address.clone(),
            contact.clone(),
            notice.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let association = Association {
                name: (*name).clone(),
                address: (*address).clone(),
                contact_email: (*contact).clone(),
            };
            let notice = notice.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post("/v1/admin/settings", &association).await;
                notice.set(Some(match sent {
                    Ok(response) if response.ok() => (false, "Réglages enregistrés.".to_owned()),
                    Ok(response) => {
                        let fields = refusal(response).await.1;
                        let text = match fields.first().map(|field| field.field) {
                            Some(tirelire_domain::Field::Name) => {
                                "Le nom de l'association est obligatoire (120 caractères au plus)."
                            }
                            Some(tirelire_domain::Field::Address) => {
                                "L'adresse est trop longue (300 caractères au plus)."
                            }
                            Some(tirelire_domain::Field::Email) => {
                                "L'adresse de contact n'est pas une adresse e-mail valable."
                            }
                            _ => "L'enregistrement n'a pas abouti. Réessayez.",
                        };
                        (true, text.to_owned())
                    }
                    Err(_) => (
                        true,
                        "Le serveur de l'association ne répond pas.".to_owned(),
                    ),
                }));
            });
        })
    };
    let send_test = {
        let (test_to, test_result) = (test_to.clone(), test_result.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let body = serde_json::json!({ "to": (*test_to).trim(), "language": "fr" });
            let test_result = test_result.clone();
            test_result.set(Some((false, "Envoi…".to_owned())));
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post("/v1/admin/settings/test-mail", &body).await;
                let answer = match sent {
                    Ok(response) if response.ok() => {
                        response.json::<serde_json::Value>().await.ok()
                    }
                    _ => None,
                };
                test_result.set(Some(match answer {
                    Some(answer) if answer["outcome"] == "sent" => (
                        false,
                        format!("Le fournisseur a accepté le message pour {}. Vérifiez qu'il arrive (et pas dans les indésirables).", answer["to"].as_str().unwrap_or_default()),
                    ),
                    Some(answer) => (
                        true,
                        format!("Le message n'est pas parti : {}", answer["detail"].as_str().unwrap_or("le fournisseur l'a refusé")),
                    ),
                    None => (true, "Le test n'a pas pu être lancé. Vérifiez l'adresse, puis réessayez.".to_owned()),
                }));
            });
        })
    };
    let Some(settings) = &*loaded else {
        return html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> };
    };
    html! {
        <section class="card wide" aria-labelledby="settings-title">
            <h2 id="settings-title">{ "Réglages" }</h2>
            if let Some((error, text)) = &*notice {
                <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
            }
            <form {onsubmit} aria-label="L'association">
                <fieldset disabled={!admin}>
                    <label for="s-name">{ "Nom de l'association" }</label>
                    <input id="s-name" required=true maxlength="120" value={(*name).clone()} oninput={bind(&name)} />
                    <label for="s-address">{ "Adresse postale" }</label>
                    <textarea id="s-address" rows="3" maxlength="300" value={(*address).clone()} oninput={bind(&address)} />
                    <label for="s-contact">{ "Adresse e-mail de contact" }</label>
                    <input id="s-contact" type="email" value={(*contact).clone()} oninput={bind(&contact)} />
                </fieldset>
                if admin {
                    <button type="submit">{ "Enregistrer" }</button>
                }
            </form>
            <h3>{ "Envoi des mails" }</h3>
            if let Some(problem) = &settings.mail_problem {
                <p class="notice error">{ format!("Les mails ne partent pas : {problem} La personne qui a installé Tirelire peut le corriger (voir docs/deploy.md).") }</p>
            } else {
                <p>{ format!("Les reçus partent de {} par {}.", settings.mail_from.clone().unwrap_or_default(), settings.mail_provider.clone().unwrap_or_default()) }</p>
            }
            if admin {
                <form onsubmit={send_test} aria-label="Essayer l'envoi des mails">
                    <label for="s-test">{ "Envoyer un mail d'essai à" }</label>
                    <input id="s-test" type="email" required=true value={(*test_to).clone()} oninput={bind(&test_to)} />
                    <button type="submit" class="secondary">{ "Envoyer un mail d'essai" }</button>
                </form>
                if let Some((error, text)) = &*test_result {
                    <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
                }
            }
        </section>
    }
}
