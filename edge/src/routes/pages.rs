//! The edge's own pages: the hosted form, which sites that cannot run the widget frame, the
//! challenge page, which the widget frames to run Cloudflare Turnstile wherever it is, and the
//! back-office.
//!
//! All are static files, served through the Worker so that each answer carries its own Content
//! Security Policy. The form's and the challenge's `frame-ancestors` are the campaign's allowed
//! origins: no other site can frame the form (clickjacking) or harvest challenge tokens. The
//! back-office can be framed by nobody.

use html_escape::encode_double_quoted_attribute as attr;
use tirelire_domain::CampaignSlug;
use worker::{Env, Request, Response};

use crate::config::Settings;
use crate::error::EdgeError;
use crate::storage::Storage;

/// The back-office's path.
pub const BACK_OFFICE: &str = "/admin/";
/// The hosted form's path.
pub const HOSTED_FORM: &str = "/widget/v1/page.html";
/// The challenge page's path.
pub const CHALLENGE: &str = "/widget/v1/challenge.html";
/// The binding of the static files in `wrangler.toml`.
const ASSETS: &str = "ASSETS";

/// `GET /widget/v1/page.html?campaign=…`.
pub async fn hosted_form(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let ancestors = ancestors(&req, env).await?;
    let csp = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors {ancestors}"
    );
    let html = asset(req, env).await?;
    page(&html, &csp)
}

/// `GET /widget/v1/challenge.html?campaign=…`: Turnstile, rendered with the deployment's site
/// key, the token sent to the framing widget.
pub async fn challenge(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let settings = Settings::read(env)?;
    let Some(turnstile) = settings.turnstile else {
        return Err(EdgeError::NotFound);
    };
    let ancestors = ancestors(&req, env).await?;
    let script_origin = turnstile.script_origin();
    let csp = format!(
        "default-src 'none'; script-src 'self' {script_origin}; frame-src {script_origin}; \
         connect-src {script_origin}; style-src 'self'; img-src 'self' data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    );
    let html = asset(req, env)
        .await?
        .replace("{{SITE_KEY}}", &attr(&turnstile.site_key))
        .replace("{{SCRIPT_URL}}", &attr(&turnstile.script_url));
    page(&html, &csp)
}

/// `GET /admin/`: the back-office's page. It runs only its own files and talks only to its
/// own edge.
pub async fn back_office(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let url = req
        .url()?
        .join("/admin/index.html")
        .map_err(|error| EdgeError::Runtime(error.to_string()))?;
    let html = asset(Request::new(url.as_str(), worker::Method::Get)?, env).await?;
    page(
        &html,
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
    )
}

/// The sites that may frame a page: the edge itself, and the allowed origins of the campaign
/// named in the address. An unknown campaign leaves the edge alone.
async fn ancestors(req: &Request, env: &Env) -> Result<String, EdgeError> {
    let url = req.url()?;
    let slug = url
        .query_pairs()
        .find(|(name, _)| name == "campaign")
        .and_then(|(_, value)| CampaignSlug::parse(&value).ok());
    let mut ancestors = vec!["'self'".to_owned()];
    if let Some(slug) = slug {
        let storage = Storage::from_env(env)?;
        if let Some(campaign) = storage.campaign(&slug).await? {
            ancestors.extend(campaign.allowed_origins);
        }
    }
    Ok(ancestors.join(" "))
}

async fn asset(req: Request, env: &Env) -> Result<String, EdgeError> {
    let mut response = env
        .assets(ASSETS)
        .map_err(|_| EdgeError::Runtime(format!("the {ASSETS} binding is missing")))?
        .fetch_request(req)
        .await?;
    if response.status_code() != 200 {
        return Err(EdgeError::NotFound);
    }
    Ok(response.text().await?)
}

fn page(html: &str, csp: &str) -> Result<Response, EdgeError> {
    let mut response = Response::from_html(html)?;
    let headers = response.headers_mut();
    headers.set("Content-Security-Policy", csp)?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}
