//! The edge's only list of routes.

use worker::{Env, Method, Request, Response, RouteContext, Router};

use crate::error::EdgeError;
use crate::http::{allow_any_origin, preflight};
use crate::routes::{campaigns, checkout, health, orders, webhooks};

/// Answers one request. Every answer, refusals included, carries the CORS headers.
pub async fn handle(req: Request, env: Env) -> worker::Result<Response> {
    let mut response = if req.method() == Method::Options {
        preflight()?
    } else {
        let response = routes().run(req, env).await?;
        // The router answers a known path with the wrong method by itself, in plain text.
        if response.status_code() == 405 {
            EdgeError::MethodNotAllowed.into_response()?
        } else {
            response
        }
    };
    allow_any_origin(&mut response)?;
    Ok(response)
}

fn routes() -> Router<'static, ()> {
    Router::new()
        .get("/health", |_, _| reply(health::get()))
        .get_async("/v1/campaigns/:slug", |_, ctx| async move {
            reply(campaigns::get(param(&ctx, "slug"), &ctx.env).await)
        })
        .post_async("/v1/campaigns/:slug/checkout", |req, ctx| async move {
            reply(checkout::post(req, param(&ctx, "slug"), &ctx.env).await)
        })
        .get_async("/v1/orders/:id", |_, ctx| async move {
            reply(orders::get(param(&ctx, "id"), &ctx.env).await)
        })
        .post_async("/v1/webhooks/stripe", |req, ctx| async move {
            reply(webhooks::stripe(req, &ctx.env).await)
        })
        .or_else_any_method("/*path", |_, _| reply(Err(EdgeError::NotFound)))
}

fn param<'a>(ctx: &'a RouteContext<()>, name: &str) -> &'a str {
    ctx.param(name).map(String::as_str).unwrap_or_default()
}

fn reply(result: Result<Response, EdgeError>) -> worker::Result<Response> {
    result.or_else(EdgeError::into_response)
}
