//! The team and the audit log: for admins, who may enter, let someone in with a link to send
//! them, or remove them; for treasurers and admins, who did what and when.

use gloo::net::http::Request;
use tirelire_domain::Role;
use tirelire_domain::api::ErrorCode;
use tirelire_domain::staff::{AuditLine, InvitationRequest, InvitationResponse, Person};
use yew::prelude::*;

use crate::form::{bind, local_date_time, post, refusal};
use crate::role_name;

fn problem_text(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::SignInAgain) => {
            "Par sécurité, changer l'équipe demande une connexion de moins d'une heure : déconnectez-vous, puis demandez un nouveau lien."
        }
        Some(ErrorCode::CannotRemoveSelf) => {
            "Vous ne pouvez pas vous retirer vous-même : une autre personne de l'administration le peut."
        }
        Some(ErrorCode::InvalidSubmission) => "Cette adresse e-mail n'est pas valable.",
        Some(ErrorCode::Forbidden) => "Votre rôle ne permet pas cette opération.",
        None => {
            "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
        }
        Some(_) => "L'opération n'a pas abouti. Réessayez.",
    }
}

/// The team, for admins.
#[function_component(Team)]
pub fn team() -> Html {
    let people = use_state(Vec::<Person>::new);
    let reload = use_state(|| 0_u32);
    let email = use_state(String::new);
    let role = use_state(|| "volunteer".to_owned());
    let notice = use_state(|| None::<(bool, String)>);
    let link = use_state(|| None::<String>);
    {
        let people = people.clone();
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/v1/admin/people").send().await
                    && let Ok(list) = response.json::<Vec<Person>>().await
                {
                    people.set(list);
                }
            });
        });
    }
    let onsubmit = {
        let (email, role, notice, link, reload) = (
            email.clone(),
            role.clone(),
            notice.clone(),
            link.clone(),
            reload.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let request = InvitationRequest {
                email: email.trim().to_owned(),
                role: Role::from_name(&role).unwrap_or(Role::Volunteer),
            };
            let (notice, link, reload, email) =
                (notice.clone(), link.clone(), reload.clone(), email.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post("/v1/admin/invitations", &request).await;
                match sent {
                    Ok(response) if response.ok() => {
                        let invitation = response.json::<InvitationResponse>().await.ok();
                        notice.set(Some((
                            false,
                            format!(
                                "{} peut entrer. Envoyez-lui ce lien (il sert une fois, pendant 7 jours) ; ensuite, un lien par mail suffit.",
                                request.email
                            ),
                        )));
                        link.set(invitation.map(|invitation| invitation.link));
                        email.set(String::new());
                        reload.set(*reload + 1);
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
    let remove = |person: &Person| {
        let (notice, reload) = (notice.clone(), reload.clone());
        let (id, address) = (person.id, person.email.clone());
        Callback::from(move |_: MouseEvent| {
            let question =
                format!("Retirer {address} de l'équipe ? Sa session s'arrête tout de suite.");
            if !gloo::utils::window()
                .confirm_with_message(&question)
                .unwrap_or(false)
            {
                return;
            }
            let (notice, reload, address) = (notice.clone(), reload.clone(), address.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let sent = Request::post(&format!("/v1/admin/people/{id}/removal"))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.ok() => {
                        notice.set(Some((
                            false,
                            format!("{address} ne fait plus partie de l'équipe."),
                        )));
                        reload.set(*reload + 1);
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
        <section class="card wide" aria-labelledby="team-title">
            <h2 id="team-title">{ "Équipe" }</h2>
            if let Some((error, text)) = &*notice {
                <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
            }
            if let Some(link) = &*link {
                <label for="invitation-link">{ "Lien à envoyer" }</label>
                <textarea id="invitation-link" readonly=true rows="2" value={link.clone()} />
            }
            <form {onsubmit} aria-label="Faire entrer quelqu'un">
                <h3>{ "Faire entrer quelqu'un" }</h3>
                <div class="grid">
                    <div>
                        <label for="t-email">{ "Son adresse e-mail" }</label>
                        <input id="t-email" type="email" required=true value={(*email).clone()} oninput={bind(&email)} />
                    </div>
                    <div>
                        <label for="t-role">{ "Son rôle" }</label>
                        <select id="t-role" onchange={bind(&role)}>
                            { for Role::ALL.iter().map(|r| html! {
                                <option value={r.name()} selected={r.name() == *role}>{ role_name(*r) }</option>
                            }) }
                        </select>
                    </div>
                </div>
                <p class="muted small">{ "Bénévole : lit les listes. Trésorerie : s'occupe de l'argent (remboursements, paiements à la main, exports). Administration : tout, y compris l'équipe." }</p>
                <button type="submit">{ "Créer le lien d'entrée" }</button>
            </form>
            <ul class="campaigns">
                { for people.iter().map(|person| html! {
                    <li data-person={person.email.clone()}>
                        <div>
                            <strong>{ &person.email }</strong>
                            <span class="status">{ role_name(person.role) }</span><br />
                            <span class="muted small">{
                                match (person.removed_at, person.last_signed_in_at) {
                                    (Some(at), _) => format!("Retiré·e le {}", local_date_time(at)),
                                    (None, Some(at)) => format!("Dernière connexion le {}", local_date_time(at)),
                                    (None, None) => "Jamais connecté·e".to_owned(),
                                }
                            }</span>
                        </div>
                        if person.removed_at.is_none() {
                            <button type="button" class="secondary" onclick={remove(person)}
                                    aria-label={format!("Retirer {}", person.email)}>{ "Retirer" }</button>
                        }
                    </li>
                }) }
            </ul>
        </section>
    }
}

/// What an action's stable word means, for a French reader.
fn action_text(action: &str) -> &str {
    match action {
        "invited" => "a fait entrer",
        "signed_in" => "s'est connecté·e",
        "signed_out" => "s'est déconnecté·e",
        "removed" => "a retiré de l'équipe",
        "recorded_payment" => "a saisi un paiement reçu à la main",
        "reversed_payment" => "a annulé un paiement saisi à la main",
        "refund_requested" => "a demandé un remboursement",
        "campaign_created" => "a créé une campagne",
        "campaign_updated" => "a modifié une campagne",
        "donor_erased" => "a effacé les données d'une personne",
        other => other,
    }
}

/// The audit log, for treasurers and admins.
#[function_component(Journal)]
pub fn journal() -> Html {
    let lines = use_state(Vec::<AuditLine>::new);
    let more = use_state(|| true);
    let load = {
        let (lines, more) = (lines.clone(), more.clone());
        Callback::from(move |before: Option<i64>| {
            let (lines, more) = (lines.clone(), more.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let url = before.map_or_else(
                    || "/v1/admin/audit".to_owned(),
                    |before| format!("/v1/admin/audit?before={before}"),
                );
                if let Ok(response) = Request::get(&url).send().await
                    && let Ok(page) = response.json::<Vec<AuditLine>>().await
                {
                    more.set(page.len() == 50);
                    let mut all = if before.is_some() {
                        (*lines).clone()
                    } else {
                        Vec::new()
                    };
                    all.extend(page);
                    lines.set(all);
                }
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |()| load.emit(None));
    }
    let next = {
        let (load, lines) = (load.clone(), lines.clone());
        Callback::from(move |_: MouseEvent| load.emit(lines.last().map(|line| line.id)))
    };
    html! {
        <section class="card wide" aria-labelledby="journal-title">
            <h2 id="journal-title">{ "Journal" }</h2>
            <p class="muted">{ "Qui a fait quoi, et quand. Personne ne peut le modifier ni l'effacer." }</p>
            <div class="table" role="region" aria-label="Journal des opérations" tabindex="0">
                <table>
                    <thead><tr>
                        <th scope="col">{ "Quand" }</th><th scope="col">{ "Qui" }</th>
                        <th scope="col">{ "Quoi" }</th><th scope="col">{ "Sur quoi" }</th>
                    </tr></thead>
                    <tbody>
                        { for lines.iter().map(|line| html! {
                            <tr>
                                <td data-label="Quand">{ local_date_time(line.at) }</td>
                                <td data-label="Qui">{ line.who.clone().unwrap_or_else(|| "la personne qui a installé Tirelire".to_owned()) }</td>
                                <td data-label="Quoi">{ action_text(&line.action) }</td>
                                <td data-label="Sur quoi">{ line.subject.clone().unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if *more {
                <button type="button" class="secondary" onclick={next}>{ "Plus ancien" }</button>
            }
        </section>
    }
}
