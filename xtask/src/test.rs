//! `cargo xtask test`: every test, from one command.
//!
//! 0. Lints: `cargo fmt --check`, clippy on the host and on wasm32, domain's dependencies.
//! 1. Host tests: domain, edge (Stripe encoding, signatures), widget state, xtask.
//! 2. Build the widget and the Worker as they are deployed.
//! 3. Start the stack on free ports with a fresh D1, migrated from the same files.
//! 4. Edge integration tests (Rust, over HTTP) against it, and the WordPress plugin in a real
//!    WordPress.
//! 5. Browser tests (headless Chromium) against the demo site.

use std::path::Path;
use std::process::Command;

use tirelire_tests::stack::{Ports, Stack, StackConfig};

use crate::build::{self, Optimize, target_dir};
use crate::run::{cargo, checked};
use crate::tools::{Need, Tools};

/// Runs everything; the first failure stops the run.
pub fn run() -> Result<(), String> {
    let tools = Tools::ensure(Need::Browser)?;
    crate::tools::ensure_wordpress()?;
    let repo = crate::repo_root();

    section("Lints");
    crate::lint::run()?;

    section("Host tests");
    checked(
        cargo().args([
            "test",
            "--package",
            "tirelire-domain",
            "--package",
            "tirelire-edge",
            "--package",
            "tirelire-widget",
            "--package",
            "xtask",
            "--package",
            "tirelire-tests",
            "--lib",
            "--bins",
        ]),
        "pass the host tests",
    )?;

    section("Build");
    build::all(&tools, Optimize(true))?;
    // Compile the integration tests before the stack starts, so that the stack's clock is not
    // spent compiling.
    checked(
        cargo().args([
            "test",
            "--package",
            "tirelire-tests",
            "--test",
            "*",
            "--no-run",
        ]),
        "compile the integration tests",
    )?;

    section("Stack");
    let state_dir = target_dir(&repo).join("tirelire-test");
    if state_dir.exists() {
        std::fs::remove_dir_all(&state_dir)
            .map_err(|error| format!("cannot clear {}: {error}", state_dir.display()))?;
    }
    let artifacts = target_dir(&repo).join("test-artifacts");
    std::fs::create_dir_all(&artifacts)
        .map_err(|error| format!("cannot create {}: {error}", artifacts.display()))?;
    let stack = Stack::start(&StackConfig {
        repo: repo.clone(),
        state_dir: state_dir.clone(),
        node: tools.node.clone(),
        wrangler: tools.wrangler.clone(),
        ports: Ports::default(),
        seeds: vec![repo.join("demo-site/seed.sql"), repo.join("tests/seed.sql")],
        gates: true,
        mail: true,
    })
    .map_err(|error| error.to_string())?;
    println!(
        "Edge {} · site {} · simulator {}",
        stack.edge_url, stack.site_url, stack.sim_url
    );

    // Only the integration test targets: the library's own tests already ran with the host tests.
    section("Edge integration tests");
    let mut integration = cargo();
    integration
        .args(["test", "--package", "tirelire-tests", "--test", "*"])
        .envs(stack.env_vars());
    let integration = checked(&mut integration, "pass the edge integration tests");

    let browser = integration.and_then(|()| {
        section("Browser tests");
        browser_tests(&tools, &repo, &stack, &artifacts)
    });
    drop(stack);
    browser?;
    println!(
        "\nAll tests passed. Screenshots are in {}.",
        artifacts.display()
    );
    Ok(())
}

fn browser_tests(
    tools: &Tools,
    repo: &Path,
    stack: &Stack,
    artifacts: &Path,
) -> Result<(), String> {
    let tests = repo.join("tests/browser");
    let mut files: Vec<_> = std::fs::read_dir(&tests)
        .map_err(|error| format!("cannot list {}: {error}", tests.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no browser tests in {}", tests.display()));
    }
    let mut command: Command = tools.node_command();
    command
        .args(["--test", "--test-concurrency=1"])
        .args(&files)
        .envs(stack.env_vars())
        .env("TIRELIRE_NODE_MODULES", &tools.node_modules)
        .env("TIRELIRE_CHROMIUM", &tools.chromium)
        .env("TIRELIRE_ARTIFACTS", artifacts);
    checked(&mut command, "pass the browser tests")
}

fn section(title: &str) {
    println!("\n── {title} ──");
}
