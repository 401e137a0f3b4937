//! Serves the demo association's pages from `demo-site/`, on their own origin, as the
//! association's web host would. The only change made on the way is in HTML pages, where
//! `{{EDGE}}` becomes the edge's URL, so that the snippet in them points at the running edge,
//! and `{{PINNED_SCRIPT}}` and `{{PINNED_INTEGRITY}}` become the pinned loader's address and
//! hash, as `cargo xtask build` prints them.
//!
//! Pages under `/pasted/` come from another folder, where tests write the pages a treasurer
//! would make by pasting a snippet from the back-office into their site.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use tiny_http::{Header, Response};

use crate::server::ServerHandle;

/// Serves `root` on `listen`, with `edge_url` put in place of `{{EDGE}}` in HTML pages, jQuery
/// from the npm packages in `node_modules` at `/vendor/jquery.js`, as a WordPress site serves
/// it, and the files of `pasted` under `/pasted/`.
pub fn serve(
    listen: SocketAddr,
    root: PathBuf,
    pasted: PathBuf,
    edge_url: String,
    node_modules: PathBuf,
) -> std::io::Result<ServerHandle> {
    let jquery = node_modules.join("jquery/dist/jquery.min.js");
    ServerHandle::start(listen, 3, move |request| {
        let response = respond(&root, &pasted, &edge_url, &jquery, request.url());
        let _ = request.respond(response);
    })
}

fn respond(
    root: &Path,
    pasted: &Path,
    edge_url: &str,
    jquery: &Path,
    url: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let file = if path == "/vendor/jquery.js" {
        jquery.is_file().then(|| jquery.to_path_buf())
    } else if let Some(page) = path.strip_prefix("/pasted/") {
        resolve(pasted, page)
    } else {
        resolve(root, path)
    };
    let Some(file) = file else {
        return text_response(404, "text/plain; charset=utf-8", b"Not found".to_vec());
    };
    let Ok(bytes) = std::fs::read(&file) else {
        return text_response(404, "text/plain; charset=utf-8", b"Not found".to_vec());
    };
    let content_type = match file.extension().and_then(|ext| ext.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    let bytes = if content_type.starts_with("text/html") {
        let pinned = pinned(root);
        String::from_utf8_lossy(&bytes)
            .replace("{{EDGE}}", edge_url)
            .replace(
                "{{PINNED_SCRIPT}}",
                pinned["script"].as_str().unwrap_or_default(),
            )
            .replace(
                "{{PINNED_INTEGRITY}}",
                pinned["integrity"].as_str().unwrap_or_default(),
            )
            .into_bytes()
    } else {
        bytes
    };
    text_response(200, content_type, bytes)
}

/// The pinned loader's address and hash, from the last build of the widget beside the site.
fn pinned(root: &Path) -> serde_json::Value {
    let file = root.join("../edge/public/widget/v1/pinned.json");
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The file for a URL path, refusing anything that would leave `root`.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|part| !matches!(part, Component::Normal(_)))
    {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn text_response(
    status: u16,
    content_type: &str,
    bytes: Vec<u8>,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut response = Response::from_data(bytes).with_status_code(status);
    if let Ok(header) = Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes()) {
        response.add_header(header);
    }
    if let Ok(header) = Header::from_bytes(&b"Cache-Control"[..], &b"no-cache"[..]) {
        response.add_header(header);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_site() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo-site");
        assert!(resolve(&root, "/../Cargo.toml").is_none());
        assert!(resolve(&root, "/%2e%2e/Cargo.toml").is_none());
        assert!(resolve(&root, "/").is_some_and(|file| file.ends_with("index.html")));
    }
}
