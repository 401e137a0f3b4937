//! The languages the widget speaks to donors.

use serde::{Deserialize, Serialize};

/// A language the widget and the payment pages are shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// French, the default: Tirelire is built for French associations first.
    #[default]
    Fr,
    /// English.
    En,
}

impl Locale {
    /// Reads a language tag such as `fr`, `en-GB` or `FR-fr`; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Some(Self::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The BCP 47 tag, as used in `lang` attributes and by the PSP.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_tags_map_to_their_language() {
        assert_eq!(Locale::from_tag("fr-BE"), Some(Locale::Fr));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag(" en "), Some(Locale::En));
    }

    #[test]
    fn unknown_tags_are_refused() {
        assert_eq!(Locale::from_tag("de"), None);
        assert_eq!(Locale::from_tag(""), None);
        assert_eq!(Locale::from_tag("french"), None);
    }
}
