//! Who may call the API, and in which version: Stripe takes the secret key as Bearer token or
//! as the user name of Basic authentication (what `curl -u sk_test_…:` sends), and refuses a
//! `Stripe-Version` it has never published, so a client pinned to a mistyped version fails here
//! as it would against Stripe.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Account, Reply};

/// The account's default API version: what the simulator answers in when a request names none,
/// and what its events say they were rendered in.
pub(super) const ACCOUNT_VERSION: &str = "2025-09-30.clover";

/// Versions Stripe has published and that the simulator accepts: every version its official
/// libraries have pinned since 2023 (stripe-node's changelog, up to 23.1.0 and stripe-python
/// 16.1.0, which pin `2026-10-28.endive`), and one older dated version. A library that pins a
/// newer version needs it added here.
pub(super) const KNOWN_VERSIONS: &[&str] = &[
    "2022-11-15",
    "2023-08-16",
    "2023-10-16",
    "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2025-06-30.basil",
    "2025-07-30.basil",
    "2025-08-27.basil",
    "2025-09-30.clover",
    "2025-10-29.clover",
    "2025-11-17.clover",
    "2025-12-15.clover",
    "2026-01-28.clover",
    "2026-02-25.clover",
    "2026-03-25.dahlia",
    "2026-04-22.dahlia",
    "2026-05-27.dahlia",
    "2026-06-24.dahlia",
    "2026-07-29.dahlia",
    "2026-08-26.dahlia",
    "2026-09-30.endive",
    "2026-10-28.endive",
];

/// Checks the `Authorization` header against the account's secret key.
pub(super) fn authenticate(account: &Account, authorization: Option<&str>) -> Result<(), Reply> {
    match authorization.and_then(presented_key) {
        Some(key) if key == account.config.api_key => Ok(()),
        Some(key) => {
            let tail: String = key
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            Err(Reply::stripe_error(
                401,
                "invalid_request_error",
                Some("api_key_invalid"),
                None,
                &format!("Invalid API Key provided: sk_test_****{tail}"),
            ))
        }
        None => Err(Reply::stripe_error(
            401,
            "invalid_request_error",
            None,
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
        )),
    }
}

/// The key an `Authorization` value carries, if any: a Bearer token, or the user name of Basic
/// credentials (whose password Stripe leaves empty). Schemes are case-insensitive in HTTP.
fn presented_key(authorization: &str) -> Option<String> {
    let (scheme, credentials) = authorization.trim().split_once(' ')?;
    let credentials = credentials.trim();
    let key = if scheme.eq_ignore_ascii_case("Bearer") {
        credentials.to_owned()
    } else if scheme.eq_ignore_ascii_case("Basic") {
        let decoded = String::from_utf8(STANDARD.decode(credentials).ok()?).ok()?;
        let (user, _password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
        user.to_owned()
    } else {
        return None;
    };
    Some(key).filter(|key| !key.is_empty())
}

/// Checks the `Stripe-Version` header; without one, the account's default applies.
pub(super) fn check_version(version: Option<&str>) -> Result<(), Reply> {
    match version {
        Some(version) if !KNOWN_VERSIONS.contains(&version) => Err(Reply::stripe_error(
            400,
            "invalid_request_error",
            None,
            None,
            &format!("Invalid Stripe API version: {version}"),
        )),
        _ => Ok(()),
    }
}
