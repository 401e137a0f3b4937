//! The scheduled sweep: nothing stays pending for ever, nothing the PSP did goes unrecorded,
//! and personal data is not kept longer than it serves.
//!
//! Each run, in bounded steps (the free plan allows 50 subrequests and 50 D1 queries per run;
//! the batch sizes below keep a run under about 45 of each):
//! 1. orders still pending without a session after two minutes (the edge stopped between the
//!    insert and the PSP's answer): the stored request is sent again with the same idempotency
//!    key, which can only give back the session it may have opened; an order too old for that,
//!    or that the PSP refuses, is marked failed;
//! 2. orders pending with a session after two minutes: the session is fetched and its real
//!    state applied, in case its webhook never came;
//! 3. the PSP's event list since the cursor kept in D1, so that every event is applied even if
//!    its delivery failed for good (on an account whose list was empty at the first read, from
//!    its first event);
//! 4. retention: the name and email on orders never paid are erased after the retention
//!    period, old attempt keys and counters are dropped, and so are messages sent before it;
//! 5. members: periods of paid memberships not recorded yet, and the renewal reminders due
//!    today, each written once whatever the number of runs;
//! 6. mail: messages due in the outbox (first attempts whose `wait_until` did not finish,
//!    retries after their backoff) are sent, a few per run.
//!
//! The run's clock is the schedule's time, so tests can run it as if later.

use tirelire_domain::OrderStatus;
use worker::{Env, console_error, console_log, console_warn};

use crate::config::{self, Settings};
use crate::error::EdgeError;
use crate::ledger;
use crate::mail::{self, Notices};
use crate::outbound;
use crate::payments;
use crate::psp::{EventCursor, EventPage, PaymentChange, PaymentEvent, PaymentProvider, PspError};
use crate::routes::checkout::ATTEMPT_WINDOW_SECS;
use crate::storage::Storage;

/// How long the checkout has to attach a session before the sweep steps in.
const GRACE_SECS: i64 = 2 * 60;
/// Past this age, a request sent again would give the PSP a page lifetime under its minimum:
/// the order is closed instead.
const REPLAY_MAX_AGE_SECS: i64 = 14 * 60;
/// Orders replayed per run.
const REPLAYS_PER_RUN: u32 = 2;
/// Sessions fetched per run; the oldest-checked come first, so every pending order gets its
/// turn.
const CHECKS_PER_RUN: u32 = 4;
/// Events applied per run when the walk starts from the first event of a list that was empty:
/// a page's worth, as for every other page.
const EVENTS_FROM_START_PER_RUN: usize = 10;
/// Pages of events read per run.
const EVENT_PAGES_PER_RUN: u32 = 1;
/// Orders erased per run.
const ERASED_PER_RUN: u32 = 200;
/// Memberships recorded late per run.
const MEMBERSHIPS_PER_RUN: u32 = 5;
/// Messages sent per run: one subrequest (a connection or a request) and two D1 queries each.
const MAILS_PER_RUN: u32 = 5;
/// Months of monthly gifts whose payment one run learns, one PSP request each.
const INSTALMENTS_PER_RUN: u32 = 4;

/// What a run did, for the log and for tests.
#[derive(Debug, Default)]
pub struct Report {
    /// Orders whose session was found again.
    pub replayed: u32,
    /// Orders closed as failed.
    pub failed: u32,
    /// Sessions fetched.
    pub checked: u32,
    /// Events read from the PSP's list.
    pub events: u32,
    /// Orders or events that changed something.
    pub applied: u32,
    /// Orders whose personal data was erased.
    pub erased: usize,
    /// Renewal reminders written.
    pub reminders: usize,
    /// Months of monthly gifts whose payment was learnt.
    pub instalments: u32,
    /// What became of the messages sent.
    pub mail: mail::outbox::Sent,
}

/// One run of the sweep at `now` (Unix seconds).
pub async fn run(env: &Env, now: i64) {
    match sweep(env, now).await {
        Ok(report) => console_log!("sweep at {now}: {report:?}"),
        Err(error) => console_error!("the sweep failed: {error}"),
    }
}

async fn sweep(env: &Env, now: i64) -> Result<Report, EdgeError> {
    let settings = Settings::read(env)?;
    let storage = Storage::from_env(env)?;
    let mut report = Report::default();
    // Retention first: it needs no PSP, so it runs even on an edge not configured yet.
    let retention = i64::from(settings.retention_days) * 86_400;
    report.erased = storage
        .erase_unpaid(now - retention, ERASED_PER_RUN, now)
        .await?;
    storage
        .forget_old_attempts(now - ATTEMPT_WINDOW_SECS, now)
        .await?;
    storage.forget_sent_mail(now - retention).await?;
    for order_id in storage.unrecorded_memberships(MEMBERSHIPS_PER_RUN).await? {
        storage.record_membership(&order_id, true, now).await?;
    }
    report.reminders = storage.write_due_reminders(now).await?;
    // Mail before the PSP: it does not need one, and a PSP that fails must not hold it up.
    match mail::outbox::send_due(env, &storage, now, MAILS_PER_RUN).await {
        Ok(sent) => report.mail = sent,
        Err(error) => console_error!("mail could not be sent: {error}"),
    }

    let provider = config::provider(env, &settings)?;
    let timeout = settings.psp_timeout_ms;
    let notices = Notices::read(env);
    let psp = Psp {
        provider: provider.as_ref(),
        timeout,
        notices: &notices,
    };
    replay_orphans(&storage, &psp, now, &mut report).await?;
    check_sessions(&storage, &psp, now, &mut report).await?;
    read_events(&storage, &psp, now, &mut report).await?;
    report.instalments =
        payments::learn_instalment_payments(&storage, psp.provider, timeout, INSTALMENTS_PER_RUN)
            .await?;
    Ok(report)
}

/// The PSP, how long to wait for it, and what a payment writes to the outbox.
struct Psp<'a> {
    provider: &'a dyn PaymentProvider,
    timeout: u32,
    notices: &'a Notices,
}

impl Psp<'_> {
    async fn apply(
        &self,
        storage: &Storage,
        event: &crate::psp::PaymentEvent,
        now: i64,
    ) -> Result<bool, EdgeError> {
        let provider = self.provider;
        let outcome = ledger::apply(
            storage,
            provider.name(),
            provider.is_live(),
            event,
            self.notices,
            now,
        )
        .await?;
        Ok(outcome == ledger::Outcome::Applied)
    }
}

async fn replay_orphans(
    storage: &Storage,
    psp: &Psp<'_>,
    now: i64,
    report: &mut Report,
) -> Result<(), EdgeError> {
    let (provider, timeout) = (psp.provider, psp.timeout);
    for order in storage
        .pending_orders(false, 0, now - REPLAY_MAX_AGE_SECS, 20)
        .await?
    {
        report.failed += close(storage, &order.id, now).await?;
    }
    let orphans = storage
        .pending_orders(
            false,
            now - REPLAY_MAX_AGE_SECS,
            now - GRACE_SECS,
            REPLAYS_PER_RUN,
        )
        .await?;
    for order in orphans {
        let Some(body) = &order.psp_request else {
            report.failed += close(storage, &order.id, now).await?;
            continue;
        };
        let request = provider.replay_checkout(&order.id, body);
        match payments::open_page(provider, &request, timeout).await {
            Ok(session) => {
                storage
                    .attach_session(&order.id, &session.id, &session.url, now)
                    .await?;
                report.replayed += 1;
            }
            Err(error) if error.is_transient() => {
                console_warn!("order {}: the PSP is still failing: {error}", order.id);
            }
            Err(error) => {
                console_warn!("order {}: the PSP refuses it: {error}", order.id);
                report.failed += close(storage, &order.id, now).await?;
            }
        }
    }
    Ok(())
}

/// Closes an order as failed; 1 if it moved, else 0.
async fn close(storage: &Storage, order_id: &str, now: i64) -> Result<u32, EdgeError> {
    Ok(u32::from(
        storage
            .move_order(order_id, OrderStatus::Failed, now)
            .await?,
    ))
}

async fn check_sessions(
    storage: &Storage,
    psp: &Psp<'_>,
    now: i64,
    report: &mut Report,
) -> Result<(), EdgeError> {
    let (provider, timeout) = (psp.provider, psp.timeout);
    let pending = storage
        .pending_orders(true, 0, now - GRACE_SECS, CHECKS_PER_RUN)
        .await?;
    for order in pending {
        let Some(session_id) = &order.session_id else {
            continue;
        };
        storage.touch_order(&order.id, now).await?;
        let event = match payments::session_event(provider, session_id, timeout).await {
            Ok(event) => event,
            Err(error) => {
                console_warn!("session {session_id} could not be checked: {error}");
                continue;
            }
        };
        report.checked += 1;
        // Still open: nothing to record yet.
        let settled = matches!(
            &event.change,
            Some(PaymentChange::Session(update)) if update.outcome.is_some()
        );
        if !settled {
            continue;
        }
        if psp.apply(storage, &event, now).await? {
            report.applied += 1;
        }
    }
    Ok(())
}

/// The events of `page` to apply, oldest first, and where the walk goes on (`""` for "from the
/// first event"), given the `cursor` it was read at.
fn walk<'p>(cursor: EventCursor<'_>, page: &'p EventPage) -> (&'p [PaymentEvent], Option<&'p str>) {
    match cursor {
        // The newest event only marks where to start; when there is none, every event to come
        // is new, and the walk will start from the first.
        EventCursor::Unset => (&[], Some(page.newest.as_deref().unwrap_or(""))),
        // More than a run's worth: the oldest now, and the next run goes on after them.
        EventCursor::Start => match page.events.get(..EVENTS_FROM_START_PER_RUN) {
            Some(oldest) if oldest.len() < page.events.len() => {
                (oldest, oldest.last().map(|event| event.id.as_str()))
            }
            _ => (&page.events, page.newest.as_deref()),
        },
        EventCursor::After(_) => (&page.events, page.newest.as_deref()),
    }
}

async fn read_events(
    storage: &Storage,
    psp: &Psp<'_>,
    now: i64,
    report: &mut Report,
) -> Result<(), EdgeError> {
    let (provider, timeout) = (psp.provider, psp.timeout);
    for _ in 0..EVENT_PAGES_PER_RUN {
        let stored = storage.event_cursor(provider.name()).await?;
        let cursor = EventCursor::from_stored(stored.as_deref());
        let Some(request) = provider.events_request(cursor) else {
            return Ok(());
        };
        let response = outbound::send(&request, timeout)
            .await
            .map_err(PspError::from)?;
        let page = provider.read_events(&response)?;
        for problem in &page.unreadable {
            console_warn!("an event could not be read: {problem}");
        }
        if cursor == EventCursor::Start && page.has_more {
            console_warn!(
                "more events than one page since the event list was empty: the oldest are left \
                 to their webhooks and to the check of pending orders"
            );
        }
        let (events, next) = walk(cursor, &page);
        for event in events {
            report.events += 1;
            // Most events came by webhook already; one read skips them.
            if storage.event_seen(&event.id).await? {
                continue;
            }
            if psp.apply(storage, event, now).await? {
                report.applied += 1;
            }
        }
        if let Some(next) = next.filter(|next| Some(*next) != stored.as_deref()) {
            storage.set_event_cursor(provider.name(), next, now).await?;
        }
        if cursor == EventCursor::Unset || !page.has_more || page.newest.is_none() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str], has_more: bool) -> EventPage {
        EventPage {
            events: ids
                .iter()
                .map(|id| PaymentEvent {
                    id: (*id).to_owned(),
                    kind: "charge.refunded".to_owned(),
                    live: Some(false),
                    change: None,
                })
                .collect(),
            unreadable: Vec::new(),
            newest: ids.last().map(|id| (*id).to_owned()),
            has_more,
        }
    }

    fn ids(events: &[PaymentEvent]) -> Vec<&str> {
        events.iter().map(|event| event.id.as_str()).collect()
    }

    #[test]
    fn a_first_read_marks_the_newest_event_or_the_start_of_an_empty_list() {
        let newest = page(&["evt_9"], true);
        let (events, next) = walk(EventCursor::Unset, &newest);
        assert!(events.is_empty(), "the account's history is not the edge's");
        assert_eq!(next, Some("evt_9"));
        let empty = page(&[], false);
        let (events, next) = walk(EventCursor::Unset, &empty);
        assert!(events.is_empty());
        assert_eq!(next, Some(""), "every event to come will be read");
    }

    #[test]
    fn from_the_start_the_oldest_events_come_first_a_page_at_a_time() {
        let all: Vec<String> = (1..=25).map(|n| format!("evt_{n:02}")).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let first = page(&all, false);
        let (events, next) = walk(EventCursor::Start, &first);
        assert_eq!(ids(events), all[..10]);
        assert_eq!(next, Some("evt_10"), "the next run goes on after the tenth");

        let few = page(&["evt_1", "evt_2"], false);
        let empty = page(&[], false);
        let (events, next) = walk(EventCursor::Start, &few);
        assert_eq!(ids(events), ["evt_1", "evt_2"]);
        assert_eq!(next, Some("evt_2"));

        let (events, next) = walk(EventCursor::Start, &empty);
        assert!(events.is_empty());
        assert_eq!(next, None, "still at the start");
    }

    #[test]
    fn after_a_cursor_the_whole_page_is_applied_and_the_walk_moves_to_its_newest() {
        let next_page = page(&["evt_2", "evt_3"], true);
        let (events, next) = walk(EventCursor::After("evt_1"), &next_page);
        assert_eq!(ids(events), ["evt_2", "evt_3"]);
        assert_eq!(next, Some("evt_3"));
    }

    #[test]
    fn the_cursor_reads_back_as_it_was_stored() {
        assert_eq!(EventCursor::from_stored(None), EventCursor::Unset);
        assert_eq!(EventCursor::from_stored(Some("")), EventCursor::Start);
        assert_eq!(
            EventCursor::from_stored(Some("evt_1")),
            EventCursor::After("evt_1")
        );
    }
}
