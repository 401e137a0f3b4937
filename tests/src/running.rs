//! How a test finds the stack that `cargo xtask test` started for it.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// The running stack, as described by the `TIRELIRE_*` variables.
pub struct Running {
    /// The edge's origin.
    pub edge_url: String,
    /// The demo site's origin.
    pub site_url: String,
    /// The simulator's base URL.
    pub sim_url: String,
    /// The Turnstile stand-in's base URL.
    pub turnstile_url: String,
    /// The `--persist-to` folder of D1 and KV.
    pub persist_dir: PathBuf,
    /// The secret webhooks are signed with.
    pub webhook_secret: String,
    /// The secret key the simulator accepts.
    pub sim_api_key: String,
    agent: ureq::Agent,
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The body.
    pub body: String,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The `Access-Control-Allow-Origin` header, if any.
    pub allow_origin: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// A header's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The stable error code of a refusal.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Running {
    /// Reads the stack's address from the environment. Panics with instructions when the tests
    /// are run without a stack, rather than skipping.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: these tests need the running stack; run them with `cargo xtask test`")
            })
        };
        Self {
            edge_url: var("TIRELIRE_EDGE_URL"),
            site_url: var("TIRELIRE_SITE_URL"),
            sim_url: var("TIRELIRE_SIM_URL"),
            turnstile_url: var("TIRELIRE_TURNSTILE_URL"),
            persist_dir: PathBuf::from(var("TIRELIRE_PERSIST_DIR")),
            webhook_secret: var("TIRELIRE_WEBHOOK_SECRET"),
            sim_api_key: var("TIRELIRE_SIM_API_KEY"),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into(),
        }
    }

    /// Sends a request; `url` may be absolute or a path on the edge.
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Answer {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.edge_url)
        };
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .expect("a well-formed request");
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|error| panic!("{method} {url} failed: {error}"));
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("Location");
        let allow_origin = header("Access-Control-Allow-Origin");
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        Answer {
            status: response.status().as_u16(),
            body: response.body_mut().read_to_string().unwrap_or_default(),
            location,
            allow_origin,
            headers,
        }
    }

    /// `GET` on the edge or an absolute URL.
    pub fn get(&self, url: &str) -> Answer {
        self.send("GET", url, &[], None)
    }

    /// Runs the edge's sweep once, as if at `at` (Unix seconds).
    pub fn sweep(&self, at: i64) {
        crate::stack::sweep(&self.edge_url, at).unwrap_or_else(|error| panic!("{error}"));
    }

    /// The local D1 database file, to check what the edge stored.
    pub fn d1_file(&self) -> PathBuf {
        crate::stack::d1_file(&self.persist_dir).unwrap_or_else(|error| panic!("{error}"))
    }
}
