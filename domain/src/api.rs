//! The wire format of the edge API, as JSON. These types are the contract between the widget
//! and the edge; API clients of an association may rely on them too.
//!
//! | route | request | answer |
//! |---|---|---|
//! | `GET /v1/campaigns/{slug}` | | [`CampaignView`](crate::CampaignView) |
//! | `POST /v1/campaigns/{slug}/checkout` | [`CheckoutRequest`] | [`CheckoutResponse`] |
//! | `GET /v1/orders/{id}` | | [`OrderView`] |
//!
//! Every refusal is an [`ApiError`] with a 4xx or 5xx status.

use serde::{Deserialize, Serialize};

use crate::{DonationSubmission, FieldError, Locale};

pub use crate::order::OrderView;

/// The body of `POST /v1/campaigns/{slug}/checkout`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    /// What the donor filled in.
    pub donation: DonationSubmission,
    /// The page to bring the donor back to after the PSP, usually the page the widget is on.
    /// Its origin must be one the campaign allows.
    pub return_url: String,
    /// The language the PSP's page should use.
    #[serde(default)]
    pub locale: Locale,
}

/// The answer to a successful checkout: where to send the donor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutResponse {
    /// The order recorded for this donation.
    pub order_id: String,
    /// The PSP's payment page.
    pub checkout_url: String,
}

/// The query parameters the edge adds to the return URL, which the widget reads back.
pub mod return_params {
    /// The campaign the donation was for, so that only its widget reacts.
    pub const CAMPAIGN: &str = "tirelire_campaign";
    /// The order's id.
    pub const ORDER: &str = "tirelire_order";
    /// How the donor came back: [`PAID`] or [`CANCELLED`].
    pub const RESULT: &str = "tirelire_result";
    /// The donor went through the PSP's payment page.
    pub const PAID: &str = "paid";
    /// The donor left the PSP's payment page without paying.
    pub const CANCELLED: &str = "cancelled";
}

/// A stable reason for a refusal. The serialized names are part of the public API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request's Origin is not one of the campaign's allowed origins (403).
    OriginNotAllowed,
    /// No campaign has this slug (404).
    CampaignNotFound,
    /// No order has this id (404).
    OrderNotFound,
    /// No route matches the path (404).
    NotFound,
    /// The route exists, with another method (405).
    MethodNotAllowed,
    /// The body is not the JSON this route expects (400).
    MalformedBody,
    /// The body is larger than this route accepts (413).
    PayloadTooLarge,
    /// Some fields are wrong; `fields` says which (422).
    InvalidSubmission,
    /// The return URL is malformed or not on an allowed origin (422).
    InvalidReturnUrl,
    /// A webhook's signature is missing, malformed, stale or wrong (400).
    InvalidSignature,
    /// A webhook's body is not an event this edge can read (400).
    MalformedEvent,
    /// A webhook names a checkout session no order knows (404).
    UnknownSession,
    /// A webhook's amount or currency differs from the order's (409).
    AmountMismatch,
    /// The PSP refused the request or could not be reached (502).
    PaymentProviderError,
    /// The edge is missing a setting or a secret (503).
    NotConfigured,
    /// Something failed on the edge; the request may be retried (500).
    Internal,
    /// A code this version does not know yet.
    #[serde(other)]
    Unknown,
}

/// The body of every refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The details.
    pub error: ErrorBody,
}

/// What went wrong, for machines (`code`, `fields`) and for the person reading logs (`message`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The stable reason.
    pub code: ErrorCode,
    /// A plain English explanation, for developers; the widget shows its own text.
    pub message: String,
    /// For [`ErrorCode::InvalidSubmission`], the fields at fault.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, FieldErrorCode};

    #[test]
    fn error_body_has_the_documented_shape() {
        let error = ApiError {
            error: ErrorBody {
                code: ErrorCode::InvalidSubmission,
                message: "check the fields".into(),
                fields: vec![FieldError {
                    field: Field::Email,
                    code: FieldErrorCode::Invalid,
                }],
            },
        };
        let json = serde_json::to_value(&error).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"error": {
                "code": "invalid_submission",
                "message": "check the fields",
                "fields": [{"field": "email", "code": "invalid"}]
            }})
        );
    }

    #[test]
    fn unknown_codes_from_a_newer_edge_are_tolerated() {
        let body = r#"{"error":{"code":"rate_limited","message":"slow down"}}"#;
        let error: Result<ApiError, _> = serde_json::from_str(body);
        assert_eq!(error.map(|e| e.error.code).ok(), Some(ErrorCode::Unknown));
    }

    #[test]
    fn checkout_request_locale_defaults_to_french() {
        let body = r#"{"donation":{"amount":2000,"currency":"EUR","first_name":"A","last_name":"B","email":"a@b.fr","consent":true},"return_url":"https://x.fr/"}"#;
        let request: Result<CheckoutRequest, _> = serde_json::from_str(body);
        assert_eq!(request.map(|r| r.locale).ok(), Some(Locale::Fr));
    }
}
