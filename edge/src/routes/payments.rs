//! The back-office's payments: lists, exports, payments received by hand and their reversal.
//!
//! - `GET /v1/admin/campaigns` lists the campaigns with their totals (any member);
//! - `GET /v1/admin/dashboard` adds them up per month and per way of paying, with what needs
//!   looking at: payments pending or failed, anomalies, mail not sent (any member);
//! - `GET /v1/admin/payments?campaign=&status=&method=&q=&from=&to=&min=&max=&sort=&after=`
//!   gives 50 payments at a time, with the summary of every match on the first page (any
//!   member);
//! - `GET /v1/admin/payments.csv?…` (same filter) streams every match as CSV (treasurer);
//! - `POST /v1/admin/payments/offline` records a cheque, a transfer or cash (treasurer, recent
//!   sign-in);
//! - `POST /v1/admin/payments/{id}/reversal` `{"reason"}` cancels one of those by a reversing
//!   entry (treasurer, recent sign-in);
//! - `GET /v1/admin/payments/{id}` gives one payment with the PSP's ids and events, its
//!   messages, anomalies and what people did to it (any member);
//! - `POST /v1/admin/payments/{id}/note` `{"text"}` keeps a note about it (any member);
//! - `POST /v1/admin/payments/{id}/receipt` sends the donor's receipt again (treasurer);
//! - `POST /v1/admin/payments/{id}/refund` `{"amount"?}` asks the PSP to give back all or part
//!   of a card payment (treasurer, recent sign-in). The refund reaches the totals when the
//!   PSP's event arrives, as any refund does;
//! - `POST /v1/admin/payments/{id}/stop-monthly` stops a monthly gift: no instalment follows
//!   (treasurer, recent sign-in).

use futures_util::stream;
use tirelire_domain::payments::{
    Note, OfflinePayment, PaymentFilter, PaymentPage, RefundAnswer, RefundRequest, Reversal,
};
use tirelire_domain::{
    CampaignSlug, Currency, Field, FieldError, FieldErrorCode, Money, OrderStatus, Role,
    clean_text, is_valid_email,
};
use worker::{Context, Env, Request, Response};

use super::staff::{Need, caller, writer};
use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::export;
use crate::http::{json, now_secs, read_json};
use crate::ids::{is_order_id, new_delivery_token, new_order_id};
use crate::outbound;
use crate::psp::{PspError, RefundOrder};
use crate::storage::{Cursor, HandPayment, Storage};

/// Payments per page of the list.
const PAGE: u32 = 50;
/// Payments read from D1 per chunk of an export.
const EXPORT_CHUNK: u32 = 500;
/// The largest payment recorded by hand, in minor units: beyond, it is a typing mistake.
const MAX_HAND_AMOUNT: i64 = 100_000_000;
/// The longest reference or reason, in characters.
const MAX_NOTE_CHARS: usize = 200;
/// How far in the future a received payment may be dated: a day, for time zones.
const FUTURE_SLACK_SECS: i64 = 24 * 3600;
/// The earliest date a payment may carry: 1 January 2000.
const EARLIEST: i64 = 946_684_800;

const READ: Need = Need {
    role: Role::Volunteer,
    sensitive: false,
};
const EXPORT: Need = Need {
    role: Role::Treasurer,
    sensitive: false,
};
const MONEY: Need = Need {
    role: Role::Treasurer,
    sensitive: true,
};

fn filter_of(req: &Request) -> Result<(PaymentFilter, Option<Cursor>), EdgeError> {
    let url = req.url()?;
    let filter: PaymentFilter = serde_urlencoded::from_str(url.query().unwrap_or_default())
        .map_err(|error| EdgeError::InvalidQuery(error.to_string()))?;
    let cursor = match filter.after.as_deref() {
        Some(after) => {
            Some(Cursor::parse(after).ok_or_else(|| EdgeError::InvalidQuery("after".to_owned()))?)
        }
        None => None,
    };
    Ok((filter, cursor))
}

/// `GET /v1/admin/campaigns`.
pub async fn campaigns(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    Ok(json(200, &storage.campaign_summaries().await?)?)
}

/// `GET /v1/admin/dashboard`.
pub async fn dashboard(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    Ok(json(200, &storage.dashboard(now_secs()).await?)?)
}

/// `GET /v1/admin/payments`.
pub async fn list(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    let (filter, cursor) = filter_of(&req)?;
    let (payments, next, summary) = storage
        .payments(&filter, cursor.as_ref(), PAGE, cursor.is_none())
        .await?;
    Ok(json(
        200,
        &PaymentPage {
            payments,
            next: next.map(|cursor| cursor.text()),
            summary,
        },
    )?)
}

/// Where an export stands between two chunks.
struct Walk {
    storage: Storage,
    filter: PaymentFilter,
    cursor: Option<Cursor>,
    done: bool,
}

/// `GET /v1/admin/payments.csv`: every match, read and sent a chunk at a time, so that the
/// Worker never holds more than one chunk, however many payments there are.
pub async fn export(req: Request, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, EXPORT).await?;
    let (filter, cursor) = filter_of(&req)?;
    let head = export::head().map_err(EdgeError::Runtime)?;
    let walk = Walk {
        storage,
        filter,
        cursor,
        done: false,
    };
    let body = stream::unfold(walk, |mut walk| async move {
        if walk.done {
            return None;
        }
        let chunk = walk
            .storage
            .payments(&walk.filter, walk.cursor.as_ref(), EXPORT_CHUNK, false)
            .await
            .map_err(|error| worker::Error::RustError(error.to_string()))
            .and_then(|(rows, next, _)| {
                walk.done = next.is_none();
                walk.cursor = next;
                export::lines(&rows).map_err(worker::Error::RustError)
            });
        // A failure ends the stream with an error, so the file arrives cut rather than short.
        walk.done |= chunk.is_err();
        Some((chunk, walk))
    });
    let body = futures_util::StreamExt::chain(stream::once(async move { Ok(head) }), body);
    let mut response = Response::from_stream(body)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"paiements.csv\"",
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

fn field_error(field: Field, code: FieldErrorCode) -> FieldError {
    FieldError::new(field, code)
}

/// A name as stored: cleaned, required, not too long.
fn name(text: &str, field: Field, errors: &mut Vec<FieldError>) -> String {
    let text = clean_text(text);
    if text.is_empty() {
        errors.push(field_error(field, FieldErrorCode::Required));
    } else if text.chars().count() > tirelire_domain::donation::MAX_NAME_CHARS {
        errors.push(field_error(field, FieldErrorCode::TooLong));
    }
    text
}

fn short_text(text: &str, field: Field, errors: &mut Vec<FieldError>) -> String {
    let text = clean_text(text);
    if text.chars().count() > MAX_NOTE_CHARS {
        errors.push(field_error(field, FieldErrorCode::TooLong));
    }
    text
}

/// `POST /v1/admin/payments/offline`.
pub async fn record(mut req: Request, env: &Env, ctx: &Context) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, MONEY).await?;
    let person = caller.session.person_id;
    let payment: OfflinePayment = read_json(&mut req, 4 * 1024, ctx).await?;
    let slug = CampaignSlug::parse(&payment.campaign)
        .map_err(|_| EdgeError::CampaignNotFound(payment.campaign.clone()))?;
    let campaign = storage
        .campaign(&slug)
        .await?
        .ok_or_else(|| EdgeError::CampaignNotFound(payment.campaign.clone()))?;

    let mut errors = Vec::new();
    if !payment.method.is_offline() {
        errors.push(field_error(Field::Amount, FieldErrorCode::Unsupported));
    }
    if payment.amount <= 0 {
        errors.push(field_error(Field::Amount, FieldErrorCode::TooSmall));
    } else if payment.amount > MAX_HAND_AMOUNT {
        errors.push(field_error(Field::Amount, FieldErrorCode::TooLarge));
    }
    let now = now_secs();
    if payment.received_at < EARLIEST || payment.received_at > now + FUTURE_SLACK_SECS {
        errors.push(field_error(Field::Date, FieldErrorCode::Invalid));
    }
    let first_name = name(&payment.first_name, Field::FirstName, &mut errors);
    let last_name = name(&payment.last_name, Field::LastName, &mut errors);
    let email = payment.email.trim().to_lowercase();
    if !email.is_empty() && !is_valid_email(&email) {
        errors.push(field_error(Field::Email, FieldErrorCode::Invalid));
    }
    let reference = short_text(&payment.reference, Field::Reference, &mut errors);
    if !errors.is_empty() {
        return Err(EdgeError::InvalidSubmission(errors));
    }

    let id = new_order_id()?;
    let currency = campaign.view.rules.currency().code();
    storage
        .record_hand_payment(
            &HandPayment {
                id: &id,
                campaign_id: campaign.id,
                amount: payment.amount,
                currency,
                method: payment.method,
                received_at: payment.received_at,
                first_name: &first_name,
                last_name: &last_name,
                email: &email,
                reference: &reference,
                locale: "fr",
            },
            &slug,
            person,
            now,
        )
        .await?;
    Ok(json(201, &serde_json::json!({ "id": id }))?)
}

/// `POST /v1/admin/payments/{id}/reversal`.
pub async fn reverse(
    mut req: Request,
    id: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, MONEY).await?;
    let person = caller.session.person_id;
    let reversal: Reversal = read_json(&mut req, 4 * 1024, ctx).await?;
    let mut errors = Vec::new();
    let reason = required_text(&reversal.reason, &mut errors);
    if !errors.is_empty() {
        return Err(EdgeError::InvalidSubmission(errors));
    }
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    match storage
        .reverse_hand_payment(id, &reason, person, &new_delivery_token()?, now_secs())
        .await?
    {
        // Cancelling twice is answered as once: the first reversal stands.
        Some(now) => Ok(json(
            200,
            &serde_json::json!({ "reversed": true, "already": !now }),
        )?),
        None if storage.order(id).await?.is_some() => Err(EdgeError::NotReversible(id.to_owned())),
        None => Err(EdgeError::OrderNotFound),
    }
}

/// `POST /v1/admin/payments/{id}/stop-monthly`: stops a monthly gift at the PSP, as the donor
/// can from their own page (treasurer, recent sign-in).
pub async fn stop_monthly(req: Request, id: &str, env: &Env) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, MONEY).await?;
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    let order = storage.order(id).await?.ok_or(EdgeError::OrderNotFound)?;
    let Some(subscription) = order.subscription_id.as_deref().filter(|_| order.monthly) else {
        return Err(EdgeError::NotRefundable(id.to_owned()));
    };
    super::order_page::stop_subscription(
        env,
        &storage,
        id,
        subscription,
        Some(caller.session.person_id),
    )
    .await?;
    Ok(json(200, &serde_json::json!({ "stopped": true }))?)
}

/// `POST /v1/admin/payments/{id}/refund`.
pub async fn refund(
    mut req: Request,
    id: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, MONEY).await?;
    let person = caller.session.person_id;
    let request: RefundRequest = read_json(&mut req, 1024, ctx).await?;
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    let order = storage
        .refundable(id)
        .await?
        .ok_or(EdgeError::OrderNotFound)?;
    let settings = Settings::read(env)?;
    let provider = config::provider(env, &settings)?;
    let left = order.counted;
    let payment_id = match &order.payment_id {
        Some(payment_id)
            if order.psp == provider.name()
                && order.status == OrderStatus::Paid.as_str()
                && left > 0 =>
        {
            payment_id.clone()
        }
        _ => return Err(EdgeError::NotRefundable(id.to_owned())),
    };
    let amount = request.amount.unwrap_or(left);
    if amount <= 0 || amount > left {
        let code = if amount <= 0 {
            FieldErrorCode::TooSmall
        } else {
            FieldErrorCode::TooLarge
        };
        return Err(EdgeError::InvalidSubmission(vec![field_error(
            Field::Amount,
            code,
        )]));
    }
    let currency = Currency::from_code(&order.currency)
        .ok_or_else(|| EdgeError::Runtime(format!("order {id} has currency {}", order.currency)))?;
    // The key counts the refunds asked before: a second click while the first is on its way is
    // the same refund, a later decision another.
    let http = provider.refund(&RefundOrder {
        order_id: id,
        payment_id: &payment_id,
        amount: Some(Money::new(amount, currency)),
        sequence: u32::try_from(order.requests).unwrap_or(u32::MAX),
    });
    let response = outbound::send(&http, settings.psp_timeout_ms)
        .await
        .map_err(PspError::from)?;
    let receipt = provider.read_refund(&response)?;
    storage
        .record_refund_request(id, person, receipt.amount, &receipt.id, now_secs())
        .await?;
    Ok(json(
        202,
        &RefundAnswer {
            refund_id: receipt.id,
            amount: receipt.amount,
            status: receipt.status,
        },
    )?)
}

/// `GET /v1/admin/payments/{id}`.
pub async fn detail(req: Request, id: &str, env: &Env) -> Result<Response, EdgeError> {
    let storage = Storage::from_env(env)?;
    caller(&req, &storage, READ).await?;
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    let detail = storage
        .payment_detail(id)
        .await?
        .ok_or(EdgeError::OrderNotFound)?;
    Ok(json(200, &detail)?)
}

/// `POST /v1/admin/payments/{id}/note`.
pub async fn note(
    mut req: Request,
    id: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, READ).await?;
    let person = caller.session.person_id;
    let note: Note = read_json(&mut req, 4 * 1024, ctx).await?;
    let mut errors = Vec::new();
    let text = required_text(&note.text, &mut errors);
    if !errors.is_empty() {
        return Err(EdgeError::InvalidSubmission(errors));
    }
    if !is_order_id(id) || !storage.add_note(id, &text, person, now_secs()).await? {
        return Err(EdgeError::OrderNotFound);
    }
    Ok(json(201, &serde_json::json!({ "kept": true }))?)
}

/// A short text that must not be empty: a reversal's reason, a note.
fn required_text(text: &str, errors: &mut Vec<FieldError>) -> String {
    let text = short_text(text, Field::Reason, errors);
    if text.is_empty() {
        errors.push(field_error(Field::Reason, FieldErrorCode::Required));
    }
    text
}

/// `POST /v1/admin/payments/{id}/receipt`: the receipt is written again as a new message and
/// sent after the answer, or by the sweep if the provider is down.
pub async fn receipt(
    req: Request,
    id: &str,
    env: &Env,
    ctx: &Context,
) -> Result<Response, EdgeError> {
    let (storage, caller) = writer(&req, env, EXPORT).await?;
    let person = caller.session.person_id;
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    let now = now_secs();
    if !storage.resend_receipt(id, person, now).await? {
        return match storage.order(id).await? {
            Some(_) => Err(EdgeError::NoReceipt(id.to_owned())),
            None => Err(EdgeError::OrderNotFound),
        };
    }
    let env = env.clone();
    ctx.wait_until(async move {
        if let Ok(storage) = Storage::from_env(&env)
            && let Err(error) = crate::mail::outbox::send_due(&env, &storage, now, 5).await
        {
            worker::console_error!("receipt sent again: {error}");
        }
    });
    Ok(json(202, &serde_json::json!({ "queued": true }))?)
}
