//! The hosted payment page, in French or English after the session's `locale`. It states
//! plainly that it is a simulator, so that nobody mistakes the demo for a real payment.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::Value;

use super::{Account, Reply};

struct Words {
    lang: &'static str,
    banner: &'static str,
    title: &'static str,
    email: &'static str,
    pay: &'static str,
    cancel: &'static str,
    /// After the amount of a monthly gift.
    per_month: &'static str,
    paid: &'static str,
    expired: &'static str,
    back: &'static str,
}

const FR: Words = Words {
    lang: "fr",
    banner: "Simulateur de paiement : aucun argent réel ne circule.",
    title: "Paiement",
    email: "Reçu envoyé à",
    pay: "Payer",
    cancel: "Annuler et revenir au site",
    per_month: " par mois",
    paid: "Ce paiement a déjà été effectué.",
    expired: "Cette page de paiement a expiré.",
    back: "Revenir au site",
};

const EN: Words = Words {
    lang: "en",
    banner: "Payment simulator: no real money moves.",
    title: "Payment",
    email: "Receipt sent to",
    pay: "Pay",
    cancel: "Cancel and go back to the site",
    per_month: " a month",
    paid: "This payment has already been made.",
    expired: "This payment page has expired.",
    back: "Go back to the site",
};

fn words(object: &Value) -> &'static Words {
    if object["locale"] == "en" { &EN } else { &FR }
}

/// The amount the page asks for, and how often.
fn amount(object: &Value) -> String {
    let every = if object["mode"] == "subscription" {
        words(object).per_month
    } else {
        ""
    };
    format!("{}{every}", sum(object))
}

fn sum(object: &Value) -> String {
    let minor = object["amount_total"].as_i64().unwrap_or_default();
    let currency = object["currency"]
        .as_str()
        .unwrap_or_default()
        .to_uppercase();
    let (whole, cents) = (minor / 100, minor % 100);
    if object["locale"] == "en" {
        format!("{whole}.{cents:02} {currency}")
    } else {
        format!("{whole},{cents:02} {currency}")
    }
}

fn layout(words: &Words, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f9fc; color: #1a1f36; }}
.banner {{ background: #ffe8a3; padding: .5rem 1rem; text-align: center; font-size: .9rem; }}
main {{ max-width: 26rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; box-shadow: 0 2px 8px #0001; }}
.amount {{ font-size: 2rem; font-weight: 700; margin: .25rem 0 1rem; }}
button {{ width: 100%; font: inherit; font-weight: 600; padding: .8rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }}
a {{ display: block; margin-top: .75rem; padding: .7rem; text-align: center; color: #635bff; border: 2px solid #635bff; border-radius: 6px; text-decoration: none; font-weight: 600; }}
</style>
</head>
<body>
<p class="banner" role="note">{banner}</p>
<main>{body}</main>
</body>
</html>"#,
        lang = words.lang,
        title = words.title,
        banner = words.banner,
    )
}

/// `GET /c/pay/{id}`.
pub(super) fn show(account: &Account, id: &str) -> Reply {
    let state = account.state();
    let Some(session) = state.sessions.get(id) else {
        return Reply::html(404, not_found());
    };
    let object = &session.object;
    if object["status"] != "open" {
        return show_locked(object);
    }
    let words = words(object);
    let cancel = object["cancel_url"]
        .as_str()
        .map(|url| {
            format!(
                r#"<a href="{}" id="cancel">{}</a>"#,
                attr(url),
                words.cancel
            )
        })
        .unwrap_or_default();
    let email = object["customer_email"]
        .as_str()
        .map(|email| format!("<p>{} {}</p>", words.email, text(email)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>{label}</h1>
<p class="amount" id="amount">{amount}</p>
{email}
<form method="post" action="/c/pay/{id}/pay"><button type="submit" id="pay">{pay} {amount}</button></form>
{cancel}"#,
        label = text(&session.label),
        amount = amount(object),
        id = attr(id),
        pay = words.pay,
    );
    Reply::html(200, layout(words, &body))
}

/// The page for a session that can no longer be paid.
pub(super) fn show_locked(object: &Value) -> Reply {
    let words = words(object);
    let (message, url) = if object["status"] == "complete" {
        (words.paid, object["success_url"].as_str())
    } else {
        (words.expired, object["cancel_url"].as_str())
    };
    let back = url
        .map(|url| format!(r#"<a href="{}">{}</a>"#, attr(url), words.back))
        .unwrap_or_default();
    Reply::html(200, layout(words, &format!("<h1>{message}</h1>{back}")))
}

/// The page for an unknown path or session.
pub(super) fn not_found() -> String {
    layout(
        &FR,
        "<h1>Page introuvable</h1><p lang=\"en\">Page not found.</p>",
    )
}
