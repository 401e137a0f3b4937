//! The first page: what came in, per campaign, per month and per way of paying, and what needs
//! looking at.

use gloo::net::http::Request;
use tirelire_domain::payments::{Dashboard, PaymentMethod, Total};
use tirelire_domain::{Currency, Locale, Money};
use yew::prelude::*;

fn euros(minor: i64) -> String {
    Money::new(minor, Currency::Eur).format_exact(Locale::Fr)
}

const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// `2026-11` as `nov. 2026`.
fn month_name(key: &str) -> String {
    let (year, month) = key.split_once('-').unwrap_or((key, "1"));
    let index = month.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1;
    format!("{} {year}", MONTHS.get(index).copied().unwrap_or_default())
}

/// The last twelve months, oldest first, as the edge names them (`2026-11`).
fn last_twelve_months() -> Vec<String> {
    let now = js_sys::Date::new_0();
    let (year, month) = (i64::from(now.get_full_year()), i64::from(now.get_month()));
    (0..12)
        .rev()
        .map(|back| {
            let index = year * 12 + month - back;
            format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            )
        })
        .collect()
}

/// The last twelve months as bars, drawn in SVG (the page's policy allows no inline style),
/// with the same figures in a table for screen readers and for anyone who prefers numbers.
fn chart(months: &[Total]) -> Html {
    if months.is_empty() {
        return html! { <p class="muted">{ "Aucun paiement sur les douze derniers mois." }</p> };
    }
    let counted = |key: &str| {
        months
            .iter()
            .find(|month| month.key == key)
            .map_or(0, |month| month.counted)
    };
    let keys = last_twelve_months();
    let highest = keys
        .iter()
        .map(|key| counted(key))
        .max()
        .unwrap_or(1)
        .max(1);
    let bars = keys.iter().enumerate().map(|(index, key)| {
        let height = counted(key) * 160 / highest;
        let x = 56 * i64::try_from(index).unwrap_or(0) + 8;
        let (name, year) = month_name(key).rsplit_once(' ').map(|(name, year)| (name.to_owned(), year.to_owned())).unwrap_or_default();
        html! {
            <g>
                <rect x={x.to_string()} y={(180 - height).to_string()} width="40" height={height.to_string()} class="bar" />
                <text x={(x + 20).to_string()} y="196" text-anchor="middle" class="axis">{ name }</text>
                if index == 0 || key.ends_with("-01") {
                    <text x={(x + 20).to_string()} y="210" text-anchor="middle" class="axis">{ year }</text>
                }
            </g>
        }
    });
    html! {
        <figure class="chart">
            <svg viewBox="0 0 672 214" role="img" aria-labelledby="months-caption">
                <line x1="0" y1="180" x2="672" y2="180" class="baseline" />
                { for bars }
            </svg>
            <figcaption id="months-caption">{ "Montants reçus par mois (remboursements déduits)" }</figcaption>
            <table class="figures">
                <thead><tr><th scope="col">{ "Mois" }</th><th scope="col" class="number">{ "Montant" }</th><th scope="col" class="number">{ "Paiements" }</th></tr></thead>
                <tbody>
                    { for months.iter().map(|month| html! {
                        <tr><td>{ month_name(&month.key) }</td><td class="number">{ euros(month.counted) }</td><td class="number">{ month.count }</td></tr>
                    }) }
                </tbody>
            </table>
        </figure>
    }
}

/// The dashboard section.
#[function_component(DashboardView)]
pub fn dashboard() -> Html {
    let data = use_state(|| None::<Result<Dashboard, ()>>);
    {
        let data = data.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = match Request::get("/v1/admin/dashboard").send().await {
                    Ok(response) if response.ok() => {
                        response.json::<Dashboard>().await.map_err(|_| ())
                    }
                    _ => Err(()),
                };
                data.set(Some(loaded));
            });
        });
    }
    let board = match &*data {
        None => return html! { <p class="muted" aria-live="polite">{ "Chargement…" }</p> },
        Some(Err(())) => {
            return html! { <p class="notice error" role="alert">{ "Le tableau de bord n'a pas pu être chargé. Rechargez la page." }</p> };
        }
        Some(Ok(board)) => board,
    };
    let open: Vec<_> = board
        .campaigns
        .iter()
        .filter(|campaign| campaign.status.name() != "archived")
        .collect();
    html! {
        <>
            <section class="card wide" aria-labelledby="board-title">
                <h2 id="board-title">{ "Tableau de bord" }</h2>
                if board.pending > 0 || board.failed > 0 || !board.anomalies.is_empty() || !board.unsent.is_empty() {
                    <div class="notice" role="status" data-testid="attention">
                        <p><strong>{ "À regarder" }</strong></p>
                        <ul>
                            if board.pending > 0 {
                                <li>{ format!("{} paiement(s) commencé(s) depuis hier, pas encore terminé(s).", board.pending) }</li>
                            }
                            if board.failed > 0 {
                                <li>{ format!("{} paiement(s) refusé(s) ce mois-ci.", board.failed) }</li>
                            }
                            { for board.anomalies.iter().map(|anomaly| html! {
                                <li>{ format!("Anomalie signalée par le prestataire de paiement ({}) : {}", anomaly.kind, anomaly.detail) }</li>
                            }) }
                            { for board.unsent.iter().map(|mail| html! {
                                <li>{ format!("Message non envoyé ({}) : {}", mail.template, mail.last_error.as_deref().unwrap_or("sans réponse du fournisseur")) }</li>
                            }) }
                        </ul>
                    </div>
                }
                <h3>{ "Par campagne" }</h3>
                <ul class="campaigns">
                    { for open.iter().map(|campaign| {
                        let goal = campaign.goal.filter(|goal| *goal > 0);
                        html! {
                            <li>
                                <div>
                                    <strong>{ &campaign.title }</strong><br />
                                    <span class="muted small">{ format!("{}{} · {} paiement(s)", euros(campaign.raised), goal.map(|goal| format!(" sur {}", euros(goal))).unwrap_or_default(), campaign.count) }</span>
                                </div>
                                if let Some(goal) = goal {
                                    <progress max={goal.to_string()} value={campaign.raised.min(goal).to_string()}
                                              aria-label={format!("{} : {} sur {}", campaign.title, euros(campaign.raised), euros(goal))} />
                                }
                            </li>
                        }
                    }) }
                </ul>
                <h3>{ "Par mois" }</h3>
                { chart(&board.months) }
                <h3>{ "Par moyen de paiement" }</h3>
                <table class="figures">
                    <thead><tr><th scope="col">{ "Moyen" }</th><th scope="col" class="number">{ "Montant" }</th><th scope="col" class="number">{ "Paiements" }</th></tr></thead>
                    <tbody>
                        { for board.methods.iter().map(|total| html! {
                            <tr>
                                <td>{ PaymentMethod::from_name(&total.key).map_or_else(|| total.key.clone(), |method| method.label_fr().to_owned()) }</td>
                                <td class="number">{ euros(total.counted) }</td>
                                <td class="number">{ total.count }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </section>
        </>
    }
}
