//! The WordPress plugin (`integrations/wordpress/tirelire/`) in a real WordPress: Debian's
//! `wordpress` package on a throwaway MariaDB, driven by `tests/wordpress/wordpress.php`, which
//! installs WordPress, activates the plugin (unpacked from the zip the edge serves), renders the shortcode and the block through
//! WordPress's own functions, and uninstalls it. `cargo xtask test` installs php-cli, WordPress
//! and MariaDB with apt when they are missing.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const WORDPRESS: &str = "/usr/share/wordpress/wp-settings.php";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn plugin_dir() -> PathBuf {
    repo().join("integrations/wordpress/tirelire")
}

/// A MariaDB server of its own, on a socket in a fresh folder; stopped when dropped.
struct Database {
    socket: PathBuf,
    child: Child,
}

impl Database {
    fn start(dir: &Path) -> Self {
        let data = dir.join("data");
        let status = Command::new("mariadb-install-db")
            .args([
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ])
            .arg(format!("--datadir={}", data.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("mariadb-install-db runs (cargo xtask test installs mariadb-server)");
        assert!(status.success(), "mariadb-install-db failed");
        let socket = dir.join("mysqld.sock");
        let child = Command::new("mariadbd")
            .args(["--user=root", "--skip-networking"])
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", dir.join("mysqld.pid").display()))
            .arg(format!("--log-error={}", dir.join("mysqld.log").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("mariadbd starts");
        let database = Self { socket, child };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let created = Command::new("mariadb")
                .arg(format!("--socket={}", database.socket.display()))
                .args(["-uroot", "-e", "CREATE DATABASE IF NOT EXISTS wordpress"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if created {
                return database;
            }
            assert!(
                Instant::now() < deadline,
                "MariaDB did not start; see {}",
                dir.join("mysqld.log").display()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        tirelire_tests::stack::stop_group(&mut self.child);
    }
}

/// Runs one phase of `wordpress.php` and reads its JSON.
fn phase(name: &str, database: &Database, plugins: &Path, content: &Path) -> Value {
    let output = Command::new("php")
        .arg(repo().join("tests/wordpress/wordpress.php"))
        .arg(name)
        .arg(&database.socket)
        .arg(plugins)
        .arg(content)
        .output()
        .expect("php runs (cargo xtask test installs php-cli)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the {name} phase failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("{name}: {error} in {stdout}"))
}

#[test]
fn the_plugins_php_is_valid() {
    for file in ["tirelire.php", "uninstall.php", "block.asset.php"] {
        let output = Command::new("php")
            .arg("-l")
            .arg(plugin_dir().join(file))
            .output()
            .expect("php runs (cargo xtask test installs php-cli)");
        assert!(
            output.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let block: Value = serde_json::from_str(
        &std::fs::read_to_string(plugin_dir().join("block.json")).expect("block.json"),
    )
    .expect("block.json is JSON");
    assert_eq!(block["name"], "tirelire/form");
}

#[test]
fn wordpress_renders_the_shortcode_and_the_block_and_uninstalls_cleanly() {
    assert!(
        Path::new(WORDPRESS).is_file(),
        "WordPress is missing: run these tests with `cargo xtask test`, which installs it"
    );
    let dir = std::env::temp_dir().join(format!("tirelire-wordpress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let plugins = dir.join("plugins");
    let content = dir.join("content");
    std::fs::create_dir_all(&plugins).expect("a plugins folder");
    std::fs::create_dir_all(&content).expect("a content folder");
    // Installed from the zip the edge serves, as WordPress's upload would unpack it.
    let zip = repo().join("edge/public/integrations/tirelire-wordpress.zip");
    let file = std::fs::File::open(&zip)
        .unwrap_or_else(|error| panic!("{}: {error}; `cargo xtask build` makes it", zip.display()));
    zip::ZipArchive::new(file)
        .and_then(|mut archive| archive.extract(&plugins))
        .expect("the plugin's zip unpacks");
    for entry in std::fs::read_dir(plugin_dir()).expect("the plugin's folder") {
        let entry = entry.expect("a file");
        let unpacked = std::fs::read(plugins.join("tirelire").join(entry.file_name()));
        assert_eq!(
            unpacked.ok(),
            std::fs::read(entry.path()).ok(),
            "{:?} is in the zip as in the repository",
            entry.file_name()
        );
    }
    let database = Database::start(&dir);

    assert_eq!(
        phase("install", &database, &plugins, &content)["activated"],
        true
    );
    let out = phase("render", &database, &plugins, &content);
    let text = |name: &str| out[name].as_str().unwrap_or_default().to_owned();

    // Before the edge is set, visitors see nothing.
    assert_eq!(text("unset_visitor"), "");
    // The settings keep the origin only, and refuse plain http.
    assert_eq!(text("edge"), "https://dons.example.org");
    assert_eq!(text("refused_http"), "");
    // The shortcode: the placeholder, with a link to the edge's own form inside.
    assert_eq!(
        text("shortcode"),
        "<div class=\"wp-block-tirelire-form\" data-tirelire-campaign=\"jardin-2026\">\
         <a href=\"https://dons.example.org/widget/v1/page.html?campaign=jardin-2026\">Give to this campaign</a></div>"
    );
    assert!(
        text("shortcode_en")
            .contains("data-tirelire-campaign=\"jardin-2026\" data-tirelire-locale=\"en\"")
    );
    // The block, rendered by WordPress from its comment.
    assert_eq!(out["block_known"], true);
    assert!(
        text("block")
            .contains("data-tirelire-campaign=\"ruches-2026\" data-tirelire-locale=\"en\"")
    );
    assert!(text("block").contains("page.html?campaign=ruches-2026&#038;locale=en"));
    // A malformed campaign: nothing for visitors, a word for editors, never the input echoed.
    assert_eq!(text("bad_visitor"), "");
    assert!(text("bad_editor").contains("tirelire-notice"));
    assert!(!text("bad_editor").contains("Pas valide"));
    // An author may not write <script>: WordPress removed theirs, yet their form shows.
    assert_eq!(out["author_may_write_scripts"], false);
    assert!(!text("author_saved").contains("<script"));
    assert!(text("author_rendered").contains("data-tirelire-campaign=\"jardin-2026\""));
    // The edge's script once, async, from the edge, in the footer, with no per-page token or
    // version in its address, so page caches can keep the page as it is.
    assert_eq!(
        text("footer").trim(),
        "<script async type='text/javascript' src='https://dons.example.org/widget/v1/tirelire.js' id='tirelire-js'></script>"
    );
    assert!(!text("head").contains("tirelire"));

    let gone = phase("uninstall", &database, &plugins, &content);
    assert_eq!(gone["option"], Value::Null);
    assert_eq!(gone["leftover"], 0);
    drop(database);
    let _ = std::fs::remove_dir_all(&dir);
}
