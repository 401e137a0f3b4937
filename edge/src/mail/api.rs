//! Transactional mail over HTTP: Brevo's `POST /v3/smtp/email` and Mailjet's Send API v3.1.
//!
//! Each is a request builder and an answer reader, both plain data, tested on the host against
//! the providers' documented formats; only [`HttpMailer`] sends.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Mailbox, Mailer, Message, Outcome};
use crate::outbound::{self, HttpRequest, HttpResponse};

/// Brevo's endpoint for one transactional message.
pub const BREVO_URL: &str = "https://api.brevo.com/v3/smtp/email";
/// Mailjet's endpoint for sending.
pub const MAILJET_URL: &str = "https://api.mailjet.com/v3.1/send";

/// A provider with an HTTP API, and its credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Api {
    /// Brevo, with a v3 API key.
    Brevo {
        /// The API key.
        api_key: String,
    },
    /// Mailjet, with an API key and its secret.
    Mailjet {
        /// The API key.
        api_key: String,
        /// The secret key.
        secret_key: String,
    },
}

impl Api {
    /// The request that sends `message`. `key` names the message across attempts.
    pub fn request(&self, message: &Message, key: &str) -> HttpRequest {
        match self {
            Self::Brevo { api_key } => brevo_request(api_key, message, key),
            Self::Mailjet {
                api_key,
                secret_key,
            } => mailjet_request(api_key, secret_key, message, key),
        }
    }

    /// What the provider's answer means.
    pub fn outcome(&self, response: &HttpResponse) -> Outcome {
        let detail = || provider_detail(&response.body);
        match response.status {
            200..=299 => match self {
                Self::Brevo { .. } => Outcome::Sent,
                // Mailjet answers 200 per batch; each message carries its own status.
                Self::Mailjet { .. } => mailjet_statuses(&response.body),
            },
            401 | 403 => Outcome::Misconfigured(format!(
                "the API key was refused ({}): {}",
                response.status,
                detail()
            )),
            // Brevo: the account has no credit left; nothing goes until the treasurer acts.
            402 => Outcome::Misconfigured(format!("the account cannot send: {}", detail())),
            408 | 429 => Outcome::RetryLater(format!("{}: {}", response.status, detail())),
            400..=499 => match self {
                Self::Mailjet { .. } => mailjet_statuses(&response.body),
                Self::Brevo { .. } => {
                    Outcome::Refused(format!("{}: {}", response.status, detail()))
                }
            },
            _ => Outcome::RetryLater(format!("{}: {}", response.status, detail())),
        }
    }
}

fn brevo_request(api_key: &str, message: &Message, key: &str) -> HttpRequest {
    let contact = |mailbox: &Mailbox| match &mailbox.name {
        Some(name) => json!({ "email": mailbox.address, "name": name }),
        None => json!({ "email": mailbox.address }),
    };
    let mut body = json!({
        "sender": contact(&message.from),
        "to": [contact(&message.to)],
        "subject": message.subject,
        "htmlContent": message.html,
        "textContent": message.text,
        // Brevo drops a request whose key it has seen in the last minutes; it asks for a UUID.
        "headers": { "idempotencyKey": uuid_from(key) },
    });
    if let (Some(reply_to), Some(object)) = (&message.reply_to, body.as_object_mut()) {
        object.insert("replyTo".into(), contact(reply_to));
    }
    HttpRequest {
        method: "POST",
        url: BREVO_URL.into(),
        headers: vec![
            ("api-key".into(), api_key.into()),
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
        ],
        body: Some(body.to_string()),
    }
}

fn mailjet_request(api_key: &str, secret_key: &str, message: &Message, key: &str) -> HttpRequest {
    let contact = |mailbox: &Mailbox| match &mailbox.name {
        Some(name) => json!({ "Email": mailbox.address, "Name": name }),
        None => json!({ "Email": mailbox.address }),
    };
    let mut one = json!({
        "From": contact(&message.from),
        "To": [contact(&message.to)],
        "Subject": message.subject,
        "TextPart": message.text,
        "HTMLPart": message.html,
        "CustomID": key,
    });
    if let (Some(reply_to), Some(object)) = (&message.reply_to, one.as_object_mut()) {
        object.insert("ReplyTo".into(), contact(reply_to));
    }
    let credentials = STANDARD.encode(format!("{api_key}:{secret_key}"));
    HttpRequest {
        method: "POST",
        url: MAILJET_URL.into(),
        headers: vec![
            ("authorization".into(), format!("Basic {credentials}")),
            ("content-type".into(), "application/json".into()),
        ],
        body: Some(json!({ "Messages": [one] }).to_string()),
    }
}

#[derive(Deserialize)]
struct MailjetAnswer {
    #[serde(rename = "Messages", default)]
    messages: Vec<MailjetMessage>,
}

#[derive(Deserialize)]
struct MailjetMessage {
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Errors", default)]
    errors: Vec<MailjetError>,
}

#[derive(Deserialize)]
struct MailjetError {
    #[serde(rename = "StatusCode", default)]
    status_code: u16,
    #[serde(rename = "ErrorCode", default)]
    error_code: String,
    #[serde(rename = "ErrorMessage", default)]
    error_message: String,
}

/// The outcome of the one message of a Mailjet batch.
fn mailjet_statuses(body: &str) -> Outcome {
    let Ok(answer) = serde_json::from_str::<MailjetAnswer>(body) else {
        return Outcome::RetryLater(format!("unreadable answer: {}", provider_detail(body)));
    };
    let Some(message) = answer.messages.first() else {
        return Outcome::RetryLater("the answer names no message".into());
    };
    if message.status.eq_ignore_ascii_case("success") {
        return Outcome::Sent;
    }
    let detail = message
        .errors
        .iter()
        .map(|error| format!("{} {}", error.error_code, error.error_message))
        .collect::<Vec<_>>()
        .join("; ");
    match message.errors.iter().map(|error| error.status_code).max() {
        Some(401 | 403) => Outcome::Misconfigured(detail),
        Some(429) | Some(500..) => Outcome::RetryLater(detail),
        _ => Outcome::Refused(detail),
    }
}

/// The provider's own words, short, for the outbox and the log.
fn provider_detail(body: &str) -> String {
    let message = serde_json::from_str::<Value>(body).ok().and_then(|value| {
        ["message", "ErrorMessage"]
            .iter()
            .find_map(|name| value.get(name).and_then(Value::as_str).map(str::to_owned))
    });
    let mut detail = message.unwrap_or_else(|| body.trim().to_owned());
    if let Some((cut, _)) = detail.char_indices().nth(200) {
        detail.truncate(cut);
    }
    detail
}

/// A UUID-shaped name derived from `key`: the same key always gives the same one.
fn uuid_from(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    // Version 8 (custom) and the RFC 9562 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Sends through an HTTP API with the runtime's `fetch`.
pub struct HttpMailer {
    /// The provider.
    pub api: Api,
    /// How long one attempt may take.
    pub timeout_ms: u32,
}

impl Mailer for HttpMailer {
    fn send<'a>(&'a self, message: &'a Message, key: &'a str) -> LocalBoxFuture<'a, Outcome> {
        Box::pin(async move {
            let request = self.api.request(message, key);
            match outbound::send(&request, self.timeout_ms).await {
                Ok(response) => self.api.outcome(&response),
                Err(unreachable) => Outcome::RetryLater(format!("no answer: {}", unreachable.0)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            subject: "Merci".into(),
            text: "Bonjour".into(),
            html: "<p>Bonjour</p>".into(),
            ..crate::mail::message::sample()
        }
    }

    fn body(request: &HttpRequest) -> Value {
        serde_json::from_str(request.body.as_deref().unwrap_or_default()).unwrap_or_default()
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn brevo_request_is_the_documented_one() {
        let api = Api::Brevo {
            api_key: "xkeysib-123".into(),
        };
        let request = api.request(&message(), "donor_receipt:ord_x");
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://api.brevo.com/v3/smtp/email");
        assert_eq!(header(&request, "api-key"), Some("xkeysib-123"));
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(header(&request, "accept"), Some("application/json"));
        let body = body(&request);
        assert_eq!(
            body["sender"],
            json!({"email": "tresorerie@amis-du-parc.fr", "name": "Les Amis du Parc"})
        );
        assert_eq!(
            body["to"],
            json!([{"email": "zoe@example.org", "name": "Zoé <script>"}])
        );
        assert_eq!(body["replyTo"], json!({"email": "contact@amis-du-parc.fr"}));
        assert_eq!(body["subject"], "Merci");
        assert_eq!(body["textContent"], "Bonjour");
        assert_eq!(body["htmlContent"], "<p>Bonjour</p>");
        let key = body["headers"]["idempotencyKey"]
            .as_str()
            .unwrap_or_default();
        assert_eq!(key.len(), 36);
        assert_eq!(key.matches('-').count(), 4);
        // The same message gives the same key on every attempt, another message another key.
        assert_eq!(
            body["headers"],
            self::body(&api.request(&message(), "donor_receipt:ord_x"))["headers"]
        );
        assert_ne!(
            body["headers"],
            self::body(&api.request(&message(), "donor_receipt:ord_y"))["headers"]
        );
    }

    #[test]
    fn brevo_answers_map_to_outcomes() {
        let api = Api::Brevo {
            api_key: "k".into(),
        };
        assert_eq!(
            api.outcome(&answer(201, r#"{"messageId":"<x@smtp-relay.mailin.fr>"}"#)),
            Outcome::Sent
        );
        assert!(matches!(
            api.outcome(&answer(401, r#"{"code":"unauthorized","message":"Key not found"}"#)),
            Outcome::Misconfigured(detail) if detail.contains("Key not found")
        ));
        assert!(matches!(
            api.outcome(&answer(402, "{}")),
            Outcome::Misconfigured(_)
        ));
        assert!(matches!(
            api.outcome(&answer(400, r#"{"code":"invalid_parameter","message":"email is not valid in to"}"#)),
            Outcome::Refused(detail) if detail.contains("email is not valid")
        ));
        assert!(matches!(
            api.outcome(&answer(429, "")),
            Outcome::RetryLater(_)
        ));
        assert!(matches!(
            api.outcome(&answer(503, "<html>")),
            Outcome::RetryLater(_)
        ));
    }

    #[test]
    fn mailjet_request_is_the_documented_one() {
        let api = Api::Mailjet {
            api_key: "pub".into(),
            secret_key: "priv".into(),
        };
        let request = api.request(&message(), "donor_receipt:ord_x");
        assert_eq!(request.url, "https://api.mailjet.com/v3.1/send");
        assert_eq!(
            header(&request, "authorization"),
            Some("Basic cHViOnByaXY=")
        );
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        let body = body(&request);
        let one = &body["Messages"][0];
        assert_eq!(
            one["From"],
            json!({"Email": "tresorerie@amis-du-parc.fr", "Name": "Les Amis du Parc"})
        );
        assert_eq!(
            one["To"],
            json!([{"Email": "zoe@example.org", "Name": "Zoé <script>"}])
        );
        assert_eq!(one["ReplyTo"], json!({"Email": "contact@amis-du-parc.fr"}));
        assert_eq!(one["Subject"], "Merci");
        assert_eq!(one["TextPart"], "Bonjour");
        assert_eq!(one["HTMLPart"], "<p>Bonjour</p>");
        assert_eq!(one["CustomID"], "donor_receipt:ord_x");
        assert_eq!(body["Messages"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn mailjet_answers_map_to_outcomes() {
        let api = Api::Mailjet {
            api_key: "k".into(),
            secret_key: "s".into(),
        };
        let sent = r#"{"Messages":[{"Status":"success","CustomID":"k","To":[{"Email":"zoe@example.org","MessageUUID":"1","MessageID":2,"MessageHref":"h"}]}]}"#;
        assert_eq!(api.outcome(&answer(200, sent)), Outcome::Sent);
        let invalid = r#"{"Messages":[{"Status":"error","Errors":[{"ErrorIdentifier":"x","ErrorCode":"mj-0013","StatusCode":400,"ErrorMessage":"\"zoe@\" is an invalid email address.","ErrorRelatedTo":["To[0].Email"]}]}]}"#;
        assert!(matches!(
            api.outcome(&answer(400, invalid)),
            Outcome::Refused(detail) if detail.contains("mj-0013")
        ));
        let unauthorized = r#"{"ErrorIdentifier":"y","ErrorCode":"mj-0002","ErrorMessage":"API key authentication/authorization failure.","StatusCode":401}"#;
        assert!(matches!(
            api.outcome(&answer(401, unauthorized)),
            Outcome::Misconfigured(detail) if detail.contains("authorization failure")
        ));
        assert!(matches!(
            api.outcome(&answer(429, "{}")),
            Outcome::RetryLater(_)
        ));
        assert!(matches!(
            api.outcome(&answer(500, "oops")),
            Outcome::RetryLater(_)
        ));
        assert!(matches!(
            api.outcome(&answer(200, "not json")),
            Outcome::RetryLater(_)
        ));
    }
}
