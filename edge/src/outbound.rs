//! Requests the edge makes to other services (the PSP, Turnstile), as plain data, and the one
//! function that sends them with the Workers runtime's `fetch`.
//!
//! Keeping requests as data lets the code that builds and reads them run on the host in tests;
//! only [`send`] needs the runtime.

use worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit};

/// An HTTP request to another service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The absolute URL.
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body, already encoded.
    pub body: Option<String>,
}

/// What the service answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, as text.
    pub body: String,
}

/// Why no answer came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// Sends `request` and reads the whole answer, giving up after `timeout_ms`: a donor is
/// waiting behind most of these requests, and telling them to try again is kinder than a
/// spinner.
pub async fn send(request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, Unreachable> {
    let unreachable = |error: worker::Error| Unreachable(error.to_string());
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(unreachable)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::from(request.method.to_owned()))
        .with_headers(headers)
        .with_body(request.body.as_deref().map(Into::into));
    let outgoing = Request::new_with_init(&request.url, &init).map_err(unreachable)?;
    let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(timeout_ms));
    let mut response = Fetch::Request(outgoing)
        .send_with_signal(&signal)
        .await
        .map_err(unreachable)?;
    let body = response.text().await.map_err(unreachable)?;
    Ok(HttpResponse {
        status: response.status_code(),
        body,
    })
}
