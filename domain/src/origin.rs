//! Web origins (scheme, host and port), as a campaign lists the sites allowed to collect for
//! it and as browsers send them in the `Origin` header.
//!
//! A browser always sends an origin in one form: lower-case scheme and host, no default port,
//! no trailing slash. An allowed origin stored in any other form (`https://Asso.org/`) would
//! never match and would lock donors out without a word, so every origin is brought to that
//! form before it is stored or compared.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

/// An `http` or `https` origin in the form browsers send, such as `https://asso.example.org`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebOrigin(String);

/// Why a text is not an origin a campaign can allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum InvalidOrigin {
    /// Not an absolute URL.
    #[error("not an absolute URL such as https://asso.example.org")]
    NotAUrl,
    /// Another scheme than http or https, or the opaque origin `null`.
    #[error("only http and https sites can carry the form")]
    Scheme,
    /// A path, query, fragment or user name, which an origin does not have.
    #[error("an origin is only the scheme, host and port, without a path")]
    HasPath,
}

impl WebOrigin {
    /// Reads an origin written by a person (`https://Asso.org/`, `HTTPS://asso.org:443`) and
    /// brings it to the form browsers send.
    pub fn parse(text: &str) -> Result<Self, InvalidOrigin> {
        let text = text.trim();
        let url = Url::parse(text).map_err(|_| InvalidOrigin::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(InvalidOrigin::Scheme);
        }
        let bare = url.path() == "/" && !text.trim_end_matches('/').ends_with('/');
        if !bare
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(InvalidOrigin::HasPath);
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    /// The origin as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `origin`, as sent by a browser in the `Origin` header, is this one.
    pub fn matches(&self, origin: &str) -> bool {
        self.0 == origin
    }
}

impl TryFrom<String> for WebOrigin {
    type Error = InvalidOrigin;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<WebOrigin> for String {
    fn from(origin: WebOrigin) -> Self {
        origin.0
    }
}

impl fmt::Display for WebOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<String, InvalidOrigin> {
        WebOrigin::parse(text).map(String::from)
    }

    #[test]
    fn origins_are_brought_to_the_form_browsers_send() {
        for (written, stored) in [
            ("https://Asso.org/", "https://asso.org"),
            ("HTTPS://ASSO.ORG", "https://asso.org"),
            ("https://asso.org:443", "https://asso.org"),
            ("http://asso.org:80/", "http://asso.org"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("https://asso.org:8443", "https://asso.org:8443"),
            ("  https://dons.asso.org  ", "https://dons.asso.org"),
            ("https://café.example", "https://xn--caf-dma.example"),
        ] {
            assert_eq!(parsed(written).as_deref(), Ok(stored), "{written}");
        }
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for (written, error) in [
            ("null", InvalidOrigin::NotAUrl),
            ("asso.org", InvalidOrigin::NotAUrl),
            ("", InvalidOrigin::NotAUrl),
            ("ftp://asso.org", InvalidOrigin::Scheme),
            ("javascript:alert(1)", InvalidOrigin::Scheme),
            ("file:///etc/passwd", InvalidOrigin::Scheme),
            ("https://asso.org/dons", InvalidOrigin::HasPath),
            ("https://asso.org//", InvalidOrigin::HasPath),
            ("https://asso.org/?x=1", InvalidOrigin::HasPath),
            ("https://asso.org/#top", InvalidOrigin::HasPath),
            ("https://user@asso.org", InvalidOrigin::HasPath),
        ] {
            assert_eq!(parsed(written), Err(error), "{written}");
        }
    }

    #[test]
    fn a_stored_origin_matches_what_the_browser_sends() {
        let origin = WebOrigin::parse("https://Asso.org/");
        assert!(origin.is_ok_and(|origin| origin.matches("https://asso.org")));
    }
}
