//! Builds what `wrangler` serves and deploys: the Worker (`edge/build/`) and the static files
//! (`edge/public/`), which are the widget and its hosted page.
//!
//! The widget is one JavaScript file and one WebAssembly file. The JavaScript is the loader and
//! wasm-bindgen's `no-modules` glue, wrapped in one function so that nothing leaks into the
//! host page's globals. The wasm file's name carries a hash of its content, so browsers may
//! keep it for a year, while the loader's stable URL is kept for minutes only. The loader is
//! also written at an address named after its own content, for pages that pin it with
//! Subresource Integrity; it checks the wasm file's hash in turn.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::run::{cargo, checked};
use crate::tools::{Need, Tools};

/// Whether to run wasm-opt and minify. Off only for quick local iterations.
#[derive(Clone, Copy)]
pub struct Optimize(pub bool);

/// What a build produced.
pub struct Built {
    /// The widget's loader and glue.
    pub widget_js: PathBuf,
    /// The widget's WebAssembly.
    pub widget_wasm: PathBuf,
    /// The Worker's JavaScript.
    pub worker_js: PathBuf,
    /// The Worker's WebAssembly.
    pub worker_wasm: PathBuf,
}

/// `cargo xtask build [--no-opt]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let optimize = match args {
        [] => Optimize(true),
        [flag] if flag == "--no-opt" => Optimize(false),
        _ => return Err("usage: cargo xtask build [--no-opt]".into()),
    };
    let tools = Tools::ensure(Need::Build)?;
    let built = all(&tools, optimize)?;
    println!(
        "Built {} and {}.\nDeploy with `cargo xtask wrangler deploy` (see docs/deploy.md).",
        built.widget_js.display(),
        built.worker_js.display()
    );
    println!(
        "\nThe snippet's script, pinned to this build (see docs/embed.md):\n\n{}\n",
        pinned_snippet(&crate::repo_root())?
    );
    println!(
        "The WordPress plugin, once deployed: https://<your edge>/{WORDPRESS_ZIP}\n(upload it in WordPress's Plugins → Add New → Upload Plugin).\n"
    );
    Ok(())
}

/// Builds the widget, then the Worker.
pub fn all(tools: &Tools, optimize: Optimize) -> Result<Built, String> {
    let repo = crate::repo_root();
    let (widget_js, widget_wasm) = widget(tools, &repo, optimize)?;
    back_office(tools, &repo, optimize)?;
    let (worker_js, worker_wasm) = worker(tools, &repo, optimize)?;
    Ok(Built {
        widget_js,
        widget_wasm,
        worker_js,
        worker_wasm,
    })
}

fn widget(tools: &Tools, repo: &Path, optimize: Optimize) -> Result<(PathBuf, PathBuf), String> {
    println!("Building the widget…");
    let work = target_dir(repo).join("tirelire-widget");
    let bindgen_dir = work.join("bindgen");
    // Donors download the widget on slow phones: a second round of wasm-opt's passes takes
    // about 0.7 KB more off it (brotli), for a few seconds of build.
    let wasm_path = browser_crate(tools, repo, "tirelire_widget", &bindgen_dir, optimize, 2)?;
    let wasm = read(&wasm_path)?;
    let digest = hex::encode(Sha256::digest(&wasm));
    let wasm_name = format!("tirelire-{}.wasm", &digest[..12]);
    let wasm_integrity = integrity(&wasm);

    let glue = read_text(&bindgen_dir.join("tirelire_widget.js"))?;
    let loader = read_text(&repo.join("widget/loader.js"))?;
    for placeholder in [
        "__TIRELIRE_WASM__",
        "__TIRELIRE_WASM_INTEGRITY__",
        "__TIRELIRE_EDGES__",
        "__TIRELIRE_TEXTS__",
        "__TIRELIRE_STYLE__",
    ] {
        if !loader.contains(placeholder) {
            return Err(format!("widget/loader.js no longer names {placeholder}"));
        }
    }
    let edges = serde_json::to_string(&allowed_edges()?).map_err(|error| error.to_string())?;
    let texts = loader_texts(&repo.join("widget/src/i18n"))?.to_string();
    let style =
        serde_json::to_string(&minified_style(tools, repo)?).map_err(|error| error.to_string())?;
    let bundle = format!(
        "(function () {{\n\"use strict\";\n{glue}\n{}\n}})();\n",
        loader
            .replace("__TIRELIRE_WASM_INTEGRITY__", &wasm_integrity)
            .replace("__TIRELIRE_WASM__", &wasm_name)
            .replace("__TIRELIRE_EDGES__", &edges)
            .replace("__TIRELIRE_TEXTS__", &texts)
            .replace("__TIRELIRE_STYLE__", &style)
    );
    let unminified = work.join("tirelire.js");
    write(&unminified, bundle.as_bytes())?;

    let public = repo.join("edge/public");
    let out_dir = public.join("widget/v1");
    if public.exists() {
        std::fs::remove_dir_all(&public)
            .map_err(|error| format!("cannot clear {}: {error}", public.display()))?;
    }
    std::fs::create_dir_all(&out_dir)
        .map_err(|error| format!("cannot create {}: {error}", out_dir.display()))?;
    copy_dir(&repo.join("widget/static"), &public)?;
    let js_path = out_dir.join("tirelire.js");
    if optimize.0 {
        checked(
            Command::new(&tools.esbuild)
                .arg(&unminified)
                .args(["--minify", "--target=es2020", "--log-level=warning"])
                .arg(format!("--outfile={}", js_path.display())),
            "minify the widget's loader",
        )?;
    } else {
        write(&js_path, bundle.as_bytes())?;
    }
    let wasm_out = out_dir.join(&wasm_name);
    write(&wasm_out, &wasm)?;
    pin(&js_path, &out_dir)?;
    wordpress_plugin(repo, &public)?;
    Ok((js_path, wasm_out))
}

/// Builds the back-office into `edge/public/admin/`: its page and stylesheet, wasm-bindgen's
/// glue and the WebAssembly. Runs after the widget, which clears `edge/public/`.
fn back_office(tools: &Tools, repo: &Path, optimize: Optimize) -> Result<(), String> {
    println!("Building the back-office…");
    let out_dir = repo.join("edge/public/admin");
    std::fs::create_dir_all(&out_dir)
        .map_err(|error| format!("cannot create {}: {error}", out_dir.display()))?;
    copy_dir(&repo.join("admin/static"), &out_dir)?;
    browser_crate(tools, repo, "tirelire_admin", &out_dir, optimize, 1)?;
    Ok(())
}

/// Compiles a browser crate (`tirelire_widget`, `tirelire_admin`) to WebAssembly, writes it
/// with wasm-bindgen's `no-modules` glue into `out_dir`, and optimizes it there, with `rounds`
/// of wasm-opt's size passes, unless told not to. Gives the wasm file's path.
fn browser_crate(
    tools: &Tools,
    repo: &Path,
    name: &str,
    out_dir: &Path,
    optimize: Optimize,
    rounds: usize,
) -> Result<PathBuf, String> {
    let package = name.replace('_', "-");
    checked(
        cargo().args([
            "build",
            "--package",
            &package,
            "--release",
            "--target",
            "wasm32-unknown-unknown",
        ]),
        &format!("compile {package}"),
    )?;
    let compiled = target_dir(repo).join(format!("wasm32-unknown-unknown/release/{name}.wasm"));
    checked(
        Command::new(&tools.wasm_bindgen)
            .arg(compiled)
            .args(["--target", "no-modules", "--no-typescript", "--out-dir"])
            .arg(out_dir),
        &format!("generate the bindings of {package}"),
    )?;
    let wasm = out_dir.join(format!("{name}_bg.wasm"));
    if optimize.0 {
        checked(
            tools
                .node_command()
                .arg(&tools.wasm_opt)
                .args(std::iter::repeat_n("-Oz", rounds))
                .args(["--strip-debug", "--strip-producers"])
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
            &format!("optimize the wasm of {package}"),
        )?;
    }
    Ok(wasm)
}

/// The widget's stylesheet, minified: the loader carries it to each widget's shadow root.
fn minified_style(tools: &Tools, repo: &Path) -> Result<String, String> {
    let output = Command::new(&tools.esbuild)
        .arg(repo.join("widget/src/style.css"))
        .args(["--minify", "--log-level=warning"])
        .output()
        .map_err(|error| format!("cannot run esbuild: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "esbuild could not minify widget/src/style.css:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|error| error.to_string())
}

/// Where the edge serves the WordPress plugin, ready for *Plugins → Add New → Upload Plugin*.
pub const WORDPRESS_ZIP: &str = "integrations/tirelire-wordpress.zip";

/// Zips `integrations/wordpress/tirelire/` into the edge's static files, with fixed dates, so
/// that the same plugin always gives the same file.
fn wordpress_plugin(repo: &Path, public: &Path) -> Result<(), String> {
    use std::io::Write;
    let source = repo.join("integrations/wordpress/tirelire");
    let mut files: Vec<_> = std::fs::read_dir(&source)
        .map_err(|error| format!("cannot list {}: {error}", source.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let target = public.join(WORDPRESS_ZIP);
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
    }
    let file = std::fs::File::create(&target)
        .map_err(|error| format!("cannot create {}: {error}", target.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for path in files {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let name = format!("tirelire/{}", name.unwrap_or_default());
        let bytes = read(&path)?;
        zip.start_file(name, options)
            .map_err(|error| format!("cannot zip the WordPress plugin: {error}"))?;
        zip.write_all(&bytes)
            .map_err(|error| format!("cannot zip the WordPress plugin: {error}"))?;
    }
    zip.finish()
        .map_err(|error| format!("cannot zip the WordPress plugin: {error}"))?;
    Ok(())
}

/// The name and integrity of the pinned loader, as `cargo xtask build` prints them and the
/// demo site reads them.
pub const PINNED: &str = "pinned.json";

/// Writes the loader again at an address named after its content, which never changes, and
/// notes that address and its Subresource Integrity hash in [`PINNED`]. The loader names the
/// wasm file by its content and checks its hash, so a page that pins the loader pins the whole
/// widget.
fn pin(loader: &Path, out_dir: &Path) -> Result<(), String> {
    let bytes = read(loader)?;
    let name = format!("tirelire-{}.js", &hex::encode(Sha256::digest(&bytes))[..12]);
    write(&out_dir.join(&name), &bytes)?;
    let pinned = serde_json::json!({
        "script": format!("widget/v1/{name}"),
        "integrity": integrity(&bytes),
    });
    write(&out_dir.join(PINNED), pinned.to_string().as_bytes())
}

/// A Subresource Integrity value: `sha384-` and the base64 of the SHA-384 digest.
fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(sha2::Sha384::digest(bytes)))
}

/// The snippet that pins the widget, for the deployer to paste.
fn pinned_snippet(repo: &Path) -> Result<String, String> {
    let pinned: serde_json::Value = serde_json::from_str(&read_text(
        &repo.join("edge/public/widget/v1").join(PINNED),
    )?)
    .map_err(|error| error.to_string())?;
    Ok(format!(
        "<script src=\"https://<your edge>/{}\"\n        integrity=\"{}\"\n        crossorigin=\"anonymous\" async></script>",
        pinned["script"].as_str().unwrap_or_default(),
        pinned["integrity"].as_str().unwrap_or_default()
    ))
}

/// The other edges a page may name in `data-tirelire-edge`, from `TIRELIRE_WIDGET_EDGES`
/// (origins separated by commas). By default there are none: a widget talks only to the edge
/// that served it.
fn allowed_edges() -> Result<Vec<String>, String> {
    let listed = std::env::var("TIRELIRE_WIDGET_EDGES").unwrap_or_default();
    listed
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            tirelire_domain::WebOrigin::parse(origin)
                .map(String::from)
                .map_err(|error| format!("TIRELIRE_WIDGET_EDGES: {origin:?}: {error}"))
        })
        .collect()
}

/// The fields of a language file that the loader needs.
const LOADER_FIELDS: [&str; 3] = ["fallback_frame", "fallback_link", "fallback_unsupported"];

/// The loader's words in every language, read from the widget's language files
/// (`widget/src/i18n/<lang>.rs`, one `name: "text",` a line), so that a language is one file.
fn loader_texts(folder: &Path) -> Result<serde_json::Value, String> {
    let mut table = serde_json::Map::new();
    let entries = std::fs::read_dir(folder)
        .map_err(|error| format!("cannot list {}: {error}", folder.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Some(lang) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if lang == "mod" || path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let source = read_text(&path)?;
        let mut words = serde_json::Map::new();
        for field in LOADER_FIELDS {
            let text = string_field(&source, field)
                .ok_or_else(|| format!("{} has no one-line `{field}: \"…\",`", path.display()))?;
            words.insert(field.to_owned(), text.into());
        }
        table.insert(lang.to_owned(), words.into());
    }
    if table.is_empty() {
        return Err(format!("no language file in {}", folder.display()));
    }
    Ok(table.into())
}

/// The text of a `name: "…",` line, which must hold no escape.
fn string_field(source: &str, name: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let text = line
            .trim()
            .strip_prefix(name)?
            .strip_prefix(": \"")?
            .strip_suffix("\",")?;
        (!text.contains(['\\', '"'])).then(|| text.to_owned())
    })
}

fn worker(tools: &Tools, repo: &Path, optimize: Optimize) -> Result<(PathBuf, PathBuf), String> {
    println!("Building the Worker…");
    let mut command = Command::new(&tools.worker_build);
    command
        .arg("--release")
        .current_dir(repo.join("edge"))
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt);
    if let Some(path) = tools.path_with_node() {
        command.env("PATH", path);
    }
    if !optimize.0 {
        command.arg("--no-opt");
    }
    checked(&mut command, "build the Worker")?;
    let build = repo.join("edge/build");
    Ok((build.join("index.js"), build.join("index_bg.wasm")))
}

/// The workspace's target folder.
pub fn target_dir(repo: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(from)
        .map_err(|error| format!("cannot read {}: {error}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|error| error.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).map_err(|error| error.to_string())?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|error| format!("cannot copy {}: {error}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_gets_its_words_from_every_language_file() {
        let texts = loader_texts(&crate::repo_root().join("widget/src/i18n"))
            .unwrap_or_else(|error| panic!("{error}"));
        for lang in ["fr", "en"] {
            for field in LOADER_FIELDS {
                let text = texts[lang][field].as_str().unwrap_or_default();
                assert!(text.len() > 5, "{lang} {field}: {text:?}");
            }
        }
        assert_eq!(texts["fr"]["fallback_frame"], "Formulaire de don");
    }

    #[test]
    fn only_plain_one_line_strings_are_read() {
        let source = "    a: \"plain text\",\n    b: \"with \\u{a0} escape\",\n";
        assert_eq!(string_field(source, "a").as_deref(), Some("plain text"));
        assert_eq!(string_field(source, "b"), None);
        assert_eq!(string_field(source, "c"), None);
    }
}
