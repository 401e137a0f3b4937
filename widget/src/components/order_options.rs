//! What a donor may add to an order: a gift every month rather than once, the payment fees
//! covered, a promo code.

use tirelire_domain::offer::PromoCode;
use tirelire_domain::{Currency, Field, FieldErrorCode, Locale, Money};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{fill, order_error, texts};
use crate::state::{Action, FormState};

/// What [`order_options`] shows.
pub struct OrderOptionsProps<'a> {
    /// Whether the campaign offers monthly gifts.
    pub offers_monthly: bool,
    /// Whether the gift comes back every month.
    pub monthly: bool,
    /// The fee the donor would add, when the campaign offers to cover fees.
    pub fee: Option<Money>,
    /// Whether the donor covers them.
    pub cover_fees: bool,
    /// Whether the campaign takes promo codes.
    pub offers_promo: bool,
    /// The code typed.
    pub promo_code: &'a str,
    /// The code the edge recognised.
    pub promo: Option<&'a PromoCode>,
    /// What the code takes off, once known.
    pub discount: Option<Money>,
    /// The code's error, if any.
    pub promo_error: Option<FieldErrorCode>,
    /// The campaign's currency.
    pub currency: Currency,
    /// The donor's language.
    pub locale: Locale,
    /// Whether the form is busy.
    pub disabled: bool,
    /// Where choices go.
    pub dispatch: UseReducerDispatcher<FormState>,
    /// The code to check.
    pub on_promo_apply: Callback<()>,
}

/// The options.
pub fn order_options(props: &OrderOptionsProps<'_>) -> Html {
    let texts = &texts(props.locale).order;
    let frequency = props.offers_monthly.then(|| {
        let choice = |monthly: bool, id: &'static str, label: &'static str| {
            let dispatch = props.dispatch.clone();
            let onchange =
                Callback::from(move |_: Event| dispatch.dispatch(Action::SetMonthly(monthly)));
            html! {
                <label class="choice" for={id}>
                    <input type="radio" name="frequency" {id} checked={props.monthly == monthly}
                        disabled={props.disabled} {onchange} />
                    <span>{ label }</span>
                </label>
            }
        };
        html! {
            <fieldset class="frequency">
                <legend>{ texts.frequency }</legend>
                <div class="choices">
                    { choice(false, "once", texts.once) }
                    { choice(true, "monthly", texts.monthly) }
                </div>
            </fieldset>
        }
    });
    let fees = props.fee.map(|fee| {
        let dispatch = props.dispatch.clone();
        let onchange = Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            dispatch.dispatch(Action::SetCoverFees(checked));
        });
        html! {
            <div class="field consent">
                <label for="cover-fees">
                    <input type="checkbox" id="cover-fees" checked={props.cover_fees}
                        disabled={props.disabled} {onchange} />
                    <span>{ fill(texts.cover_fees, &[("fee", &fee.format_exact(props.locale))]) }</span>
                </label>
            </div>
        }
    });
    let promo = props.offers_promo.then(|| {
        let dispatch = props.dispatch.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let code = event.target_unchecked_into::<HtmlInputElement>().value();
            dispatch.dispatch(Action::SetPromo(code));
        });
        let apply = props.on_promo_apply.reform(|_: MouseEvent| ());
        let onchange = props.on_promo_apply.reform(|_: Event| ());
        let error = props
            .promo_error
            .and_then(|code| order_error(props.locale, Field::PromoCode, code));
        html! {
            <div class="field promo">
                <label for="promo-code">{ texts.promo_label }</label>
                <div class="input-wrap">
                    <input type="text" id="promo-code" autocomplete="off" autocapitalize="characters"
                        value={props.promo_code.to_owned()} disabled={props.disabled}
                        aria-invalid={error.map(|_| "true")}
                        aria-describedby={error.map(|_| "promo-code-error")} {oninput} {onchange} />
                    <button type="button" class="secondary" disabled={props.disabled} onclick={apply}>
                        { texts.promo_apply }
                    </button>
                </div>
                if let (Some(_), Some(discount)) = (&props.promo, props.discount) {
                    <p class="hint" role="status">
                        { fill(texts.promo_applied, &[("amount", &discount.format_exact(props.locale))]) }
                    </p>
                }
                if let Some(error) = error {
                    <p class="error" id="promo-code-error" role="alert">{ error }</p>
                }
            </div>
        }
    });
    html! { <>{ for frequency }{ for fees }{ for promo }</> }
}
