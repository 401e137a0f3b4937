//! Small HTTP pieces shared by the routes: JSON answers, bounded bodies and CORS.
//!
//! Every API answer allows any origin to read it (`Access-Control-Allow-Origin: *`). That is
//! safe because the API uses no cookies or other ambient credentials, and it lets the widget
//! read refusals too. Who may *start* a checkout is decided by the campaign's allowed origins,
//! on the server, before the body is read.

use serde::Serialize;
use worker::{Request, Response};

use crate::error::EdgeError;

/// A JSON response with `status`, never cached: totals and order states change.
pub fn json<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    let mut response = Response::from_json(body)?.with_status(status);
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Adds the CORS headers that every API answer carries.
pub fn allow_any_origin(response: &mut Response) -> worker::Result<()> {
    response
        .headers_mut()
        .set("Access-Control-Allow-Origin", "*")
}

/// The answer to a CORS preflight. It is the same for every origin: the real request is where
/// the campaign's allowed origins are enforced, with a readable refusal.
pub fn preflight() -> worker::Result<Response> {
    let mut response = Response::empty()?.with_status(204);
    let headers = response.headers_mut();
    headers.set("Access-Control-Allow-Methods", "GET, POST")?;
    headers.set("Access-Control-Allow-Headers", "Content-Type")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(response)
}

/// Reads the body, refusing more than `limit` bytes. A declared `Content-Length` over the limit
/// is refused before anything is read.
pub async fn read_body(req: &mut Request, limit: usize) -> Result<Vec<u8>, EdgeError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(EdgeError::PayloadTooLarge(limit));
    }
    let body = req
        .bytes()
        .await
        .map_err(|error| EdgeError::MalformedBody(error.to_string()))?;
    if body.len() > limit {
        return Err(EdgeError::PayloadTooLarge(limit));
    }
    Ok(body)
}

/// The current Unix time in seconds.
pub fn now_secs() -> i64 {
    i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(i64::MAX)
}
