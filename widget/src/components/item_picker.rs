//! A membership's tiers, a crowdfunding's rewards (one of them, or none) and an event's rates
//! (a number of each), with their prices and what is left.

use tirelire_domain::offer::{Item, Pick};
use tirelire_domain::{Currency, Field, FieldError, Locale, Money};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{fill, order_error, texts};
use crate::state::{Action, FormState};

/// How the items are picked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Picking {
    /// One tier.
    Tier,
    /// A number of each rate.
    Rates,
    /// One reward, or none.
    Reward,
}

/// What [`item_picker`] shows.
pub struct ItemPickerProps<'a> {
    /// The campaign's items.
    pub items: &'a [Item],
    /// How they are picked.
    pub picking: Picking,
    /// What is picked.
    pub picks: &'a [Pick],
    /// The campaign's currency.
    pub currency: Currency,
    /// The errors on the items, if any.
    pub errors: Vec<FieldError>,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Where picks go.
    pub dispatch: UseReducerDispatcher<FormState>,
}

/// The picker.
pub fn item_picker(props: &ItemPickerProps<'_>) -> Html {
    let texts = &texts(props.locale).order;
    let locale = props.locale;
    let quantity = |key: &str| {
        props
            .picks
            .iter()
            .find(|pick| pick.key == key)
            .map_or(0, |pick| pick.quantity)
    };
    let group_error = props.errors.iter().find(|error| error.index.is_none());
    let price = |item: &Item| {
        let amount = Money::new(item.price, props.currency).format(locale);
        match (props.picking, item.price) {
            (Picking::Rates, 0) => texts.free.to_owned(),
            (Picking::Reward, _) => fill(texts.from_price, &[("amount", &amount)]),
            (_, _) if item.open_price => fill(texts.from_price, &[("amount", &amount)]),
            _ => amount,
        }
    };
    let row = |index: usize, item: &Item| {
        let id = format!("item-{index}");
        let left = item.remaining;
        let sold_out = left == Some(0);
        let note = match left {
            Some(0) => Some(texts.sold_out.to_owned()),
            Some(count) => Some(fill(texts.remaining, &[("count", &count.to_string())])),
            None => None,
        };
        let error = props
            .errors
            .iter()
            .find(|error| error.index == u16::try_from(index).ok())
            .and_then(|error| order_error(locale, Field::Items, error.code));
        let error_id = format!("{id}-error");
        let key = item.key.clone();
        let dispatch = props.dispatch.clone();
        let control = if props.picking == Picking::Rates {
            let most = item.most_per_order().min(left.unwrap_or(u32::MAX));
            let oninput = Callback::from(move |event: InputEvent| {
                let input: HtmlInputElement = event.target_unchecked_into();
                let wanted = input.value().trim().parse::<u32>().unwrap_or(0);
                dispatch.dispatch(Action::Pick(key.clone(), wanted.min(most)));
            });
            html! {
                <input type="number" id={id.clone()} min="0" max={most.to_string()} inputmode="numeric"
                    value={quantity(&item.key).to_string()} disabled={props.disabled || sold_out}
                    aria-label={fill(texts.quantity_of, &[("label", &item.label)])}
                    aria-invalid={error.map(|_| "true")}
                    aria-describedby={error.map(|_| error_id.clone())} {oninput} />
            }
        } else {
            let onchange =
                Callback::from(move |_: Event| dispatch.dispatch(Action::Pick(key.clone(), 1)));
            html! {
                <input type="radio" name="item" id={id.clone()} checked={quantity(&item.key) > 0}
                    disabled={props.disabled || sold_out}
                    aria-describedby={error.map(|_| error_id.clone())} {onchange} />
            }
        };
        html! {
            <div class="item" data-sold-out={sold_out.then_some("")}>
                <label for={id.clone()}>
                    if props.picking != Picking::Rates { { control.clone() } }
                    <span class="item-label">{ &item.label }</span>
                    <span class="item-price">{ price(item) }</span>
                    if let Some(note) = note { <span class="item-note">{ note }</span> }
                </label>
                if props.picking == Picking::Rates { { control } }
                if let Some(error) = error { <p class="error" id={error_id}>{ error }</p> }
            </div>
        }
    };
    let none = (props.picking == Picking::Reward).then(|| {
        let dispatch = props.dispatch.clone();
        let picked = props.picks.first().map(|pick| pick.key.clone());
        let onchange = Callback::from(move |_: Event| {
            if let Some(key) = picked.clone() {
                dispatch.dispatch(Action::Pick(key, 0));
            }
        });
        html! {
            <div class="item">
                <label for="item-none">
                    <input type="radio" name="item" id="item-none" checked={props.picks.is_empty()}
                        disabled={props.disabled} {onchange} />
                    <span class="item-label">{ texts.no_reward }</span>
                </label>
            </div>
        }
    });
    let legend = texts.legends[match props.picking {
        Picking::Tier => 0,
        Picking::Rates => 1,
        Picking::Reward => 2,
    }];
    html! {
        <fieldset class="items" aria-describedby={group_error.map(|_| "items-error")}>
            <legend>{ legend }</legend>
            { for none }
            { for props.items.iter().enumerate().map(|(index, item)| row(index, item)) }
            if let Some(error) = group_error.and_then(|error| order_error(locale, Field::Items, error.code)) {
                <p class="error" id="items-error" role="alert">{ error }</p>
            }
        </fieldset>
    }
}
