//! The association's members: who is up to date, who expires within 30 days, who has lapsed,
//! and the list as a file.

use gloo::net::http::Request;
use tirelire_domain::membership::{MemberLine, MemberStanding};
use yew::prelude::*;

use crate::form::bind;

fn standing_label(standing: MemberStanding) -> &'static str {
    match standing {
        MemberStanding::Active => "À jour",
        MemberStanding::Expiring => "Expire dans moins de 30 jours",
        MemberStanding::Lapsed => "Adhésion expirée",
    }
}

/// The members page.
#[function_component(Members)]
pub fn members() -> Html {
    let standing = use_state(String::new);
    let members = use_state(|| None::<Result<Vec<MemberLine>, ()>>);
    {
        let members = members.clone();
        use_effect_with((*standing).clone(), move |standing| {
            let url = format!("/v1/admin/members?standing={standing}");
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match Request::get(&url).send().await {
                    Ok(response) if response.ok() => response.json().await.map_err(|_| ()),
                    _ => Err(()),
                };
                members.set(Some(answer));
            });
        });
    }
    let rows = match &*members {
        None => html! { <p class="muted" role="status">{ "Chargement…" }</p> },
        Some(Err(())) => {
            html! { <p class="notice error" role="alert">{ "La liste n'a pas pu être chargée." }</p> }
        }
        Some(Ok(list)) if list.is_empty() => {
            html! { <p class="muted">{ "Aucun membre dans cette liste." }</p> }
        }
        Some(Ok(list)) => html! {
            <table class="members" data-testid="members">
                <thead><tr>
                    <th scope="col">{ "Nom" }</th><th scope="col">{ "E-mail" }</th>
                    <th scope="col">{ "Formule" }</th><th scope="col">{ "Fin" }</th>
                    <th scope="col">{ "Situation" }</th>
                </tr></thead>
                <tbody>
                    { for list.iter().map(|member| html! {
                        <tr>
                            <td>{ format!("{} {}", member.first_name, member.last_name) }</td>
                            <td>{ &member.email }</td>
                            <td>{ &member.tier }</td>
                            <td>{ member.ends_on.to_string() }</td>
                            <td>{ standing_label(member.standing) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section aria-labelledby="members-title">
            <h2 id="members-title">{ "Membres" }</h2>
            <label for="members-standing">{ "Afficher" }</label>
            <select id="members-standing" onchange={bind(&standing)}>
                <option value="" selected={standing.is_empty()}>{ "Tous les membres" }</option>
                { for MemberStanding::ALL.iter().map(|s| html! {
                    <option value={s.name()} selected={s.name() == *standing}>{ standing_label(*s) }</option>
                }) }
            </select>
            { rows }
            <p><a href={format!("/v1/admin/members.csv?standing={}", *standing)} download="">{ "Télécharger la liste (CSV)" }</a></p>
        </section>
    }
}
