//! The edge's SMTP code, run on the host against a real SMTP server on loopback (nodemailer's
//! smtp-server, started from `tests/mail/catcher.cjs`): the same code the Worker runs over
//! its TCP sockets, here over tokio's, with rustls for STARTTLS and port-465 TLS.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use tirelire_edge::mail::settings::{Security, SmtpSettings};
use tirelire_edge::mail::smtp::{self, Connector};
use tirelire_edge::mail::{Mailbox, Message, Outcome};
use tirelire_tests::mail_catcher::{CatcherClient, CatcherOptions, MailCatcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{self, ClientConfig, DigitallySignedStruct, SignatureScheme};

const USER: &str = "tresorerie@amis-du-parc.example";
const PASSWORD: &str = "mot de passe à rallonge";

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// tokio's sockets, with TLS by rustls. The catcher's certificate is smtp-server's own
/// self-signed one, so this client accepts any certificate: what is tested here is the SMTP
/// dialogue, not certificate checks, which the Workers runtime does itself.
struct Host {
    tls: TlsConnector,
}

impl Host {
    fn new() -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("rustls supports its defaults")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth();
        Self {
            tls: TlsConnector::from(Arc::new(config)),
        }
    }

    async fn wrap(&self, stream: Pin<Box<dyn Io>>) -> std::io::Result<Pin<Box<dyn Io>>> {
        let name = ServerName::try_from("localhost").expect("a valid name");
        Ok(Box::pin(self.tls.connect(name, stream).await?))
    }
}

impl Connector for Host {
    type Stream = Pin<Box<dyn Io>>;

    async fn connect(
        &self,
        host: &str,
        port: u16,
        security: Security,
    ) -> std::io::Result<Self::Stream> {
        let stream: Pin<Box<dyn Io>> = Box::pin(TcpStream::connect((host, port)).await?);
        match security {
            Security::Tls => self.wrap(stream).await,
            Security::StartTls | Security::None => Ok(stream),
        }
    }

    async fn start_tls(&self, stream: Self::Stream, _host: &str) -> std::io::Result<Self::Stream> {
        self.wrap(stream).await
    }
}

#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn catcher(options: CatcherOptions) -> MailCatcher {
    let var = |name: &str| {
        PathBuf::from(std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run these tests with `cargo xtask test`")
        }))
    };
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    MailCatcher::start(
        &var("TIRELIRE_NODE"),
        &var("TIRELIRE_NODE_MODULES"),
        &repo.join("tests/mail/catcher.cjs"),
        &options,
    )
    .unwrap_or_else(|error| panic!("{error}"))
}

fn with_login(starttls: bool) -> CatcherOptions {
    CatcherOptions {
        starttls,
        auth: Some((USER.into(), PASSWORD.into())),
        ..CatcherOptions::default()
    }
}

fn settings(port: u16, security: Security, password: &str) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security,
        credentials: Some((USER.into(), password.into())),
    }
}

/// A message with everything that trips SMTP and MIME up: non-ASCII in the subject and the
/// names, lines that start with a dot, a line of a single dot, a long line.
fn message(to: &str) -> Message {
    Message {
        from: Mailbox::named("Les Amis du Parc — Trésorerie", USER),
        reply_to: Some(Mailbox::bare("contact@amis-du-parc.example")),
        to: Mailbox::named("Zoé Lefèvre-Ñúñez", to),
        subject: "Reçu : merci pour votre don de 25,50 € 🌳".into(),
        text: format!(
            "Bonjour Zoé,\n.\n.une ligne qui commence par un point\n..et une par deux\n{}\nFin.\n",
            "mot ".repeat(60).trim_end()
        ),
        html: "<p>Bonjour Zoé</p><p>.point</p>".into(),
        message_id: "donor_receipt.ord_smtp@amis-du-parc.example".into(),
        date: 1_795_476_600,
    }
}

fn send(settings: &SmtpSettings, to: &str) -> Outcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let message = message(to);
    runtime.block_on(smtp::send(
        &Host::new(),
        settings,
        "amis-du-parc.example",
        &message.from.address,
        &message.to.address,
        message.to_mime(),
    ))
}

fn only(catcher: &MailCatcher, to: &str) -> Value {
    let received = CatcherClient::new(&catcher.url).messages_to(to);
    assert_eq!(received.len(), 1, "{received:?}");
    received[0].clone()
}

#[test]
fn starttls_auth_and_a_tricky_message_arrive_intact() {
    let server = catcher(with_login(true));
    let to = "zoe@example.org";
    let outcome = send(
        &settings(server.smtp_port, Security::StartTls, PASSWORD),
        to,
    );
    assert_eq!(outcome, Outcome::Sent);

    let mail = only(&server, to);
    // ESMTPSA: the server saw TLS (S) and a login (A) before the message.
    assert_eq!(mail["transmission"], "ESMTPSA");
    assert_eq!(mail["user"], USER);
    assert_eq!(mail["envelope"]["from"], USER);
    assert_eq!(mail["subject"], "Reçu : merci pour votre don de 25,50 € 🌳");
    assert_eq!(mail["from"][0]["name"], "Les Amis du Parc — Trésorerie");
    assert_eq!(mail["to"][0]["name"], "Zoé Lefèvre-Ñúñez");
    assert_eq!(
        mail["messageId"],
        "<donor_receipt.ord_smtp@amis-du-parc.example>"
    );
    // Dot-stuffing went both ways: every line is as written.
    let text = mail["text"]
        .as_str()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert_eq!(text, message(to).text, "the text part changed on the way");
    assert!(
        mail["html"]
            .as_str()
            .unwrap_or_default()
            .contains("<p>.point</p>")
    );
    let raw = mail["raw"].as_str().unwrap_or_default();
    assert!(
        raw.lines().all(|line| line.len() <= 998),
        "a line is over SMTP's limit"
    );
}

#[test]
fn implicit_tls_and_auth_login_work_too() {
    let server = catcher(CatcherOptions {
        implicit_tls: true,
        login_only: true,
        ..with_login(false)
    });
    let to = "sam@example.org";
    assert_eq!(
        send(&settings(server.smtp_port, Security::Tls, PASSWORD), to),
        Outcome::Sent
    );
    let mail = only(&server, to);
    assert_eq!(mail["transmission"], "ESMTPSA");
    assert_eq!(mail["user"], USER);
}

#[test]
fn a_4xx_means_retry_later_and_a_5xx_refused_for_good() {
    let server = catcher(with_login(true));
    let client = CatcherClient::new(&server.url);
    let smtp = settings(server.smtp_port, Security::StartTls, PASSWORD);

    client.fail_recipient("busy@example.org", 451, "4.3.0 Mailbox busy, try later");
    let outcome = send(&smtp, "busy@example.org");
    assert!(
        matches!(&outcome, Outcome::RetryLater(detail) if detail.contains("451")),
        "{outcome:?}"
    );
    client.fail_recipient("nobody@example.org", 550, "5.1.1 No such user");
    let outcome = send(&smtp, "nobody@example.org");
    assert!(
        matches!(&outcome, Outcome::Refused(detail) if detail.contains("550")),
        "{outcome:?}"
    );
    assert!(client.messages_to("busy@example.org").is_empty());
    assert!(client.messages_to("nobody@example.org").is_empty());

    // Once the mailbox is free, the same message goes through.
    client.heal("busy@example.org");
    assert_eq!(send(&smtp, "busy@example.org"), Outcome::Sent);
}

#[test]
fn a_wrong_password_or_a_missing_starttls_is_a_setting_to_fix() {
    let server = catcher(with_login(true));
    let outcome = send(
        &settings(server.smtp_port, Security::StartTls, "faux"),
        "a@example.org",
    );
    assert!(
        matches!(&outcome, Outcome::Misconfigured(detail) if detail.contains("535")),
        "{outcome:?}"
    );

    let plain_only = catcher(with_login(false));
    let outcome = send(
        &settings(plain_only.smtp_port, Security::StartTls, PASSWORD),
        "a@example.org",
    );
    assert!(
        matches!(&outcome, Outcome::Misconfigured(detail) if detail.contains("STARTTLS")),
        "{outcome:?}"
    );
}

#[test]
fn no_server_means_retry_later() {
    let port = tirelire_tests::stack::free_port().expect("a free port");
    let outcome = send(
        &settings(port, Security::StartTls, PASSWORD),
        "a@example.org",
    );
    assert!(matches!(outcome, Outcome::RetryLater(_)), "{outcome:?}");
}
