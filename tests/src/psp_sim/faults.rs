//! Failures a test arms on purpose, so that the edge's handling of a slow, failing or garbled
//! Stripe and of a webhook lost for good is tested against the same simulator as the happy path.
//!
//! `POST /_sim/faults` with `campaign=<slug>&kind=<kind>&count=<n>` arms `n` faults for the
//! checkout sessions whose `metadata[campaign]` is that slug; `DELETE /_sim/faults` clears them.
//! A campaign is the scope because it is what a test controls from outside the edge: each test
//! gets its own campaign and the faults of one never reach another.

use std::time::Duration;

use serde_json::json;

use super::{Account, Reply, field, integer_field, refuse_unknown};

/// How long a hanging answer waits: longer than any sensible client timeout for the call.
const HANG: Duration = Duration::from_secs(4);

/// One kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fault {
    /// The session is created (or replayed) as usual, and the answer comes 4 s later.
    Hang,
    /// Stripe fails with a 500 before doing anything.
    Error,
    /// The session is created, but a broken proxy answers 200 with an HTML page.
    Garbage,
    /// The next event about a payment of the campaign (its `checkout.session.completed` or
    /// `checkout.session.expired`, a later month's `invoice.paid`, or the `charge.refunded` of
    /// a refund) is recorded and listed, but never delivered. The events that follow it are
    /// delivered.
    NoWebhook,
}

impl Fault {
    fn parse(kind: &str) -> Option<Self> {
        match kind {
            "hang" => Some(Self::Hang),
            "error" => Some(Self::Error),
            "garbage" => Some(Self::Garbage),
            "no_webhook" => Some(Self::NoWebhook),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Hang => "hang",
            Self::Error => "error",
            Self::Garbage => "garbage",
            Self::NoWebhook => "no_webhook",
        }
    }

    /// Whether it strikes when a payment is made or refunded rather than when a session is
    /// created.
    fn at_payment(self) -> bool {
        self == Self::NoWebhook
    }
}

/// The faults still armed, in the order they were armed.
#[derive(Default)]
pub(super) struct Armed(Vec<ArmedFault>);

struct ArmedFault {
    campaign: String,
    fault: Fault,
    remaining: u32,
}

impl Armed {
    /// Consumes the first fault armed for `campaign` that strikes at session creation.
    pub(super) fn take_at_creation(&mut self, campaign: Option<&str>) -> Option<Fault> {
        self.take(campaign?, false)
    }

    /// Consumes the first fault armed for `campaign` that strikes at a payment or a refund.
    pub(super) fn take_at_payment(&mut self, campaign: Option<&str>) -> Option<Fault> {
        self.take(campaign?, true)
    }

    fn take(&mut self, campaign: &str, at_payment: bool) -> Option<Fault> {
        let position = self.0.iter().position(|armed| {
            armed.campaign == campaign && armed.fault.at_payment() == at_payment
        })?;
        let armed = &mut self.0[position];
        let fault = armed.fault;
        armed.remaining -= 1;
        if armed.remaining == 0 {
            self.0.remove(position);
        }
        Some(fault)
    }

    fn describe(&self) -> serde_json::Value {
        let armed: Vec<_> = self
            .0
            .iter()
            .map(|armed| {
                json!({
                    "campaign": armed.campaign,
                    "kind": armed.fault.name(),
                    "remaining": armed.remaining,
                })
            })
            .collect();
        json!({ "armed": armed })
    }
}

/// `POST /_sim/faults`: arms faults; answers with every fault still armed.
pub(super) fn arm(account: &Account, body: &str) -> Reply {
    let params = match super::form(body) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    if let Err(refusal) = refuse_unknown(&params, &["campaign", "kind", "count"], &[]) {
        return refusal;
    }
    let Some(campaign) = field(&params, "campaign").filter(|campaign| !campaign.is_empty()) else {
        return Reply::invalid(
            "campaign",
            "parameter_missing",
            "Missing required param: campaign.",
        );
    };
    let kind = field(&params, "kind").unwrap_or_default();
    let Some(fault) = Fault::parse(kind) else {
        return Reply::invalid(
            "kind",
            "parameter_invalid_string",
            &format!("Invalid kind: {kind}. Use one of hang, error, garbage, no_webhook."),
        );
    };
    let count = match integer_field(&params, "count") {
        Ok(count) => count.unwrap_or(1),
        Err(refusal) => return refusal,
    };
    let Some(count) = u32::try_from(count).ok().filter(|count| *count >= 1) else {
        return Reply::invalid(
            "count",
            "parameter_invalid_integer",
            "This value must be greater than or equal to 1.",
        );
    };
    let mut state = account.state();
    state.faults.0.push(ArmedFault {
        campaign: campaign.to_owned(),
        fault,
        remaining: count,
    });
    Reply::json(200, &state.faults.describe())
}

/// `DELETE /_sim/faults`.
pub(super) fn clear(account: &Account) -> Reply {
    let mut state = account.state();
    state.faults.0.clear();
    Reply::json(200, &state.faults.describe())
}

/// Stripe's answer when it fails on its side.
pub(super) fn unknown_error() -> Reply {
    Reply::stripe_error(500, "api_error", None, None, "An unknown error occurred")
}

/// Spoils an answer already computed, as a fault armed at creation says.
pub(super) fn disturb(fault: Option<Fault>, reply: Reply) -> Reply {
    match fault {
        Some(Fault::Hang) => {
            std::thread::sleep(HANG);
            reply
        }
        Some(Fault::Garbage) => {
            Reply::html(200, "<html><body>502 Bad Gateway</body></html>".into())
        }
        Some(Fault::Error) => unknown_error(),
        Some(Fault::NoWebhook) | None => reply,
    }
}
