//! Stripe's list of events, read by the sweep so that an event whose delivery never came is
//! applied all the same.
//!
//! Stripe lists events newest first. With `ending_before` it gives the events just after the
//! cursor, so the sweep walks forward from where it stopped, a page at a time.

use serde::Deserialize;
use serde_json::Value;

use super::objects;
use super::webhook::read_listed_event;
use crate::psp::{EventCursor, EventPage, HttpResponse, PspError};

/// Events per page: small, because the sweep applies each within the run's query budget.
const PAGE: u32 = 10;

/// The most Stripe lists in one page, for the walk from the start of an account's list: the
/// sweep applies the oldest of them and goes on from there.
const LARGEST_PAGE: u32 = 100;

/// The path of the page `cursor` asks for.
pub(super) fn list_path(cursor: EventCursor<'_>) -> String {
    match cursor {
        EventCursor::Unset => "/v1/events?limit=1".to_owned(),
        EventCursor::Start => format!("/v1/events?limit={LARGEST_PAGE}"),
        EventCursor::After(id) => {
            let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            format!("/v1/events?limit={PAGE}&ending_before={id}")
        }
    }
}

#[derive(Deserialize)]
struct List {
    data: Vec<Value>,
    #[serde(default)]
    has_more: bool,
}

/// Reads a page, oldest event first. An event that cannot be read is set aside (the sweep logs
/// it) rather than blocking every event after it.
pub(super) fn read(response: &HttpResponse) -> Result<EventPage, PspError> {
    let list: List = objects::read(response)?;
    let mut events = Vec::with_capacity(list.data.len());
    let mut unreadable = Vec::new();
    let mut newest = None;
    for value in list.data.into_iter().rev() {
        let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        match read_listed_event(value) {
            Ok(event) => events.push(event),
            Err(error) => unreadable.push(format!("{}: {error}", id.as_deref().unwrap_or("?"))),
        }
        newest = id.or(newest);
    }
    Ok(EventPage {
        events,
        unreadable,
        newest,
        has_more: list.has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_starts_at_the_newest_event_then_moves_forward() {
        assert_eq!(list_path(EventCursor::Unset), "/v1/events?limit=1");
        assert_eq!(list_path(EventCursor::Start), "/v1/events?limit=100");
        assert_eq!(
            list_path(EventCursor::After("evt_1")),
            "/v1/events?limit=10&ending_before=evt_1"
        );
    }

    #[test]
    fn a_page_is_read_oldest_first() {
        let response = HttpResponse {
            status: 200,
            body: r#"{"object":"list","has_more":true,"data":[
                {"id":"evt_new","type":"customer.created","data":{"object":{}}},
                {"id":"evt_old","type":"customer.created","data":{"object":{}}}
            ]}"#
            .into(),
        };
        let page = read(&response).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = page.events.iter().map(|event| event.id.as_str()).collect();
        assert_eq!(ids, ["evt_old", "evt_new"]);
        assert!(page.has_more);
    }
}
