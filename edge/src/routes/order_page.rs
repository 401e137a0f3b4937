//! The donor's own page, `GET /o/{token}`, where every mail about an order leads: the tickets
//! of an event with their QR codes, a member's card, a monthly gift with the button that stops
//! it (`POST /o/{token}/stop`). The token is the order's id, signed: it is refused before any
//! lookup when altered, and it shows nothing but that order.
//!
//! The page is plain HTML written by the edge, readable on any phone, printable, without
//! scripts; its answers are never cached.

use html_escape::encode_text as text;
use tirelire_domain::{Currency, Day, Locale, Money};
use worker::{Env, Request, Response};

use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::http::now_secs;
use crate::ids::new_secret;
use crate::outbound;
use crate::signing::{Purpose, Signer};
use crate::storage::{OrderPage, Storage, StoredTicket};

/// The page's address for a token.
pub const PATH: &str = "/o/";

async fn signer(storage: &Storage) -> Result<Signer, EdgeError> {
    Ok(storage.signer(&new_secret()?, now_secs()).await?)
}

/// `GET /o/{token}`.
pub async fn get(token: &str, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    let signer = signer(&storage).await?;
    let Some(order_id) = signer.verify(Purpose::Order, token) else {
        return not_found();
    };
    let Some(order) = storage.order_page(order_id).await? else {
        return not_found();
    };
    let tickets = storage.order_tickets(order_id).await?;
    page(&render(&order, &tickets, token))
}

/// `POST /o/{token}/stop`: stops a monthly gift at the PSP, then records it, and shows the
/// page again. Stopping a gift already stopped changes nothing.
pub async fn stop(req: Request, token: &str, env: &Env) -> Result<Response, EdgeError> {
    // A form on this very page, and nothing else, may stop the gift.
    let own = req.url()?.origin().ascii_serialization();
    if req
        .headers()
        .get("Origin")?
        .is_some_and(|origin| origin != own)
    {
        return Err(EdgeError::OriginNotAllowed(req.headers().get("Origin")?));
    }
    let storage = Storage::from_env(env)?;
    let signer = signer(&storage).await?;
    let Some(order_id) = signer.verify(Purpose::Order, token) else {
        return not_found();
    };
    let Some(order) = storage.order_page(order_id).await? else {
        return not_found();
    };
    if let (Some(subscription), None) = (&order.subscription_id, order.subscription_ended_at) {
        stop_subscription(env, &storage, &order.id, subscription, None).await?;
    }
    let mut response = Response::empty()?.with_status(303);
    response
        .headers_mut()
        .set("Location", &format!("{PATH}{token}"))?;
    Ok(response)
}

/// Cancels a subscription at the PSP and records the end. The PSP's event confirms it later;
/// recording it now means no instalment is taken in between as far as the edge is concerned.
pub async fn stop_subscription(
    env: &Env,
    storage: &Storage,
    order_id: &str,
    subscription: &str,
    by: Option<i64>,
) -> Result<(), EdgeError> {
    let settings = Settings::read(env)?;
    let provider = config::provider(env, &settings)?;
    let request = provider.cancel_subscription(subscription);
    let response = outbound::send(&request, settings.psp_timeout_ms)
        .await
        .map_err(crate::psp::PspError::from)?;
    provider.read_cancellation(&response)?;
    storage.end_subscription(order_id, by, now_secs()).await?;
    Ok(())
}

fn not_found() -> Result<Response, EdgeError> {
    let html = shell(
        Locale::Fr,
        "Page introuvable",
        "<h1>Page introuvable</h1><p>Ce lien n'est pas ou plus valable. \
         Vérifiez qu'il est complet, ou écrivez à l'association.</p>\
         <p lang=\"en\">This link is not valid. Check that it is complete, or write to the \
         association.</p>",
    );
    let mut response = page(&html)?.with_status(404);
    response.headers_mut().set("X-Robots-Tag", "noindex")?;
    Ok(response)
}

fn page(html: &str) -> Result<Response, EdgeError> {
    let mut response = Response::from_html(html)?;
    let headers = response.headers_mut();
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'",
    )?;
    headers.set("Cache-Control", "no-store")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("X-Robots-Tag", "noindex")?;
    Ok(response)
}

/// A QR code of `content` as inline SVG, dark on light, with its quiet zone.
fn qr(content: &str, label: &str) -> String {
    match qrcode::QrCode::new(content.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(220, 220)
                .build();
            // The XML prolog has no place inside HTML.
            let svg = svg.find("<svg").map_or(svg.as_str(), |start| &svg[start..]);
            svg.replacen(
                "<svg ",
                &format!("<svg role=\"img\" aria-label=\"{}\" ", text(label)),
                1,
            )
        }
        Err(_) => String::new(),
    }
}

fn render(order: &OrderPage, tickets: &[StoredTicket], token: &str) -> String {
    let locale = Locale::from_tag(&order.locale).unwrap_or_default();
    let fr = locale == Locale::Fr;
    let t = |fr_text: &'static str, en_text: &'static str| if fr { fr_text } else { en_text };
    let amount = Currency::from_code(&order.currency)
        .map(|currency| Money::new(order.amount, currency).format_exact(locale))
        .unwrap_or_default();
    let name = format!("{} {}", order.first_name, order.last_name);
    let day = |iso: &Option<String>| {
        iso.as_deref()
            .and_then(|iso| Day::parse(iso).ok())
            .map(|day| crate::mail::templates::long_date(day.unix(), locale))
            .unwrap_or_default()
    };
    let paid = order.status == "paid";
    let mut body = format!(
        "<p class=\"org\">{}</p><h1>{}</h1>",
        text(&order.organisation),
        text(&order.campaign)
    );
    if !paid {
        body.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            match order.status.as_str() {
                "pending" => t(
                    "Le paiement n'est pas encore confirmé. Rechargez cette page dans un moment.",
                    "The payment is not confirmed yet. Reload this page in a moment.",
                ),
                "refunded" => t(
                    "Cette commande a été remboursée : elle n'est plus valable.",
                    "This order was refunded: it is no longer valid.",
                ),
                _ => t(
                    "Cette commande n'a pas été payée : elle n'est pas valable.",
                    "This order was not paid: it is not valid.",
                ),
            }
        ));
    }
    match order.kind.as_str() {
        "event" => {
            body.push_str(&format!(
                "<p>{} <strong>{}</strong> · {}</p>",
                t("Billets au nom de", "Tickets for"),
                text(&name),
                text(&amount)
            ));
            for ticket in tickets {
                let heading = format!("{} {} · {}", t("Place", "Seat"), ticket.seat, ticket.label);
                body.push_str("<section class=\"ticket\">");
                body.push_str(&format!("<h2>{}</h2>", text(&heading)));
                if paid {
                    body.push_str(&qr(&ticket.token, &heading));
                    body.push_str(&format!("<p class=\"code\">{}</p>", text(&ticket.token)));
                }
                if let Some(used) = ticket.used_at {
                    body.push_str(&format!(
                        "<p class=\"notice\">{} {}</p>",
                        t("Utilisé le", "Used on"),
                        text(&crate::mail::templates::long_date(used, locale))
                    ));
                }
                body.push_str("</section>");
            }
            if paid {
                body.push_str(&format!(
                    "<p class=\"hint\">{}</p>",
                    t(
                        "Présentez cette page à l'entrée, sur votre téléphone ou imprimée : chaque code est lu une fois.",
                        "Show this page at the door, on your phone or printed: each code is read once.",
                    )
                ));
            }
        }
        "membership" => {
            body.push_str("<section class=\"ticket\">");
            body.push_str(&format!(
                "<h2>{}</h2><p class=\"name\">{}</p>",
                t("Carte de membre", "Member card"),
                text(&name)
            ));
            if let Some(tier) = &order.tier {
                body.push_str(&format!("<p>{}</p>", text(tier)));
            }
            if order.ends_on.is_some() {
                body.push_str(&format!(
                    "<p>{} {} {} {}</p>",
                    t("Du", "From"),
                    text(&day(&order.starts_on)),
                    t("au", "to"),
                    text(&day(&order.ends_on))
                ));
            }
            if paid {
                body.push_str(&qr(
                    &format!("{PATH}{token}"),
                    t("Code de la carte", "Card code"),
                ));
            }
            body.push_str("</section>");
        }
        _ if order.monthly != 0 => {
            body.push_str(&format!(
                "<p>{} <strong>{}</strong> {}</p>",
                t("Votre don mensuel de", "Your monthly gift of"),
                text(&amount),
                t("par mois.", "a month.")
            ));
            if order.subscription_ended_at.is_some() {
                body.push_str(&format!(
                    "<p class=\"notice\">{}</p>",
                    t(
                        "Ce don mensuel est arrêté : plus aucun prélèvement ne sera fait. Merci pour tout ce que vous avez donné.",
                        "This monthly gift is stopped: nothing more will be taken. Thank you for all you gave.",
                    )
                ));
            } else if order.subscription_id.is_some() {
                body.push_str(&format!(
                    "<form method=\"post\" action=\"{PATH}{token}/stop\"><p>{}</p>\
                     <button type=\"submit\">{}</button></form>",
                    t(
                        "Vous pouvez l'arrêter à tout moment ; aucun autre prélèvement ne sera fait.",
                        "You can stop it at any time; nothing more will be taken.",
                    ),
                    t("Arrêter mon don mensuel", "Stop my monthly gift")
                ));
            }
        }
        _ => {
            body.push_str(&format!(
                "<p>{} {} · {}</p>",
                t("Don de", "Gift from"),
                text(&name),
                text(&amount)
            ));
        }
    }
    body.push_str(&format!(
        "<p class=\"ref\">{} {}</p>",
        t("Référence :", "Reference:"),
        text(&order.id)
    ));
    shell(locale, &order.campaign, &body)
}

fn shell(locale: Locale, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>\
         body{{font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:32rem;\
         margin:0 auto;padding:1rem}}h1{{font-size:1.4rem;margin:.2rem 0 1rem}}\
         .org{{color:#555;margin:0}}.ticket{{border:2px solid #1d5c3a;border-radius:12px;\
         padding:1rem;margin:1rem 0;text-align:center;break-inside:avoid}}\
         .ticket h2{{font-size:1.1rem;margin:0 0 .5rem}}.ticket svg{{width:220px;height:220px;\
         max-width:100%}}.code{{font-family:monospace;font-size:.75rem;word-break:break-all;\
         color:#555}}.name{{font-size:1.3rem;font-weight:bold}}.notice{{background:#fff4d6;\
         padding:.5rem .75rem;border-radius:6px}}.hint,.ref{{color:#555;font-size:.9rem}}\
         button{{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:2px solid #8a1c1c;\
         background:#fff;color:#8a1c1c;cursor:pointer}}\
         @media print{{.hint,form{{display:none}}}}\
         </style></head><body><main>{}</main></body></html>",
        locale.tag(),
        text(title),
        body
    )
}
