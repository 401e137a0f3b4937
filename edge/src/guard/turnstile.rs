//! Cloudflare Turnstile: the widget obtains a token from the edge's challenge page, and the
//! edge asks Turnstile's siteverify whether it is good before anything is written.
//!
//! A token is good once: siteverify answers `timeout-or-duplicate` the second time. Beyond its
//! verdict, the edge checks the `action` (a token earned elsewhere on the site cannot open a
//! checkout) and the `hostname` (the page where the challenge ran must be the edge's own or one
//! the campaign allows).

use serde::Deserialize;

use crate::outbound::{HttpRequest, HttpResponse};

/// Turnstile's siteverify endpoint.
pub const SITEVERIFY_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
/// Turnstile's client script, loaded by the challenge page with explicit rendering.
pub const SCRIPT_URL: &str = "https://challenges.cloudflare.com/turnstile/v0/api.js";
/// The action the challenge page names, and the only one a checkout accepts.
pub const ACTION: &str = "checkout";
/// Turnstile's own limit on a token's length.
const MAX_TOKEN_LEN: usize = 2048;

/// The deployment's Turnstile keys and addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnstileSettings {
    /// The public site key, given to the challenge page.
    pub site_key: String,
    /// The secret key, given to siteverify.
    pub secret_key: String,
    /// Where siteverify is; only a development environment changes it.
    pub verify_url: String,
    /// Where Turnstile's script is; only a development environment changes it.
    pub script_url: String,
}

impl TurnstileSettings {
    /// Cloudflare's own Turnstile, with these keys.
    pub fn cloudflare(site_key: String, secret_key: String) -> Self {
        Self {
            site_key,
            secret_key,
            verify_url: SITEVERIFY_URL.to_owned(),
            script_url: SCRIPT_URL.to_owned(),
        }
    }

    /// The origin of the script, which the challenge page's CSP lets in.
    pub fn script_origin(&self) -> String {
        url::Url::parse(&self.script_url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// Why a token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeError {
    /// The checkout carried no token, or one that cannot be a token.
    Missing,
    /// Siteverify refused it (invalid, expired, or already used), with its error codes.
    Refused(Vec<String>),
    /// It was earned for another action.
    WrongAction(String),
    /// It was earned on a page the campaign does not allow.
    WrongHostname(String),
    /// Siteverify could not give a verdict; the donor may try again.
    Unavailable(String),
}

impl std::fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("no challenge token"),
            Self::Refused(codes) => write!(f, "siteverify refused the token: {}", codes.join(", ")),
            Self::WrongAction(action) => write!(f, "the token is for the action {action:?}"),
            Self::WrongHostname(host) => write!(f, "the token was earned on {host:?}"),
            Self::Unavailable(why) => write!(f, "siteverify is unavailable: {why}"),
        }
    }
}

/// The siteverify request for `token`.
pub fn verify_request(
    settings: &TurnstileSettings,
    token: Option<&str>,
    client_ip: Option<&str>,
) -> Result<HttpRequest, ChallengeError> {
    let token = token
        .map(str::trim)
        .filter(|token| !token.is_empty() && token.len() <= MAX_TOKEN_LEN)
        .ok_or(ChallengeError::Missing)?;
    let mut fields = vec![
        ("secret", settings.secret_key.as_str()),
        ("response", token),
    ];
    if let Some(ip) = client_ip {
        fields.push(("remoteip", ip));
    }
    Ok(HttpRequest {
        method: "POST",
        url: settings.verify_url.clone(),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: Some(serde_urlencoded::to_string(&fields).unwrap_or_default()),
    })
}

#[derive(Deserialize)]
struct Verdict {
    success: bool,
    #[serde(default, rename = "error-codes")]
    error_codes: Vec<String>,
    hostname: Option<String>,
    action: Option<String>,
}

/// Reads siteverify's answer; `allowed_host` says whether a hostname may have hosted the
/// challenge.
pub fn read_verdict(
    response: &HttpResponse,
    allowed_host: impl Fn(&str) -> bool,
) -> Result<(), ChallengeError> {
    if response.status >= 500 {
        return Err(ChallengeError::Unavailable(format!(
            "status {}",
            response.status
        )));
    }
    let verdict: Verdict = serde_json::from_str(&response.body)
        .map_err(|error| ChallengeError::Unavailable(error.to_string()))?;
    if !verdict.success {
        if verdict
            .error_codes
            .iter()
            .any(|code| code == "internal-error")
        {
            return Err(ChallengeError::Unavailable("internal-error".into()));
        }
        return Err(ChallengeError::Refused(verdict.error_codes));
    }
    let action = verdict.action.unwrap_or_default();
    if action != ACTION {
        return Err(ChallengeError::WrongAction(action));
    }
    let hostname = verdict.hostname.unwrap_or_default();
    if !allowed_host(&hostname) {
        return Err(ChallengeError::WrongHostname(hostname));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> TurnstileSettings {
        TurnstileSettings::cloudflare(
            "1x00000000000000000000AA".into(),
            "1x0000000000000000000000000000000AA".into(),
        )
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: body.into(),
        }
    }

    fn edge_only(host: &str) -> bool {
        host == "dons.example.org"
    }

    #[test]
    fn the_token_goes_to_siteverify_as_a_form() {
        let request = verify_request(&settings(), Some("tok.en"), Some("203.0.113.9"));
        let request = request.unwrap_or_else(|_| unreachable!());
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, SITEVERIFY_URL);
        assert_eq!(
            request.body.as_deref(),
            Some("secret=1x0000000000000000000000000000000AA&response=tok.en&remoteip=203.0.113.9")
        );
    }

    #[test]
    fn no_token_is_refused_before_any_request() {
        for token in [None, Some(""), Some("   ")] {
            assert_eq!(
                verify_request(&settings(), token, None),
                Err(ChallengeError::Missing)
            );
        }
        let huge = "x".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(
            verify_request(&settings(), Some(&huge), None),
            Err(ChallengeError::Missing)
        );
    }

    #[test]
    fn a_good_token_for_this_action_and_host_passes() {
        let body = r#"{"success":true,"challenge_ts":"2026-11-23T10:00:00Z","hostname":"dons.example.org","error-codes":[],"action":"checkout","cdata":""}"#;
        assert_eq!(read_verdict(&answer(200, body), edge_only), Ok(()));
    }

    #[test]
    fn refused_spent_or_misplaced_tokens_fail() {
        let spent = r#"{"success":false,"error-codes":["timeout-or-duplicate"]}"#;
        assert_eq!(
            read_verdict(&answer(200, spent), edge_only),
            Err(ChallengeError::Refused(vec!["timeout-or-duplicate".into()]))
        );
        let other_action = r#"{"success":true,"hostname":"dons.example.org","action":"login"}"#;
        assert_eq!(
            read_verdict(&answer(200, other_action), edge_only),
            Err(ChallengeError::WrongAction("login".into()))
        );
        let other_host = r#"{"success":true,"hostname":"evil.example","action":"checkout"}"#;
        assert_eq!(
            read_verdict(&answer(200, other_host), edge_only),
            Err(ChallengeError::WrongHostname("evil.example".into()))
        );
    }

    #[test]
    fn a_siteverify_outage_is_not_the_donors_fault() {
        for (status, body) in [
            (503, "upstream"),
            (200, "<html>"),
            (200, r#"{"success":false,"error-codes":["internal-error"]}"#),
        ] {
            assert!(matches!(
                read_verdict(&answer(status, body), edge_only),
                Err(ChallengeError::Unavailable(_))
            ));
        }
    }
}
