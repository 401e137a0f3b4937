//! SMTP to the association's mailbox: implicit TLS on 465, STARTTLS on 587, AUTH PLAIN or
//! LOGIN, one message per connection.
//!
//! The dialogue is `async-smtp`'s, over any stream a [`Connector`] opens, so the same code runs
//! on the Workers runtime's TCP sockets and, in the tests, on the host's sockets against a real
//! server. Cloudflare does not let Workers connect to port 25; a provider's submission port
//! (465 or 587) is what an association's mailbox offers anyway.

use std::future::Future;
use std::io;
use std::time::Duration;

use async_smtp::authentication::{Credentials, Mechanism};
use async_smtp::error::Error as SmtpError;
use async_smtp::extension::ClientId;
use async_smtp::{EmailAddress, Envelope, SendableEmail, SmtpClient, SmtpTransport};
use futures_util::future::{Either, LocalBoxFuture, select};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufStream};

use super::settings::{Security, SmtpSettings};
use super::{Mailer, Message, Outcome};

/// Opens the connections the SMTP dialogue runs over.
pub trait Connector {
    /// A byte stream, plain or TLS.
    type Stream: AsyncRead + AsyncWrite + Unpin;

    /// Connects to `host:port`, in TLS from the start when `security` is [`Security::Tls`].
    fn connect(
        &self,
        host: &str,
        port: u16,
        security: Security,
    ) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Turns a plain connection into a TLS one after the server agreed to STARTTLS.
    fn start_tls(
        &self,
        stream: Self::Stream,
        host: &str,
    ) -> impl Future<Output = io::Result<Self::Stream>>;
}

/// Sends one message: `mime` from `from` to `to`, greeting the server as `hello`.
pub async fn send<C: Connector>(
    connector: &C,
    settings: &SmtpSettings,
    hello: &str,
    from: &str,
    to: &str,
    mime: Vec<u8>,
) -> Outcome {
    let envelope = match (
        EmailAddress::new(from.to_owned()),
        EmailAddress::new(to.to_owned()),
    ) {
        (Ok(from), Ok(to)) => Envelope::new(Some(from), vec![to]),
        (Err(_), _) => {
            return Outcome::Misconfigured(format!("the sender {from:?} cannot be used in SMTP"));
        }
        (_, Err(_)) => {
            return Outcome::Refused(format!("the address {to:?} cannot be used in SMTP"));
        }
    };
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(error) => return Outcome::Refused(error.to_string()),
    };
    let stream = match connector
        .connect(&settings.host, settings.port, settings.security)
        .await
    {
        Ok(stream) => stream,
        Err(error) => {
            return Outcome::RetryLater(format!(
                "cannot connect to {}:{}: {error}",
                settings.host, settings.port
            ));
        }
    };
    let client = || SmtpClient::new().hello_name(ClientId::new(hello.to_owned()));
    let mut transport = match SmtpTransport::new(client(), BufStream::new(stream)).await {
        Ok(transport) => transport,
        Err(error) => return at("greeting", error),
    };
    if settings.security == Security::StartTls {
        let plain = match transport.starttls().await {
            Ok(stream) => stream.into_inner(),
            Err(SmtpError::Client(_)) => {
                return Outcome::Misconfigured(format!(
                    "{} does not offer STARTTLS on port {}; try port 465",
                    settings.host, settings.port
                ));
            }
            Err(error) => return at("STARTTLS", error),
        };
        let secure = match connector.start_tls(plain, &settings.host).await {
            Ok(secure) => secure,
            Err(error) => return Outcome::RetryLater(format!("TLS failed: {error}")),
        };
        transport =
            match SmtpTransport::new(client().without_greeting(), BufStream::new(secure)).await {
                Ok(transport) => transport,
                Err(error) => return at("EHLO after STARTTLS", error),
            };
    }
    if let Some((username, password)) = &settings.credentials {
        let credentials = Credentials::new(username.clone(), password.clone());
        let login = match transport.auth(Mechanism::Plain, &credentials).await {
            // 504: PLAIN is not offered; LOGIN is the other one servers have.
            Err(SmtpError::Permanent(response)) if response.code.to_string() == "504" => {
                transport.auth(Mechanism::Login, &credentials).await
            }
            other => other,
        };
        match login {
            Ok(_) => {}
            Err(SmtpError::Permanent(response)) => {
                return Outcome::Misconfigured(format!(
                    "the server refused the login: {} {}",
                    response.code,
                    response.message.join(" ")
                ));
            }
            Err(error) => return at("AUTH", error),
        }
    }
    let outcome = match transport.send(SendableEmail::new(envelope, mime)).await {
        Ok(_) => Outcome::Sent,
        Err(error) => at("sending", error),
    };
    // The message is delivered or not by now; a failed goodbye changes nothing. The connection
    // is closed properly, so that the server sees an end rather than a reset.
    let _ = transport.quit().await;
    let _ = transport.into_inner().into_inner().shutdown().await;
    outcome
}

/// A failure at one step: 4xx and lost connections may pass later, 5xx will not.
fn at(step: &str, error: SmtpError) -> Outcome {
    match error {
        SmtpError::Permanent(response) => Outcome::Refused(format!(
            "{step}: {} {}",
            response.code,
            response.message.join(" ")
        )),
        SmtpError::Transient(response) => Outcome::RetryLater(format!(
            "{step}: {} {}",
            response.code,
            response.message.join(" ")
        )),
        other => Outcome::RetryLater(format!("{step}: {other}")),
    }
}

/// SMTP over the Workers runtime's TCP sockets.
pub struct WorkerSmtp {
    /// The server.
    pub settings: SmtpSettings,
    /// The name given in EHLO: the sender's domain.
    pub hello: String,
    /// How long one message may take, from connecting to the goodbye.
    pub timeout_ms: u32,
}

impl Mailer for WorkerSmtp {
    fn send<'a>(&'a self, message: &'a Message, _key: &'a str) -> LocalBoxFuture<'a, Outcome> {
        Box::pin(async move {
            let sending = Box::pin(send(
                &WorkerSockets,
                &self.settings,
                &self.hello,
                &message.from.address,
                &message.to.address,
                message.to_mime(),
            ));
            let timeout = worker::Delay::from(Duration::from_millis(self.timeout_ms.into()));
            match select(sending, timeout).await {
                Either::Left((outcome, _)) => outcome,
                Either::Right(_) => Outcome::RetryLater(format!(
                    "{}:{} did not finish within {} ms",
                    self.settings.host, self.settings.port, self.timeout_ms
                )),
            }
        })
    }
}

struct WorkerSockets;

impl Connector for WorkerSockets {
    type Stream = worker::Socket;

    async fn connect(
        &self,
        host: &str,
        port: u16,
        security: Security,
    ) -> io::Result<worker::Socket> {
        let transport = match security {
            Security::Tls => worker::SecureTransport::On,
            Security::StartTls => worker::SecureTransport::StartTls,
            Security::None => worker::SecureTransport::Off,
        };
        let socket = worker::Socket::builder()
            .secure_transport(transport)
            .connect(host, port)
            .map_err(|error| io::Error::other(error.to_string()))?;
        socket
            .opened()
            .await
            .map_err(|error| io::Error::other(error.to_string()))?;
        Ok(socket)
    }

    async fn start_tls(&self, stream: worker::Socket, _host: &str) -> io::Result<worker::Socket> {
        // The socket was opened for STARTTLS above, which is all the upgrade needs.
        Ok(stream.start_tls())
    }
}
