//! `cargo xtask admin invite treasurer@asso.org`: lets someone into an edge's back-office and
//! prints their one-time link, so that the first admin needs no database console.
//!
//! ```text
//! cargo xtask admin invite ADDRESS [--role admin|treasurer|volunteer] [--edge URL]
//! ```
//!
//! The role defaults to `admin`. The edge and its token are found as `edge_api` says: the
//! demo's by default, or `--edge https://…` with `TIRELIRE_ADMIN_TOKEN`.

use serde_json::json;

use crate::edge_api::{self, DEMO_EDGE};

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
    let link = invite(&edge, &edge_api::token(&edge)?, &email, &role)?;
    println!(
        "{email} may now enter the back-office as {role}. Send them this link; it works once, for 7 days:\n\n{link}\n"
    );
    Ok(())
}

/// Asks `edge` to invite `email` as `role`; gives the link.
pub fn invite(edge: &str, token: &str, email: &str, role: &str) -> Result<String, String> {
    let (status, body) = edge_api::post(
        edge,
        token,
        "/v1/admin/invitations",
        &json!({ "email": email, "role": role }),
    )?;
    match status {
        201 => Ok(body["link"].as_str().unwrap_or_default().to_owned()),
        400 => Err(format!(
            "the role must be admin, treasurer or volunteer (not {role:?})"
        )),
        422 => Err(format!("{email:?} is not an email address")),
        _ => Err(edge_api::refusal(status, &body)),
    }
}
