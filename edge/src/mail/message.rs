//! One message, and its MIME form.
//!
//! MIME is built by `mail-builder` (it compiles to wasm32 and has no I/O): UTF-8 names and
//! subjects become RFC 2047 encoded words, the text and HTML parts are encoded so that no line
//! passes the limits of RFC 5322, and `Date` and `Message-ID` are the ones given here. SMTP's
//! dot-stuffing is the SMTP client's part, not this one's.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;

/// A name and an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address itself.
    pub address: String,
}

impl Mailbox {
    /// A mailbox without a display name.
    pub fn bare(address: impl Into<String>) -> Self {
        Self {
            name: None,
            address: address.into(),
        }
    }

    /// A mailbox with a display name; an empty name counts as none.
    pub fn named(name: impl Into<String>, address: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            name: (!name.trim().is_empty()).then_some(name),
            address: address.into(),
        }
    }

    /// The part of the address after `@`.
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or("localhost", |(_, domain)| domain)
    }

    fn to_address(&self) -> Address<'_> {
        match &self.name {
            Some(name) => Address::new_address(Some(name.as_str()), self.address.as_str()),
            None => Address::new_address(None::<&str>, self.address.as_str()),
        }
    }
}

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The association's sender address.
    pub from: Mailbox,
    /// Where replies go, if not to `from`.
    pub reply_to: Option<Mailbox>,
    /// The one recipient.
    pub to: Mailbox,
    /// The subject, in UTF-8.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The Message-ID, without angle brackets, on the sender's domain.
    pub message_id: String,
    /// When it was written, in Unix seconds.
    pub date: i64,
}

impl Message {
    /// The whole message as MIME, with CRLF line ends: `multipart/alternative` with the text
    /// part first.
    pub fn to_mime(&self) -> Vec<u8> {
        let mut builder = MessageBuilder::new()
            .from(self.from.to_address())
            .to(self.to.to_address())
            .subject(self.subject.as_str())
            .message_id(self.message_id.as_str())
            .date(self.date)
            .header(
                "Auto-Submitted",
                mail_builder::headers::raw::Raw::new("auto-generated"),
            )
            .text_body(self.text.as_str())
            .html_body(self.html.as_str());
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.to_address());
        }
        // Writing to a Vec cannot fail.
        builder.write_to_vec().unwrap_or_default()
    }
}

/// A receipt-like message with what trips MIME up, for host tests.
#[cfg(test)]
pub fn sample() -> Message {
    Message {
        from: Mailbox::named("Les Amis du Parc", "tresorerie@amis-du-parc.fr"),
        reply_to: Some(Mailbox::bare("contact@amis-du-parc.fr")),
        to: Mailbox::named("Zoé <script>", "zoe@example.org"),
        subject: "Merci pour votre don de 25 € — Zoé".into(),
        text: format!(
            "Bonjour Zoé,\n.\n.une ligne qui commence par un point\n{}\n",
            "long ".repeat(60)
        ),
        html: "<p>Bonjour Zoé</p>".into(),
        message_id: "donor-receipt.ord_abc@amis-du-parc.fr".into(),
        date: 1_795_000_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_encoded_and_lines_are_short() {
        let mime = String::from_utf8(sample().to_mime()).unwrap_or_default();
        assert!(mime.is_ascii(), "non-ASCII must be encoded: {mime}");
        assert!(mime.contains("Message-ID: <donor-receipt.ord_abc@amis-du-parc.fr>"));
        assert!(mime.contains("Reply-To: <contact@amis-du-parc.fr>"));
        assert!(mime.contains("Date: "));
        assert!(mime.contains("=?utf-8?"), "{mime}");
        assert!(mime.contains("multipart/alternative"));
        assert!(mime.contains("text/plain") && mime.contains("text/html"));
        assert!(mime.contains("Auto-Submitted: auto-generated"));
        for line in mime.split("\r\n") {
            assert!(line.len() <= 78, "line too long: {line:?}");
        }
        assert!(
            !mime.replace("\r\n", "").contains('\n'),
            "bare LF in {mime}"
        );
    }
}
