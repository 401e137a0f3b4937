//! Identifiers the edge hands out. They are random and long enough to be unguessable, because
//! an order id is all it takes to read that order's status.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wasm_bindgen::JsCast;

use crate::error::EdgeError;

/// A new order id: `ord_` and 128 random bits in URL-safe base64.
pub fn new_order_id() -> Result<String, EdgeError> {
    Ok(format!("ord_{}", random_word()?))
}

/// A token that marks one webhook delivery, or one request's change, as its own.
pub fn new_delivery_token() -> Result<String, EdgeError> {
    random_word()
}

/// A secret for a sign-in link or a session: 256 random bits in URL-safe base64. Only its
/// hash is stored.
pub fn new_secret() -> Result<String, EdgeError> {
    random_bytes::<32>()
}

/// A ticket's id: 96 random bits in URL-safe base64 (16 characters), short enough for a small
/// QR code once signed.
pub fn new_ticket_id() -> Result<String, EdgeError> {
    random_bytes::<12>()
}

/// 128 random bits in URL-safe base64.
fn random_word() -> Result<String, EdgeError> {
    random_bytes::<16>()
}

fn random_bytes<const N: usize>() -> Result<String, EdgeError> {
    let mut bytes = [0u8; N];
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    scope
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .map_err(|_| EdgeError::Runtime("crypto.getRandomValues failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` could be an id from [`new_order_id`]; anything else is refused before D1.
pub fn is_order_id(text: &str) -> bool {
    text.strip_prefix("ord_").is_some_and(|rest| {
        rest.len() == 22
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_id_shape_is_checked() {
        assert!(is_order_id("ord_AAAAAAAAAAAAAAAAAAAAAA"));
        assert!(is_order_id("ord_a-b_c0123456789xyzABCD"));
        assert!(!is_order_id("ord_short"));
        assert!(!is_order_id("ord_AAAAAAAAAAAAAAAAAAAA/A"));
        assert!(!is_order_id("xyz_AAAAAAAAAAAAAAAAAAAAAA"));
    }
}
