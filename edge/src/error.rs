//! The only place where failures become HTTP responses: each gets a stable code and a fixed,
//! plain message. The detail (a parser's words, a path, the clock, what the PSP said) goes to
//! the log, never to the client.

use thiserror::Error;
use tirelire_domain::FieldError;
use tirelire_domain::api::{ApiError, ErrorBody, ErrorCode};
use worker::{Response, console_error, console_warn};

use crate::config::ConfigError;
use crate::guard::Trap;
use crate::guard::turnstile::ChallengeError;
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
    /// The campaign collects no more.
    #[error("campaign {0:?} is closed")]
    CampaignClosed(String),
    /// A campaign already has this slug.
    #[error("a campaign is already called {0:?}")]
    SlugTaken(String),
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
    /// The query string does not fit the route.
    #[error("malformed query: {0}")]
    InvalidQuery(String),
    /// The order is not a card payment with something left to give back.
    #[error("order {0} has nothing to refund")]
    NotRefundable(String),
    /// The payment has no receipt to send again.
    #[error("order {0} has no receipt to send again")]
    NoReceipt(String),
    /// Only a payment recorded by hand can be cancelled by a reversing entry.
    #[error("order {0} was not recorded by hand")]
    NotReversible(String),
    /// The donation did not pass validation.
    #[error("invalid submission: {0:?}")]
    InvalidSubmission(Vec<FieldError>),
    /// The return URL is unusable.
    #[error("invalid return URL: {0}")]
    InvalidReturnUrl(&'static str),
    /// Too many checkouts; the client may try again after this many seconds.
    #[error("rate limited ({what}) for {retry_after} s")]
    RateLimited {
        /// Which limit.
        what: &'static str,
        /// Seconds to wait.
        retry_after: i64,
    },
    /// The challenge token was not accepted.
    #[error("challenge: {0}")]
    Challenge(ChallengeError),
    /// A trap for scripts caught the submission.
    #[error("caught by a trap: {0:?}")]
    LooksAutomated(Trap),
    /// The same attempt is still opening its payment page.
    #[error("the attempt is still opening its payment page")]
    CheckoutInProgress,
    /// An administration route without a valid session or the right token.
    #[error("no valid session or admin token")]
    Unauthorized,
    /// The person's role does not allow this route.
    #[error("the {0} role does not allow this")]
    Forbidden(&'static str),
    /// The route changes money or people, and the sign-in is not recent.
    #[error("the sign-in is not recent enough for this")]
    SignInAgain,
    /// An admin asked to remove themselves.
    #[error("an admin cannot remove themselves")]
    CannotRemoveSelf,
    /// A sign-in link that is unknown, used or expired.
    #[error("the sign-in link is unknown, used or expired")]
    SignInLinkInvalid,
    /// A webhook delivery was refused.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The PSP failed.
    #[error(transparent)]
    Psp(#[from] PspError),
    /// A setting or secret is missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
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
            Self::CampaignClosed(_) => (409, ErrorCode::CampaignClosed),
            Self::SlugTaken(_) => (409, ErrorCode::SlugTaken),
            Self::OriginNotAllowed(_) => (403, ErrorCode::OriginNotAllowed),
            Self::PayloadTooLarge(_) => (413, ErrorCode::PayloadTooLarge),
            Self::MalformedBody(_) => (400, ErrorCode::MalformedBody),
            Self::InvalidSubmission(_) => (422, ErrorCode::InvalidSubmission),
            Self::InvalidQuery(_) => (400, ErrorCode::InvalidQuery),
            Self::NotReversible(_) => (409, ErrorCode::NotReversible),
            Self::NotRefundable(_) => (409, ErrorCode::NotRefundable),
            Self::NoReceipt(_) => (409, ErrorCode::NoReceipt),
            Self::InvalidReturnUrl(_) => (422, ErrorCode::InvalidReturnUrl),
            Self::RateLimited { .. } => (429, ErrorCode::RateLimited),
            Self::Challenge(ChallengeError::Unavailable(_)) => (503, ErrorCode::ChallengeFailed),
            Self::Challenge(_) => (403, ErrorCode::ChallengeFailed),
            Self::LooksAutomated(_) => (422, ErrorCode::LooksAutomated),
            Self::CheckoutInProgress => (409, ErrorCode::CheckoutInProgress),
            Self::Unauthorized => (401, ErrorCode::Unauthorized),
            Self::Forbidden(_) => (403, ErrorCode::Forbidden),
            Self::SignInAgain => (403, ErrorCode::SignInAgain),
            Self::SignInLinkInvalid => (400, ErrorCode::SignInLinkInvalid),
            Self::CannotRemoveSelf => (409, ErrorCode::CannotRemoveSelf),
            Self::Webhook(WebhookError::MalformedEvent(_)) => (400, ErrorCode::MalformedEvent),
            Self::Webhook(_) => (400, ErrorCode::InvalidSignature),
            Self::Psp(_) => (502, ErrorCode::PaymentProviderError),
            Self::Config(_) | Self::Storage(StorageError::MissingBinding(_)) => {
                (503, ErrorCode::NotConfigured)
            }
            Self::Storage(StorageError::OutOfStock) => (409, ErrorCode::SoldOut),
            Self::Storage(_) | Self::Runtime(_) => (500, ErrorCode::Internal),
        }
    }

    /// What the client may read: a fixed sentence per code, with nothing from the request,
    /// the clock or another service in it.
    fn public_message(&self) -> &'static str {
        match self {
            Self::NotFound => "There is nothing at this address.",
            Self::MethodNotAllowed => "This address does not accept this method.",
            Self::CampaignNotFound(_) => "No campaign has this name.",
            Self::CampaignClosed(_) => "This campaign has closed; it collects no more.",
            Self::SlugTaken(_) => "Another campaign already has this short name.",
            Self::OrderNotFound => "No order has this id.",
            Self::OriginNotAllowed(_) => {
                "This page's origin may not collect donations for this campaign; the treasurer can allow it."
            }
            Self::PayloadTooLarge(_) => "The body is larger than this address accepts.",
            Self::MalformedBody(_) => "The body is not the JSON this address expects.",
            Self::InvalidSubmission(_) => "Some fields are missing or wrong; see `fields`.",
            Self::InvalidQuery(_) => "The query string has a parameter this address cannot read.",
            Self::NotReversible(_) => {
                "Only a payment recorded by hand is cancelled this way; a card payment is refunded."
            }
            Self::NoReceipt(_) => {
                "This payment has no receipt to send again: it was recorded by hand, or its donor's data was erased."
            }
            Self::NotRefundable(_) => {
                "Only a card payment that is paid and not refunded in full can be refunded."
            }
            Self::InvalidReturnUrl(_) => {
                "The return URL must be an http or https page on an allowed origin."
            }
            Self::RateLimited { .. } => {
                "Too many attempts in a short time; try again after the delay in Retry-After."
            }
            Self::Challenge(ChallengeError::Unavailable(_)) => {
                "The anti-robot check cannot be verified right now; try again in a moment."
            }
            Self::Challenge(_) => {
                "The anti-robot check is missing, expired or already used; pass it again."
            }
            Self::LooksAutomated(_) => {
                "This submission looks automated; wait a few seconds and send the form again."
            }
            Self::CheckoutInProgress => {
                "This attempt is still opening its payment page; ask again in a moment."
            }
            Self::Unauthorized => {
                "Sign in first (or give the deployment's admin token as `Authorization: Bearer …`)."
            }
            Self::Forbidden(_) => "Your role in the back-office does not allow this.",
            Self::SignInAgain => {
                "This changes money or people: sign in again with a new link, then retry."
            }
            Self::CannotRemoveSelf => {
                "You cannot remove yourself; another admin can, so that someone always can."
            }
            Self::SignInLinkInvalid => {
                "This sign-in link is unknown, already used or expired; ask for a new one."
            }
            Self::Webhook(WebhookError::MalformedEvent(_)) => {
                "The event is signed but cannot be read."
            }
            Self::Webhook(_) => "The webhook's signature is missing, stale or wrong.",
            Self::Psp(_) => {
                "The payment provider refused the request or could not be reached; nothing was charged or changed. Try again."
            }
            Self::Config(_) | Self::Storage(StorageError::MissingBinding(_)) => {
                "This Tirelire edge is not fully configured yet."
            }
            Self::Storage(StorageError::OutOfStock) => {
                "Too little is left of what this asks for: seats, rewards or a code's uses."
            }
            Self::Storage(_) | Self::Runtime(_) => {
                "Something failed on our side; please try again."
            }
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
        let retry_after = match &self {
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let message = self.public_message().to_owned();
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
        let mut response = crate::http::json(status, &body)?;
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .set("Retry-After", &seconds.to_string())?;
        }
        Ok(response)
    }
}
