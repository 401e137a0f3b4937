//! A small threaded HTTP server on loopback, shared by the Stripe simulator and the demo site.

use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;

use tiny_http::{Request, Server};

/// A running server. Dropping it stops the server and waits for its threads.
pub struct ServerHandle {
    /// The server's origin, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
}

impl ServerHandle {
    /// Listens on `listen` (port 0 picks a free one) and answers each request with `handle`,
    /// on `threads` threads.
    pub fn start(
        listen: SocketAddr,
        threads: usize,
        handle: impl Fn(Request) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let server = Server::http(listen).map_err(std::io::Error::other)?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("the server is not on an IP address"))?;
        let server = Arc::new(server);
        let handle = Arc::new(handle);
        let workers = (0..threads)
            .map(|_| {
                let (server, handle) = (Arc::clone(&server), Arc::clone(&handle));
                std::thread::spawn(move || {
                    while let Ok(request) = server.recv() {
                        handle(request);
                    }
                })
            })
            .collect();
        Ok(Self {
            url: format!("http://{address}"),
            server,
            workers,
        })
    }

    /// A token that stays alive as long as the server does.
    pub fn alive(&self) -> Weak<Server> {
        Arc::downgrade(&self.server)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}
