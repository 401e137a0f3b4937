//! What a campaign offers, by kind, in the campaign's form: a membership's tiers, validity and
//! reminders; an event's rates, seats and sales dates; a crowdfunding's rewards and end; monthly
//! gifts; and for every kind the fees a donor may cover, questions and promo codes. The form
//! edits one [`Offer`]; the edge checks it with the domain's rules when it is saved.

use tirelire_domain::Day;
use tirelire_domain::membership::Validity;
use tirelire_domain::offer::{AnswerKind, FeeRule, Item, Offer, PromoCode, Question};
use tirelire_domain::setup::CampaignKind;
use wasm_bindgen::JsValue;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::form::{euros, plain};

/// Props of [`OfferForm`].
#[derive(Properties, PartialEq)]
pub struct OfferFormProps {
    /// What the campaign collects.
    pub kind: CampaignKind,
    /// The offer as it stands.
    pub offer: Offer,
    /// Called with the offer changed.
    pub on_change: Callback<Offer>,
}

/// The value of the input, select or text area an event comes from.
fn value_of(event: &Event) -> String {
    let target = event.target();
    let target = target.as_ref();
    target
        .and_then(|t| wasm_bindgen::JsCast::dyn_ref::<HtmlInputElement>(t).map(|i| i.value()))
        .or_else(|| {
            target.and_then(|t| {
                wasm_bindgen::JsCast::dyn_ref::<HtmlSelectElement>(t).map(|s| s.value())
            })
        })
        .or_else(|| {
            target.and_then(|t| {
                wasm_bindgen::JsCast::dyn_ref::<HtmlTextAreaElement>(t).map(|a| a.value())
            })
        })
        .unwrap_or_default()
}

fn checked_of(event: &Event) -> bool {
    event.target_unchecked_into::<HtmlInputElement>().checked()
}

/// A local date and time as `<input type="datetime-local">` writes it, from Unix seconds.
fn local_input(unix: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Unix seconds from what `<input type="datetime-local">` gives, read as local time.
fn from_local_input(text: &str) -> Option<i64> {
    let millis = js_sys::Date::parse(text);
    (!millis.is_nan()).then(|| (millis / 1000.0) as i64)
}

fn whole(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

/// The offer's part of a campaign's form.
#[function_component(OfferForm)]
pub fn offer_form(props: &OfferFormProps) -> Html {
    let kind = props.kind;
    let offer = &props.offer;
    // Every field changes a copy of the offer and hands it up.
    let edit = |change: fn(&mut Offer, &Event)| {
        let (offer, on_change) = (offer.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let mut offer = offer.clone();
            change(&mut offer, &event);
            on_change.emit(offer);
        })
    };
    let edit_at = |index: usize, change: fn(&mut Offer, usize, &Event)| {
        let (offer, on_change) = (offer.clone(), props.on_change.clone());
        Callback::from(move |event: Event| {
            let mut offer = offer.clone();
            change(&mut offer, index, &event);
            on_change.emit(offer);
        })
    };
    let click = |change: fn(&mut Offer)| {
        let (offer, on_change) = (offer.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let mut offer = offer.clone();
            change(&mut offer);
            on_change.emit(offer);
        })
    };
    let click_at = |index: usize, change: fn(&mut Offer, usize)| {
        let (offer, on_change) = (offer.clone(), props.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let mut offer = offer.clone();
            change(&mut offer, index);
            on_change.emit(offer);
        })
    };

    let (items_title, item_word) = match kind {
        CampaignKind::Membership => ("Formules d'adhésion", "formule"),
        CampaignKind::Event => ("Tarifs des billets", "tarif"),
        CampaignKind::Crowdfunding => ("Contreparties (facultatives)", "contrepartie"),
        CampaignKind::Donation => ("", ""),
    };
    let price_label = match kind {
        CampaignKind::Crowdfunding => "Don minimum (€)",
        _ => "Prix (€)",
    };
    let item_row = |index: usize, item: &Item| {
        let id = |name: &str| format!("item-{index}-{name}");
        html! {
            <fieldset class="row">
                <legend>{ format!("{} {}", capitalised(item_word), index + 1) }</legend>
                <div class="grid">
                    <div>
                        <label for={id("label")}>{ "Intitulé" }</label>
                        <input id={id("label")} required=true maxlength="80" value={item.label.clone()}
                            onchange={edit_at(index, |o, i, e| o.items[i].label = value_of(e))} />
                    </div>
                    <div>
                        <label for={id("price")}>{ price_label }</label>
                        <input id={id("price")} inputmode="decimal" value={plain(item.price)}
                            onchange={edit_at(index, |o, i, e| {
                                if let Ok(price) = euros(&value_of(e)) {
                                    o.items[i].price = price.unwrap_or(0);
                                }
                            })} />
                    </div>
                    if kind == CampaignKind::Event {
                        <div>
                            <label for={id("per-order")}>{ "Par commande, au plus" }</label>
                            <input id={id("per-order")} inputmode="numeric" value={item.most_per_order().to_string()}
                                onchange={edit_at(index, |o, i, e| {
                                    if let Some(n) = whole(&value_of(e)) { o.items[i].per_order = n; }
                                })} />
                        </div>
                    }
                    if kind != CampaignKind::Donation {
                        <div>
                            <label for={id("quota")}>{ "Nombre limité à (vide : sans limite)" }</label>
                            <input id={id("quota")} inputmode="numeric"
                                value={item.quota.map(|q| q.to_string()).unwrap_or_default()}
                                onchange={edit_at(index, |o, i, e| o.items[i].quota = whole(&value_of(e)))} />
                        </div>
                    }
                </div>
                if kind == CampaignKind::Membership {
                    <label class="inline">
                        <input type="checkbox" checked={item.open_price}
                            onchange={edit_at(index, |o, i, e| o.items[i].open_price = checked_of(e))} />
                        { " Montant libre, à partir de ce prix" }
                    </label>
                }
                <button type="button" class="secondary small"
                    onclick={click_at(index, |o, i| { o.items.remove(i); })}>
                    { format!("Retirer ce {item_word}") }
                </button>
            </fieldset>
        }
    };

    let question_row = |index: usize, question: &Question| {
        let id = |name: &str| format!("question-{index}-{name}");
        html! {
            <fieldset class="row">
                <legend>{ format!("Question {}", index + 1) }</legend>
                <div class="grid">
                    <div>
                        <label for={id("label")}>{ "Question" }</label>
                        <input id={id("label")} required=true maxlength="80" value={question.label.clone()}
                            onchange={edit_at(index, |o, i, e| o.questions[i].label = value_of(e))} />
                    </div>
                    <div>
                        <label for={id("kind")}>{ "Réponse attendue" }</label>
                        <select id={id("kind")} onchange={edit_at(index, |o, i, e| {
                            o.questions[i].kind = AnswerKind::from_name(&value_of(e)).unwrap_or_default();
                        })}>
                            { for AnswerKind::ALL.iter().map(|k| html! {
                                <option value={k.name()} selected={*k == question.kind}>{ answer_label(*k) }</option>
                            }) }
                        </select>
                    </div>
                </div>
                if question.kind == AnswerKind::Choice {
                    <label for={id("choices")}>{ "Choix proposés (un par ligne)" }</label>
                    <textarea id={id("choices")} rows="3" value={question.choices.join("\n")}
                        onchange={edit_at(index, |o, i, e| {
                            o.questions[i].choices = value_of(e).lines().map(str::to_owned).collect();
                        })} />
                }
                <label class="inline">
                    <input type="checkbox" checked={question.required}
                        onchange={edit_at(index, |o, i, e| o.questions[i].required = checked_of(e))} />
                    { if question.kind == AnswerKind::YesNo { " Case à cocher obligatoirement (un règlement à accepter)" } else { " Réponse obligatoire" } }
                </label>
                <button type="button" class="secondary small"
                    onclick={click_at(index, |o, i| { o.questions.remove(i); })}>{ "Retirer cette question" }</button>
            </fieldset>
        }
    };

    let code_row = |index: usize, code: &PromoCode| {
        let id = |name: &str| format!("code-{index}-{name}");
        html! {
            <fieldset class="row">
                <legend>{ format!("Code {}", index + 1) }</legend>
                <div class="grid">
                    <div>
                        <label for={id("code")}>{ "Code (lettres, chiffres, tirets)" }</label>
                        <input id={id("code")} required=true maxlength="20" value={code.code.clone()}
                            onchange={edit_at(index, |o, i, e| o.promo_codes[i].code = value_of(e))} />
                    </div>
                    <div>
                        <label for={id("percent")}>{ "Réduction en %" }</label>
                        <input id={id("percent")} inputmode="numeric"
                            value={code.percent_off.map(|p| p.to_string()).unwrap_or_default()}
                            onchange={edit_at(index, |o, i, e| {
                                let percent = value_of(e).trim().parse().ok();
                                o.promo_codes[i].percent_off = percent;
                                if percent.is_some() { o.promo_codes[i].amount_off = None; }
                            })} />
                    </div>
                    <div>
                        <label for={id("amount")}>{ "ou réduction en € " }</label>
                        <input id={id("amount")} inputmode="decimal"
                            value={code.amount_off.map(plain).unwrap_or_default()}
                            onchange={edit_at(index, |o, i, e| {
                                let amount = euros(&value_of(e)).ok().flatten();
                                o.promo_codes[i].amount_off = amount;
                                if amount.is_some() { o.promo_codes[i].percent_off = None; }
                            })} />
                    </div>
                    <div>
                        <label for={id("limit")}>{ "Utilisable (vide : sans limite)" }</label>
                        <input id={id("limit")} inputmode="numeric"
                            value={code.limit.map(|l| l.to_string()).unwrap_or_default()}
                            onchange={edit_at(index, |o, i, e| o.promo_codes[i].limit = whole(&value_of(e)))} />
                    </div>
                </div>
                <button type="button" class="secondary small"
                    onclick={click_at(index, |o, i| { o.promo_codes.remove(i); })}>{ "Retirer ce code" }</button>
            </fieldset>
        }
    };

    let validity_kind = match offer.validity {
        Some(Validity::RollingMonths { .. }) => "rolling",
        Some(Validity::Fixed { .. }) => "fixed",
        _ => "calendar",
    };
    let fee = offer.fee.unwrap_or_default();
    html! {
        <div class="offer">
            if kind != CampaignKind::Donation {
                <section aria-labelledby="items-title">
                    <h4 id="items-title">{ items_title }</h4>
                    { for offer.items.iter().enumerate().map(|(index, item)| item_row(index, item)) }
                    <button type="button" class="secondary" onclick={click(|o| o.items.push(Item::default()))}>
                        { format!("Ajouter une {}", if kind == CampaignKind::Event { "catégorie de billet" } else { item_word }) }
                    </button>
                </section>
            }
            if kind == CampaignKind::Event {
                <section aria-labelledby="seats-title">
                    <h4 id="seats-title">{ "Places et dates de vente" }</h4>
                    <div class="grid">
                        <div>
                            <label for="o-capacity">{ "Places en tout (vide : sans limite)" }</label>
                            <input id="o-capacity" inputmode="numeric"
                                value={offer.capacity.map(|c| c.to_string()).unwrap_or_default()}
                                onchange={edit(|o, e| o.capacity = whole(&value_of(e)))} />
                        </div>
                        <div>
                            <label for="o-opens">{ "Ouverture de la vente" }</label>
                            <input id="o-opens" type="datetime-local" value={offer.opens_at.map(local_input).unwrap_or_default()}
                                onchange={edit(|o, e| o.opens_at = from_local_input(&value_of(e)))} />
                        </div>
                        <div>
                            <label for="o-closes">{ "Fin de la vente" }</label>
                            <input id="o-closes" type="datetime-local" value={offer.closes_at.map(local_input).unwrap_or_default()}
                                onchange={edit(|o, e| o.closes_at = from_local_input(&value_of(e)))} />
                        </div>
                    </div>
                    <label class="inline">
                        <input type="checkbox" checked={offer.show_remaining}
                            onchange={edit(|o, e| o.show_remaining = checked_of(e))} />
                        { " Afficher les places restantes" }
                    </label>
                </section>
            }
            if kind == CampaignKind::Crowdfunding {
                <section aria-labelledby="end-title">
                    <h4 id="end-title">{ "Fin de la collecte" }</h4>
                    <label for="o-closes">{ "La collecte se termine le" }</label>
                    <input id="o-closes" type="datetime-local" required=true
                        value={offer.closes_at.map(local_input).unwrap_or_default()}
                        onchange={edit(|o, e| o.closes_at = from_local_input(&value_of(e)))} />
                    <label class="inline">
                        <input type="checkbox" checked={offer.show_remaining}
                            onchange={edit(|o, e| o.show_remaining = checked_of(e))} />
                        { " Afficher les contreparties restantes" }
                    </label>
                </section>
            }
            if kind == CampaignKind::Membership {
                <section aria-labelledby="validity-title">
                    <h4 id="validity-title">{ "Durée de l'adhésion et rappels" }</h4>
                    <label for="o-validity">{ "L'adhésion vaut" }</label>
                    <select id="o-validity" onchange={edit(|o, e| {
                        o.validity = Some(match value_of(e).as_str() {
                            "rolling" => Validity::RollingMonths { months: 12 },
                            "fixed" => {
                                let today = Day::from_unix((js_sys::Date::now() / 1000.0) as i64);
                                Validity::Fixed { starts_on: today, ends_on: today.last_of_year() }
                            }
                            _ => Validity::CalendarYear,
                        });
                    })}>
                        <option value="calendar" selected={validity_kind == "calendar"}>{ "jusqu'au 31 décembre (année civile)" }</option>
                        <option value="rolling" selected={validity_kind == "rolling"}>{ "un nombre de mois à partir du paiement" }</option>
                        <option value="fixed" selected={validity_kind == "fixed"}>{ "entre deux dates, les mêmes pour tous (une saison)" }</option>
                    </select>
                    {
                        match offer.validity {
                            Some(Validity::RollingMonths { months }) => html! {
                                <>
                                    <label for="o-months">{ "Nombre de mois" }</label>
                                    <input id="o-months" inputmode="numeric" value={months.to_string()}
                                        onchange={edit(|o, e| {
                                            if let Ok(months) = value_of(e).trim().parse() {
                                                o.validity = Some(Validity::RollingMonths { months });
                                            }
                                        })} />
                                </>
                            },
                            Some(Validity::Fixed { starts_on, ends_on }) => html! {
                                <div class="grid">
                                    <div>
                                        <label for="o-starts">{ "Du" }</label>
                                        <input id="o-starts" type="date" value={starts_on.to_string()}
                                            onchange={edit(|o, e| {
                                                if let (Ok(day), Some(Validity::Fixed { ends_on, .. })) = (Day::parse(&value_of(e)), o.validity) {
                                                    o.validity = Some(Validity::Fixed { starts_on: day, ends_on });
                                                }
                                            })} />
                                    </div>
                                    <div>
                                        <label for="o-ends">{ "Au" }</label>
                                        <input id="o-ends" type="date" value={ends_on.to_string()}
                                            onchange={edit(|o, e| {
                                                if let (Ok(day), Some(Validity::Fixed { starts_on, .. })) = (Day::parse(&value_of(e)), o.validity) {
                                                    o.validity = Some(Validity::Fixed { starts_on, ends_on: day });
                                                }
                                            })} />
                                    </div>
                                </div>
                            },
                            _ => html! {},
                        }
                    }
                    <label for="o-reminders">{ "Rappels de renouvellement, en jours par rapport à la fin (-30 : un mois avant ; 7 : une semaine après)" }</label>
                    <input id="o-reminders" value={offer.reminder_days.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")}
                        onchange={edit(|o, e| {
                            o.reminder_days = value_of(e)
                                .split([',', ';', ' '])
                                .filter_map(|part| part.trim().parse().ok())
                                .collect();
                        })} />
                </section>
            }
            <section aria-labelledby="options-title">
                <h4 id="options-title">{ "Options" }</h4>
                if kind == CampaignKind::Donation {
                    <label class="inline">
                        <input type="checkbox" checked={offer.monthly} onchange={edit(|o, e| o.monthly = checked_of(e))} />
                        { " Proposer le don mensuel (prélevé chaque mois, arrêtable par le donateur)" }
                    </label>
                }
                <label class="inline">
                    <input type="checkbox" checked={offer.tax_receipt} onchange={edit(|o, e| o.tax_receipt = checked_of(e))} />
                    { " Ces paiements ouvrent droit à un reçu fiscal" }
                </label>
                <label class="inline">
                    <input type="checkbox" checked={offer.fee.is_some()}
                        onchange={edit(|o, e| o.fee = checked_of(e).then_some(FeeRule { basis_points: 150, fixed: 25 }))} />
                    { " Proposer au donateur de couvrir les frais de paiement" }
                </label>
                if offer.fee.is_some() {
                    <div class="grid">
                        <div>
                            <label for="o-fee-share">{ "Part des frais (%)" }</label>
                            <input id="o-fee-share" inputmode="decimal" value={format!("{},{:02}", fee.basis_points / 100, fee.basis_points % 100)}
                                onchange={edit(|o, e| {
                                    if let (Ok(Some(hundredths)), Some(rule)) = (euros(&value_of(e)), o.fee.as_mut()) {
                                        rule.basis_points = u32::try_from(hundredths).unwrap_or(rule.basis_points);
                                    }
                                })} />
                        </div>
                        <div>
                            <label for="o-fee-fixed">{ "Part fixe par paiement (€)" }</label>
                            <input id="o-fee-fixed" inputmode="decimal" value={plain(fee.fixed)}
                                onchange={edit(|o, e| {
                                    if let (Ok(fixed), Some(rule)) = (euros(&value_of(e)), o.fee.as_mut()) {
                                        rule.fixed = fixed.unwrap_or(0);
                                    }
                                })} />
                        </div>
                    </div>
                }
            </section>
            <section aria-labelledby="questions-title">
                <h4 id="questions-title">{ "Questions posées aux donateurs" }</h4>
                { for offer.questions.iter().enumerate().map(|(index, question)| question_row(index, question)) }
                <button type="button" class="secondary" onclick={click(|o| o.questions.push(Question::default()))}>
                    { "Ajouter une question" }
                </button>
            </section>
            <section aria-labelledby="codes-title">
                <h4 id="codes-title">{ "Codes promo" }</h4>
                { for offer.promo_codes.iter().enumerate().map(|(index, code)| code_row(index, code)) }
                <button type="button" class="secondary" onclick={click(|o| o.promo_codes.push(PromoCode { percent_off: Some(10), ..PromoCode::default() }))}>
                    { "Ajouter un code promo" }
                </button>
            </section>
        </div>
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn answer_label(kind: AnswerKind) -> &'static str {
    match kind {
        AnswerKind::Text => "Une ligne de texte",
        AnswerKind::LongText => "Un texte de plusieurs lignes",
        AnswerKind::Number => "Un nombre",
        AnswerKind::Date => "Une date",
        AnswerKind::YesNo => "Une case à cocher",
        AnswerKind::Choice => "Un choix dans une liste",
    }
}
