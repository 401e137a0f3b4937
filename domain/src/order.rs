//! The life of an order, from the moment the donor submits to its settlement, and the only
//! moves it may make.
//!
//! PSPs deliver events more than once and out of order. Since the state can only move forward,
//! a late or repeated event can never undo a payment.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::Money;

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

    /// Whether no further move can ever happen.
    pub fn is_final(self) -> bool {
        Self::ALL.into_iter().all(|next| !self.can_move_to(next))
    }
}

/// What `GET /v1/orders/{id}` returns: enough for the widget to thank the donor, and nothing
/// about who they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// The order's id.
    pub id: String,
    /// Where the order stands.
    pub status: OrderStatus,
    /// The amount in minor units.
    pub amount: i64,
    /// The ISO 4217 code of the amount.
    pub currency: String,
}

impl OrderView {
    /// The amount as money, if the currency is known.
    pub fn money(&self) -> Option<Money> {
        crate::Currency::from_code(&self.currency).map(|currency| Money::new(self.amount, currency))
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
    fn stored_names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_name(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(OrderStatus::from_name("PAID"), None);
    }
}
