//! Bodies that could hurt the edge: a 50 MB body, sent chunked or with its length, is refused
//! with 413 as soon as it passes the limit, on checkout and on the webhook, while a donation made
//! at the same time goes through. Refusals never echo what the edge read or knows.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;

const FIFTY_MB: usize = 50 * 1024 * 1024;

/// Sends a POST of 50 MB of `x` to `path` and returns the status and body of the answer. A
/// chunked body is sent until the answer comes; with a `Content-Length`, the edge must answer
/// from the headers alone, so no byte of the body is sent (a client sending it anyway would race
/// the local proxies, which reset a connection whose body is cut short, answer and all).
fn post_huge(edge_url: &str, path: &str, extra: &[(&str, &str)], chunked: bool) -> (u16, String) {
    let address = edge_url.trim_start_matches("http://");
    let stream = TcpStream::connect(address).expect("the edge listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("a read timeout");
    let mut head =
        format!("POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/plain\r\n");
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    } else {
        head.push_str(&format!("Content-Length: {FIFTY_MB}\r\n\r\n"));
    }
    let answered = AtomicBool::new(false);
    let mut writer = stream.try_clone().expect("a second handle");
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reader = BufReader::new(&stream);
            let mut status_line = String::new();
            let read = reader.read_line(&mut status_line);
            answered.store(true, Ordering::SeqCst);
            read.expect("an answer arrives");
            let status = status_line
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok())
                .unwrap_or(0);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            (status, String::from_utf8_lossy(&body).into_owned())
        });
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        let _ = writer.write_all(head.as_bytes());
        while chunked && sent < FIFTY_MB && !answered.load(Ordering::SeqCst) {
            let written = writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .and_then(|()| writer.write_all(&chunk))
                .and_then(|()| writer.write_all(b"\r\n"));
            // The edge may close the connection once it has answered.
            if written.is_err() {
                break;
            }
            sent += chunk.len();
        }
        if chunked && sent >= FIFTY_MB {
            let _ = writer.write_all(b"0\r\n\r\n");
        }
        reader.join().expect("the reader")
    })
}

#[test]
fn fifty_megabytes_are_refused_while_a_donation_goes_through() {
    let stack = stack();
    let origin = stack.site_url.clone();
    let before = order_count(&stack, "test-bodies");
    let checkout_path = "/v1/campaigns/test-bodies/checkout";
    let webhook_path = "/v1/webhooks/stripe";
    let signature = format!("t={},v1={}", now(), "0".repeat(64));
    std::thread::scope(|scope| {
        let huge = [
            (checkout_path, true),
            (checkout_path, false),
            (webhook_path, true),
            (webhook_path, false),
        ]
        .map(|(path, chunked)| {
            let (edge, origin, signature) = (&stack.edge_url, &origin, &signature);
            scope.spawn(move || {
                let ip = client_ip();
                let headers = [
                    ("Origin", origin.as_str()),
                    ("CF-Connecting-IP", ip.as_str()),
                    ("Stripe-Signature", signature.as_str()),
                ];
                (path, chunked, post_huge(edge, path, &headers, chunked))
            })
        });
        // Meanwhile, a donor gives.
        let (order_id, _) = checkout_ok(&stack, "test-bodies", 2000);
        assert_eq!(order_status(&stack, &order_id).as_deref(), Some("pending"));
        for thread in huge {
            let (path, chunked, (status, body)) = thread.join().expect("a sender");
            assert_eq!(status, 413, "{path} chunked={chunked}: {body}");
            assert!(body.contains("payload_too_large"), "{path}: {body}");
            assert!(
                !body.contains("16384") && !body.contains("524288"),
                "{body}"
            );
        }
    });
    assert_eq!(order_count(&stack, "test-bodies"), before + 1);
}

#[test]
fn refusals_do_not_echo_the_request_or_the_edges_details() {
    let stack = stack();
    let slug = "no-such-campaign-4f3a";
    let answer = stack.get(&format!("/v1/campaigns/{slug}"));
    assert_eq!(answer.status, 404);
    assert!(!answer.body.contains(slug), "{}", answer.body);

    let answer = checkout(
        &stack,
        "test-bodies",
        br#"{"donation": {"amount": "twenty"}}"#,
    );
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_code(), "malformed_body");
    for leak in ["invalid type", "line 1", "column", "twenty", "expected"] {
        assert!(!answer.body.contains(leak), "{leak}: {}", answer.body);
    }

    // Every answer says what it is and may not be framed or sniffed, static files included.
    for answer in [
        answer,
        stack.get("/health"),
        stack.get("/widget/v1/tirelire.js"),
        stack.get("/widget/v1/page.css"),
    ] {
        assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(answer.header("Referrer-Policy"), Some("no-referrer"));
        assert!(
            answer
                .header("Content-Security-Policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
            "{:?}",
            answer.headers
        );
    }
}

#[test]
fn the_hosted_form_may_only_be_framed_by_the_campaigns_sites() {
    let stack = stack();
    let page = stack.get("/widget/v1/page.html?campaign=jardin-2026&locale=fr");
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page
        .header("Content-Security-Policy")
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {}", stack.site_url)),
        "{csp}"
    );
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(page.header("X-Content-Type-Options"), Some("nosniff"));
    assert!(page.header("Referrer-Policy").is_some());

    let unknown = stack.get("/widget/v1/page.html?campaign=nobody");
    let csp = unknown
        .header("Content-Security-Policy")
        .unwrap_or_default();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");

    let challenge = stack.get("/widget/v1/challenge.html?campaign=jardin-2026");
    assert_eq!(challenge.status, 200);
    let csp = challenge
        .header("Content-Security-Policy")
        .unwrap_or_default();
    assert!(csp.contains(&stack.turnstile_url), "{csp}");
    assert!(challenge.body.contains("1x00000000000000000000AA"));
}
