//! `POST /v1/campaigns/{slug}/checkout`: a donation becomes a pending order and a payment page.
//!
//! The gates come first, cheapest first, and none writes anything: the page's origin, the
//! per-minute limit, the size of the body, the traps for scripts, validation, the attempt key
//! (a repeated attempt gets its first answer back), then Turnstile. The order is then written,
//! in one batch with the hourly and daily counters it must stay within, and only then is the
//! PSP called: whatever happens next (a timeout, a crash, a webhook that arrives early), the
//! payment always finds its record. The PSP's request is stored with the order, so that the
//! sweep can send exactly the same request again with the same idempotency key: a PSP that
//! timed out or failed on its side leaves the order pending, and the sweep learns whether a
//! page was opened after all.

use tirelire_domain::api::{CheckoutRequest, CheckoutResponse, return_params};
use tirelire_domain::offer::{CAPACITY_COUNTER, LineKind};
use tirelire_domain::setup::CampaignKind;
use tirelire_domain::{Field, FieldError, FieldErrorCode, OrderStatus, ValidDonation};
use worker::{Context, Env, Request, Response, console_error, console_warn};

use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::guard::rate::{self, Window};
use crate::guard::{check_traps, turnstile};
use crate::http::{client_ip, json, now_secs, read_json};
use crate::ids::{new_order_id, new_secret, new_ticket_id};
use crate::mail::Notices;
use crate::psp::{CheckoutOrder, CheckoutPlan, CheckoutSession, PaymentProvider, PspError};
use crate::return_url::ReturnUrl;
use crate::signing::Purpose;
use crate::storage::{
    CampaignRecord, Inserted, NewOrder, NewTicket, Storage, StorageError, StoredOrder,
};
use crate::{outbound, payments};

/// A checkout body is a few hundred bytes; anything far larger is not from the widget.
const MAX_BODY: usize = 16 * 1024;
/// How long an attempt key gives back its first order.
pub const ATTEMPT_WINDOW_SECS: i64 = 30 * 60;

/// Opens a payment page for a donation.
pub async fn post(
    mut req: Request,
    slug: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, campaign) = super::campaigns::find(slug, env).await?;
    let now = now_secs();
    let view = campaign.view_at(now);
    if view.closed || !campaign.offer.on_sale(now) {
        return Err(EdgeError::CampaignClosed(slug.to_owned()));
    }
    let settings = Settings::read(env)?;

    // The edge's own pages (the hosted form) may always collect.
    let own_url = req.url()?;
    let own_origin = own_url.origin().ascii_serialization();
    let allowed = |origin: &str| origin == own_origin || campaign.allows_origin(origin);
    let origin = req.headers().get("Origin")?;
    if !origin.as_deref().is_some_and(allowed) {
        return Err(EdgeError::OriginNotAllowed(origin));
    }
    let client = client_ip(&req);
    let key = rate::minute_key("checkout", client.as_deref(), campaign.id);
    rate::limit_per_minute(env, key, "address and campaign per minute").await?;

    let request: CheckoutRequest = read_json(&mut req, MAX_BODY, ctx).await?;
    check_traps(
        &request.website,
        request.fill_ms,
        settings.limits.min_fill_ms,
    )
    .map_err(EdgeError::LooksAutomated)?;
    let promo = campaign.promo_code(&request.donation.choices.promo_code);
    let donation = request
        .donation
        .validate(&view, promo)
        .map_err(EdgeError::InvalidSubmission)?;
    let return_url = ReturnUrl::parse(&request.return_url, allowed)?;
    let attempt = match request.attempt.as_deref() {
        Some(key) if CheckoutRequest::is_attempt_key(key) => Some(key),
        Some(_) => return Err(EdgeError::MalformedBody("malformed attempt key".into())),
        None => None,
    };
    if let Some(key) = attempt {
        let since = now - ATTEMPT_WINDOW_SECS;
        if let Some(order) = storage.order_for_attempt(campaign.id, key, since).await? {
            return same_attempt(&order);
        }
    }

    if let Some(turnstile) = &settings.turnstile {
        let allowed_host =
            |host: &str| own_url.host_str() == Some(host) || campaign.allows_host(host);
        let verify = turnstile::verify_request(
            turnstile,
            request.challenge_token.as_deref(),
            client.as_deref(),
        )
        .map_err(EdgeError::Challenge)?;
        let verdict = outbound::send(&verify, settings.psp_timeout_ms)
            .await
            .map_err(|error| {
                EdgeError::Challenge(turnstile::ChallengeError::Unavailable(error.0))
            })?;
        turnstile::read_verdict(&verdict, allowed_host).map_err(EdgeError::Challenge)?;
    }

    let order_id = new_order_id()?;
    let success_url =
        return_url.with_outcome(campaign.view.slug.as_str(), &order_id, return_params::PAID);
    let cancel_url = return_url.with_outcome(
        campaign.view.slug.as_str(),
        &order_id,
        return_params::CANCELLED,
    );
    let signer = storage.signer(&new_secret()?, now).await?;
    let tickets = if campaign.view.kind == CampaignKind::Event {
        new_tickets(&donation, |id| signer.sign(Purpose::Ticket, id))?
    } else {
        Vec::new()
    };
    let donor_token = signer.sign(Purpose::Order, &order_id);
    let windows = counted_windows(client.as_deref(), &donation, &settings, now);
    let order = NewOrder {
        id: &order_id,
        campaign_id: campaign.id,
        donation: &donation,
        locale: request.locale,
        psp: "none",
        attempt_key: attempt,
        psp_request: None,
        windows: &windows,
        tickets: &tickets,
        tax_receipt: campaign.offer.tax_receipt,
        edge_url: &own_origin,
        donor_token: &donor_token,
        page_url: &request.return_url,
        settle_free: None,
        now,
    };

    // An order that comes to nothing (free seats, a whole discount) needs no payment page: it
    // is recorded and confirmed at once, behind the same gates as any other.
    if donation.amount.minor == 0 && !donation.priced.monthly {
        let notices = Notices::read(env);
        let inserted = storage
            .insert_pending_order(&NewOrder {
                settle_free: Some(&notices),
                ..order
            })
            .await;
        if let Some(answer) =
            accepted(inserted, &storage, &campaign, &donation, attempt, now).await?
        {
            return Ok(answer);
        }
        storage.forget_campaign(&campaign.view.slug).await;
        if campaign.view.kind == CampaignKind::Membership {
            storage
                .record_membership(&order_id, notices.donor, now)
                .await?;
        }
        ctx.wait_until(crate::mail::outbox::send_after(env.clone(), now, 4));
        return Ok(json(
            201,
            &CheckoutResponse {
                order_id,
                checkout_url: success_url,
                confirmed: true,
            },
        )?);
    }

    let provider = config::provider(env, &settings)?;
    let plan = provider.checkout(&CheckoutOrder {
        order_id: &order_id,
        campaign_slug: campaign.view.slug.as_str(),
        label: &label(&campaign.view.title, &donation),
        amount: donation.amount,
        monthly: donation.priced.monthly,
        kind: campaign.view.kind,
        email: &donation.email,
        locale: request.locale,
        success_url: &success_url,
        cancel_url: &cancel_url,
        created_at: now,
    });
    let CheckoutPlan::Page(psp_request) = plan else {
        // Offline providers come with the treasurer's back-office, which records payments.
        return Err(EdgeError::Psp(PspError::Rejected {
            status: 0,
            message: "this provider opens no payment page".into(),
        }));
    };
    let inserted = storage
        .insert_pending_order(&NewOrder {
            psp: provider.name(),
            psp_request: psp_request.body.as_deref(),
            ..order
        })
        .await;
    if let Some(answer) = accepted(inserted, &storage, &campaign, &donation, attempt, now).await? {
        return Ok(answer);
    }
    if !tickets.is_empty()
        || donation
            .priced
            .lines
            .iter()
            .any(|l| l.kind == LineKind::Discount)
    {
        // Seats or uses were taken: the next view must show what is left.
        storage.forget_campaign(&campaign.view.slug).await;
    }

    match open_page_retrying(provider.as_ref(), &psp_request, settings.psp_timeout_ms).await {
        Ok(session) => {
            storage
                .attach_session(&order_id, &session.id, &session.url, now)
                .await?;
            Ok(json(
                201,
                &CheckoutResponse {
                    order_id,
                    checkout_url: session.url,
                    confirmed: false,
                },
            )?)
        }
        Err(error) if error.is_transient() => {
            // The PSP may have opened the page without the edge hearing of it: the order stays
            // pending, without a session, and the sweep sends the same request again in a few
            // minutes to learn which. The donor can try again at once; nobody has this page.
            console_warn!("order {order_id} left to the sweep: {error}");
            Err(error.into())
        }
        Err(error) => {
            // The PSP refused: no page exists. Close the order after the answer, so that the
            // donor hears at once that they can try again.
            ctx.wait_until(close_failed(storage, order_id, now));
            Err(error.into())
        }
    }
}

/// What became of recording the order: `None` when it is recorded and the checkout goes on,
/// an answer when an earlier attempt with the same key already has one, or why it is refused
/// (a full window, too little stock left).
async fn accepted(
    inserted: Result<Inserted, StorageError>,
    storage: &Storage,
    campaign: &CampaignRecord,
    donation: &ValidDonation,
    attempt: Option<&str>,
    now: i64,
) -> Result<Option<Response>, EdgeError> {
    match inserted {
        Ok(Inserted::Recorded) => Ok(None),
        Ok(Inserted::OverLimit(window)) => Err(EdgeError::RateLimited {
            what: if window.key.starts_with("email") {
                "email per day"
            } else {
                "address per hour"
            },
            retry_after: window.retry_after(now),
        }),
        // Two requests with the same key crossed: the other one recorded its order.
        Ok(Inserted::SameAttempt) => {
            let since = now - ATTEMPT_WINDOW_SECS;
            match attempt {
                Some(key) => match storage.order_for_attempt(campaign.id, key, since).await? {
                    Some(order) => same_attempt(&order).map(Some),
                    None => Err(EdgeError::CheckoutInProgress),
                },
                None => Err(EdgeError::Runtime("an order id was drawn twice".into())),
            }
        }
        Err(StorageError::OutOfStock) => {
            storage.forget_campaign(&campaign.view.slug).await;
            let left = storage.stock_left(campaign.id).await?;
            Err(EdgeError::InvalidSubmission(sold_out(
                campaign, donation, &left,
            )))
        }
        Err(error) => Err(error.into()),
    }
}

/// Which of the order's wishes there is too little left for, field by field.
fn sold_out(
    campaign: &CampaignRecord,
    donation: &ValidDonation,
    left: &std::collections::BTreeMap<String, i64>,
) -> Vec<FieldError> {
    let short = |counter: &str, wanted: i64| left.get(counter).is_some_and(|left| *left < wanted);
    let mut errors = Vec::new();
    let mut seats = 0;
    for line in &donation.priced.lines {
        let wanted = i64::from(line.quantity);
        match line.kind {
            LineKind::Item => {
                seats += wanted;
                if short(&format!("item:{}", line.key), wanted) {
                    let index = campaign
                        .offer
                        .items
                        .iter()
                        .position(|item| item.key == line.key);
                    errors.push(match index {
                        Some(index) => FieldError::at(Field::Items, index, FieldErrorCode::SoldOut),
                        None => FieldError::new(Field::Items, FieldErrorCode::SoldOut),
                    });
                }
            }
            LineKind::Discount if short(&format!("promo:{}", line.key), 1) => {
                errors.push(FieldError::new(Field::PromoCode, FieldErrorCode::SoldOut));
            }
            _ => {}
        }
    }
    if errors.is_empty() || short(CAPACITY_COUNTER, seats) {
        errors.insert(0, FieldError::new(Field::Items, FieldErrorCode::SoldOut));
    }
    errors
}

/// One ticket per seat of each rate, with its signed token.
fn new_tickets(
    donation: &ValidDonation,
    sign: impl Fn(&str) -> String,
) -> Result<Vec<NewTicket>, EdgeError> {
    let mut tickets = Vec::new();
    for line in donation
        .priced
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Item)
    {
        for _ in 0..line.quantity {
            let id = new_ticket_id()?;
            tickets.push(NewTicket {
                token: sign(&id),
                id,
                item_key: line.key.clone(),
                label: line.label.clone(),
                seat: u32::try_from(tickets.len() + 1).unwrap_or(u32::MAX),
            });
        }
    }
    Ok(tickets)
}

/// What the donor reads on the PSP's page: the campaign, and the tiers or rates picked.
fn label(title: &str, donation: &ValidDonation) -> String {
    let items: Vec<String> = donation
        .priced
        .lines
        .iter()
        .filter(|line| line.kind == LineKind::Item)
        .map(|line| match line.quantity {
            1 => line.label.clone(),
            n => format!("{n} × {}", line.label),
        })
        .collect();
    if items.is_empty() {
        title.to_owned()
    } else {
        format!("{title} — {}", items.join(", "))
    }
}

fn counted_windows(
    client: Option<&str>,
    donation: &ValidDonation,
    settings: &Settings,
    now: i64,
) -> Vec<Window> {
    let mut windows = vec![Window::email_day(&donation.email, now, &settings.limits)];
    if let Some(client) = client {
        windows.push(Window::ip_hour(client, now, &settings.limits));
    }
    // A limit of 0 is no limit: nothing is counted.
    windows.retain(|window| window.limit > 0);
    windows
}

/// The answer for an attempt seen before: its page if it has one, else a wait or its failure.
fn same_attempt(order: &StoredOrder) -> Result<Response, EdgeError> {
    match (&order.checkout_url, order.status) {
        (Some(url), OrderStatus::Pending) => Ok(json(
            200,
            &CheckoutResponse {
                order_id: order.id.clone(),
                checkout_url: url.clone(),
                confirmed: false,
            },
        )?),
        (None, OrderStatus::Pending) => Err(EdgeError::CheckoutInProgress),
        (_, OrderStatus::Failed) => Err(EdgeError::Psp(PspError::Rejected {
            status: 0,
            message: format!("attempt of order {} failed before", order.id),
        })),
        // Paid, expired or refunded: the attempt is over; the widget draws a new key.
        (_, status) => Err(EdgeError::MalformedBody(format!(
            "the attempt key belongs to order {} which is {}",
            order.id,
            status.as_str()
        ))),
    }
}

/// Sends the request that opens the page, and once more with the same idempotency key if the
/// PSP could not be reached or failed on its side: the retry can only give back the same page.
async fn open_page_retrying(
    provider: &dyn PaymentProvider,
    request: &outbound::HttpRequest,
    timeout_ms: u32,
) -> Result<CheckoutSession, PspError> {
    let mut last = None;
    for _ in 0..2 {
        match payments::open_page(provider, request, timeout_ms).await {
            Err(error) if error.is_transient() => {
                console_warn!("the PSP failed, trying once more: {error}");
                last = Some(error);
            }
            result => return result,
        }
    }
    Err(last.unwrap_or_else(|| PspError::Unreachable("no attempt".into())))
}

async fn close_failed(storage: Storage, order_id: String, now: i64) {
    if let Err(error) = storage
        .move_order(&order_id, OrderStatus::Failed, now)
        .await
    {
        console_error!("order {order_id} could not be marked failed: {error}");
    }
}
