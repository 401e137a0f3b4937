//! A stand-in for Cloudflare Turnstile, because neither the edge nor the browser can reach
//! Cloudflare from these machines.
//!
//! It serves the two things Turnstile is: a client script at `/turnstile/v0/api.js` (the same
//! `turnstile.render`/`reset` API, with explicit rendering and an `onload` callback), and
//! `POST /turnstile/v0/siteverify`, which answers as Cloudflare's documented test secret keys
//! do: `1x…AA` passes a token once and then says `timeout-or-duplicate`, `2x…AA` always fails,
//! `3x…AA` always says the token was already spent. Unlike Cloudflare's test keys, a token
//! remembers the host name and action it was earned for, so that the edge's checks of both are
//! tested too. Tokens are issued by `POST /_sim/turnstile/token`, which the script calls.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tiny_http::{Header, Method, Response};

use crate::server::ServerHandle;

/// Cloudflare's test site key that always passes, visibly.
pub const PASSING_SITE_KEY: &str = "1x00000000000000000000AA";
/// Cloudflare's test site key that always blocks, visibly.
pub const BLOCKING_SITE_KEY: &str = "2x00000000000000000000AB";
/// Cloudflare's test secret key that always passes.
pub const PASSING_SECRET: &str = "1x0000000000000000000000000000000AA";
/// Cloudflare's test secret key that always fails.
pub const FAILING_SECRET: &str = "2x0000000000000000000000000000000AA";
/// Cloudflare's test secret key whose tokens are always already spent.
pub const SPENT_SECRET: &str = "3x0000000000000000000000000000000AA";
/// How long a token is good for, as Turnstile's.
const TOKEN_LIFETIME_SECS: u64 = 300;

/// A token, as issued.
struct Issued {
    hostname: String,
    action: String,
    issued_at: u64,
    spent: bool,
}

#[derive(Default)]
struct Tokens(Mutex<HashMap<String, Issued>>);

/// A running stand-in; dropping it stops it.
pub type TurnstileHandle = ServerHandle;

/// Starts the stand-in on `listen` (port 0 picks a free one).
pub fn start(listen: SocketAddr) -> std::io::Result<TurnstileHandle> {
    let tokens = Arc::new(Tokens::default());
    ServerHandle::start(listen, 8, move |mut request| {
        let mut body = String::new();
        let _ = request.as_reader().read_to_string(&mut body);
        let content_type = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Content-Type"))
            .map(|h| h.value.as_str().to_owned())
            .unwrap_or_default();
        let path = request
            .url()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let (status, kind, text) = match (request.method(), path.as_str()) {
            (Method::Get, "/turnstile/v0/api.js") => {
                (200, "text/javascript; charset=utf-8", SCRIPT.to_owned())
            }
            (Method::Post, "/_sim/turnstile/token") => {
                let (status, answer) = issue(&tokens, &form_or_json(&body, &content_type));
                (status, "application/json", answer.to_string())
            }
            (Method::Post, "/turnstile/v0/siteverify") => {
                let answer = verify(&tokens, &form_or_json(&body, &content_type));
                (200, "application/json", answer.to_string())
            }
            (Method::Options, _) => (204, "text/plain", String::new()),
            _ => (404, "text/plain", "Not found".to_owned()),
        };
        let mut response = Response::from_string(text).with_status_code(status);
        for (name, value) in [
            ("Content-Type", kind),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", "Content-Type"),
        ] {
            if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        let _ = request.respond(response);
    })
}

/// Siteverify takes a form or JSON; so does the token route.
fn form_or_json(body: &str, content_type: &str) -> HashMap<String, String> {
    if content_type.starts_with("application/json") {
        let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        value
            .as_object()
            .map(|object| {
                object
                    .iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        serde_urlencoded::from_str(body).unwrap_or_default()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

fn issue(tokens: &Tokens, fields: &HashMap<String, String>) -> (u16, Value) {
    let site_key = fields
        .get("sitekey")
        .map(String::as_str)
        .unwrap_or_default();
    if site_key.starts_with("2x") {
        return (200, json!({ "error": "blocked" }));
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let token = format!("sim.{}", hex::encode(bytes));
    let issued = Issued {
        hostname: fields.get("hostname").cloned().unwrap_or_default(),
        action: fields.get("action").cloned().unwrap_or_default(),
        issued_at: now(),
        spent: false,
    };
    let mut tokens = tokens
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    tokens.insert(token.clone(), issued);
    (200, json!({ "token": token }))
}

fn verify(tokens: &Tokens, fields: &HashMap<String, String>) -> Value {
    let failure = |code: &str| json!({ "success": false, "error-codes": [code], "messages": [] });
    let Some(secret) = fields.get("secret").filter(|secret| !secret.is_empty()) else {
        return failure("missing-input-secret");
    };
    let Some(token) = fields.get("response").filter(|token| !token.is_empty()) else {
        return failure("missing-input-response");
    };
    match secret.as_str() {
        FAILING_SECRET => return failure("invalid-input-response"),
        SPENT_SECRET => return failure("timeout-or-duplicate"),
        PASSING_SECRET => {}
        _ => return failure("invalid-input-secret"),
    }
    let mut tokens = tokens
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(issued) = tokens.get_mut(token) else {
        return failure("invalid-input-response");
    };
    if issued.spent || now() > issued.issued_at + TOKEN_LIFETIME_SECS {
        return failure("timeout-or-duplicate");
    }
    issued.spent = true;
    json!({
        "success": true,
        "challenge_ts": "2026-01-01T00:00:00.000Z",
        "hostname": issued.hostname,
        "error-codes": [],
        "action": issued.action,
        "cdata": "",
        "metadata": { "result_with_testing_key": true },
    })
}

/// The stand-in client script: `turnstile.render`, `reset`, `remove`, `getResponse`, with the
/// `onload` callback named in its own address. It shows a small box that says it is a
/// simulator, asks the stand-in for a token, and hands it to the page's callback.
const SCRIPT: &str = r#"(function () {
  var me = document.currentScript;
  var src = new URL(me.src);
  var widgets = {};
  var count = 0;
  function issue(id) {
    var widget = widgets[id];
    if (!widget) { return; }
    widget.token = null;
    widget.box.textContent = "Vérification anti-robot (simulateur)…";
    var body = new URLSearchParams({
      sitekey: widget.options.sitekey || "",
      action: widget.options.action || "",
      hostname: location.hostname
    });
    fetch(src.origin + "/_sim/turnstile/token", { method: "POST", body: body })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.token) {
          widget.token = answer.token;
          widget.box.textContent = "✓ Vérifié (simulateur anti-robot)";
          if (widget.options.callback) { widget.options.callback(answer.token); }
        } else {
          widget.box.textContent = "✗ Bloqué (simulateur anti-robot)";
          if (widget.options["error-callback"]) { widget.options["error-callback"]("blocked"); }
        }
      })
      .catch(function () {
        if (widget.options["error-callback"]) { widget.options["error-callback"]("network"); }
      });
  }
  window.turnstile = {
    render: function (container, options) {
      var element = typeof container === "string" ? document.querySelector(container) : container;
      var box = document.createElement("div");
      box.setAttribute("data-sim-turnstile", "");
      box.style.cssText = "box-sizing:border-box;height:65px;padding:20px 12px;border:1px solid #ccc;border-radius:4px;font:14px system-ui,sans-serif;background:#fafafa;color:#222";
      element.appendChild(box);
      var id = "sim-" + (count += 1);
      widgets[id] = { box: box, options: options || {}, token: null };
      setTimeout(function () { issue(id); }, 50);
      return id;
    },
    reset: function (id) { issue(id); },
    remove: function (id) {
      if (widgets[id]) { widgets[id].box.remove(); delete widgets[id]; }
    },
    getResponse: function (id) { return widgets[id] ? widgets[id].token : undefined; }
  };
  var onload = src.searchParams.get("onload");
  if (onload && typeof window[onload] === "function") { window[onload](); }
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn token(tokens: &Tokens) -> String {
        let (_, answer) = issue(
            tokens,
            &fields(&[
                ("sitekey", PASSING_SITE_KEY),
                ("action", "checkout"),
                ("hostname", "127.0.0.1"),
            ]),
        );
        answer["token"].as_str().unwrap_or_default().to_owned()
    }

    #[test]
    fn a_token_passes_once_with_its_host_and_action() {
        let tokens = Tokens::default();
        let token = token(&tokens);
        let check = fields(&[("secret", PASSING_SECRET), ("response", &token)]);
        let first = verify(&tokens, &check);
        assert_eq!(first["success"], true);
        assert_eq!(first["hostname"], "127.0.0.1");
        assert_eq!(first["action"], "checkout");
        let second = verify(&tokens, &check);
        assert_eq!(second["success"], false);
        assert_eq!(second["error-codes"], json!(["timeout-or-duplicate"]));
    }

    #[test]
    fn test_secrets_behave_like_cloudflares() {
        let tokens = Tokens::default();
        let token = token(&tokens);
        for (secret, code) in [
            (FAILING_SECRET, "invalid-input-response"),
            (SPENT_SECRET, "timeout-or-duplicate"),
            ("not-a-secret", "invalid-input-secret"),
        ] {
            let answer = verify(
                &tokens,
                &fields(&[("secret", secret), ("response", &token)]),
            );
            assert_eq!(answer["error-codes"], json!([code]), "{secret}");
        }
        let unknown = verify(
            &tokens,
            &fields(&[("secret", PASSING_SECRET), ("response", "forged")]),
        );
        assert_eq!(unknown["error-codes"], json!(["invalid-input-response"]));
        let missing = verify(&tokens, &fields(&[("secret", PASSING_SECRET)]));
        assert_eq!(missing["error-codes"], json!(["missing-input-response"]));
    }

    #[test]
    fn the_blocking_site_key_issues_nothing() {
        let (_, answer) = issue(
            &Tokens::default(),
            &fields(&[("sitekey", BLOCKING_SITE_KEY)]),
        );
        assert_eq!(answer["error"], "blocked");
    }
}
