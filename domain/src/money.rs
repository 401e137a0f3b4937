//! Money as an integer count of minor units plus its currency: parsing what a donor types,
//! and showing amounts the way each language writes them.
//!
//! There is no floating point anywhere on the money path. Amounts are converted to another
//! representation only at the PSP boundary, and Stripe wants minor units too.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::Locale;

/// A currency a campaign can collect in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// The euro, in cents.
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// The ISO 4217 code, upper case (`EUR`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
        }
    }

    /// Reads an ISO 4217 code in any case.
    pub fn from_code(code: &str) -> Option<Self> {
        code.eq_ignore_ascii_case("EUR").then_some(Self::Eur)
    }

    /// How many minor units make one major unit (100 cents in a euro).
    pub fn minor_per_major(self) -> i64 {
        match self {
            Self::Eur => 100,
        }
    }

    /// How many digits a donor may type after the decimal separator.
    pub fn decimals(self) -> usize {
        match self {
            Self::Eur => 2,
        }
    }

    /// The symbol shown next to amounts.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eur => "€",
        }
    }
}

/// An amount of money: an integer number of minor units (cents) in a currency. On the wire:
/// `{"amount": 2050, "currency": "EUR"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in minor units, e.g. 2050 for 20,50 €.
    #[serde(rename = "amount")]
    pub minor: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

/// Why a typed amount could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum AmountParseError {
    /// Nothing was typed.
    #[error("no amount was given")]
    Empty,
    /// The text is not an amount: letters, a sign, two separators or too many decimals.
    #[error("the amount is not a number of euros and cents")]
    Invalid,
    /// The amount does not fit in the integer type.
    #[error("the amount is too large")]
    TooLarge,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Reads an amount the way donors type it: `20`, `20,5`, `20.50`, `1 000`, `25 €`.
    ///
    /// Spaces (including the no-break spaces that French typing inserts) group thousands;
    /// either a comma or a dot separates the cents. Signs and more decimals than the currency
    /// has are refused rather than guessed at.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, AmountParseError> {
        let text = input.trim();
        let text = text
            .strip_suffix(currency.symbol())
            .or_else(|| text.strip_prefix(currency.symbol()))
            .unwrap_or(text);
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
            .collect();
        if compact.is_empty() {
            return Err(AmountParseError::Empty);
        }
        let (whole, fraction) = match compact.split_once([',', '.']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (compact.as_str(), ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > currency.decimals()
        {
            return Err(AmountParseError::Invalid);
        }
        let mut minor: i64 = 0;
        for digit in whole.bytes().chain(
            fraction
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(currency.decimals()),
        ) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or(AmountParseError::TooLarge)?;
        }
        Ok(Self { minor, currency })
    }

    /// The amount as a donor reads it in a choice or a total: `1 000 €` and `20,50 €` in
    /// French, `€1,000` and `€20.50` in English. Whole amounts show no cents.
    pub fn format(&self, locale: Locale) -> String {
        self.render(locale, false)
    }

    /// The amount as a payment states it, to the cent: `20,00 €` in French, `€20.00` in
    /// English. For what the donor is about to pay, has paid, and what a receipt says.
    pub fn format_exact(&self, locale: Locale) -> String {
        self.render(locale, true)
    }

    fn render(&self, locale: Locale, cents_always: bool) -> String {
        let per_major = self.currency.minor_per_major();
        let magnitude = self.minor.unsigned_abs();
        let major = magnitude / per_major.unsigned_abs();
        let cents = magnitude % per_major.unsigned_abs();
        let (group, decimal) = match locale {
            Locale::Fr => ('\u{202f}', ','),
            Locale::En => (',', '.'),
        };
        let mut number = group_thousands(major, group);
        if cents != 0 || cents_always {
            number.push(decimal);
            number.push_str(&format!(
                "{cents:0width$}",
                width = self.currency.decimals()
            ));
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        let symbol = self.currency.symbol();
        match locale {
            Locale::Fr => format!("{sign}{number}\u{a0}{symbol}"),
            Locale::En => format!("{sign}{symbol}{number}"),
        }
    }
}

fn group_thousands(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn typed_amounts_become_cents() {
        let cases = [
            ("20", 2000),
            ("20,5", 2050),
            ("20.50", 2050),
            (" 1 000 ", 100_000),
            ("1\u{202f}000,01", 100_001),
            ("25 €", 2500),
            ("€25", 2500),
            ("0,99", 99),
            (",5", 50),
            ("7.", 700),
        ];
        for (typed, minor) in cases {
            assert_eq!(
                Money::parse(typed, Currency::Eur),
                Ok(eur(minor)),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn nonsense_amounts_are_refused() {
        for typed in [
            "abc", "-5", "+5", "1,2,3", "1.234", "12e3", "5$", ".", "1..2",
        ] {
            assert_eq!(
                Money::parse(typed, Currency::Eur),
                Err(AmountParseError::Invalid),
                "{typed:?}"
            );
        }
        assert_eq!(
            Money::parse("   ", Currency::Eur),
            Err(AmountParseError::Empty)
        );
        assert_eq!(
            Money::parse("€", Currency::Eur),
            Err(AmountParseError::Empty)
        );
    }

    #[test]
    fn amounts_beyond_the_integer_range_are_too_large() {
        assert_eq!(
            Money::parse("99999999999999999999", Currency::Eur),
            Err(AmountParseError::TooLarge)
        );
    }

    #[test]
    fn french_format_uses_comma_and_trailing_symbol() {
        assert_eq!(eur(2000).format(Locale::Fr), "20\u{a0}€");
        assert_eq!(eur(2050).format(Locale::Fr), "20,50\u{a0}€");
        assert_eq!(
            eur(123_456_789).format(Locale::Fr),
            "1\u{202f}234\u{202f}567,89\u{a0}€"
        );
        assert_eq!(eur(5).format(Locale::Fr), "0,05\u{a0}€");
    }

    #[test]
    fn english_format_uses_dot_and_leading_symbol() {
        assert_eq!(eur(2000).format(Locale::En), "€20");
        assert_eq!(eur(100_050).format(Locale::En), "€1,000.50");
        assert_eq!(eur(-150).format(Locale::En), "-€1.50");
    }

    #[test]
    fn exact_format_always_shows_cents() {
        assert_eq!(eur(2000).format_exact(Locale::En), "€20.00");
        assert_eq!(eur(2000).format_exact(Locale::Fr), "20,00\u{a0}€");
        assert_eq!(eur(100_005).format_exact(Locale::En), "€1,000.05");
        assert_eq!(eur(-150).format_exact(Locale::Fr), "-1,50\u{a0}€");
    }

    #[test]
    fn currency_serializes_as_its_iso_code() {
        assert_eq!(
            serde_json::to_string(&Currency::Eur).ok().as_deref(),
            Some("\"EUR\"")
        );
        assert_eq!(Currency::from_code("eur"), Some(Currency::Eur));
        assert_eq!(Currency::from_code("USD"), None);
    }
}
