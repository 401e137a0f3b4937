//! The Tirelire edge: a Cloudflare Worker that an association deploys to its own account.
//!
//! It serves campaign data to the widget, turns donations into pending orders and PSP
//! checkout sessions, and applies the PSP's signed webhook events to those orders. Records live
//! in D1; KV only caches. The widget's files are served beside it as static assets.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod config;
mod error;
mod http;
mod ids;
pub mod psp;
mod return_url;
mod router;
mod routes;
mod storage;

use worker::{Context, Env, Request, Response, event};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    router::handle(req, env).await
}
