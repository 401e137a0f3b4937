//! One payment, opened from the list: the provider's ids and events, the messages, what people
//! did, a note for the team, and the receipt sent again.

use gloo::net::http::Request;
use tirelire_domain::Role;
use tirelire_domain::api::ErrorCode;
use tirelire_domain::payments::{Note, PaymentDetail};
use yew::prelude::*;

use crate::form::{bind, local_date_time, post, refusal};

fn message_name(template: &str) -> &str {
    match template {
        "donor_receipt" => "Reçu au donateur ou à la donatrice",
        "treasurer_payment" => "Avis à la trésorerie",
        other => other,
    }
}

fn problem_text(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::NoReceipt) => {
            "Ce paiement n'a pas de reçu à renvoyer : il a été saisi à la main, ou les données de la personne ont été effacées."
        }
        Some(ErrorCode::InvalidSubmission) => "Écrivez une note de 200 caractères au plus.",
        Some(ErrorCode::Forbidden) => "Votre rôle ne permet pas cette opération.",
        None => {
            "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
        }
        Some(_) => "L'opération n'a pas abouti. Réessayez.",
    }
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    /// The payment's id.
    pub id: String,
    /// The signed-in person's role.
    pub role: Role,
    /// Closes the panel.
    pub on_close: Callback<()>,
}

/// The panel of one payment.
#[function_component(PaymentPanel)]
pub fn payment_panel(props: &DetailProps) -> Html {
    let detail = use_state(|| None::<PaymentDetail>);
    let reload = use_state(|| 0_u32);
    let note = use_state(String::new);
    let notice = use_state(|| None::<(bool, String)>);
    {
        let detail = detail.clone();
        use_effect_with((props.id.clone(), *reload), move |(id, _)| {
            let url = format!("/v1/admin/payments/{id}");
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get(&url).send().await
                    && let Ok(found) = response.json::<PaymentDetail>().await
                {
                    detail.set(Some(found));
                }
            });
        });
    }
    let send = {
        let (notice, reload) = (notice.clone(), reload.clone());
        move |url: String, body: serde_json::Value, done: String| {
            let (notice, reload) = (notice.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post(&url, &body).await;
                match sent {
                    Ok(response) if response.ok() => {
                        notice.set(Some((false, done)));
                        reload.set(*reload + 1);
                    }
                    Ok(response) => {
                        let code = refusal(response).await.0;
                        notice.set(Some((true, problem_text(code).to_owned())));
                    }
                    Err(_) => notice.set(Some((true, problem_text(None).to_owned()))),
                }
            });
        }
    };
    let onsubmit = {
        let (send, note, id) = (send.clone(), note.clone(), props.id.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let body = serde_json::to_value(Note {
                text: (*note).clone(),
            })
            .unwrap_or_default();
            send(
                format!("/v1/admin/payments/{id}/note"),
                body,
                "Note gardée.".to_owned(),
            );
            note.set(String::new());
        })
    };
    let resend = {
        let (send, id) = (send.clone(), props.id.clone());
        Callback::from(move |_: MouseEvent| {
            send(
                format!("/v1/admin/payments/{id}/receipt"),
                serde_json::json!({}),
                "Le reçu part à nouveau ; il arrive en général en moins d'une minute.".to_owned(),
            );
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let Some(found) = &*detail else {
        return html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> };
    };
    let payment = &found.payment;
    let has_receipt = found
        .messages
        .iter()
        .any(|message| message.template == "donor_receipt" && !message.recipient.is_empty());
    html! {
        <section class="panel" aria-labelledby="detail-title" data-testid="payment-detail">
            <h3 id="detail-title">{ format!("Paiement {}", payment.id) }</h3>
            if let Some((error, text)) = &*notice {
                <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
            }
            <dl class="facts">
                <dt>{ "Montant" }</dt><dd>{ payment.money(payment.amount).format_exact(tirelire_domain::Locale::Fr) }</dd>
                <dt>{ "Campagne" }</dt><dd>{ &payment.campaign_title }</dd>
                <dt>{ "Date" }</dt><dd>{ local_date_time(payment.date) }</dd>
                if let Some(session) = &found.session_id { <dt>{ "Page de paiement (prestataire)" }</dt><dd><code>{ session }</code></dd> }
                if let Some(intent) = &found.payment_id { <dt>{ "Paiement (prestataire)" }</dt><dd><code>{ intent }</code></dd> }
            </dl>
            <h4>{ "Événements du prestataire de paiement" }</h4>
            if found.events.is_empty() { <p class="muted">{ "Aucun." }</p> }
            <ul>
                { for found.events.iter().map(|event| html! { <li>{ format!("{} · {}", local_date_time(event.received_at), event.kind) }</li> }) }
                { for found.anomalies.iter().map(|anomaly| html! { <li class="error">{ format!("Anomalie {} : {}", anomaly.kind, anomaly.detail) }</li> }) }
            </ul>
            <h4>{ "Messages" }</h4>
            if found.messages.is_empty() { <p class="muted">{ "Aucun." }</p> }
            <ul>
                { for found.messages.iter().map(|message| {
                    let state = match (message.status.as_str(), message.sent_at) {
                        ("sent", Some(at)) => format!("envoyé le {}", local_date_time(at)),
                        ("dead", _) => format!("non envoyé : {}", message.last_error.as_deref().unwrap_or("")),
                        _ => "en attente d'envoi".to_owned(),
                    };
                    html! { <li>{ format!("{} · {state}", message_name(&message.template)) }</li> }
                }) }
            </ul>
            <h4>{ "Historique et notes" }</h4>
            if found.history.is_empty() { <p class="muted">{ "Rien pour l'instant." }</p> }
            <ul>
                { for found.history.iter().map(|line| {
                    let what = if line.action == "note" {
                        let text = line.detail.as_deref()
                            .and_then(|detail| serde_json::from_str::<serde_json::Value>(detail).ok())
                            .and_then(|detail| detail["text"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        format!("note : {text}")
                    } else {
                        line.action.clone()
                    };
                    html! { <li>{ format!("{} · {} · {what}", local_date_time(line.at), line.who.as_deref().unwrap_or("déploiement")) }</li> }
                }) }
            </ul>
            <form {onsubmit} aria-label="Ajouter une note">
                <label for="note">{ "Note pour l'équipe" }</label>
                <input id="note" maxlength="200" required=true value={(*note).clone()} oninput={bind(&note)} />
                <div class="actions">
                    <button type="submit">{ "Garder la note" }</button>
                    if props.role.covers(Role::Treasurer) && has_receipt {
                        <button type="button" class="secondary" onclick={resend}>{ "Renvoyer le reçu" }</button>
                    }
                    <button type="button" class="secondary" onclick={close}>{ "Fermer" }</button>
                </div>
            </form>
        </section>
    }
}
