//! `cargo xtask test`: every test, from one command.
//!
//! 0. Lints: `cargo fmt --check`, clippy on the host and on wasm32, domain's dependencies.
//! 1. Host tests: domain, edge (Stripe encoding, signatures), widget state, xtask.
//! 2. Build the widget and the Worker as they are deployed.
//! 3. Start the stack on free ports with a fresh D1, migrated from the same files.
//! 4. Edge integration tests (Rust, over HTTP) against it, and the WordPress plugin in a real
//!    WordPress.
//! 5. Browser tests (headless Chromium) against the demo site.
//!
//! `cargo xtask test NAME…` runs only the named suites (an edge test target such as `payments`,
//! or a browser file such as `admin` for `tests/browser/admin.test.mjs`), on an unoptimised
//! build and without the lints and host tests: the quick loop while working on one part.

use std::path::{Path, PathBuf};
use std::process::Command;

use tirelire_tests::stack::{Ports, Stack, StackConfig};

use crate::build::{self, Optimize, target_dir};
use crate::run::{cargo, checked};
use crate::tools::{Need, Tools};

/// Runs everything, or only the suites named in `only`; the first failure stops the run.
pub fn run(only: &[String]) -> Result<(), String> {
    let tools = Tools::ensure(Need::Browser)?;
    crate::tools::ensure_wordpress()?;
    let repo = crate::repo_root();
    let browser_dir = repo.join("tests/browser");
    let browser_file = |name: &str| browser_dir.join(format!("{name}.test.mjs"));
    let manifest = std::fs::read_to_string(repo.join("tests/Cargo.toml"))
        .map_err(|error| format!("cannot read tests/Cargo.toml: {error}"))?;
    let edge_target = |name: &str| manifest.contains(&format!("name = \"{name}\""));
    let browser_only: Vec<&String> = only
        .iter()
        .filter(|name| browser_file(name).exists())
        .collect();
    let edge_only: Vec<&String> = only.iter().filter(|name| edge_target(name)).collect();
    if let Some(unknown) = only
        .iter()
        .find(|name| !browser_file(name).exists() && !edge_target(name))
    {
        return Err(format!(
            "no suite is called `{unknown}`: name an edge test target in tests/Cargo.toml or a file in tests/browser without .test.mjs"
        ));
    }

    if only.is_empty() {
        section("Lints");
        crate::lint::run()?;
        host_tests()?;
    }

    section("Build");
    build::all(&tools, Optimize(only.is_empty()))?;
    // Compile the integration tests before the stack starts, so that the stack's clock is not
    // spent compiling.
    let mut targets = vec!["test", "--package", "tirelire-tests"];
    if only.is_empty() {
        targets.extend(["--test", "*"]);
    }
    for name in &edge_only {
        targets.extend(["--test", name.as_str()]);
    }
    checked(
        cargo().args(&targets).arg("--no-run"),
        "compile the integration tests",
    )?;
    let stack = start_stack(&tools, &repo)?;

    let integration = if only.is_empty() || !edge_only.is_empty() {
        section("Edge integration tests");
        checked(
            cargo().args(&targets).envs(stack.env_vars()),
            "pass the edge integration tests",
        )
    } else {
        Ok(())
    };
    let browser = integration.and_then(|()| {
        if !only.is_empty() && browser_only.is_empty() {
            return Ok(());
        }
        section("Browser tests");
        let artifacts = target_dir(&repo).join("test-artifacts");
        std::fs::create_dir_all(&artifacts)
            .map_err(|error| format!("cannot create {}: {error}", artifacts.display()))?;
        let files: Vec<_> = browser_only.iter().map(|name| browser_file(name)).collect();
        browser_tests(&tools, &repo, &stack, &artifacts, files)
    });
    drop(stack);
    browser?;
    println!(
        "\nAll tests passed. Screenshots are in {}.",
        target_dir(&repo).join("test-artifacts").display()
    );
    Ok(())
}

fn host_tests() -> Result<(), String> {
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
    )
}

/// Starts the stack on free ports, with a fresh D1 seeded for the demo and the tests.
fn start_stack(tools: &Tools, repo: &Path) -> Result<Stack, String> {
    section("Stack");
    let state_dir = target_dir(repo).join("tirelire-test");
    if state_dir.exists() {
        std::fs::remove_dir_all(&state_dir)
            .map_err(|error| format!("cannot clear {}: {error}", state_dir.display()))?;
    }
    let stack = Stack::start(&StackConfig {
        repo: repo.to_path_buf(),
        state_dir,
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
    Ok(stack)
}

/// Runs the browser test files given, or all of them if none is.
fn browser_tests(
    tools: &Tools,
    repo: &Path,
    stack: &Stack,
    artifacts: &Path,
    mut files: Vec<PathBuf>,
) -> Result<(), String> {
    if files.is_empty() {
        let tests = repo.join("tests/browser");
        files = std::fs::read_dir(&tests)
            .map_err(|error| format!("cannot list {}: {error}", tests.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.to_string_lossy().ends_with(".test.mjs"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(format!("no browser tests in {}", tests.display()));
        }
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
