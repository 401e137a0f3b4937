//! `GET /health`: answers without touching storage, for deployment checks and as the
//! baseline of the benchmarks.

use serde::Serialize;
use worker::Response;

use crate::error::EdgeError;
use crate::http::json;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

/// The edge is up, and runs this version.
pub fn get() -> Result<Response, EdgeError> {
    let health = Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    };
    Ok(json(200, &health)?)
}
