//! Signed tokens for what a person carries away from the edge: a ticket's QR code, and the link
//! to a donor's own page (their tickets, their member card, the button that stops a monthly
//! gift). A token is `{id}.{signature}`, the signature an
//! HMAC-SHA256 of the purpose and the id, cut to 128 bits, so that a forged or altered token
//! is refused before anything is looked up. The key is drawn by the edge itself and kept in D1
//! (see `signing_keys`), so the deployer has no secret more to set.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What a token is for; a token made for one purpose is worth nothing for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A ticket's QR code, checked at the door.
    Ticket,
    /// The link, in a donor's mail, to the page of their order.
    Order,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Self::Ticket => "ticket",
            Self::Order => "order",
        }
    }
}

/// How many bytes of the HMAC a token keeps.
const SIGNATURE_BYTES: usize = 16;

/// Signs and checks tokens under one key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    /// A signer with `key`.
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn signature(&self, purpose: Purpose, id: &str) -> Vec<u8> {
        // An HMAC accepts keys of any length; the fallback only satisfies the type.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return Vec::new();
        };
        mac.update(purpose.tag().as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        let mut signature = mac.finalize().into_bytes().to_vec();
        signature.truncate(SIGNATURE_BYTES);
        signature
    }

    /// The token for `id`.
    pub fn sign(&self, purpose: Purpose, id: &str) -> String {
        format!(
            "{id}.{}",
            URL_SAFE_NO_PAD.encode(self.signature(purpose, id))
        )
    }

    /// The id a token carries, if its signature is right for `purpose`.
    pub fn verify<'a>(&self, purpose: Purpose, token: &'a str) -> Option<&'a str> {
        let (id, signature) = token.trim().rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return None;
        };
        mac.update(purpose.tag().as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        // `verify_truncated_left` compares the kept bytes in constant time.
        (signature.len() == SIGNATURE_BYTES && mac.verify_truncated_left(&signature).is_ok())
            .then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new(b"a key drawn by the edge".to_vec())
    }

    #[test]
    fn a_token_carries_its_id_back() {
        let token = signer().sign(Purpose::Ticket, "tk_8xQ2");
        assert!(token.starts_with("tk_8xQ2."));
        assert_eq!(signer().verify(Purpose::Ticket, &token), Some("tk_8xQ2"));
    }

    #[test]
    fn a_token_altered_by_one_character_is_refused() {
        let token = signer().sign(Purpose::Ticket, "tk_8xQ2");
        for position in 0..token.len() {
            let mut altered: Vec<char> = token.chars().collect();
            altered[position] = if altered[position] == 'A' { 'B' } else { 'A' };
            let altered: String = altered.into_iter().collect();
            if altered != token {
                assert_eq!(
                    signer().verify(Purpose::Ticket, &altered),
                    None,
                    "{altered}"
                );
            }
        }
    }

    #[test]
    fn a_token_is_worth_nothing_for_another_purpose_or_under_another_key() {
        let token = signer().sign(Purpose::Order, "42");
        assert_eq!(signer().verify(Purpose::Ticket, &token), None);
        assert_eq!(
            Signer::new(b"another key".to_vec()).verify(Purpose::Order, &token),
            None
        );
        for junk in ["", ".", "42", "42.", ".abc", "42.!!!"] {
            assert_eq!(signer().verify(Purpose::Order, junk), None, "{junk}");
        }
    }
}
