//! Runs the Stripe simulator on its own, e.g. to point a locally running edge at it.
//!
//! ```text
//! psp-sim --listen 127.0.0.1:12111 --api-key sk_test_… --webhook-secret whsec_… \
//!         --webhook-url http://127.0.0.1:8787/v1/webhooks/stripe
//! ```

use std::net::SocketAddr;

use tirelire_tests::psp_sim::{SimConfig, start};

fn main() {
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 12111));
    let mut config = SimConfig {
        api_key: String::new(),
        webhook_secret: String::new(),
        webhook_url: String::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--listen" => {
                listen = value
                    .parse()
                    .unwrap_or_else(|_| usage("--listen takes HOST:PORT"))
            }
            "--api-key" => config.api_key = value,
            "--webhook-secret" => config.webhook_secret = value,
            "--webhook-url" => config.webhook_url = value,
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    if config.api_key.is_empty()
        || config.webhook_secret.is_empty()
        || config.webhook_url.is_empty()
    {
        usage("--api-key, --webhook-secret and --webhook-url are required");
    }
    match start(listen, config) {
        Ok(sim) => {
            println!("Stripe simulator listening on {}", sim.url);
            loop {
                std::thread::park();
            }
        }
        Err(error) => {
            eprintln!("psp-sim: cannot listen on {listen}: {error}");
            std::process::exit(1);
        }
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("psp-sim: {problem}");
    eprintln!(
        "usage: psp-sim [--listen 127.0.0.1:12111] --api-key KEY --webhook-secret SECRET --webhook-url URL"
    );
    std::process::exit(2)
}
