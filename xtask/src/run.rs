//! Running other programs, with their output shown and their failure reported plainly.

use std::path::Path;
use std::process::Command;

use crate::tools::Tools;

/// Runs `command`, showing its output; fails with `what` if it fails.
pub fn checked(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("cannot start the command to {what}: {error} ({command:?})"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed to {what} ({status})"))
    }
}

/// `cargo` with the same toolchain that runs this xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The pinned wrangler, run in `edge/` with the pinned Node.js.
pub fn wrangler(tools: &Tools, repo: &Path) -> Command {
    let mut command = tools.node_command();
    command
        .arg(&tools.wrangler)
        .current_dir(repo.join("edge"))
        .env("WRANGLER_SEND_METRICS", "false");
    command
}

/// `cargo xtask wrangler ARGS`: for deploying, creating the D1 database, setting secrets.
pub fn wrangler_passthrough(args: &[String]) -> Result<(), String> {
    let tools = Tools::ensure(crate::tools::Need::Node)?;
    let repo = crate::repo_root();
    checked(wrangler(&tools, &repo).args(args), "run wrangler")
}
