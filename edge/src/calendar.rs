//! The association's calendar: which day it is where the association is. Membership periods,
//! renewal reminders and a member's standing count in its days, not in UTC's: a calendar-year
//! membership paid at half past midnight on 1 January, Paris time, belongs to the new year.
//!
//! The time zone is the deployment's `TIME_ZONE` (an IANA name), `Europe/Paris` by default;
//! the runtime's own time-zone data (`Intl`) turns an instant into a day there.

use std::cell::OnceCell;

use js_sys::{Array, Date, Object, Reflect};
use tirelire_domain::Day;
use wasm_bindgen::prelude::*;
use worker::{Env, console_warn};

/// The variable that names the association's time zone.
pub const TIME_ZONE_VAR: &str = "TIME_ZONE";
/// Where most associations using Tirelire are.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

#[wasm_bindgen]
extern "C" {
    /// `Intl.DateTimeFormat`, bound here so that an unknown zone is an error to handle rather
    /// than an exception.
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type ZoneFormat;

    #[wasm_bindgen(constructor, catch, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locale: &str, options: &Object) -> Result<ZoneFormat, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &ZoneFormat, date: &Date) -> Array;
}

/// Days where the association is. The runtime's formatter is made on first use, so that a
/// request that counts no day pays nothing for it.
pub struct Calendar {
    zone: String,
    format: OnceCell<Option<ZoneFormat>>,
}

impl Calendar {
    /// The calendar of the deployment's time zone.
    pub fn from_env(env: &Env) -> Self {
        let zone = env
            .var(TIME_ZONE_VAR)
            .map(|value| value.to_string().trim().to_owned())
            .ok()
            .filter(|zone| !zone.is_empty())
            .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned());
        Self {
            zone,
            format: OnceCell::new(),
        }
    }

    /// The day it is in the association's time zone at `secs` (Unix seconds). In a zone the
    /// runtime does not know, which is logged, days are counted in UTC.
    pub fn day(&self, secs: i64) -> Day {
        self.format
            .get_or_init(|| formatter(&self.zone))
            .as_ref()
            .and_then(|format| local_day(format, secs))
            .unwrap_or_else(|| Day::from_unix(secs))
    }
}

fn formatter(zone: &str) -> Option<ZoneFormat> {
    let options = Object::new();
    let set = |name: &str, value: &str| Reflect::set(&options, &name.into(), &value.into()).is_ok();
    let ready = set("timeZone", zone)
        && set("year", "numeric")
        && set("month", "numeric")
        && set("day", "numeric");
    let format = ready
        .then(|| ZoneFormat::new("en-US", &options).ok())
        .flatten();
    if format.is_none() {
        console_warn!("the time zone {zone:?} is unknown; days are counted in UTC");
    }
    format
}

fn local_day(format: &ZoneFormat, secs: i64) -> Option<Day> {
    let date = Date::new(&JsValue::from_f64(secs as f64 * 1000.0));
    let (mut year, mut month, mut day) = (None, None, None);
    for part in format.format_to_parts(&date).iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        match kind.as_str() {
            "year" => year = value.parse::<i32>().ok(),
            "month" => month = value.parse::<u8>().ok(),
            "day" => day = value.parse::<u8>().ok(),
            _ => {}
        }
    }
    Day::new(year?, month?, day?).ok()
}
