//! Payments as the back-office lists, records and exports them.

use serde::{Deserialize, Serialize};

use crate::offer::Answers;
use crate::wire::wire_names;
use crate::{Currency, Money, OrderStatus};

/// How the money came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// A card, through the association's PSP.
    Card,
    /// A cheque, received by hand.
    Cheque,
    /// A bank transfer.
    Transfer,
    /// Cash.
    Cash,
}

wire_names!(PaymentMethod {
    Card = "card",
    Cheque = "cheque",
    Transfer = "transfer",
    Cash = "cash",
});

impl PaymentMethod {
    /// Its name for a French treasurer, in lists and exports.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Card => "Carte",
            Self::Cheque => "Chèque",
            Self::Transfer => "Virement",
            Self::Cash => "Espèces",
        }
    }

    /// Whether it is recorded by hand rather than reported by the PSP.
    pub fn is_offline(self) -> bool {
        self != Self::Card
    }
}

/// The order in which a list comes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentSort {
    /// The most recent first.
    #[default]
    Newest,
    /// The oldest first.
    Oldest,
    /// The largest amount first.
    Largest,
    /// The smallest amount first.
    Smallest,
}

/// What to list or export (`GET /v1/admin/payments?…`). Every field narrows the list; dates
/// are seconds since the epoch, `to` excluded; amounts are minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentFilter {
    /// The campaign's slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The order's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// How it was paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<PaymentMethod>,
    /// Part of the payer's name or email, in any case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Paid (or, unpaid, created) at or after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// Paid (or created) before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// At least this amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// At most this amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The order of the list.
    #[serde(skip_serializing_if = "is_default")]
    pub sort: PaymentSort,
    /// Where the previous page ended, as its `next` said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

fn is_default(sort: &PaymentSort) -> bool {
    *sort == PaymentSort::default()
}

/// One payment in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    /// The order's id, the reference the donor was given.
    pub id: String,
    /// The campaign's slug.
    pub campaign: String,
    /// The campaign's title.
    pub campaign_title: String,
    /// What was asked, in minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// What went back to the payer: refunds, a lost dispute, a reversal.
    pub returned: i64,
    /// What counts in the totals.
    pub counted: i64,
    /// Where it stands.
    pub status: OrderStatus,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The payer's first name; empty once erased.
    pub first_name: String,
    /// The payer's last name; empty once erased.
    pub last_name: String,
    /// The payer's email; empty once erased, or when paid by hand without one.
    pub email: String,
    /// When it was paid, or created if it is not.
    pub date: i64,
    /// The cheque's number or the transfer's reference.
    pub reference: Option<String>,
    /// When a payment recorded by hand was cancelled.
    pub reversed_at: Option<i64>,
}

impl PaymentRow {
    /// The amount asked, with its currency.
    pub fn money(&self, minor: i64) -> Money {
        Money::new(
            minor,
            Currency::from_code(&self.currency).unwrap_or(Currency::Eur),
        )
    }
}

/// One page of payments (`GET /v1/admin/payments`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPage {
    /// The payments, in the order asked.
    pub payments: Vec<PaymentRow>,
    /// What to send as `after` for the next page, if there is one.
    pub next: Option<String>,
    /// On the first page: how many payments match, and what they count in the totals.
    pub summary: Option<PaymentSummary>,
}

/// What the payments that match a filter add up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentSummary {
    /// How many match.
    pub count: i64,
    /// What they count in the totals, in minor units.
    pub counted: i64,
}

/// `POST /v1/admin/payments/offline`: a payment received by hand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflinePayment {
    /// The campaign's slug.
    pub campaign: String,
    /// The amount, in minor units.
    pub amount: i64,
    /// Cheque, transfer or cash.
    pub method: PaymentMethod,
    /// When it was received, in seconds since the epoch.
    pub received_at: i64,
    /// The payer's first name.
    pub first_name: String,
    /// The payer's last name.
    pub last_name: String,
    /// The payer's email, if known.
    #[serde(default)]
    pub email: String,
    /// The cheque's number or the transfer's reference.
    #[serde(default)]
    pub reference: String,
}

/// `POST /v1/admin/payments/{id}/reversal`: why a payment recorded by hand is cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    /// In the treasurer's words.
    pub reason: String,
}

/// `POST /v1/admin/payments/{id}/refund`: how much to give back to the card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// In minor units; `None` gives back everything not given back yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

/// The refund the PSP accepted. It reaches the totals when the PSP's event arrives, as every
/// refund does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAnswer {
    /// The PSP's id for the refund.
    pub refund_id: String,
    /// What goes back, in minor units.
    pub amount: i64,
    /// The PSP's word for where it stands (`pending`, `succeeded`…).
    pub status: String,
}

/// Everything the association keeps about one email address (`GET /v1/admin/donors?email=`),
/// as GDPR articles 15 and 20 give the person the right to have it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorFile {
    /// The address asked about.
    pub email: String,
    /// Every payment made with it.
    pub payments: Vec<DonorPayment>,
    /// Every message sent to it, or about its payments.
    pub messages: Vec<DonorMessage>,
    /// Their member record, if they joined through a membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<DonorMember>,
}

/// A member record: the name kept, and each period of membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorMember {
    /// The name kept, as given on the last membership.
    pub first_name: String,
    /// The name kept.
    pub last_name: String,
    /// When the record was made, in seconds since the epoch.
    pub since: i64,
    /// Each period, oldest first.
    pub periods: Vec<DonorPeriod>,
}

/// One period of membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorPeriod {
    /// The membership campaign's title.
    pub campaign: String,
    /// The tier's key.
    pub tier: String,
    /// The first day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// The last day.
    pub ends_on: String,
    /// Whether a refund cancelled it.
    pub cancelled: bool,
}

/// A ticket bought with a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorTicket {
    /// The rate's label.
    pub label: String,
    /// Its number within the order, from 1.
    pub seat: i64,
    /// When it was checked in at the door, in seconds since the epoch.
    pub used_at: Option<i64>,
}

/// One payment, with what the person agreed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorPayment {
    /// The order's id.
    pub id: String,
    /// The campaign's title.
    pub campaign: String,
    /// In minor units.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The name given.
    pub first_name: String,
    /// The name given.
    pub last_name: String,
    /// The address given.
    pub email: String,
    /// The language of the form.
    pub locale: String,
    /// When the form was sent, in seconds since the epoch.
    pub created_at: i64,
    /// When it was paid.
    pub paid_at: Option<i64>,
    /// When the person agreed to the processing of their data.
    pub consent_at: i64,
    /// The words they agreed to, when the form sent them.
    pub consent_text: Option<String>,
    /// Their answers to the campaign's questions.
    #[serde(default, skip_serializing_if = "Answers::is_empty")]
    pub answers: Answers,
    /// The tickets it bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tickets: Vec<DonorTicket>,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DonorMessage {
    /// Which message: `donor_receipt`, `treasurer_payment`.
    pub template: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// When it was written, in seconds since the epoch.
    pub created_at: i64,
    /// When it was sent.
    pub sent_at: Option<i64>,
}

/// `POST /v1/admin/donors/erasure`: whose data to erase (GDPR article 17). The payments stay in
/// the accounts, without a name or an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    /// The address.
    pub email: String,
}

/// What an erasure changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    /// Payments left without a name or an address.
    pub payments: i64,
    /// Messages emptied of the person's data.
    pub messages: i64,
}

/// One payment with its history (`GET /v1/admin/payments/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDetail {
    /// The payment as the list shows it.
    pub payment: PaymentRow,
    /// The PSP's id for the payment page.
    pub session_id: Option<String>,
    /// The PSP's id for the payment itself.
    pub payment_id: Option<String>,
    /// The PSP's events about it, oldest first.
    pub events: Vec<EventLine>,
    /// The messages about it.
    pub messages: Vec<MessageLine>,
    /// What the PSP's events said that could not simply be applied.
    pub anomalies: Vec<AnomalyView>,
    /// What people did to it, notes included, oldest first.
    pub history: Vec<crate::staff::AuditLine>,
}

/// One event from the PSP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    /// The PSP's id for it.
    pub id: String,
    /// Its type: `checkout.session.completed`, `charge.refunded`…
    pub kind: String,
    /// When it arrived, in seconds since the epoch.
    pub received_at: i64,
}

/// One message about a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageLine {
    /// Which message.
    pub template: String,
    /// To whom.
    pub recipient: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// What the mail provider said last.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<i64>,
}

/// `POST /v1/admin/payments/{id}/note`: a note for the team, kept in the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The note.
    pub text: String,
}

/// What the back-office's first page shows (`GET /v1/admin/dashboard`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Every campaign with its total.
    pub campaigns: Vec<CampaignSummary>,
    /// What counts in the totals, per month of payment, the last twelve months, oldest first.
    pub months: Vec<Total>,
    /// What counts in the totals, per way of paying.
    pub methods: Vec<Total>,
    /// Payments begun in the last day and not finished.
    pub pending: i64,
    /// Payments that failed in the last thirty days.
    pub failed: i64,
    /// The latest things the PSP's events said that could not simply be applied.
    pub anomalies: Vec<AnomalyView>,
    /// The latest messages that could not be sent.
    pub unsent: Vec<UnsentMail>,
}

/// A total for one month (`2026-11`) or one way of paying (`card`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    /// The month or the method.
    pub key: String,
    /// What counts, in minor units.
    pub counted: i64,
    /// How many payments.
    pub count: i64,
}

/// Something a PSP event said that the edge kept rather than applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyView {
    /// `amount_mismatch`, `mode_mismatch`, `payment_for_closed_order`…
    pub kind: String,
    /// The order, if known.
    pub order_id: Option<String>,
    /// What was seen.
    pub detail: String,
    /// When, in seconds since the epoch.
    pub created_at: i64,
}

/// A message that could not be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsentMail {
    /// Which message.
    pub template: String,
    /// The order it is about, if any.
    pub order_id: Option<String>,
    /// What the mail provider said last.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: i64,
}

/// One campaign in the back-office's lists (`GET /v1/admin/campaigns`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignSummary {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it has raised, in minor units.
    pub raised: i64,
    /// How many payments count in it.
    pub count: i64,
    /// Where it stands.
    pub status: crate::setup::CampaignStatus,
    /// What it hopes to reach, if anything.
    pub goal: Option<i64>,
    /// What it collects.
    #[serde(default)]
    pub kind: crate::setup::CampaignKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip_and_only_card_comes_from_the_psp() {
        for &method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::from_name(method.name()), Some(method));
            assert_eq!(method.is_offline(), method != PaymentMethod::Card);
        }
        assert_eq!(PaymentMethod::from_name("bitcoin"), None);
    }

    #[test]
    fn an_empty_filter_is_an_empty_query() {
        assert_eq!(
            serde_json::to_value(PaymentFilter::default()).unwrap_or_default(),
            serde_json::json!({})
        );
    }
}
