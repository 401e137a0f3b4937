//! `cargo xtask admin invite treasurer@asso.org`: lets someone into an edge's back-office and
//! prints their one-time link, so that the first admin needs no database console.
//!
//! ```text
//! cargo xtask admin invite ADDRESS [--role admin|treasurer|volunteer] [--edge URL]
//! ```
//!
//! The role defaults to `admin`. The edge and its token are found as for `cargo xtask
//! mail-test`: the demo's by default, or `--edge https://…` with `TIRELIRE_ADMIN_TOKEN`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::mail_test::{DEMO_EDGE, token};

const USAGE: &str =
    "usage: cargo xtask admin invite ADDRESS [--role admin|treasurer|volunteer] [--edge URL]";

/// Runs `admin invite`.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err(USAGE.into());
    };
    if command != "invite" {
        return Err(USAGE.into());
    }
    let mut email = None;
    let mut role = "admin".to_owned();
    let mut edge = DEMO_EDGE.to_owned();
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--edge" => edge = rest.next().ok_or("--edge needs a URL")?.clone(),
            "--role" => role = rest.next().ok_or("--role needs a role")?.clone(),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            address => email = Some(address.to_owned()),
        }
    }
    let email = email.ok_or(USAGE)?;
    let edge = edge.trim_end_matches('/').to_owned();
    let link = invite(&edge, &token(&edge)?, &email, &role)?;
    println!(
        "{email} may now enter the back-office as {role}. Send them this link; it works once, for 7 days:\n\n{link}\n"
    );
    Ok(())
}

/// Asks `edge` to invite `email` as `role`; gives the link.
pub fn invite(edge: &str, token: &str, email: &str, role: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{edge}/v1/admin/invitations"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(json!({ "email": email, "role": role }).to_string())
        .map_err(|error| format!("the edge at {edge} cannot be reached: {error}"))?;
    let status = response.status().as_u16();
    let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    match status {
        201 => Ok(body["link"].as_str().unwrap_or_default().to_owned()),
        401 => Err("the edge refused the admin token: check TIRELIRE_ADMIN_TOKEN against `wrangler secret put ADMIN_TOKEN`".into()),
        404 => Err("this edge has no admin routes: set its ADMIN_TOKEN secret with `cargo xtask wrangler secret put ADMIN_TOKEN`".into()),
        400 => Err(format!("the role must be admin, treasurer or volunteer (not {role:?})")),
        422 => Err(format!("{email:?} is not an email address")),
        _ => Err(format!(
            "the edge answered {status}: {}",
            body["error"]["message"].as_str().unwrap_or("no detail")
        )),
    }
}
