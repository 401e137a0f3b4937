//! `cargo xtask mail-test you@example.org`: asks an edge to send a test message through its
//! mail settings now, and says plainly what the provider answered, so that a treasurer can
//! check the set-up before the first donation.
//!
//! ```text
//! cargo xtask mail-test ADDRESS [--edge URL] [--language fr|en]
//! ```
//!
//! The edge and its token are found as `edge_api` says: the demo's by default.

use serde_json::json;

use crate::edge_api::{self, DEMO_EDGE};

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
    let token = edge_api::token(&edge)?;
    println!("Asking {edge} to send a test message to {to}…");
    let (status, body) = edge_api::post(
        &edge,
        &token,
        "/v1/admin/mail/test",
        &json!({ "to": to, "language": language }),
    )?;
    if status != 200 {
        return Err(edge_api::refusal(status, &body));
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
