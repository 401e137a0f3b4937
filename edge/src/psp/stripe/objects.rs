//! The Stripe objects the edge reads (Checkout Session, Charge, Dispute, error), and what each
//! means for an order, whether it came in an event or in the answer to a request.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tirelire_domain::{DisputeStatus, OrderStatus};

use crate::psp::{
    DisputeUpdate, HttpResponse, InstalmentUpdate, PspAmount, PspError, RefundUpdate,
    SessionUpdate, SubscriptionEnd,
};

/// Reads a successful answer as `T`, or Stripe's error object as a [`PspError`] that says
/// whether retrying could help. The PSP's words go to the log only.
pub(super) fn read<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, PspError> {
    if !(200..300).contains(&response.status) {
        let message = serde_json::from_str::<ErrorEnvelope>(&response.body)
            .map(|envelope| {
                let kind = envelope.error.kind.unwrap_or_default();
                let code = envelope.error.code.unwrap_or_default();
                let message = envelope.error.message.unwrap_or_default();
                format!("{kind} {code}: {message}")
            })
            .unwrap_or_else(|_| truncate(&response.body, 200).to_owned());
        let status = response.status;
        // Stripe asks for a retry on conflicts (a concurrent request with the same key), rate
        // limits and its own failures.
        return Err(if status == 409 || status == 429 || status >= 500 {
            PspError::Unavailable { status, message }
        } else {
            PspError::Rejected { status, message }
        });
    }
    serde_json::from_str(&response.body).map_err(|error| PspError::Unreadable(error.to_string()))
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    message: Option<String>,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// An id, or the object it names when Stripe expanded it.
fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.clone()),
        Value::Object(object) => object.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn amount(minor: Option<i64>, currency: Option<&str>) -> Option<PspAmount> {
    Some(PspAmount {
        minor: minor?,
        currency: currency?.to_ascii_uppercase(),
    })
}

fn order_id(metadata: &Map<String, Value>) -> Option<String> {
    metadata
        .get("order_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A Checkout Session.
#[derive(Deserialize)]
pub(super) struct Session {
    pub id: String,
    #[serde(default)]
    metadata: Map<String, Value>,
    status: Option<String>,
    payment_status: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
    #[serde(default)]
    payment_intent: Value,
    #[serde(default)]
    subscription: Value,
    #[serde(default)]
    invoice: Value,
}

impl Session {
    /// What the session says about its order. `outcome` is the event's own verdict when it
    /// has one; otherwise the session's state decides.
    pub fn into_update(self, outcome: Option<Option<OrderStatus>>) -> SessionUpdate {
        let paid = matches!(
            self.payment_status.as_deref(),
            Some("paid" | "no_payment_required")
        );
        let outcome = outcome.unwrap_or(match self.status.as_deref() {
            // A completed session is paid now, unless the method settles later (a bank
            // debit): then `async_payment_succeeded` or `_failed` follows.
            Some("complete") if paid => Some(OrderStatus::Paid),
            Some("expired") => Some(OrderStatus::Expired),
            _ => None,
        });
        SessionUpdate {
            order_id: order_id(&self.metadata),
            outcome,
            amount: amount(self.amount_total, self.currency.as_deref()),
            payment_id: id_of(&self.payment_intent),
            subscription_id: id_of(&self.subscription),
            invoice_id: id_of(&self.invoice),
            session_id: self.id,
        }
    }
}

/// An Invoice, as `invoice.paid` carries it. Since the 2025 API versions, an invoice names its
/// subscription, and the subscription's metadata, under `parent.subscription_details`.
#[derive(Deserialize)]
pub(super) struct Invoice {
    id: String,
    #[serde(default)]
    billing_reason: Option<String>,
    amount_paid: i64,
    currency: String,
    #[serde(default)]
    parent: Option<InvoiceParent>,
}

#[derive(Deserialize)]
struct InvoiceParent {
    #[serde(default)]
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Deserialize)]
struct SubscriptionDetails {
    #[serde(default)]
    subscription: Value,
    #[serde(default)]
    metadata: Map<String, Value>,
}

impl Invoice {
    /// The instalment it pays, if it belongs to a subscription.
    pub fn into_update(self) -> Option<InstalmentUpdate> {
        let details = self.parent?.subscription_details?;
        Some(InstalmentUpdate {
            subscription_id: id_of(&details.subscription)?,
            order_id: order_id(&details.metadata),
            invoice_id: self.id,
            amount: PspAmount {
                minor: self.amount_paid,
                currency: self.currency.to_ascii_uppercase(),
            },
            first: self.billing_reason.as_deref() == Some("subscription_create"),
        })
    }
}

/// A list of InvoicePayments, as `GET /v1/invoice_payments?invoice=…` gives it. Since the
/// 2025 API versions, this is where an invoice's PaymentIntent is named.
#[derive(Deserialize)]
pub(super) struct InvoicePayments {
    data: Vec<InvoicePayment>,
}

#[derive(Deserialize)]
struct InvoicePayment {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    payment: Option<PaymentReference>,
}

#[derive(Deserialize)]
struct PaymentReference {
    #[serde(default)]
    payment_intent: Value,
}

impl InvoicePayments {
    /// The PaymentIntent of the payment that paid the invoice.
    pub fn paid_by(self) -> Option<String> {
        self.data
            .into_iter()
            .filter(|payment| payment.status.as_deref() == Some("paid"))
            .find_map(|payment| id_of(&payment.payment?.payment_intent))
    }
}

/// A Subscription, as `customer.subscription.deleted` carries it.
#[derive(Deserialize)]
pub(super) struct Subscription {
    id: String,
    #[serde(default)]
    metadata: Map<String, Value>,
    #[serde(default)]
    status: Option<String>,
}

impl Subscription {
    /// The end it records.
    pub fn into_end(self) -> SubscriptionEnd {
        SubscriptionEnd {
            order_id: order_id(&self.metadata),
            subscription_id: self.id,
        }
    }
}

/// Reads the answer to `DELETE /v1/subscriptions/{id}`: the subscription, canceled. Stripe
/// treats a subscription canceled before as gone and answers `404 resource_missing`; the edge
/// only asks for subscriptions Stripe itself named, so that answer means it is stopped too.
pub(super) fn read_cancellation(response: &HttpResponse) -> Result<(), PspError> {
    match read::<Subscription>(response) {
        Ok(subscription) if subscription.status.as_deref() == Some("canceled") => Ok(()),
        Ok(subscription) => Err(PspError::Unreadable(format!(
            "the subscription is {:?}, not canceled",
            subscription.status
        ))),
        Err(PspError::Rejected {
            status: 404,
            message,
        }) if message.contains("resource_missing") => Ok(()),
        Err(error) => Err(error),
    }
}

/// An id as one segment of a path: Stripe's ids are letters, digits and underscores; anything
/// else is dropped rather than let it change the path.
pub(super) fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// A Charge, as `charge.refunded` carries it.
#[derive(Deserialize)]
pub(super) struct Charge {
    #[serde(default)]
    metadata: Map<String, Value>,
    amount_refunded: i64,
    currency: String,
    #[serde(default)]
    payment_intent: Value,
}

impl Charge {
    /// The refund it records, if it belongs to a payment intent (every Checkout payment does).
    pub fn into_update(self) -> Option<RefundUpdate> {
        Some(RefundUpdate {
            payment_id: id_of(&self.payment_intent)?,
            order_id: order_id(&self.metadata),
            refunded_total: PspAmount {
                minor: self.amount_refunded,
                currency: self.currency.to_ascii_uppercase(),
            },
        })
    }
}

/// A Dispute.
#[derive(Deserialize)]
pub(super) struct Dispute {
    amount: i64,
    currency: String,
    status: String,
    #[serde(default)]
    payment_intent: Value,
    #[serde(default)]
    metadata: Map<String, Value>,
}

impl Dispute {
    /// What it means for the payment, if it names one.
    pub fn into_update(self) -> Option<DisputeUpdate> {
        let status = match self.status.as_str() {
            "lost" => DisputeStatus::Lost,
            // A dispute prevented, or closed as a warning, leaves the money where it is.
            "won" | "warning_closed" | "prevented" => DisputeStatus::Won,
            _ => DisputeStatus::Open,
        };
        Some(DisputeUpdate {
            payment_id: id_of(&self.payment_intent)?,
            order_id: order_id(&self.metadata),
            status,
            amount: PspAmount {
                minor: self.amount,
                currency: self.currency.to_ascii_uppercase(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(json: &str) -> SessionUpdate {
        let session: Session = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        session.into_update(None)
    }

    #[test]
    fn a_subscription_s_session_names_its_first_invoice_and_the_invoice_its_payment() {
        let first = session(
            r#"{"id":"cs_1","status":"complete","payment_status":"paid","amount_total":1500,"currency":"eur","payment_intent":null,"subscription":"sub_1","invoice":"in_1","metadata":{"order_id":"ord_1"}}"#,
        );
        assert_eq!(first.payment_id, None);
        assert_eq!(first.subscription_id.as_deref(), Some("sub_1"));
        assert_eq!(first.invoice_id.as_deref(), Some("in_1"));

        let read = |json: &str| {
            serde_json::from_str::<InvoicePayments>(json)
                .unwrap_or_else(|e| panic!("{e}"))
                .paid_by()
        };
        assert_eq!(
            read(
                r#"{"object":"list","data":[
                    {"id":"inpay_1","status":"canceled","payment":{"type":"payment_intent","payment_intent":"pi_failed"}},
                    {"id":"inpay_2","status":"paid","payment":{"type":"payment_intent","payment_intent":{"id":"pi_2"}}}
                ],"has_more":false}"#
            ),
            Some("pi_2".into())
        );
        assert_eq!(
            read(r#"{"object":"list","data":[{"id":"inpay_1","status":"open"}],"has_more":false}"#),
            None
        );
        assert_eq!(
            read(r#"{"object":"list","data":[],"has_more":false}"#),
            None
        );
    }

    #[test]
    fn a_fetched_session_tells_its_state() {
        let paid = session(
            r#"{"id":"cs_1","status":"complete","payment_status":"paid","amount_total":2000,"currency":"eur","payment_intent":"pi_1","metadata":{"order_id":"ord_1"}}"#,
        );
        assert_eq!(paid.outcome, Some(OrderStatus::Paid));
        assert_eq!(paid.payment_id.as_deref(), Some("pi_1"));
        assert_eq!(paid.order_id.as_deref(), Some("ord_1"));
        assert_eq!(
            paid.amount,
            Some(PspAmount {
                minor: 2000,
                currency: "EUR".into()
            })
        );
        let open = session(r#"{"id":"cs_2","status":"open","payment_status":"unpaid"}"#);
        assert_eq!(open.outcome, None);
        assert_eq!(open.order_id, None);
        let expired = session(r#"{"id":"cs_3","status":"expired","payment_status":"unpaid"}"#);
        assert_eq!(expired.outcome, Some(OrderStatus::Expired));
        let debit = session(r#"{"id":"cs_4","status":"complete","payment_status":"unpaid"}"#);
        assert_eq!(debit.outcome, None);
        let expanded = session(r#"{"id":"cs_5","payment_intent":{"id":"pi_5"}}"#);
        assert_eq!(expanded.payment_id.as_deref(), Some("pi_5"));
    }

    #[test]
    fn errors_that_may_pass_are_told_apart() {
        let answer = |status: u16| HttpResponse {
            status,
            body: r#"{"error":{"type":"api_error","message":"Sorry"}}"#.into(),
        };
        assert!(matches!(
            read::<Value>(&answer(500)),
            Err(PspError::Unavailable { status: 500, .. })
        ));
        assert!(matches!(
            read::<Value>(&answer(409)),
            Err(PspError::Unavailable { .. })
        ));
        assert!(matches!(
            read::<Value>(&answer(400)),
            Err(PspError::Rejected { status: 400, .. })
        ));
        let garbage = HttpResponse {
            status: 200,
            body: "<html>".into(),
        };
        assert!(matches!(
            read::<Value>(&garbage),
            Err(PspError::Unreadable(_))
        ));
    }
}
