//! Sending a [`PspRequest`] with the Workers runtime's `fetch`.

use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit};

use super::{PspError, PspRequest, PspResponse};

/// How long the edge waits for the PSP. A donor is waiting behind this request; after this
/// long, telling them to try again is kinder than a spinner.
const TIMEOUT_MS: u32 = 15_000;

/// Sends `request` and reads the whole answer.
pub async fn send(request: &PspRequest) -> Result<PspResponse, PspError> {
    let unreachable = |error: worker::Error| PspError::Unreachable(error.to_string());
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(unreachable)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::from(request.method.to_owned()))
        .with_headers(headers)
        .with_body(request.body.as_deref().map(Into::into));
    let outgoing = Request::new_with_init(&request.url, &init).map_err(unreachable)?;
    let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS));
    let mut response = Fetch::Request(outgoing)
        .send_with_signal(&signal)
        .await
        .map_err(unreachable)?;
    let body = response.text().await.map_err(unreachable)?;
    Ok(PspResponse {
        status: response.status_code(),
        body,
    })
}
