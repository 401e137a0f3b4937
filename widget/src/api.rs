//! The widget's only network code: the three edge routes it uses.
//!
//! Requests go through the browser's own `fetch`, and JSON through its own parser and
//! `serde-wasm-bindgen`, rather than an HTTP or JSON library compiled into the widget, which
//! keeps the download smaller for donors.

use serde::Serialize;
use serde::de::DeserializeOwned;
use tirelire_domain::api::{ApiError, CheckoutRequest, CheckoutResponse, ErrorCode, OrderView};
use tirelire_domain::offer::PromoCode;
use tirelire_domain::{CampaignSlug, CampaignView, FieldError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestInit;

/// Why a call to the edge did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No answer: offline, DNS, CORS, or the edge is down.
    Network,
    /// The edge refused, with its stable code and, for a submission, the fields at fault.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The stable code.
        code: ErrorCode,
        /// The fields at fault.
        fields: Vec<FieldError>,
    },
    /// An answer that is not what the edge sends.
    Unreadable,
}

impl ApiFailure {
    /// The edge's code, if it answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            Self::Network | Self::Unreadable => None,
        }
    }
}

/// The loader's request for a campaign, a `Promise<Response>` started before the widget.
#[derive(Clone, Debug)]
pub struct Prefetched(pub js_sys::Promise);

impl PartialEq for Prefetched {
    fn eq(&self, other: &Self) -> bool {
        AsRef::<JsValue>::as_ref(&self.0) == AsRef::<JsValue>::as_ref(&other.0)
    }
}

/// The association's edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    base: String,
}

impl Edge {
    /// The edge at `base`, an origin such as `https://dons.example.org`.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The edge's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The edge's origin, as `postMessage` events name it.
    pub fn origin(&self) -> String {
        web_sys::Url::new(&self.base)
            .map(|url| url.origin())
            .unwrap_or_default()
    }

    /// `GET /v1/campaigns/{slug}`.
    ///
    /// `prefetched` is the same request, started by the loader while the WebAssembly was still
    /// downloading; when it failed to arrive, the request is made again.
    pub async fn campaign(
        &self,
        slug: &CampaignSlug,
        prefetched: Option<Prefetched>,
    ) -> Result<CampaignView, ApiFailure> {
        if let Some(Prefetched(promise)) = prefetched {
            let response = JsFuture::from(promise)
                .await
                .ok()
                .and_then(|value| value.dyn_into::<web_sys::Response>().ok());
            if let Some(response) = response {
                return decode(read(response).await);
            }
        }
        decode(send(&format!("{}/v1/campaigns/{slug}", self.base), None).await)
    }

    /// `POST /v1/campaigns/{slug}/checkout`.
    ///
    /// The JSON goes as `text/plain`, which browsers send without a CORS preflight: on a slow
    /// phone connection that saves a round trip before the payment page. The edge checks the
    /// request's `Origin` against the campaign before it reads the body.
    pub async fn checkout(
        &self,
        slug: &CampaignSlug,
        request: &CheckoutRequest,
    ) -> Result<CheckoutResponse, ApiFailure> {
        // As JSON objects, not JavaScript `Map`s, which `JSON.stringify` would leave empty.
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let body = request
            .serialize(&serializer)
            .and_then(|value| js_sys::JSON::stringify(&value).map_err(Into::into))
            .map_err(|_| ApiFailure::Unreadable)?;
        let url = format!("{}/v1/campaigns/{slug}/checkout", self.base);
        decode(send(&url, Some(body.into())).await)
    }

    /// `GET /v1/campaigns/{slug}/promo-codes/{code}`: what a code takes off, or a refusal for
    /// an unknown one.
    pub async fn promo_code(
        &self,
        slug: &CampaignSlug,
        code: &str,
    ) -> Result<PromoCode, ApiFailure> {
        let url = format!(
            "{}/v1/campaigns/{slug}/promo-codes/{}",
            self.base,
            js_sys::encode_uri_component(code.trim())
        );
        decode(send(&url, None).await)
    }

    /// `GET /v1/orders/{id}`.
    pub async fn order(&self, id: &str) -> Result<OrderView, ApiFailure> {
        let url = format!(
            "{}/v1/orders/{}",
            self.base,
            js_sys::encode_uri_component(id)
        );
        decode(send(&url, None).await)
    }
}

/// Fetches `url`, with a `POST` of `body` when there is one, and reads the answer. The browser
/// sends a string body as `text/plain;charset=UTF-8` (see [`Edge::checkout`]).
async fn send(url: &str, body: Option<JsValue>) -> Result<JsValue, ApiFailure> {
    let window = gloo::utils::window();
    let request = match body {
        Some(body) => {
            let init = RequestInit::new();
            init.set_method("POST");
            init.set_body(&body);
            window.fetch_with_str_and_init(url, &init)
        }
        None => window.fetch_with_str(url),
    };
    let response = JsFuture::from(request)
        .await
        .map_err(|_| ApiFailure::Network)?;
    read(response.unchecked_into()).await
}

/// The answer's JSON, parsed by the browser, or the edge's refusal with its code and fields.
async fn read(response: web_sys::Response) -> Result<JsValue, ApiFailure> {
    let parsed = match response.json() {
        Ok(parsing) => JsFuture::from(parsing).await.ok(),
        Err(_) => None,
    };
    if response.ok() {
        return parsed.ok_or(ApiFailure::Unreadable);
    }
    let refusal = parsed.and_then(|value| serde_wasm_bindgen::from_value::<ApiError>(value).ok());
    let (code, fields) = match refusal {
        Some(refusal) => (refusal.error.code, refusal.error.fields),
        None => (ErrorCode::Unknown, Vec::new()),
    };
    Err(ApiFailure::Refused {
        status: response.status(),
        code,
        fields,
    })
}

/// The answer as `T`.
fn decode<T: DeserializeOwned>(answer: Result<JsValue, ApiFailure>) -> Result<T, ApiFailure> {
    serde_wasm_bindgen::from_value(answer?).map_err(|_| ApiFailure::Unreadable)
}
