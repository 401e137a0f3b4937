//! `cargo xtask`: the project's commands. Each installs what it needs that is missing, into a
//! per-user cache outside the checkout, then builds and runs.
//!
//! ```text
//! cargo xtask demo             the demo association's page, with the edge and the simulator
//! cargo xtask test             every test: host, edge integration, browser
//! cargo xtask bench            sizes, render time and throughput, against the budgets
//! cargo xtask build [--no-opt] the widget and the Worker, ready for `wrangler deploy`
//! cargo xtask wrangler ARGS    the pinned wrangler, run in edge/ with the pinned Node.js
//! cargo xtask mail-test ADDR   a test message from an edge, to check its mail settings
//! cargo xtask admin invite ADDR  a one-time link into an edge's back-office
//! ```

mod admin;
mod bench;
mod build;
mod demo;
mod edge_api;
mod lint;
mod mail_test;
mod run;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match command {
        "demo" => demo::run(),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "build" => build::run(rest),
        "wrangler" => run::wrangler_passthrough(rest),
        "mail-test" => mail_test::run(rest),
        "admin" => admin::run(rest),
        "help" | "--help" | "-h" => {
            print_usage();
            Ok(())
        }
        other => Err(format!("unknown command `{other}`; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_usage() {
    println!(
        "cargo xtask demo             run the demo association's page, the edge and the Stripe simulator
cargo xtask test             run every test (host, edge integration, browser)
cargo xtask test NAME…       run only these suites (edge: payments, staff…; browser: admin…)
cargo xtask bench            print sizes, render time and throughput, and check the budgets
cargo xtask bench --sizes    only the sizes
cargo xtask build [--no-opt] build the widget and the Worker for `wrangler deploy`
cargo xtask wrangler ARGS    run the pinned wrangler in edge/ (e.g. `cargo xtask wrangler deploy`)
cargo xtask mail-test ADDR   ask an edge to send a test message [--edge URL] [--language fr|en]
cargo xtask admin invite ADDR  let someone into an edge's back-office [--role ROLE] [--edge URL]"
    );
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}
