//! The order's lines and its total, when it has more than a gift: tiers, tickets, a discount,
//! fees.

use tirelire_domain::offer::{LineKind, Priced};
use tirelire_domain::{Currency, Locale, Money};
use yew::prelude::*;

use crate::i18n::{fill, texts};

/// What [`order_summary`] shows.
pub struct OrderSummaryProps<'a> {
    /// The order as it stands.
    pub priced: &'a Priced,
    /// The campaign's currency.
    pub currency: Currency,
    /// The donor's language.
    pub locale: Locale,
}

/// The summary, announced politely as it changes.
pub fn order_summary(props: &OrderSummaryProps<'_>) -> Html {
    let texts = &texts(props.locale).order;
    let money = |minor: i64| Money::new(minor, props.currency).format_exact(props.locale);
    let line = |kind: LineKind, key: &str, label: &str, quantity: u32| match kind {
        LineKind::Gift => texts.gift.to_owned(),
        LineKind::Discount => fill(texts.discount, &[("code", key)]),
        LineKind::Fee => texts.fees.to_owned(),
        LineKind::Item if quantity > 1 => format!("{quantity} × {label}"),
        LineKind::Item => label.to_owned(),
    };
    html! {
        <section class="summary" aria-live="polite">
            <h3>{ texts.summary }</h3>
            <dl>
                { for props.priced.lines.iter().map(|l| html! {
                    <>
                        <dt>{ line(l.kind, &l.key, &l.label, l.quantity) }</dt>
                        <dd>{ money(l.amount) }</dd>
                    </>
                }) }
                <dt class="total">{ texts.total }</dt>
                <dd class="total" data-testid="total">{ money(props.priced.total()) }</dd>
            </dl>
        </section>
    }
}
