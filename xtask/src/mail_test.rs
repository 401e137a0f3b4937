//! `cargo xtask mail-test you@example.org`: asks an edge to send a test message through its
//! mail settings now, and says plainly what the provider answered, so that a treasurer can
//! check the set-up before the first donation.
//!
//! ```text
//! cargo xtask mail-test ADDRESS [--edge URL] [--language fr|en]
//! ```
//!
//! The edge defaults to the demo's (`http://127.0.0.1:8787`), whose token the demo leaves in
//! `.tirelire/demo/admin-token`. For a deployed edge, pass `--edge https://…` and put the token
//! set with `wrangler secret put ADMIN_TOKEN` in the `TIRELIRE_ADMIN_TOKEN` variable.

use std::time::Duration;

use serde_json::{Value, json};

pub const DEMO_EDGE: &str = "http://127.0.0.1:8787";

/// Sends the test message and reports.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut to = None;
    let mut edge = DEMO_EDGE.to_owned();
    let mut language = "fr".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--edge" => edge = args.next().ok_or("--edge needs a URL")?.clone(),
            "--language" => language = args.next().ok_or("--language needs fr or en")?.clone(),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            address => to = Some(address.to_owned()),
        }
    }
    let to =
        to.ok_or("usage: cargo xtask mail-test you@example.org [--edge URL] [--language fr|en]")?;
    let edge = edge.trim_end_matches('/').to_owned();
    let token = token(&edge)?;

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    println!("Asking {edge} to send a test message to {to}…");
    let mut response = agent
        .post(&format!("{edge}/v1/admin/mail/test"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json!({ "to": to, "language": language }).to_string())
        .map_err(|error| format!("the edge at {edge} cannot be reached: {error}"))?;
    let status = response.status().as_u16();
    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    match status {
        200 => {}
        401 => return Err("the edge refused the admin token: check TIRELIRE_ADMIN_TOKEN against `wrangler secret put ADMIN_TOKEN`".into()),
        404 => return Err("this edge has no admin routes: set its ADMIN_TOKEN secret with `cargo xtask wrangler secret put ADMIN_TOKEN`".into()),
        _ => {
            return Err(format!(
                "the edge answered {status}: {}",
                body["error"]["message"].as_str().unwrap_or("no detail")
            ));
        }
    }
    let detail = body["detail"].as_str().unwrap_or_default();
    let provider = body["provider"].as_str().unwrap_or("the provider");
    let from = body["from"].as_str().unwrap_or_default();
    match body["outcome"].as_str().unwrap_or_default() {
        "sent" => {
            println!(
                "Sent through {provider}, from {from} (Message-ID <{}>).\nCheck the inbox of {to}, and its spam folder.",
                body["message_id"].as_str().unwrap_or_default()
            );
            Ok(())
        }
        "retry_later" => Err(format!(
            "{provider} could not take the message now: {detail}\nReceipts would wait in the outbox and be retried. Try again in a few minutes."
        )),
        "refused" => Err(format!("{provider} refused the message: {detail}")),
        "misconfigured" => Err(format!(
            "{provider} refuses the edge's settings: {detail}\nCheck the MAIL_* and provider settings in docs/deploy.md."
        )),
        other => Err(format!("unexpected answer ({other}): {body}")),
    }
}

pub fn token(edge: &str) -> Result<String, String> {
    if let Ok(token) = std::env::var("TIRELIRE_ADMIN_TOKEN") {
        return Ok(token.trim().to_owned());
    }
    if edge == DEMO_EDGE {
        let file = crate::repo_root().join(".tirelire/demo/admin-token");
        return std::fs::read_to_string(&file)
            .map(|token| token.trim().to_owned())
            .map_err(|_| "the demo is not running: start `cargo xtask demo` first".to_owned());
    }
    Err("set TIRELIRE_ADMIN_TOKEN to the edge's ADMIN_TOKEN secret".into())
}
