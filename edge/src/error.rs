//! The only place where failures become HTTP responses: each gets a stable code and a plain
//! message, and its detail goes to the log, never to the client.

use thiserror::Error;
use tirelire_domain::FieldError;
use tirelire_domain::api::{ApiError, ErrorBody, ErrorCode};
use worker::{Response, console_error, console_warn};

use crate::psp::{PspError, WebhookError};
use crate::storage::StorageError;

/// Every way a request can fail.
#[derive(Debug, Error)]
pub enum EdgeError {
    /// No route matches.
    #[error("no route for this path")]
    NotFound,
    /// The route exists with another method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The slug names no campaign.
    #[error("no campaign is called {0:?}")]
    CampaignNotFound(String),
    /// The id names no order.
    #[error("no order has this id")]
    OrderNotFound,
    /// The page asking for a checkout is not on an allowed origin.
    #[error("origin {0:?} is not allowed for this campaign")]
    OriginNotAllowed(Option<String>),
    /// The body is larger than the route accepts.
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The body is not the expected JSON.
    #[error("malformed body: {0}")]
    MalformedBody(String),
    /// The donation did not pass validation.
    #[error("invalid submission: {0:?}")]
    InvalidSubmission(Vec<FieldError>),
    /// The return URL is unusable.
    #[error("invalid return URL: {0}")]
    InvalidReturnUrl(&'static str),
    /// A webhook delivery was refused.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// A webhook names a session no order knows.
    #[error("no order for session {0}")]
    UnknownSession(String),
    /// A webhook's amount differs from the order's.
    #[error("order {order} is for {expected}, the event says {got}")]
    AmountMismatch {
        /// The order's id.
        order: String,
        /// The order's amount and currency.
        expected: String,
        /// The event's amount and currency.
        got: String,
    },
    /// The PSP failed.
    #[error(transparent)]
    Psp(#[from] PspError),
    /// A setting or secret is missing.
    #[error("the {0} setting is missing")]
    NotConfigured(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The runtime failed in a way that has no better name.
    #[error("runtime: {0}")]
    Runtime(String),
}

impl From<worker::Error> for EdgeError {
    fn from(error: worker::Error) -> Self {
        Self::Runtime(error.to_string())
    }
}

impl EdgeError {
    fn status_and_code(&self) -> (u16, ErrorCode) {
        match self {
            Self::NotFound => (404, ErrorCode::NotFound),
            Self::MethodNotAllowed => (405, ErrorCode::MethodNotAllowed),
            Self::CampaignNotFound(_) => (404, ErrorCode::CampaignNotFound),
            Self::OrderNotFound => (404, ErrorCode::OrderNotFound),
            Self::OriginNotAllowed(_) => (403, ErrorCode::OriginNotAllowed),
            Self::PayloadTooLarge(_) => (413, ErrorCode::PayloadTooLarge),
            Self::MalformedBody(_) => (400, ErrorCode::MalformedBody),
            Self::InvalidSubmission(_) => (422, ErrorCode::InvalidSubmission),
            Self::InvalidReturnUrl(_) => (422, ErrorCode::InvalidReturnUrl),
            Self::Webhook(WebhookError::MalformedEvent(_)) => (400, ErrorCode::MalformedEvent),
            Self::Webhook(_) => (400, ErrorCode::InvalidSignature),
            Self::UnknownSession(_) => (404, ErrorCode::UnknownSession),
            Self::AmountMismatch { .. } => (409, ErrorCode::AmountMismatch),
            Self::Psp(_) => (502, ErrorCode::PaymentProviderError),
            Self::NotConfigured(_) => (503, ErrorCode::NotConfigured),
            Self::Storage(StorageError::MissingBinding(_)) => (503, ErrorCode::NotConfigured),
            Self::Storage(_) | Self::Runtime(_) => (500, ErrorCode::Internal),
        }
    }

    /// What the client may read. Details that could help an attacker or confuse a donor stay
    /// in the log.
    fn public_message(&self) -> String {
        match self {
            Self::NotFound => "There is nothing at this address.".into(),
            Self::MethodNotAllowed => "This address does not accept this method.".into(),
            Self::CampaignNotFound(slug) => format!("No campaign is called \"{slug}\"."),
            Self::OrderNotFound => "No order has this id.".into(),
            Self::OriginNotAllowed(_) => {
                "This page's origin may not collect donations for this campaign; the treasurer can allow it.".into()
            }
            Self::PayloadTooLarge(limit) => format!("The body is larger than {limit} bytes."),
            Self::MalformedBody(detail) => format!("The body is not valid JSON for this request: {detail}"),
            Self::InvalidSubmission(_) => "Some fields are missing or wrong; see `fields`.".into(),
            Self::InvalidReturnUrl(detail) => format!("The return URL {detail}."),
            Self::Webhook(error) => format!("The webhook was refused: {error}."),
            Self::UnknownSession(_) => "No order belongs to this checkout session.".into(),
            Self::AmountMismatch { .. } => "The event's amount differs from the order's.".into(),
            Self::Psp(_) => "The payment provider could not open a payment page; please try again.".into(),
            Self::NotConfigured(_) | Self::Storage(StorageError::MissingBinding(_)) => {
                "This Tirelire edge is not fully configured yet.".into()
            }
            Self::Storage(_) | Self::Runtime(_) => "Something failed on our side; please try again.".into(),
        }
    }

    /// The response for this failure; the detail is logged.
    pub fn into_response(self) -> worker::Result<Response> {
        let (status, code) = self.status_and_code();
        if status >= 500 {
            console_error!("{status} {code:?}: {self}");
        } else {
            console_warn!("{status} {code:?}: {self}");
        }
        let message = self.public_message();
        let fields = match self {
            Self::InvalidSubmission(fields) => fields,
            _ => Vec::new(),
        };
        let body = ApiError {
            error: ErrorBody {
                code,
                message,
                fields,
            },
        };
        crate::http::json(status, &body)
    }
}
