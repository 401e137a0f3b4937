//! The whole of Tirelire on one machine: the edge in `wrangler dev` with its local D1 and KV,
//! the Stripe simulator, and the demo site on its own origin.
//!
//! `cargo xtask demo` and `cargo xtask test` both start it with [`Stack::start`]; tests reach a
//! running stack through [`crate::running::Running`].

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::mail_catcher::MailCatcher;
use crate::psp_sim::{self, SimConfig, SimHandle};
use crate::server::ServerHandle;
use crate::site;
use crate::turnstile_sim::{self, PASSING_SECRET, PASSING_SITE_KEY, TurnstileHandle};

/// How to start the stack.
#[derive(Clone, Debug)]
pub struct StackConfig {
    /// The repository's root.
    pub repo: PathBuf,
    /// Where D1, KV, logs and generated secrets go. Kept between runs for the demo.
    pub state_dir: PathBuf,
    /// The Node.js 22 binary.
    pub node: PathBuf,
    /// wrangler's entry script (`node_modules/wrangler/bin/wrangler.js`).
    pub wrangler: PathBuf,
    /// Ports for the edge, the site and the simulator; 0 picks a free one.
    pub ports: Ports,
    /// SQL files run after the migrations, with `{{SITE_ORIGIN}}` replaced by the site's
    /// origin. They must be safe to run again on the same database.
    pub seeds: Vec<PathBuf>,
    /// Whether checkouts go through Turnstile, the traps and the hourly and daily limits: true
    /// everywhere but the benchmark's baseline, which measures a checkout without them.
    pub gates: bool,
    /// Whether the edge sends mail (to the catcher): true everywhere but the benchmark's
    /// baseline, which measures a webhook without it.
    pub mail: bool,
}

/// The stack's ports.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ports {
    /// The edge (`wrangler dev`).
    pub edge: u16,
    /// The demo site.
    pub site: u16,
    /// The Stripe simulator.
    pub sim: u16,
    /// The Turnstile stand-in.
    pub turnstile: u16,
    /// The mail catcher's SMTP server.
    pub mail_smtp: u16,
    /// The mail catcher's web page.
    pub mail_web: u16,
}

/// Who the stack's edge writes as, and to whom it reports payments.
pub const MAIL_FROM: &str = "tresorerie@amis-du-jardin.example";
/// The association's contact address, where replies go.
pub const MAIL_REPLY_TO: &str = "contact@amis-du-jardin.example";
/// The treasurer, who gets one message per payment.
pub const MAIL_TREASURER: &str = "tresorier@amis-du-jardin.example";

/// A running stack. Dropping it stops everything it started.
pub struct Stack {
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
    /// Where tests write pages the site serves under `/pasted/`.
    pub pasted_dir: PathBuf,
    /// The secret the simulator signs webhooks with, as the edge knows it.
    pub webhook_secret: String,
    /// The secret key the edge uses with the simulator.
    pub api_key: String,
    /// The mail catcher's web page, when the edge sends mail.
    pub mail_url: Option<String>,
    /// The token of the edge's administration routes.
    pub admin_token: String,
    node: PathBuf,
    node_modules: PathBuf,
    wrangler: Child,
    _mail: Option<MailCatcher>,
    _site: ServerHandle,
    _sim: SimHandle,
    _turnstile: TurnstileHandle,
}

/// Why the stack did not start.
#[derive(Debug)]
pub struct StackError(pub String);

impl std::fmt::Display for StackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StackError {}

fn fail(message: impl Into<String>) -> StackError {
    StackError(message.into())
}

impl Stack {
    /// Applies the migrations and seeds, then starts the simulator, the site and the edge, and
    /// waits until the edge answers.
    pub fn start(config: &StackConfig) -> Result<Self, StackError> {
        let edge_dir = config.repo.join("edge");
        let persist_dir = config.state_dir.join("persist");
        std::fs::create_dir_all(&persist_dir)
            .map_err(|error| fail(format!("cannot create {}: {error}", persist_dir.display())))?;

        let edge_port = match config.ports.edge {
            0 => free_port()?,
            port => port,
        };
        let edge_url = format!("http://127.0.0.1:{edge_port}");
        let api_key = format!("sk_test_{}", random_hex(12));
        let admin_token = random_hex(24);
        let mail = if config.mail {
            Some(MailCatcher::for_stack(
                &config.repo,
                &config.node,
                &config.wrangler,
                config.ports.mail_smtp,
                config.ports.mail_web,
            )?)
        } else {
            None
        };
        let webhook_secret = format!("whsec_{}", random_hex(16));

        let sim = psp_sim::start(
            loopback(config.ports.sim),
            SimConfig {
                api_key: api_key.clone(),
                webhook_secret: webhook_secret.clone(),
                webhook_url: format!("{edge_url}/v1/webhooks/stripe"),
            },
        )
        .map_err(|error| {
            fail(format!(
                "the Stripe simulator cannot listen on port {}: {error}",
                config.ports.sim
            ))
        })?;
        let turnstile =
            turnstile_sim::start(loopback(config.ports.turnstile)).map_err(|error| {
                fail(format!(
                    "the Turnstile stand-in cannot listen on port {}: {error}",
                    config.ports.turnstile
                ))
            })?;
        let pasted_dir = config.state_dir.join("pasted");
        std::fs::create_dir_all(&pasted_dir)
            .map_err(|error| fail(format!("cannot create {}: {error}", pasted_dir.display())))?;
        let site = site::serve(
            loopback(config.ports.site),
            config.repo.join("demo-site"),
            pasted_dir.clone(),
            edge_url.clone(),
            node_modules_of(&config.wrangler),
        )
        .map_err(|error| {
            fail(format!(
                "the demo site cannot listen on port {}: {error}",
                config.ports.site
            ))
        })?;

        let wrangler = Wrangler {
            config,
            edge_dir: &edge_dir,
            persist_dir: &persist_dir,
        };
        wrangler.run(
            &["d1", "migrations", "apply", "DB", "--local"],
            "apply the D1 migrations",
        )?;
        let seed = seed_sql(&config.seeds, &site.url)?;
        let seed_file = config.state_dir.join("seed.sql");
        std::fs::write(&seed_file, seed)
            .map_err(|error| fail(format!("cannot write the seed: {error}")))?;
        let seed_arg = seed_file.to_string_lossy().into_owned();
        wrangler.run(
            &["d1", "execute", "DB", "--local", "--file", &seed_arg],
            "seed D1",
        )?;

        let env_file = config.state_dir.join("edge.env");
        let mut secrets = format!(
            "STRIPE_SECRET_KEY={api_key}\nSTRIPE_WEBHOOK_SECRET={webhook_secret}\nADMIN_TOKEN={admin_token}\n"
        );
        if config.gates {
            secrets.push_str(&format!("TURNSTILE_SECRET_KEY={PASSING_SECRET}\n"));
        }
        std::fs::write(&env_file, secrets)
            .map_err(|error| fail(format!("cannot write {}: {error}", env_file.display())))?;
        let mut vars = vec![
            ("ENVIRONMENT", "development".to_owned()),
            ("STRIPE_API_BASE", sim.url.clone()),
            // Short, so that a test of a PSP that hangs does not hang too.
            ("PSP_TIMEOUT_MS", "3000".to_owned()),
        ];
        if config.gates {
            vars.extend([
                ("TURNSTILE_SITE_KEY", PASSING_SITE_KEY.to_owned()),
                (
                    "TURNSTILE_VERIFY_URL",
                    format!("{}/turnstile/v0/siteverify", turnstile.url),
                ),
                (
                    "TURNSTILE_SCRIPT_URL",
                    format!("{}/turnstile/v0/api.js", turnstile.url),
                ),
            ]);
        } else {
            vars.extend([
                ("CHECKOUTS_PER_IP_HOUR", "0".to_owned()),
                ("CHECKOUTS_PER_EMAIL_DAY", "0".to_owned()),
                ("MIN_FILL_SECONDS", "0".to_owned()),
            ]);
        }
        if let Some(catcher) = &mail {
            vars.extend([
                ("MAIL_PROVIDER", "smtp".to_owned()),
                ("SMTP_HOST", "127.0.0.1".to_owned()),
                ("SMTP_PORT", catcher.smtp_port.to_string()),
                // Plain text, which the edge allows only to loopback in development.
                ("SMTP_SECURITY", "none".to_owned()),
                ("MAIL_FROM", MAIL_FROM.to_owned()),
                ("MAIL_REPLY_TO", MAIL_REPLY_TO.to_owned()),
                ("MAIL_TREASURER", MAIL_TREASURER.to_owned()),
            ]);
        }
        let child = wrangler.spawn_dev(edge_port, &env_file, &vars)?;

        let mut stack = Stack {
            edge_url,
            site_url: site.url.clone(),
            sim_url: sim.url.clone(),
            turnstile_url: turnstile.url.clone(),
            persist_dir,
            pasted_dir,
            webhook_secret,
            api_key,
            mail_url: mail.as_ref().map(|catcher| catcher.url.clone()),
            admin_token,
            node: config.node.clone(),
            node_modules: node_modules_of(&config.wrangler),
            wrangler: child,
            _mail: mail,
            _site: site,
            _sim: sim,
            _turnstile: turnstile,
        };
        stack.wait_until_ready(&config.state_dir.join("wrangler.log"))?;
        Ok(stack)
    }

    /// Runs the edge's scheduled sweep once, as if at `at` (Unix seconds), as the cron trigger
    /// would; `wrangler dev` does not run cron triggers by itself.
    pub fn sweep(&self, at: i64) -> Result<(), StackError> {
        sweep(&self.edge_url, at)
    }

    /// The process group of `wrangler dev` and the workerd processes it started, for measuring
    /// their CPU time.
    pub fn edge_process_group(&self) -> u32 {
        self.wrangler.id()
    }

    /// The variables through which tests find this stack.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TIRELIRE_EDGE_URL", self.edge_url.clone()),
            ("TIRELIRE_SITE_URL", self.site_url.clone()),
            (
                "TIRELIRE_PASTED_DIR",
                self.pasted_dir.to_string_lossy().into_owned(),
            ),
            ("TIRELIRE_SIM_URL", self.sim_url.clone()),
            ("TIRELIRE_TURNSTILE_URL", self.turnstile_url.clone()),
            (
                "TIRELIRE_PERSIST_DIR",
                self.persist_dir.to_string_lossy().into_owned(),
            ),
            ("TIRELIRE_WEBHOOK_SECRET", self.webhook_secret.clone()),
            ("TIRELIRE_SIM_API_KEY", self.api_key.clone()),
            ("TIRELIRE_ADMIN_TOKEN", self.admin_token.clone()),
            (
                "TIRELIRE_MAIL_URL",
                self.mail_url.clone().unwrap_or_default(),
            ),
            ("TIRELIRE_NODE", self.node.to_string_lossy().into_owned()),
            (
                "TIRELIRE_NODE_MODULES",
                self.node_modules.to_string_lossy().into_owned(),
            ),
        ]
    }

    fn wait_until_ready(&mut self, log: &Path) -> Result<(), StackError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        // Starting workerd the first time on a loaded 2-core machine can take a while.
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.wrangler.try_wait() {
                return Err(fail(format!(
                    "wrangler dev exited ({status}); see {}:\n{}",
                    log.display(),
                    tail(log)
                )));
            }
            if agent
                .get(format!("{}/health", self.edge_url))
                .call()
                .is_ok()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(fail(format!(
            "the edge did not answer within 120 s; see {}:\n{}",
            log.display(),
            tail(log)
        )))
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        stop_group(&mut self.wrangler);
    }
}

struct Wrangler<'a> {
    config: &'a StackConfig,
    edge_dir: &'a Path,
    persist_dir: &'a Path,
}

impl Wrangler<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.config.node);
        command
            .arg(&self.config.wrangler)
            .args(args)
            .arg("--persist-to")
            .arg(self.persist_dir)
            .current_dir(self.edge_dir)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("XDG_CONFIG_HOME", self.config.state_dir.join("config"))
            .env("CI", "1");
        if let Some(path) = path_with_node(&self.config.node) {
            command.env("PATH", path);
        }
        command
    }

    fn run(&self, args: &[&str], what: &str) -> Result<(), StackError> {
        let output = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| fail(format!("cannot run wrangler to {what}: {error}")))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(fail(format!(
                "wrangler could not {what}:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )))
        }
    }

    fn spawn_dev(
        &self,
        port: u16,
        env_file: &Path,
        vars: &[(&str, String)],
    ) -> Result<Child, StackError> {
        let log_path = self.config.state_dir.join("wrangler.log");
        let log = File::create(&log_path)
            .map_err(|error| fail(format!("cannot create {}: {error}", log_path.display())))?;
        let log_err = log.try_clone().map_err(|error| fail(error.to_string()))?;
        let port = port.to_string();
        let inspector = free_port()?.to_string();
        let env_file = env_file.to_string_lossy().into_owned();
        let mut command = self.command(&[
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &port,
            "--inspector-port",
            &inspector,
            "--show-interactive-dev-session=false",
            "--live-reload=false",
            "--env-file",
            &env_file,
        ]);
        for (name, value) in vars {
            command.arg("--var").arg(format!("{name}:{value}"));
        }
        command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Its own process group, so that it can be stopped with all its children, and so that
            // Ctrl-C in the terminal reaches only our process, which then stops it in order.
            .process_group(0)
            .spawn()
            .map_err(|error| fail(format!("cannot start wrangler dev: {error}")))
    }
}

/// Runs the sweep of the edge at `edge_url` once, at `at` (Unix seconds), through the local
/// runtime's trigger for scheduled events.
pub fn sweep(edge_url: &str, at: i64) -> Result<(), StackError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!(
        "{edge_url}/cdn-cgi/local/scheduled?cron=*+*+*+*+*&time={}",
        at.saturating_mul(1000)
    );
    let mut response = agent
        .get(&url)
        .call()
        .map_err(|error| fail(format!("the sweep could not be triggered: {error}")))?;
    let body = response.body_mut().read_to_string().unwrap_or_default();
    if response.status() == 200 {
        Ok(())
    } else {
        Err(fail(format!(
            "the sweep failed ({}): {body}",
            response.status()
        )))
    }
}

/// The `node_modules` folder that holds wrangler, and the other npm packages beside it.
pub fn node_modules_of(wrangler: &Path) -> PathBuf {
    // node_modules/wrangler/bin/wrangler.js
    wrangler
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `PATH` with the folder of the `node` binary first, so that the tools Node.js starts (wrangler
/// starts workerd and esbuild, npm runs scripts) use that Node.js too.
pub fn path_with_node(node: &Path) -> Option<std::ffi::OsString> {
    let mut paths = vec![node.parent()?.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).ok()
}

/// Stops a child and every process in its group: SIGTERM, then SIGKILL after 5 s.
pub fn stop_group(child: &mut Child) {
    let Ok(pgid) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // A group id of 0 or 1 would signal our own group or every process; never do that.
    if pgid <= 1 {
        return;
    }
    signal_group(pgid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    signal_group(pgid, libc::SIGKILL);
    let _ = child.wait();
}

#[allow(unsafe_code)]
fn signal_group(pgid: libc::pid_t, signal: libc::c_int) {
    debug_assert!(pgid > 1);
    // SAFETY: kill(2) takes plain integers and touches no memory of ours; the caller checked
    // that the group id is above 1.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

fn seed_sql(seeds: &[PathBuf], site_origin: &str) -> Result<String, StackError> {
    let mut sql = String::new();
    for seed in seeds {
        let text = std::fs::read_to_string(seed)
            .map_err(|error| fail(format!("cannot read {}: {error}", seed.display())))?;
        sql.push_str(&text.replace("{{SITE_ORIGIN}}", site_origin));
        sql.push('\n');
    }
    Ok(sql)
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// The local D1 database file under a stack's `--persist-to` folder.
pub fn d1_file(persist_dir: &Path) -> Result<PathBuf, String> {
    let folder = persist_dir.join("v3/d1/miniflare-D1DatabaseObject");
    std::fs::read_dir(&folder)
        .map_err(|error| format!("cannot list {}: {error}", folder.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        // The database is named by a hash; miniflare keeps its own metadata.sqlite beside it.
        .find(|path| {
            path.extension().is_some_and(|ext| ext == "sqlite")
                && path.file_stem().is_some_and(|stem| stem.len() == 64)
        })
        .ok_or_else(|| format!("no D1 database under {}", folder.display()))
}

/// A port that was free a moment ago.
pub fn free_port() -> Result<u16, StackError> {
    TcpListener::bind(loopback(0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| fail(format!("no free port: {error}")))
}

fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system provides randomness");
    hex::encode(buffer)
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
