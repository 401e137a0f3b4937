//! A person's data, for the treasurer who answers their request: find everything about an
//! address, hand it over as a file, or erase it.

use gloo::net::http::Request;
use tirelire_domain::api::ErrorCode;
use tirelire_domain::payments::{DonorFile, Erased, Erasure};
use tirelire_domain::{Currency, Locale, Money};
use yew::prelude::*;

use crate::form::{bind, post, refusal};

fn problem_text(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::InvalidSubmission) => "Cette adresse e-mail n'est pas valable.",
        Some(ErrorCode::SignInAgain) => {
            "Par sécurité, effacer des données demande une connexion de moins d'une heure : déconnectez-vous, puis demandez un nouveau lien."
        }
        Some(ErrorCode::Forbidden) => "Votre rôle ne permet pas cette opération.",
        None => {
            "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
        }
        Some(_) => "L'opération n'a pas abouti. Réessayez.",
    }
}

/// The donors' rights section.
#[function_component(Donors)]
pub fn donors() -> Html {
    let email = use_state(String::new);
    let file = use_state(|| None::<DonorFile>);
    let notice = use_state(|| None::<(bool, String)>);

    let onsubmit = {
        let email = email.clone();
        let file = file.clone();
        let notice = notice.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let address = email.trim().to_owned();
            let file = file.clone();
            let notice = notice.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let query =
                    serde_urlencoded::to_string([("email", address.as_str())]).unwrap_or_default();
                match Request::get(&format!("/v1/admin/donors?{query}"))
                    .send()
                    .await
                {
                    Ok(response) if response.ok() => {
                        notice.set(None);
                        file.set(response.json::<DonorFile>().await.ok());
                    }
                    Ok(response) => {
                        file.set(None);
                        notice.set(Some((
                            true,
                            problem_text(refusal(response).await.0).to_owned(),
                        )));
                    }
                    Err(_) => notice.set(Some((true, problem_text(None).to_owned()))),
                }
            });
        })
    };

    let erase = {
        let file = file.clone();
        let notice = notice.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(found) = (*file).clone() else {
                return;
            };
            let question = format!(
                "Effacer le nom et l'adresse de {} de {} paiement(s) et des messages ? Les montants restent dans les comptes. Cela ne peut pas être défait.",
                found.email,
                found.payments.len()
            );
            if !gloo::utils::window()
                .confirm_with_message(&question)
                .unwrap_or(false)
            {
                return;
            }
            let file = file.clone();
            let notice = notice.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post(
                    "/v1/admin/donors/erasure",
                    &Erasure {
                        email: found.email.clone(),
                    },
                )
                .await;
                match sent {
                    Ok(response) if response.ok() => {
                        let erased = response.json::<Erased>().await.ok();
                        file.set(None);
                        notice.set(Some((
                            false,
                            format!(
                                "Données effacées : {} paiement(s) n'ont plus de nom ni d'adresse ; les montants restent dans les comptes.",
                                erased.map_or(0, |erased| erased.payments)
                            ),
                        )));
                    }
                    Ok(response) => notice.set(Some((
                        true,
                        problem_text(refusal(response).await.0).to_owned(),
                    ))),
                    Err(_) => notice.set(Some((true, problem_text(None).to_owned()))),
                }
            });
        })
    };

    html! {
        <section class="card wide" aria-labelledby="donors-title">
            <h2 id="donors-title">{ "Données personnelles" }</h2>
            <p class="muted">
                { "Quand une personne demande ce que l'association garde sur elle, ou demande de l'effacer (RGPD, articles 15, 17 et 20), cherchez son adresse e-mail." }
            </p>
            if let Some((error, text)) = &*notice {
                <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
            }
            <form {onsubmit} aria-label="Chercher une personne">
                <label for="d-email">{ "Adresse e-mail" }</label>
                <input id="d-email" type="email" required=true value={(*email).clone()} oninput={bind(&email)} />
                <button type="submit">{ "Chercher" }</button>
            </form>
            if let Some(found) = &*file {
                <div class="donor" data-testid="donor-file">
                    <h3>{ format!("{} paiement(s) et {} message(s) pour {}", found.payments.len(), found.messages.len(), found.email) }</h3>
                    <ul>
                        { for found.payments.iter().map(|payment| {
                            let amount = Money::new(payment.amount, Currency::from_code(&payment.currency).unwrap_or(Currency::Eur)).format_exact(Locale::Fr);
                            let mut line = format!("{amount} · {} · {} {} · {}", payment.campaign, payment.first_name, payment.last_name, payment.status.label_fr());
                            if !payment.tickets.is_empty() {
                                line.push_str(&format!(" · {} billet(s)", payment.tickets.len()));
                            }
                            let answers: Vec<String> = payment.answers.iter().map(|(key, answer)| format!("{key} : {answer}")).collect();
                            if !answers.is_empty() {
                                line.push_str(&format!(" · réponses : {}", answers.join(", ")));
                            }
                            html! { <li>{ line }</li> }
                        }) }
                    </ul>
                    if let Some(member) = &found.member {
                        <p>{ format!("Fiche de membre : {} {}", member.first_name, member.last_name) }</p>
                        <ul>
                            { for member.periods.iter().map(|period| html! {
                                <li>{ format!("{} ({}) : du {} au {}{}", period.campaign, period.tier, period.starts_on, period.ends_on, if period.cancelled { ", annulée" } else { "" }) }</li>
                            }) }
                        </ul>
                    }
                    <div class="actions">
                        <a class="button secondary" download="donnees-personnelles.json"
                           href={format!("/v1/admin/donors?{}&download=1", serde_urlencoded::to_string([("email", found.email.as_str())]).unwrap_or_default())}>
                            { "Télécharger ses données (JSON)" }
                        </a>
                        if !found.payments.is_empty() || !found.messages.is_empty() {
                            <button type="button" class="danger" onclick={erase}>{ "Effacer ses données" }</button>
                        }
                    </div>
                </div>
            }
        </section>
    }
}
