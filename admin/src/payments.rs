//! The payments: a filtered list that pages on, its export, and for the treasurer the payments
//! received by hand and their reversal.

use gloo::net::http::Request;
use tirelire_domain::api::ErrorCode;
use tirelire_domain::payments::{
    CampaignSummary, OfflinePayment, PaymentFilter, PaymentMethod, PaymentPage, PaymentRow,
    PaymentSort, PaymentSummary, RefundRequest, Reversal,
};
use tirelire_domain::{
    Currency, Field, FieldError, FieldErrorCode, Locale, Money, OrderStatus, Role,
};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::form::{bind, euros, local_date, plain, post, refusal, refusal_texts};

/// What went wrong with a call, in words for the treasurer.
fn problem_text(code: Option<ErrorCode>) -> &'static str {
    match code {
        Some(ErrorCode::Unauthorized) => {
            "Votre session a pris fin. Rechargez la page pour vous reconnecter."
        }
        Some(ErrorCode::SignInAgain) => {
            "Par sécurité, une opération sur l'argent demande une connexion de moins d'une heure : déconnectez-vous, puis demandez un nouveau lien."
        }
        Some(ErrorCode::Forbidden) => "Votre rôle ne permet pas cette opération.",
        Some(ErrorCode::NotRefundable) => {
            "Ce paiement ne peut plus être remboursé : il n'est pas payé par carte, ou il est déjà remboursé en entier."
        }
        Some(ErrorCode::PaymentProviderError) => {
            "Le prestataire de paiement a refusé ou n'a pas répondu ; rien n'a changé. Réessayez dans un moment."
        }
        Some(ErrorCode::NotReversible) => {
            "Seul un paiement saisi à la main s'annule ainsi ; un paiement par carte se rembourse."
        }
        None => {
            "Le serveur de l'association ne répond pas. Vérifiez votre connexion, puis réessayez."
        }
        Some(_) => {
            "L'opération n'a pas abouti. Réessayez ; si cela recommence, prévenez la personne qui a installé Tirelire."
        }
    }
}

fn field_text(error: &FieldError) -> &'static str {
    match (error.field, error.code) {
        (Field::Amount, FieldErrorCode::TooLarge) => "Ce montant semble trop grand : vérifiez-le.",
        (Field::Amount, _) => "Indiquez un montant positif, par exemple 45 ou 45,50.",
        (Field::Date, _) => "La date de réception n'est pas valable.",
        (Field::FirstName, FieldErrorCode::TooLong)
        | (Field::LastName, FieldErrorCode::TooLong) => "Ce nom est trop long.",
        (Field::FirstName, _) => "Indiquez le prénom de la personne qui a payé.",
        (Field::LastName, _) => "Indiquez le nom de la personne qui a payé.",
        (Field::Email, _) => "Cette adresse e-mail n'est pas valable.",
        (Field::Reference, _) => "La référence est trop longue (200 caractères au plus).",
        (Field::Reason, FieldErrorCode::Required) => "Indiquez pourquoi vous annulez ce paiement.",
        _ => "Vérifiez ce champ.",
    }
}

/// Seconds since the epoch of `date` (`2026-12-03`) at local midnight, `days` days later.
fn day_start(date: &str, days: u32) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let day = js_sys::Date::new(&JsValue::from_str(&format!("{date}T00:00")));
    if days > 0 {
        day.set_date(day.get_date() + days);
    }
    seconds(day.get_time())
}

fn seconds(millis: f64) -> Option<i64> {
    millis
        .is_finite()
        .then(|| format!("{:.0}", (millis / 1000.0).floor()).parse().ok())
        .flatten()
}

/// Today's date as a date field writes it.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

fn money(row: &PaymentRow, minor: i64) -> String {
    row.money(minor).format_exact(Locale::Fr)
}

fn status_text(row: &PaymentRow) -> &'static str {
    if row.reversed_at.is_some() {
        "Annulé"
    } else {
        row.status.label_fr()
    }
}

/// The filter as typed, before it is applied.
#[derive(Clone, Default, PartialEq)]
struct Draft {
    campaign: String,
    status: String,
    method: String,
    q: String,
    from: String,
    to: String,
    min: String,
    max: String,
    sort: String,
}

impl Draft {
    fn filter(&self) -> Result<PaymentFilter, &'static str> {
        let min = euros(&self.min).map_err(|()| "Le montant minimum n'est pas un montant.")?;
        let max = euros(&self.max).map_err(|()| "Le montant maximum n'est pas un montant.")?;
        let optional = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        Ok(PaymentFilter {
            campaign: optional(&self.campaign),
            status: OrderStatus::from_name(&self.status),
            method: PaymentMethod::from_name(&self.method),
            q: optional(self.q.trim()),
            from: day_start(&self.from, 0),
            to: day_start(&self.to, 1),
            min,
            max,
            sort: match self.sort.as_str() {
                "oldest" => PaymentSort::Oldest,
                "largest" => PaymentSort::Largest,
                "smallest" => PaymentSort::Smallest,
                _ => PaymentSort::Newest,
            },
            after: None,
        })
    }
}

fn query(filter: &PaymentFilter) -> String {
    serde_urlencoded::to_string(filter).unwrap_or_default()
}

/// Where the list stands.
#[derive(Clone, PartialEq)]
enum Listing {
    Loading,
    Ready {
        rows: Vec<PaymentRow>,
        next: Option<String>,
        summary: Option<PaymentSummary>,
    },
    Failed(&'static str),
}

async fn page(filter: &PaymentFilter) -> Result<PaymentPage, &'static str> {
    let url = format!("/v1/admin/payments?{}", query(filter));
    match Request::get(&url).send().await {
        Ok(response) if response.ok() => response
            .json::<PaymentPage>()
            .await
            .map_err(|_| problem_text(Some(ErrorCode::Internal))),
        Ok(response) => Err(problem_text(refusal(response).await.0)),
        Err(_) => Err(problem_text(None)),
    }
}

#[derive(Properties, PartialEq)]
pub struct PaymentsProps {
    /// The signed-in person's role: it decides what they are offered.
    pub role: Role,
}

/// The payments section.
#[function_component(Payments)]
pub fn payments(props: &PaymentsProps) -> Html {
    let campaigns = use_state(Vec::<CampaignSummary>::new);
    let campaign = use_state(String::new);
    let status = use_state(String::new);
    let method = use_state(String::new);
    let q = use_state(String::new);
    let from = use_state(String::new);
    let to = use_state(String::new);
    let min = use_state(String::new);
    let max = use_state(String::new);
    let sort = use_state(|| "newest".to_owned());
    let applied = use_state(PaymentFilter::default);
    let listing = use_state(|| Listing::Loading);
    let notice = use_state(|| None::<(bool, String)>);
    let reload = use_state(|| 0_u32);
    let opened = use_state(|| None::<String>);

    {
        let campaigns = campaigns.clone();
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/v1/admin/campaigns").send().await
                    && let Ok(list) = response.json::<Vec<CampaignSummary>>().await
                {
                    campaigns.set(list);
                }
            });
        });
    }
    {
        let listing = listing.clone();
        use_effect_with(((*applied).clone(), *reload), move |(filter, _)| {
            let filter = filter.clone();
            listing.set(Listing::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                listing.set(match page(&filter).await {
                    Ok(page) => Listing::Ready {
                        rows: page.payments,
                        next: page.next,
                        summary: page.summary,
                    },
                    Err(text) => Listing::Failed(text),
                });
            });
        });
    }

    let onsubmit = {
        let [campaign, status, method, q, from, to, min, max, sort] = [
            &campaign, &status, &method, &q, &from, &to, &min, &max, &sort,
        ]
        .map(Clone::clone);
        let applied = applied.clone();
        let notice = notice.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let draft = Draft {
                campaign: (*campaign).clone(),
                status: (*status).clone(),
                method: (*method).clone(),
                q: (*q).clone(),
                from: (*from).clone(),
                to: (*to).clone(),
                min: (*min).clone(),
                max: (*max).clone(),
                sort: (*sort).clone(),
            };
            match draft.filter() {
                Ok(filter) => {
                    notice.set(None);
                    applied.set(filter);
                }
                Err(text) => notice.set(Some((true, text.to_owned()))),
            }
        })
    };

    let more = {
        let listing = listing.clone();
        let applied = applied.clone();
        Callback::from(move |_| {
            let Listing::Ready {
                rows,
                next: Some(next),
                summary,
            } = (*listing).clone()
            else {
                return;
            };
            let listing = listing.clone();
            let mut filter = (*applied).clone();
            filter.after = Some(next);
            wasm_bindgen_futures::spawn_local(async move {
                match page(&filter).await {
                    Ok(page) => {
                        let mut all = rows;
                        all.extend(page.payments);
                        listing.set(Listing::Ready {
                            rows: all,
                            next: page.next,
                            summary,
                        });
                    }
                    Err(text) => listing.set(Listing::Failed(text)),
                }
            });
        })
    };

    let treasurer = props.role.covers(Role::Treasurer);
    let reverse = {
        let notice = notice.clone();
        let reload = reload.clone();
        Callback::from(move |row: PaymentRow| {
            let question = format!(
                "Annuler le paiement de {} reçu de {} {} ? Il ne comptera plus dans les totaux. Indiquez la raison :",
                money(&row, row.amount),
                row.first_name,
                row.last_name
            );
            let Some(reason) = gloo::utils::window()
                .prompt_with_message(&question)
                .ok()
                .flatten()
            else {
                return;
            };
            let notice = notice.clone();
            let reload = reload.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("/v1/admin/payments/{}/reversal", row.id);
                let sent = post(&url, &Reversal { reason }).await;
                let outcome = match sent {
                    Ok(response) if response.ok() => (
                        false,
                        "Le paiement est annulé ; il ne compte plus dans les totaux.".to_owned(),
                    ),
                    Ok(response) => {
                        let (code, fields) = refusal(response).await;
                        let text = fields
                            .first()
                            .map_or_else(|| problem_text(code), field_text);
                        (true, text.to_owned())
                    }
                    Err(_) => (true, problem_text(None).to_owned()),
                };
                notice.set(Some(outcome));
                reload.set(*reload + 1);
            });
        })
    };

    let refund = {
        let notice = notice.clone();
        let reload = reload.clone();
        Callback::from(move |row: PaymentRow| {
            let left = money(&row, row.counted);
            let question = format!(
                "Montant à rembourser à {} {} (au plus {left}) :",
                row.first_name, row.last_name
            );
            let window = gloo::utils::window();
            let Some(typed) = window
                .prompt_with_message_and_default(&question, &plain(row.counted))
                .ok()
                .flatten()
            else {
                return;
            };
            let amount = match euros(&typed) {
                Ok(Some(minor)) if minor > 0 && minor <= row.counted => minor,
                _ => {
                    notice.set(Some((
                        true,
                        format!("Indiquez un montant entre 0,01 € et {left}."),
                    )));
                    return;
                }
            };
            let sure = format!(
                "Rembourser {} à {} {} ? L'argent repart sur sa carte ; cela ne peut pas être défait.",
                money(&row, amount),
                row.first_name,
                row.last_name
            );
            if !window.confirm_with_message(&sure).unwrap_or(false) {
                return;
            }
            let notice = notice.clone();
            let reload = reload.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let url = format!("/v1/admin/payments/{}/refund", row.id);
                let sent = post(
                    &url,
                    &RefundRequest {
                        amount: Some(amount),
                    },
                )
                .await;
                let outcome = match sent {
                    Ok(response) if response.ok() => (
                        false,
                        format!(
                            "Remboursement de {} demandé. Il compte dans les totaux dès que le prestataire de paiement le confirme, en général en quelques secondes.",
                            money(&row, amount)
                        ),
                    ),
                    Ok(response) => (true, problem_text(refusal(response).await.0).to_owned()),
                    Err(_) => (true, problem_text(None).to_owned()),
                };
                notice.set(Some(outcome));
                reload.set(*reload + 1);
                // The provider's event usually lands within seconds: look again then.
                let reload = reload.clone();
                gloo::timers::callback::Timeout::new(3_000, move || reload.set(*reload + 1))
                    .forget();
            });
        })
    };

    let open = {
        let opened = opened.clone();
        Callback::from(move |row: PaymentRow| opened.set(Some(row.id)))
    };
    let close = {
        let (opened, reload) = (opened.clone(), reload.clone());
        Callback::from(move |()| {
            opened.set(None);
            reload.set(*reload + 1);
        })
    };

    let on_recorded = {
        let notice = notice.clone();
        let reload = reload.clone();
        Callback::from(move |text: String| {
            notice.set(Some((false, text)));
            reload.set(*reload + 1);
        })
    };

    let option = |value: &str, label: &str, current: &str| {
        html! { <option value={value.to_owned()} selected={value == current}>{ label.to_owned() }</option> }
    };
    let export_href = format!("/v1/admin/payments.csv?{}", query(&applied));

    html! {
        <section class="card wide" aria-labelledby="payments-title">
            <h2 id="payments-title">{ "Paiements" }</h2>
            if let Some((error, text)) = &*notice {
                <p class={classes!("notice", error.then_some("error"))} role="status">{ text }</p>
            }
            <form onsubmit={onsubmit} aria-label="Filtrer les paiements">
                <div class="filters">
                    <div>
                        <label for="f-q">{ "Nom ou e-mail" }</label>
                        <input id="f-q" type="search" value={(*q).clone()} oninput={bind(&q)} />
                    </div>
                    <div>
                        <label for="f-campaign">{ "Campagne" }</label>
                        <select id="f-campaign" onchange={bind(&campaign)}>
                            { option("", "Toutes", &campaign) }
                            { for campaigns.iter().map(|c| option(&c.slug, &c.title, &campaign)) }
                        </select>
                    </div>
                </div>
                <details class="more">
                    <summary>{ "Plus de filtres : statut, moyen, dates, montants, ordre" }</summary>
                    <div class="filters">
                        <div>
                            <label for="f-status">{ "Statut" }</label>
                            <select id="f-status" onchange={bind(&status)}>
                                { option("", "Tous", &status) }
                                { for OrderStatus::ALL.iter().map(|s| option(s.as_str(), s.label_fr(), &status)) }
                            </select>
                        </div>
                        <div>
                            <label for="f-method">{ "Moyen de paiement" }</label>
                            <select id="f-method" onchange={bind(&method)}>
                                { option("", "Tous", &method) }
                                { for PaymentMethod::ALL.iter().map(|m| option(m.name(), m.label_fr(), &method)) }
                            </select>
                        </div>
                        <div>
                            <label for="f-from">{ "Du" }</label>
                            <input id="f-from" type="date" value={(*from).clone()} onchange={bind(&from)} />
                        </div>
                        <div>
                            <label for="f-to">{ "Au (inclus)" }</label>
                            <input id="f-to" type="date" value={(*to).clone()} onchange={bind(&to)} />
                        </div>
                        <div>
                            <label for="f-min">{ "Montant minimum (€)" }</label>
                            <input id="f-min" inputmode="decimal" value={(*min).clone()} oninput={bind(&min)} />
                        </div>
                        <div>
                            <label for="f-max">{ "Montant maximum (€)" }</label>
                            <input id="f-max" inputmode="decimal" value={(*max).clone()} oninput={bind(&max)} />
                        </div>
                        <div>
                            <label for="f-sort">{ "Ordre" }</label>
                            <select id="f-sort" onchange={bind(&sort)}>
                                { option("newest", "Les plus récents", &sort) }
                                { option("oldest", "Les plus anciens", &sort) }
                                { option("largest", "Les plus gros montants", &sort) }
                                { option("smallest", "Les plus petits montants", &sort) }
                            </select>
                        </div>
                    </div>
                </details>
                <div class="actions">
                    <button type="submit">{ "Filtrer" }</button>
                    if treasurer {
                        <a class="button secondary" href={export_href} download="paiements.csv">{ "Exporter (CSV)" }</a>
                    }
                </div>
            </form>
            if let Some(id) = &*opened {
                <crate::detail::PaymentPanel id={id.clone()} role={props.role} on_close={close} />
            }
            { listing_view(&listing, treasurer, &Actions { open, reverse, refund }, &more) }
            if treasurer {
                <HandPayment campaigns={(*campaigns).clone()} {on_recorded} />
            }
        </section>
    }
}

/// What a treasurer can do to a payment from its row.
struct Actions {
    open: Callback<PaymentRow>,
    reverse: Callback<PaymentRow>,
    refund: Callback<PaymentRow>,
}

fn listing_view(
    listing: &Listing,
    treasurer: bool,
    actions: &Actions,
    more: &Callback<MouseEvent>,
) -> Html {
    let (rows, next, summary) = match listing {
        Listing::Loading => {
            return html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> };
        }
        Listing::Failed(text) => {
            return html! { <p class="notice error" role="alert">{ *text }</p> };
        }
        Listing::Ready {
            rows,
            next,
            summary,
        } => (rows, next, summary),
    };
    let total = summary.map(|summary| {
        let counted = Money::new(summary.counted, Currency::Eur).format_exact(Locale::Fr);
        let count = summary.count;
        let noun = if count > 1 { "paiements" } else { "paiement" };
        format!("{count} {noun} · {counted} comptés dans les totaux")
    });
    html! {
        <>
            if let Some(total) = total {
                <p class="summary" data-testid="payments-summary" aria-live="polite">{ total }</p>
            }
            if rows.is_empty() {
                <p class="muted">{ "Aucun paiement ne correspond." }</p>
            } else {
                <div class="table" role="region" aria-label="Liste des paiements" tabindex="0">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{ "Date" }</th>
                                <th scope="col">{ "Payeur ou payeuse" }</th>
                                <th scope="col">{ "Campagne" }</th>
                                <th scope="col" class="number">{ "Montant" }</th>
                                <th scope="col">{ "Statut" }</th>
                                <th scope="col">{ "Moyen" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for rows.iter().map(|row| row_view(row, treasurer, actions)) }
                        </tbody>
                    </table>
                </div>
            }
            if next.is_some() {
                <button type="button" class="secondary" onclick={more.clone()}>{ "Afficher plus" }</button>
            }
        </>
    }
}

fn row_view(row: &PaymentRow, treasurer: bool, actions: &Actions) -> Html {
    let name = format!("{} {}", row.first_name, row.last_name);
    let name = if name.trim().is_empty() {
        "(effacé)".to_owned()
    } else {
        name
    };
    let reversible = treasurer && row.method.is_offline() && row.reversed_at.is_none();
    let refundable =
        treasurer && !row.method.is_offline() && row.status == OrderStatus::Paid && row.counted > 0;
    let on = |callback: &Callback<PaymentRow>| {
        let callback = callback.clone();
        let row = row.clone();
        Callback::from(move |_: MouseEvent| callback.emit(row.clone()))
    };
    html! {
        <tr data-order={row.id.clone()}>
            <td data-label="Date">{ local_date(row.date) }</td>
            <td data-label="Nom">
                { name }
                if !row.email.is_empty() { <br /><span class="muted small">{ &row.email }</span> }
            </td>
            <td data-label="Campagne">{ &row.campaign_title }</td>
            <td data-label="Montant" class="number">
                { money(row, row.amount) }
                if row.returned > 0 {
                    <br /><span class="muted small">{ format!("dont {} rendus", money(row, row.returned)) }</span>
                }
            </td>
            <td data-label="Statut">{ status_text(row) }</td>
            <td data-label="Moyen">
                { row.method.label_fr() }
                if let Some(reference) = &row.reference { <br /><span class="muted small">{ format!("n° {reference}") }</span> }
            </td>
            <td class="row-actions">
                <button type="button" class="link" onclick={on(&actions.open)}
                        aria-label={format!("Détails du paiement de {}", money(row, row.amount))}>
                    { "Détails" }
                </button>
                if reversible {
                        <button type="button" class="link" onclick={on(&actions.reverse)}
                                aria-label={format!("Annuler le paiement de {}", money(row, row.amount))}>
                            { "Annuler…" }
                        </button>
                    }
                    if refundable {
                        <button type="button" class="link" onclick={on(&actions.refund)}
                                aria-label={format!("Rembourser le paiement de {}", money(row, row.amount))}>
                            { "Rembourser…" }
                        </button>
                    }
            </td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct HandPaymentProps {
    campaigns: Vec<CampaignSummary>,
    on_recorded: Callback<String>,
}

/// The form for a payment received by hand.
#[function_component(HandPayment)]
fn hand_payment(props: &HandPaymentProps) -> Html {
    let campaign = use_state(String::new);
    let amount = use_state(String::new);
    let method = use_state(|| "cheque".to_owned());
    let date = use_state(today);
    let first_name = use_state(String::new);
    let last_name = use_state(String::new);
    let email = use_state(String::new);
    let reference = use_state(String::new);
    let errors = use_state(Vec::<String>::new);
    let busy = use_state(|| false);

    let chosen = if campaign.is_empty() {
        props
            .campaigns
            .first()
            .map(|c| c.slug.clone())
            .unwrap_or_default()
    } else {
        (*campaign).clone()
    };
    let onsubmit = {
        let states = (
            amount.clone(),
            method.clone(),
            date.clone(),
            first_name.clone(),
            last_name.clone(),
            email.clone(),
            reference.clone(),
        );
        let errors = errors.clone();
        let busy = busy.clone();
        let on_recorded = props.on_recorded.clone();
        let chosen = chosen.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (amount, method, date, first_name, last_name, email, reference) = states.clone();
            let minor = match euros(&amount) {
                Ok(Some(minor)) => minor,
                _ => {
                    errors.set(vec![
                        "Indiquez un montant positif, par exemple 45 ou 45,50.".into(),
                    ]);
                    return;
                }
            };
            let payment = OfflinePayment {
                campaign: chosen.clone(),
                amount: minor,
                method: PaymentMethod::from_name(&method).unwrap_or(PaymentMethod::Cheque),
                // Noon, so that the day is the same in every time zone of France.
                received_at: day_start(&date, 0).map_or(0, |start| start + 12 * 3600),
                first_name: (*first_name).clone(),
                last_name: (*last_name).clone(),
                email: (*email).clone(),
                reference: (*reference).clone(),
            };
            let errors = errors.clone();
            let busy = busy.clone();
            let on_recorded = on_recorded.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let sent = post("/v1/admin/payments/offline", &payment).await;
                busy.set(false);
                match sent {
                    Ok(response) if response.ok() => {
                        errors.set(Vec::new());
                        for state in [&amount, &first_name, &last_name, &email, &reference] {
                            state.set(String::new());
                        }
                        on_recorded.emit(format!(
                            "Le paiement de {} est enregistré et compte dans les totaux.",
                            Money::new(payment.amount, Currency::Eur).format_exact(Locale::Fr)
                        ));
                    }
                    Ok(response) => {
                        let (code, fields) = refusal(response).await;
                        errors.set(refusal_texts(code, &fields, problem_text, field_text));
                    }
                    Err(_) => errors.set(vec![problem_text(None).to_owned()]),
                }
            });
        })
    };
    html! {
        <details class="hand">
            <summary>{ "Enregistrer un paiement reçu à la main (chèque, virement, espèces)" }</summary>
            <form {onsubmit} aria-label="Paiement reçu à la main">
                if !errors.is_empty() {
                    <ul class="notice error" role="alert">
                        { for errors.iter().map(|text| html! { <li>{ text }</li> }) }
                    </ul>
                }
                <div class="grid">
                    <div>
                        <label for="h-campaign">{ "Campagne" }</label>
                        <select id="h-campaign" onchange={bind(&campaign)}>
                            { for props.campaigns.iter().map(|c| html! {
                                <option value={c.slug.clone()} selected={c.slug == chosen}>{ &c.title }</option>
                            }) }
                        </select>
                    </div>
                    <div>
                        <label for="h-amount">{ "Montant (€)" }</label>
                        <input id="h-amount" inputmode="decimal" required=true value={(*amount).clone()} oninput={bind(&amount)} />
                    </div>
                    <div>
                        <label for="h-method">{ "Moyen" }</label>
                        <select id="h-method" onchange={bind(&method)}>
                            { for PaymentMethod::ALL.iter().filter(|m| m.is_offline()).map(|m| html! {
                                <option value={m.name()} selected={m.name() == *method}>{ m.label_fr() }</option>
                            }) }
                        </select>
                    </div>
                    <div>
                        <label for="h-date">{ "Reçu le" }</label>
                        <input id="h-date" type="date" required=true value={(*date).clone()} onchange={bind(&date)} />
                    </div>
                    <div>
                        <label for="h-first">{ "Prénom" }</label>
                        <input id="h-first" required=true autocomplete="off" value={(*first_name).clone()} oninput={bind(&first_name)} />
                    </div>
                    <div>
                        <label for="h-last">{ "Nom" }</label>
                        <input id="h-last" required=true autocomplete="off" value={(*last_name).clone()} oninput={bind(&last_name)} />
                    </div>
                    <div>
                        <label for="h-email">{ "E-mail (facultatif)" }</label>
                        <input id="h-email" type="email" autocomplete="off" value={(*email).clone()} oninput={bind(&email)} />
                    </div>
                    <div>
                        <label for="h-reference">{ "N° de chèque ou référence du virement" }</label>
                        <input id="h-reference" maxlength="200" value={(*reference).clone()} oninput={bind(&reference)} />
                    </div>
                </div>
                <button type="submit" disabled={*busy}>{ "Enregistrer le paiement" }</button>
            </form>
        </details>
    }
}
