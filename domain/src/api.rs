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

use crate::wire::wire_names;

use crate::{DonationSubmission, FieldError, Locale};

pub use crate::order::OrderView;

/// The body of `POST /v1/campaigns/{slug}/checkout`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    /// What the donor filled in.
    pub donation: DonationSubmission,
    /// The page to bring the donor back to after the PSP, usually the page the widget is on.
    /// Its origin must be one the campaign allows.
    pub return_url: String,
    /// The language the PSP's page should use.
    #[serde(default)]
    pub locale: Locale,
    /// A random key the widget draws for each attempt to give. The same key within 30 minutes
    /// gives back the same order and payment page, so a double click, or a retry after a lost
    /// answer, never opens a second order. 16 to 64 letters, digits, `-` or `_`.
    #[serde(default)]
    pub attempt: Option<String>,
    /// The token of the challenge the donor passed (Cloudflare Turnstile), when the campaign's
    /// [`CheckoutPolicy::challenge`](crate::CheckoutPolicy::challenge) asks for one.
    #[serde(default)]
    pub challenge_token: Option<String>,
    /// A field hidden from people; only scripts that fill every field put anything in it.
    #[serde(default)]
    pub website: String,
    /// How long the form was shown before it was sent, in milliseconds.
    #[serde(default)]
    pub fill_ms: u64,
}

impl CheckoutRequest {
    /// Whether `key` has the shape of an attempt key.
    pub fn is_attempt_key(key: &str) -> bool {
        (16..=64).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// The answer to a successful checkout: where to send the donor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutResponse {
    /// The order recorded for this donation.
    pub order_id: String,
    /// The PSP's payment page; for a confirmed order, the return URL with the outcome.
    pub checkout_url: String,
    /// Whether the order is already paid: it came to nothing (free seats, a whole discount)
    /// and was confirmed without the PSP. The widget thanks the donor at once.
    #[serde(default, skip_serializing_if = "is_false")]
    pub confirmed: bool,
}

fn is_false(value: &bool) -> bool {
    !value
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
/// One table of names serves both directions, so the widget carries them once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request's Origin is not one of the campaign's allowed origins (403).
    OriginNotAllowed,
    /// No campaign has this slug (404).
    CampaignNotFound,
    /// The campaign has closed and collects no more, or its sales are not open (409).
    CampaignClosed,
    /// Too little is left of what the order asks (seats, a reward, a promo code's uses) (409).
    SoldOut,
    /// Another campaign already has this slug (409).
    SlugTaken,
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
    /// A query string parameter cannot be read (400).
    InvalidQuery,
    /// Only a payment recorded by hand can be cancelled by a reversing entry; a card payment is
    /// refunded (409).
    NotReversible,
    /// The payment has no receipt to send again (409).
    NoReceipt,
    /// The payment is not a card payment with something left to give back (409).
    NotRefundable,
    /// The return URL is malformed or not on an allowed origin (422).
    InvalidReturnUrl,
    /// A webhook's signature is missing, malformed, stale or wrong (400).
    InvalidSignature,
    /// A webhook's body is not an event this edge can read (400).
    MalformedEvent,
    /// Too many checkouts from this client, or for this email, in a short time (429, with
    /// `Retry-After`).
    RateLimited,
    /// The challenge token is missing, wrong, expired or already used (403).
    ChallengeFailed,
    /// The submission looks like a script's: a field hidden from people was filled, or the form
    /// was sent faster than anyone types (422).
    LooksAutomated,
    /// The same attempt is still opening its payment page; ask again in a moment (409).
    CheckoutInProgress,
    /// The PSP refused the request or could not be reached; the donor may try again (502).
    PaymentProviderError,
    /// The edge is missing a setting or a secret (503).
    NotConfigured,
    /// An administration route was called without a valid session or the deployment's admin
    /// token (401).
    Unauthorized,
    /// The person's role does not allow this (403).
    Forbidden,
    /// This changes money or people: sign in again through a link first (403).
    SignInAgain,
    /// An admin cannot remove themselves from the back-office (409).
    CannotRemoveSelf,
    /// The sign-in link is unknown, already used or expired (400).
    SignInLinkInvalid,
    /// Something failed on the edge; the request may be retried (500).
    Internal,
    /// A code this version does not know yet.
    Unknown,
}

wire_names!(ErrorCode else Unknown {
    OriginNotAllowed = "origin_not_allowed",
    CampaignNotFound = "campaign_not_found",
    CampaignClosed = "campaign_closed",
    SoldOut = "sold_out",
    SlugTaken = "slug_taken",
    OrderNotFound = "order_not_found",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    MalformedBody = "malformed_body",
    PayloadTooLarge = "payload_too_large",
    InvalidSubmission = "invalid_submission",
    InvalidQuery = "invalid_query",
    NotReversible = "not_reversible",
    NoReceipt = "no_receipt",
    NotRefundable = "not_refundable",
    InvalidReturnUrl = "invalid_return_url",
    InvalidSignature = "invalid_signature",
    MalformedEvent = "malformed_event",
    RateLimited = "rate_limited",
    ChallengeFailed = "challenge_failed",
    LooksAutomated = "looks_automated",
    CheckoutInProgress = "checkout_in_progress",
    PaymentProviderError = "payment_provider_error",
    NotConfigured = "not_configured",
    Unauthorized = "unauthorized",
    Forbidden = "forbidden",
    SignInAgain = "sign_in_again",
    CannotRemoveSelf = "cannot_remove_self",
    SignInLinkInvalid = "sign_in_link_invalid",
    Internal = "internal",
    Unknown = "unknown",
});

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
    fn error_codes_round_trip_by_their_snake_case_names() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.name()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).ok(), Some(code));
            assert!(
                code.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
        }
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|code| code.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "every name is its own");
        assert_eq!(ErrorCode::OriginNotAllowed.name(), "origin_not_allowed");
        assert_eq!(
            serde_json::from_str::<ErrorCode>("\"a_code_from_the_future\"").ok(),
            Some(ErrorCode::Unknown)
        );
        assert_eq!(ErrorCode::from_name("a_code_from_the_future"), None);
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let error = ApiError {
            error: ErrorBody {
                code: ErrorCode::InvalidSubmission,
                message: "check the fields".into(),
                fields: vec![FieldError::new(Field::Email, FieldErrorCode::Invalid)],
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
        let body = r#"{"error":{"code":"teapot","message":"slow down"}}"#;
        let error: Result<ApiError, _> = serde_json::from_str(body);
        assert_eq!(error.map(|e| e.error.code).ok(), Some(ErrorCode::Unknown));
    }

    #[test]
    fn attempt_keys_are_long_random_words() {
        assert!(CheckoutRequest::is_attempt_key("k3Jd9-aQ_0123456789"));
        for key in [
            "short",
            "has space 0123456789",
            &"x".repeat(65),
            "ключ-0123456789abcdef",
        ] {
            assert!(!CheckoutRequest::is_attempt_key(key), "{key}");
        }
    }

    #[test]
    fn error_codes_have_stable_names() {
        for (code, name) in [
            (ErrorCode::RateLimited, "rate_limited"),
            (ErrorCode::ChallengeFailed, "challenge_failed"),
            (ErrorCode::LooksAutomated, "looks_automated"),
            (ErrorCode::CheckoutInProgress, "checkout_in_progress"),
            (ErrorCode::PaymentProviderError, "payment_provider_error"),
            (ErrorCode::Forbidden, "forbidden"),
            (ErrorCode::SignInAgain, "sign_in_again"),
            (ErrorCode::SignInLinkInvalid, "sign_in_link_invalid"),
        ] {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::json!(name))
            );
        }
    }

    #[test]
    fn checkout_request_locale_defaults_to_french() {
        let body = r#"{"donation":{"amount":2000,"currency":"EUR","first_name":"A","last_name":"B","email":"a@b.fr","consent":true},"return_url":"https://x.fr/"}"#;
        let request: Result<CheckoutRequest, _> = serde_json::from_str(body);
        assert_eq!(request.map(|r| r.locale).ok(), Some(Locale::Fr));
    }
}
