//! Calls to an edge's admin routes with the deployment's admin token, for `cargo xtask
//! mail-test` and `cargo xtask admin`.
//!
//! The edge defaults to the demo's (`http://127.0.0.1:8787`), whose token the demo leaves in
//! `.tirelire/demo/admin-token`. For a deployed edge, pass `--edge https://…` and put the token
//! set with `wrangler secret put ADMIN_TOKEN` in the `TIRELIRE_ADMIN_TOKEN` variable.

use std::time::Duration;

use serde_json::Value;

/// The demo's edge.
pub const DEMO_EDGE: &str = "http://127.0.0.1:8787";

/// The admin token for `edge`.
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

/// Posts `body` to `path` on `edge` with `token`; gives the status and the JSON answer. A
/// refused token and an edge without admin routes are errors that say what to do.
pub fn post(edge: &str, token: &str, path: &str, body: &Value) -> Result<(u16, Value), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{edge}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .map_err(|error| format!("the edge at {edge} cannot be reached: {error}"))?;
    let status = response.status().as_u16();
    let answer: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    match status {
        401 => Err("the edge refused the admin token: check TIRELIRE_ADMIN_TOKEN against `wrangler secret put ADMIN_TOKEN`".into()),
        404 => Err("this edge has no admin routes: set its ADMIN_TOKEN secret with `cargo xtask wrangler secret put ADMIN_TOKEN`".into()),
        _ => Ok((status, answer)),
    }
}

/// The edge's explanation of a refusal.
pub fn refusal(status: u16, answer: &Value) -> String {
    format!(
        "the edge answered {status}: {}",
        answer["error"]["message"].as_str().unwrap_or("no detail")
    )
}
