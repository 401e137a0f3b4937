//! The lints `cargo xtask test` enforces before any test runs: formatting, clippy on the host
//! and on wasm32, and the rule that `domain` stays plain Rust.

use std::process::Command;

use crate::run::{cargo, checked};

/// Crates that would tie `domain` to a browser or to the Workers runtime.
const FORBIDDEN_IN_DOMAIN: &[&str] = &[
    "wasm-bindgen",
    "js-sys",
    "web-sys",
    "worker",
    "worker-sys",
    "yew",
    "gloo",
];

/// Fails on the first lint that does not pass.
pub fn run() -> Result<(), String> {
    ensure_components()?;
    checked(
        cargo().args(["fmt", "--all", "--check"]),
        "pass `cargo fmt --check` (run `cargo fmt --all`)",
    )?;
    checked(
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "--deny",
            "warnings",
        ]),
        "pass clippy on the host",
    )?;
    checked(
        cargo().args([
            "clippy",
            "--package",
            "tirelire-domain",
            "--package",
            "tirelire-widget",
            "--package",
            "tirelire-edge",
            "--target",
            "wasm32-unknown-unknown",
            "--quiet",
            "--",
            "--deny",
            "warnings",
        ]),
        "pass clippy for wasm32",
    )?;
    domain_stays_plain()
}

/// `cargo tree` of domain's normal dependencies, on every target, must name none of
/// [`FORBIDDEN_IN_DOMAIN`].
fn domain_stays_plain() -> Result<(), String> {
    let output = cargo()
        .args([
            "tree",
            "--package",
            "tirelire-domain",
            "--edges",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .map_err(|error| format!("cannot run cargo tree: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let found = forbidden_crates(&tree);
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "domain must stay plain Rust, but depends on {}",
            found.join(", ")
        ))
    }
}

/// The forbidden crates named in `cargo tree --format {p}` output (`name vX.Y.Z [(path)]`).
fn forbidden_crates(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| FORBIDDEN_IN_DOMAIN.contains(name))
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// rustfmt and clippy come with most toolchains, but not with a minimal one.
fn ensure_components() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["component", "list", "--installed"])
        .output()
        .map_err(|error| format!("rustup is needed to check rustfmt and clippy: {error}"))?;
    let installed = String::from_utf8_lossy(&installed.stdout);
    for component in ["rustfmt", "clippy"] {
        if !installed
            .lines()
            .any(|line| line.starts_with(&format!("{component}-")))
        {
            println!("Adding the Rust component {component}…");
            checked(
                Command::new("rustup").args(["component", "add", component]),
                &format!("add {component}"),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_or_worker_crates_in_domain_are_found() {
        let tree = "tirelire-domain v0.1.0 (/w/domain)\nserde v1.0.0\nwasm-bindgen v0.2.130\nyew v0.23.0\nserde v1.0.0\n";
        assert_eq!(forbidden_crates(tree), ["wasm-bindgen", "yew"]);
    }

    #[test]
    fn plain_crates_pass() {
        let tree = "tirelire-domain v0.1.0 (/w/domain)\nserde v1.0.0\nthiserror v2.0.0\nwasm-bindgen-shared v0.2.130\n";
        assert!(forbidden_crates(tree).is_empty());
    }
}
