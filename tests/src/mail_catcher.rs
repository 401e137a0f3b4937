//! The mail catcher: `tests/mail/catcher.cjs`, a real SMTP server (nodemailer's `smtp-server`)
//! that keeps what it receives and shows it on a web page. The demo points the edge at it; the
//! tests read what arrived and make a recipient's RCPT TO fail on demand.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::stack::{StackError, node_modules_of, path_with_node, stop_group};

/// How to start a catcher.
#[derive(Clone, Debug, Default)]
pub struct CatcherOptions {
    /// The SMTP port; 0 picks a free one.
    pub smtp_port: u16,
    /// The web page's port; 0 picks a free one.
    pub http_port: u16,
    /// Whether STARTTLS is offered (with smtp-server's own self-signed certificate).
    pub starttls: bool,
    /// TLS from the first byte, as on port 465.
    pub implicit_tls: bool,
    /// The login the server demands, if any.
    pub auth: Option<(String, String)>,
    /// Only AUTH LOGIN, not PLAIN, as some older servers.
    pub login_only: bool,
}

/// A running catcher. Dropping it stops it.
pub struct MailCatcher {
    /// Its SMTP port on 127.0.0.1.
    pub smtp_port: u16,
    /// Its web page and API.
    pub url: String,
    child: Child,
}

impl MailCatcher {
    /// Starts the catcher with the Node.js at `node` and the npm packages in `node_modules`.
    pub fn start(
        node: &Path,
        node_modules: &Path,
        script: &Path,
        options: &CatcherOptions,
    ) -> Result<Self, StackError> {
        let config = json!({
            "smtpPort": options.smtp_port,
            "httpPort": options.http_port,
            "starttls": options.starttls,
            "implicitTls": options.implicit_tls,
            "auth": options.auth.as_ref().map(|(user, pass)| json!({"user": user, "pass": pass})),
            "authMethods": if options.login_only { json!(["LOGIN"]) } else { json!(["PLAIN", "LOGIN"]) },
        });
        let mut command = Command::new(node);
        command
            .arg(script)
            .arg(config.to_string())
            .env("TIRELIRE_NODE_MODULES", node_modules)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0);
        if let Some(path) = path_with_node(node) {
            command.env("PATH", path);
        }
        let mut child = command
            .spawn()
            .map_err(|error| StackError(format!("cannot start the mail catcher: {error}")))?;
        let stdout = child.stdout.take();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next().and_then(Result::ok));
            // Keep reading, so that the catcher never blocks on a full pipe.
            for _ in lines {}
        });
        let ready = receiver
            .recv_timeout(Duration::from_secs(30))
            .ok()
            .flatten();
        let ports: Value = ready
            .as_deref()
            .and_then(|line| serde_json::from_str(line).ok())
            .unwrap_or(Value::Null);
        let (Some(smtp), Some(http)) = (ports["smtp"].as_u64(), ports["http"].as_u64()) else {
            stop_group(&mut child);
            return Err(StackError(format!(
                "the mail catcher did not start (it said {ready:?})"
            )));
        };
        Ok(Self {
            smtp_port: u16::try_from(smtp).unwrap_or_default(),
            url: format!("http://127.0.0.1:{http}"),
            child,
        })
    }

    /// The catcher of the demo and the tests, from the repository's script.
    pub fn for_stack(
        repo: &Path,
        node: &Path,
        wrangler: &Path,
        smtp_port: u16,
        http_port: u16,
    ) -> Result<Self, StackError> {
        Self::start(
            node,
            &node_modules_of(wrangler),
            &repo.join("tests/mail/catcher.cjs"),
            &CatcherOptions {
                smtp_port,
                http_port,
                ..CatcherOptions::default()
            },
        )
    }
}

impl Drop for MailCatcher {
    fn drop(&mut self) {
        stop_group(&mut self.child);
    }
}

/// Reads and steers a running catcher over its HTTP API.
pub struct CatcherClient {
    url: String,
    agent: ureq::Agent,
}

impl CatcherClient {
    /// A client for the catcher at `url`.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(10)))
                .http_status_as_error(false)
                .build()
                .into(),
        }
    }

    /// Every message received for `recipient`, oldest first.
    pub fn messages_to(&self, recipient: &str) -> Vec<Value> {
        let url = format!("{}/messages?to={}", self.url, urlencode(recipient));
        self.agent
            .get(&url)
            .call()
            .ok()
            .and_then(|mut response| response.body_mut().read_json::<Vec<Value>>().ok())
            .unwrap_or_default()
    }

    /// Makes RCPT TO for `recipient` answer `code` and `message` until [`Self::heal`].
    pub fn fail_recipient(&self, recipient: &str, code: u16, message: &str) {
        let body = json!({"recipient": recipient, "code": code, "message": message});
        let answer = self
            .agent
            .post(&format!("{}/faults", self.url))
            .header("Content-Type", "application/json")
            .send(body.to_string());
        assert!(
            answer.is_ok_and(|response| response.status() == 204),
            "the catcher did not take the fault"
        );
    }

    /// Lets mail to `recipient` through again.
    pub fn heal(&self, recipient: &str) {
        let url = format!("{}/faults?recipient={}", self.url, urlencode(recipient));
        let answer = self.agent.delete(&url).call();
        assert!(
            answer.is_ok_and(|response| response.status() == 204),
            "the catcher did not lift the fault"
        );
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}
