//! `cargo xtask demo`: the demo association's page, served from its own origin, with the edge
//! in `wrangler dev`, the Stripe simulator, the Turnstile stand-in and a mail catcher whose page
//! shows every message the edge sends. Donations persist between runs in `.tirelire/`. The edge's sweep runs every minute, as its cron trigger would.

use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tirelire_tests::stack::{MAIL_TREASURER, Ports, Stack, StackConfig};

use crate::build::{self, Optimize};
use crate::tools::{Need, Tools};

const PORTS: Ports = Ports {
    edge: 8787,
    site: 8080,
    sim: 12111,
    turnstile: 12112,
    mail_smtp: 1025,
    mail_web: 1080,
};
/// The cron trigger's period.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Installs, builds, starts everything, prints the URL, and stops everything on Ctrl-C.
pub fn run() -> Result<(), String> {
    let tools = Tools::ensure(Need::Build)?;
    build::all(&tools, Optimize(true))?;
    let repo = crate::repo_root();
    let config = StackConfig {
        repo: repo.clone(),
        state_dir: repo.join(".tirelire/demo"),
        node: tools.node.clone(),
        wrangler: tools.wrangler.clone(),
        ports: PORTS,
        seeds: vec![repo.join("demo-site/seed.sql")],
        gates: true,
        mail: true,
    };
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|error| format!("cannot catch Ctrl-C: {error}"))?;
    println!("Starting the edge, the Stripe simulator, the mail catcher and the demo site…");
    std::fs::create_dir_all(&config.state_dir)
        .map_err(|error| format!("cannot create {}: {error}", config.state_dir.display()))?;
    let stack = Stack::start(&config).map_err(|error| error.to_string())?;
    // `cargo xtask mail-test` finds the demo's admin token here.
    let token_file = config.state_dir.join("admin-token");
    std::fs::write(&token_file, &stack.admin_token)
        .map_err(|error| format!("cannot write {}: {error}", token_file.display()))?;
    println!("\n  Open {}/\n", stack.site_url);
    // The demo association's treasurer, let in as admin with a fresh link at each start.
    match crate::admin::invite(&stack.edge_url, &stack.admin_token, MAIL_TREASURER, "admin") {
        Ok(link) => println!(
            "  The back-office, signed in as {MAIL_TREASURER} (the link works once):\n  {link}\n"
        ),
        Err(error) => eprintln!("  The back-office's invitation failed: {error}\n"),
    }
    if let Some(mail_url) = &stack.mail_url {
        println!("  Mail the edge sends (receipts, notices, tests): {mail_url}/\n");
    }
    println!(
        "  The association's page, served from its own origin. Its edge runs at {} (logs in\n  .tirelire/demo/wrangler.log), with the Stripe simulator standing in for Stripe.\n  Donations persist in .tirelire/demo/ between runs. Press Ctrl-C to stop.\n",
        stack.edge_url
    );
    // Ctrl-C ends the wait; every minute without it, the sweep runs.
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop_rx.recv_timeout(SWEEP_EVERY) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs() as i64)
            .unwrap_or_default();
        if let Err(error) = stack.sweep(now) {
            eprintln!("{error}");
        }
    }
    println!("\nStopping…");
    drop(stack);
    println!("Stopped.");
    Ok(())
}
