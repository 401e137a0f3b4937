//! The keys the edge draws for itself, kept in D1: the first request that needs one draws it,
//! and every later one reads the same. An isolate keeps the key it read, so that a checkout
//! reads it once per isolate, not once per request.

use std::cell::RefCell;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use worker::query;

use super::{Storage, StorageError};
use crate::signing::Signer;

#[derive(Deserialize)]
struct KeyRow {
    key: String,
}

thread_local! {
    static KEY: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

impl Storage {
    /// The signer of tickets, member cards and stop links, with the deployment's key, drawn
    /// (`candidate`, random) the first time.
    pub async fn signer(&self, candidate: &str, now: i64) -> Result<Signer, StorageError> {
        if let Some(key) = KEY.with(|key| key.borrow().clone()) {
            return Ok(Signer::new(key));
        }
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "INSERT INTO signing_keys (name, key, created_at) VALUES ('tokens', ?1, ?2)
                     ON CONFLICT (name) DO NOTHING",
                    candidate,
                    now,
                )?,
                self.db
                    .prepare("SELECT key FROM signing_keys WHERE name = 'tokens'"),
            ])
            .await?;
        let key = results
            .get(1)
            .map(|result| result.results::<KeyRow>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next())
            .ok_or_else(|| StorageError::Corrupt("no signing key".into()))?;
        let key = URL_SAFE_NO_PAD
            .decode(key.key)
            .map_err(|_| StorageError::Corrupt("the signing key is not URL-safe base64".into()))?;
        KEY.with(|kept| *kept.borrow_mut() = Some(key.clone()));
        Ok(Signer::new(key))
    }
}
