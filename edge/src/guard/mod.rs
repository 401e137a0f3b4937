//! What stands between the open internet and the money path: limits on how often a client or
//! an email may open checkouts, cheap traps for scripts, and Cloudflare Turnstile.
//!
//! Every gate runs before anything is written for the request, cheapest first: the per-minute
//! limit of the Rate Limiting binding, the traps, Turnstile's verdict, then the longer limits,
//! which D1 counts in the same batch that inserts the order.

pub mod rate;
pub mod turnstile;

pub use rate::Limits;
pub use turnstile::TurnstileSettings;

/// Why the traps refused a submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// The field hidden from people was filled.
    Honeypot,
    /// The form was sent faster than a person fills it.
    TooFast,
}

/// Checks the cheap traps: the hidden field must be empty and the form must have been shown
/// for at least `min_fill_ms` before it was sent.
pub fn check_traps(website: &str, fill_ms: u64, min_fill_ms: u32) -> Result<(), Trap> {
    if !website.trim().is_empty() {
        Err(Trap::Honeypot)
    } else if fill_ms < u64::from(min_fill_ms) {
        Err(Trap::TooFast)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_passes_the_traps() {
        assert_eq!(check_traps("", 12_000, 3_000), Ok(()));
        assert_eq!(check_traps(" ", 3_000, 3_000), Ok(()));
    }

    #[test]
    fn scripts_fall_in_them() {
        assert_eq!(
            check_traps("https://spam.example", 12_000, 3_000),
            Err(Trap::Honeypot)
        );
        assert_eq!(check_traps("", 0, 3_000), Err(Trap::TooFast));
        assert_eq!(check_traps("", 2_999, 3_000), Err(Trap::TooFast));
    }
}
