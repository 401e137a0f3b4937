//! Small HTTP pieces shared by the routes: JSON answers, bodies read within a limit, the
//! headers every answer carries, and CORS.
//!
//! Every API answer allows any origin to read it (`Access-Control-Allow-Origin: *`). That is
//! safe because the API uses no cookies or other ambient credentials, and it lets the widget
//! read refusals too. Who may *start* a checkout is decided by the campaign's allowed origins,
//! on the server, before the body is read.

use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableStreamDefaultReader, WritableStream};
use worker::{Context, Request, Response};

use crate::error::EdgeError;

/// A JSON response with `status`, never cached: totals and order states change.
pub fn json<T: Serialize>(status: u16, body: &T) -> worker::Result<Response> {
    let mut response = Response::from_json(body)?.with_status(status);
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Adds the headers that every answer of the edge carries. API answers are data, never a page:
/// nothing may run, be framed or be sniffed from them.
pub fn secure(response: &mut Response) -> worker::Result<()> {
    let headers = response.headers_mut();
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    if !headers.has("Content-Security-Policy")? {
        headers.set(
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        )?;
    }
    Ok(())
}

/// Adds the CORS header that every API answer carries.
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

/// Reads a JSON body of at most `limit` bytes; anything else is 400 `malformed_body`.
pub async fn read_json<T: serde::de::DeserializeOwned>(
    req: &mut Request,
    limit: usize,
    ctx: &Context,
) -> Result<T, EdgeError> {
    let bytes = read_body(req, limit, ctx).await?;
    serde_json::from_slice(&bytes).map_err(|error| EdgeError::MalformedBody(error.to_string()))
}

/// Reads the body as it streams in, and refuses it as soon as it passes `limit` bytes, so that
/// nobody can make the edge hold a large body in memory.
///
/// A declared `Content-Length` over the limit is refused from the headers alone, before a byte
/// is read; the rest, if the client sends it anyway, flows to a sink after the answer. A body
/// without a length (chunked) is kept no further than the first chunk past the limit; the rest
/// flows, inside the runtime, to a sink that keeps nothing, and the refusal is answered once it
/// has: a proxy that answers a connection whose body it has not finished reading resets it,
/// and the client loses the answer with it.
pub async fn read_body(
    req: &mut Request,
    limit: usize,
    ctx: &Context,
) -> Result<Vec<u8>, EdgeError> {
    let declared = req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse::<u64>().ok());
    let Some(stream) = req.inner().body() else {
        return Ok(Vec::new());
    };
    if declared.is_some_and(|length| length > limit as u64) {
        let drained = drain(&stream);
        ctx.wait_until(drained);
        return Err(EdgeError::PayloadTooLarge(limit));
    }
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let unreadable = |error: JsValue| EdgeError::MalformedBody(format!("{error:?}"));
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(unreadable)?;
        let done = Reflect::get(&chunk, &"done".into())
            .map_err(unreadable)?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(body);
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(unreadable)?
            .dyn_into()
            .map_err(unreadable)?;
        if body.len() + bytes.length() as usize > limit {
            reader.release_lock();
            drain(&stream).await;
            return Err(EdgeError::PayloadTooLarge(limit));
        }
        body.extend(bytes.to_vec());
    }
}

/// Lets the rest of a refused body flow, inside the runtime, into a sink that keeps nothing;
/// done when the body has ended.
fn drain(stream: &ReadableStream) -> impl Future<Output = ()> + 'static {
    let flowing = WritableStream::new().map(|sink| JsFuture::from(stream.pipe_to(&sink)));
    async move {
        if let Ok(flowing) = flowing {
            let _ = flowing.await;
        }
    }
}

/// The client's address, as Cloudflare gives it; `None` only outside Cloudflare's network.
pub fn client_ip(req: &Request) -> Option<String> {
    req.headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .filter(|ip| !ip.is_empty() && ip.len() <= 64)
}

/// The current Unix time in seconds.
pub fn now_secs() -> i64 {
    i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(i64::MAX)
}
