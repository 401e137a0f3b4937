//! The URLs the PSP sends the donor back to: the page they came from, with the outcome added
//! as query parameters that the widget reads.

use tirelire_domain::api::return_params;
use url::Url;

use crate::error::EdgeError;

/// The longest return URL accepted; Stripe accepts up to 5,000 characters after ours are added.
const MAX_LEN: usize = 2048;

/// A page on an allowed origin to bring the donor back to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnUrl(Url);

impl ReturnUrl {
    /// Checks that `text` is an absolute http(s) URL on an origin that `allowed` accepts.
    pub fn parse(text: &str, allowed: impl Fn(&str) -> bool) -> Result<Self, EdgeError> {
        if text.len() > MAX_LEN {
            return Err(EdgeError::InvalidReturnUrl("is too long"));
        }
        let url =
            Url::parse(text).map_err(|_| EdgeError::InvalidReturnUrl("is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EdgeError::InvalidReturnUrl("is not http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EdgeError::InvalidReturnUrl("carries credentials"));
        }
        if !allowed(&url.origin().ascii_serialization()) {
            return Err(EdgeError::InvalidReturnUrl("is not on an allowed origin"));
        }
        Ok(Self(url))
    }

    /// The URL for `result` ([`return_params::PAID`] or [`return_params::CANCELLED`]), with any
    /// earlier outcome parameters replaced.
    pub fn with_outcome(&self, campaign: &str, order_id: &str, result: &str) -> String {
        let mut url = self.0.clone();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(name, _)| !name.starts_with("tirelire_"))
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair(return_params::CAMPAIGN, campaign)
            .append_pair(return_params::ORDER, order_id)
            .append_pair(return_params::RESULT, result);
        url.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only_jardin(origin: &str) -> bool {
        origin == "https://jardin.example"
    }

    #[test]
    fn outcome_is_added_and_other_parameters_kept() {
        let url = ReturnUrl::parse("https://jardin.example/dons?page=2#soutenir", only_jardin);
        let url = url.map(|url| url.with_outcome("jardin-2026", "ord_1", "paid"));
        assert_eq!(
            url.ok().as_deref(),
            Some(
                "https://jardin.example/dons?page=2&tirelire_campaign=jardin-2026&tirelire_order=ord_1&tirelire_result=paid#soutenir"
            )
        );
    }

    #[test]
    fn earlier_outcome_is_replaced() {
        let url = ReturnUrl::parse(
            "https://jardin.example/?tirelire_result=cancelled&tirelire_order=ord_0",
            only_jardin,
        );
        let url = url.map(|url| url.with_outcome("jardin-2026", "ord_1", "paid"));
        assert_eq!(
            url.ok().as_deref(),
            Some(
                "https://jardin.example/?tirelire_campaign=jardin-2026&tirelire_order=ord_1&tirelire_result=paid"
            )
        );
    }

    #[test]
    fn foreign_or_odd_urls_are_refused() {
        for text in [
            "https://evil.example/",
            "https://jardin.example.evil.example/",
            "http://jardin.example/",
            "javascript:alert(1)",
            "/dons",
            "https://user:pw@jardin.example/",
            "",
        ] {
            assert!(ReturnUrl::parse(text, only_jardin).is_err(), "{text}");
        }
        let long = format!("https://jardin.example/{}", "a".repeat(MAX_LEN));
        assert!(ReturnUrl::parse(&long, only_jardin).is_err());
    }
}
