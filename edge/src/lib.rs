//! The Tirelire edge: a Cloudflare Worker that an association deploys to its own account.
//!
//! It serves campaign data to the widget, turns donations into pending orders and PSP
//! checkout sessions behind limits and bot checks, applies the PSP's signed webhook events to
//! those orders, and sweeps on a schedule so that nothing stays pending or unrecorded. Records
//! live in D1; KV only caches. The widget's files are served beside it as static assets.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod calendar;
mod config;
mod error;
mod export;
mod guard;
mod http;
mod ids;
mod ledger;
pub mod mail;
mod outbound;
mod payments;
pub mod psp;
mod return_url;
mod router;
mod routes;
mod signing;
mod storage;
mod sweep;

use worker::{Context, Env, Request, Response, ScheduleContext, ScheduledEvent, event};

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    router::handle(req, env, ctx).await
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    // The schedule's own time is the sweep's clock.
    let now = (event.schedule() / 1000.0) as i64;
    sweep::run(&env, now).await;
}
