//! The message a donor sees on coming back from the payment page.

use tirelire_domain::Locale;
use tirelire_domain::setup::CampaignKind;
use yew::prelude::*;

use crate::hooks::Return;
use crate::i18n::{fill, own_words, texts, thanks_paid};

/// What [`return_notice`] shows.
pub struct ReturnNoticeProps<'a> {
    /// How the donor came back.
    pub returned: &'a Return,
    /// The donor's language.
    pub locale: Locale,
    /// What the campaign collects, which words the thanks.
    pub kind: CampaignKind,
    /// Dismisses the message and shows the form again.
    pub on_dismiss: Callback<()>,
}

/// Thanks, a wait for confirmation, or a kind word after a cancelled payment.
pub fn return_notice(props: &ReturnNoticeProps<'_>) -> Html {
    let texts = texts(props.locale);
    let again = props.on_dismiss.reform(|_: MouseEvent| ());
    match props.returned {
        Return::None => html! {},
        Return::Cancelled => html! {
            <div class="notice" role="status" data-testid="cancelled">
                <p class="notice-title">{ texts.cancelled_title }</p>
                <p>{ texts.cancelled_body }</p>
            </div>
        },
        Return::NotPaid => html! {
            <div class="notice notice-error" role="status" data-testid="not-paid">
                <p>{ texts.not_paid }</p>
            </div>
        },
        Return::Confirming => html! {
            <div class="notice notice-success" role="status" aria-busy="true" data-testid="confirming">
                <p class="notice-title">{ texts.thanks_title }</p>
                <p>{ texts.confirming }</p>
            </div>
        },
        Return::StillConfirming => html! {
            <div class="notice" role="status" data-testid="still-confirming">
                <p class="notice-title">{ texts.still_confirming_title }</p>
                <p>{ texts.still_confirming }</p>
                <button type="button" class="secondary" onclick={again}>{ texts.give_again }</button>
            </div>
        },
        Return::Paid(order) => {
            let (title, line) = match own_words(props.kind) {
                Some(index) => (
                    texts.order.thanks_titles[index],
                    fill(
                        texts.order.thanks_lines[index],
                        &[("amount", &order.amount.format_exact(props.locale))],
                    ),
                ),
                None => (texts.thanks_title, thanks_paid(props.locale, order.amount)),
            };
            html! {
                <div class="notice notice-success" role="status" data-testid="thanks">
                    <p class="notice-title">{ title }</p>
                    <p>{ line }</p>
                    <button type="button" class="secondary" onclick={again}>{ texts.give_again }</button>
                </div>
            }
        }
    }
}
