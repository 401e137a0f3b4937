//! The life of an order, from the moment the donor submits to its settlement, and the only
//! moves it may make.
//!
//! PSPs deliver events more than once and out of order. Since the state can only move forward,
//! a late or repeated event can never undo a payment.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Currency, Money};

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Recorded, and the donor was sent to the PSP; no money has moved yet.
    Pending,
    /// The PSP confirmed the payment.
    Paid,
    /// The checkout session ended without payment.
    Expired,
    /// The PSP reported that the payment failed.
    Failed,
    /// The payment was returned to the donor.
    Refunded,
}

/// A move the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("an order cannot go from {from:?} to {to:?}")]
pub struct TransitionError {
    /// The current status.
    pub from: OrderStatus,
    /// The refused target.
    pub to: OrderStatus,
}

impl OrderStatus {
    /// Every status, in the order of a typical life.
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Paid,
        Self::Expired,
        Self::Failed,
        Self::Refunded,
    ];

    /// The name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Expired => "expired",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// The statuses an order may come from to reach `self`. Storage uses this list as the
    /// guard of its conditional update, so the rule lives here and only here.
    pub fn predecessors(self) -> &'static [Self] {
        match self {
            Self::Pending => &[],
            Self::Paid | Self::Expired | Self::Failed => &[Self::Pending],
            Self::Refunded => &[Self::Paid],
        }
    }

    /// Whether an order in `self` may move to `next`.
    pub fn can_move_to(self, next: Self) -> bool {
        next.predecessors().contains(&self)
    }

    /// Checks a move.
    pub fn move_to(self, next: Self) -> Result<Self, TransitionError> {
        if self.can_move_to(next) {
            Ok(next)
        } else {
            Err(TransitionError {
                from: self,
                to: next,
            })
        }
    }

    /// Its name for a French treasurer, in lists and exports.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Pending => "En attente",
            Self::Paid => "Payé",
            Self::Expired => "Abandonné",
            Self::Failed => "Échoué",
            Self::Refunded => "Remboursé",
        }
    }

    /// Whether no further move can ever happen.
    pub fn is_final(self) -> bool {
        Self::ALL.into_iter().all(|next| !self.can_move_to(next))
    }
}

/// Where a dispute (a chargeback the donor's bank opened) stands. Like an order, it only moves
/// forward, whatever order the PSP's events come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// The bank disputes the payment; the association may answer.
    Open,
    /// The dispute closed in the association's favour; the money stays.
    Won,
    /// The dispute closed against the association; the money went back to the donor.
    Lost,
}

impl DisputeStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Open, Self::Won, Self::Lost];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// The statuses a dispute may come from to reach `self`; `None` stands for an order with no
    /// dispute yet. A closing event that arrives before the opening one still closes it.
    pub fn predecessors(self) -> &'static [Option<Self>] {
        match self {
            Self::Open => &[None],
            Self::Won | Self::Lost => &[None, Some(Self::Open)],
        }
    }
}

/// What `GET /v1/orders/{id}` returns: enough for the widget to thank the donor, and nothing
/// about who they are. On the wire: `{"id", "status", "amount": 2000, "currency": "EUR"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OrderViewWire", into = "OrderViewWire")]
pub struct OrderView {
    /// The order's id.
    pub id: String,
    /// Where the order stands.
    pub status: OrderStatus,
    /// The amount.
    pub amount: Money,
}

#[derive(Clone, Serialize, Deserialize)]
struct OrderViewWire {
    id: String,
    status: OrderStatus,
    amount: i64,
    currency: Currency,
}

impl From<OrderViewWire> for OrderView {
    fn from(wire: OrderViewWire) -> Self {
        Self {
            id: wire.id,
            status: wire.status,
            amount: Money::new(wire.amount, wire.currency),
        }
    }
}

impl From<OrderView> for OrderViewWire {
    fn from(view: OrderView) -> Self {
        Self {
            id: view.id,
            status: view.status,
            amount: view.amount.minor,
            currency: view.amount.currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;
    use super::*;

    #[test]
    fn pending_settles_one_way() {
        assert_eq!(Pending.move_to(Paid), Ok(Paid));
        assert_eq!(Pending.move_to(Expired), Ok(Expired));
        assert_eq!(Pending.move_to(Failed), Ok(Failed));
        assert_eq!(Paid.move_to(Refunded), Ok(Refunded));
    }

    #[test]
    fn nothing_moves_backwards_or_sideways() {
        for (from, to) in [
            (Paid, Pending),
            (Paid, Expired),
            (Paid, Failed),
            (Expired, Paid),
            (Failed, Paid),
            (Refunded, Paid),
            (Expired, Pending),
            (Pending, Refunded),
        ] {
            assert_eq!(
                from.move_to(to),
                Err(TransitionError { from, to }),
                "{from:?}→{to:?}"
            );
        }
    }

    #[test]
    fn no_status_moves_to_itself() {
        for status in OrderStatus::ALL {
            assert!(!status.can_move_to(status), "{status:?}");
        }
    }

    #[test]
    fn the_graph_has_no_cycle() {
        fn reachable(from: OrderStatus, seen: &mut Vec<OrderStatus>) {
            for next in OrderStatus::ALL {
                if from.can_move_to(next) && !seen.contains(&next) {
                    seen.push(next);
                    reachable(next, seen);
                }
            }
        }
        for status in OrderStatus::ALL {
            let mut seen = Vec::new();
            reachable(status, &mut seen);
            assert!(
                !seen.contains(&status),
                "{status:?} can come back to itself"
            );
        }
    }

    #[test]
    fn final_statuses_are_expired_failed_and_refunded() {
        let finals: Vec<_> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, [Expired, Failed, Refunded]);
    }

    #[test]
    fn disputes_only_close_once_and_never_reopen() {
        use DisputeStatus::*;
        assert!(Open.predecessors().contains(&None));
        assert!(Lost.predecessors().contains(&Some(Open)));
        assert!(Won.predecessors().contains(&None));
        assert!(!Open.predecessors().contains(&Some(Lost)));
        assert!(!Lost.predecessors().contains(&Some(Won)));
        assert!(!Won.predecessors().contains(&Some(Lost)));
        for status in DisputeStatus::ALL {
            assert_eq!(DisputeStatus::from_name(status.as_str()), Some(status));
        }
    }

    #[test]
    fn the_order_view_keeps_its_json_shape() {
        let view = OrderView {
            id: "ord_1".into(),
            status: Paid,
            amount: Money::new(2000, Currency::Eur),
        };
        let json = serde_json::to_value(&view).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"id": "ord_1", "status": "paid", "amount": 2000, "currency": "EUR"})
        );
        assert_eq!(serde_json::from_value::<OrderView>(json).ok(), Some(view));
    }

    #[test]
    fn stored_names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_name(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(OrderStatus::from_name("PAID"), None);
    }
}
