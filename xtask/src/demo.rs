//! `cargo xtask demo`: the demo association's page, served from its own origin, with the edge
//! in `wrangler dev`, the Stripe simulator and the Turnstile stand-in. Donations persist between
//! runs in `.tirelire/`. The edge's sweep runs every minute, as its cron trigger would.

use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tirelire_tests::stack::{Ports, Stack, StackConfig};

use crate::build::{self, Optimize};
use crate::tools::{Need, Tools};

const PORTS: Ports = Ports {
    edge: 8787,
    site: 8080,
    sim: 12111,
    turnstile: 12112,
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
    };
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|error| format!("cannot catch Ctrl-C: {error}"))?;
    println!("Starting the edge, the Stripe simulator and the demo site…");
    let stack = Stack::start(&config).map_err(|error| error.to_string())?;
    println!("\n  Open {}/\n", stack.site_url);
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
