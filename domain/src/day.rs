//! Calendar days, as membership periods, event dates and custom date answers use them:
//! `2026-12-31` on the wire, with the calendar's arithmetic left to the `time` crate.

use serde::{Deserialize, Serialize};

/// A day of the calendar, without a time or a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(time::Date);

/// Why a text is not a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a day is written YYYY-MM-DD and exists in the calendar")]
pub struct InvalidDay;

impl Day {
    /// The day `year`-`month`-`day`, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, InvalidDay> {
        let month = time::Month::try_from(month).map_err(|_| InvalidDay)?;
        time::Date::from_calendar_date(year, month, day)
            .map(Self)
            .map_err(|_| InvalidDay)
    }

    /// Reads `YYYY-MM-DD`, as `<input type="date">` gives it, for years 1900 to 9999.
    pub fn parse(text: &str) -> Result<Self, InvalidDay> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes
                .get(range)
                .filter(|part| part.iter().all(u8::is_ascii_digit))
                .map(|part| part.iter().fold(0_i32, |n, d| n * 10 + i32::from(d - b'0')))
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(InvalidDay);
        }
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(year), Some(month), Some(day)) if year >= 1900 => {
                Self::new(year, month as u8, day as u8)
            }
            _ => Err(InvalidDay),
        }
    }

    /// The day, in UTC, of a Unix time in seconds.
    pub fn from_unix(secs: i64) -> Self {
        Self(
            time::OffsetDateTime::from_unix_timestamp(secs)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
                .date(),
        )
    }

    /// Midnight UTC at the start of the day, in Unix seconds.
    pub fn unix(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The day `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Self {
        Self(
            self.0
                .checked_add(time::Duration::days(days))
                .unwrap_or(self.0),
        )
    }

    /// The same day of the month `months` later, or the month's last day when it is shorter
    /// (31 January plus one month is 28 or 29 February).
    pub fn plus_months(self, months: u32) -> Self {
        let index = i64::from(self.0.year()) * 12 + i64::from(u8::from(self.0.month())) - 1
            + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
        let month = (index.rem_euclid(12) + 1) as u8;
        let Ok(month) = time::Month::try_from(month) else {
            return self;
        };
        let day = self.0.day().min(month.length(year));
        time::Date::from_calendar_date(year, month, day).map_or(self, Self)
    }

    /// How many days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Self) -> i64 {
        i64::from(later.0.to_julian_day() - self.0.to_julian_day())
    }

    /// The first day of the day's year.
    pub fn first_of_year(self) -> Self {
        Self::new(self.year(), 1, 1).unwrap_or(self)
    }

    /// The last day of the day's year.
    pub fn last_of_year(self) -> Self {
        Self::new(self.year(), 12, 31).unwrap_or(self)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

impl TryFrom<String> for Day {
    type Error = InvalidDay;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Day> for String {
    fn from(day: Day) -> Self {
        day.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|_| panic!("{text}"))
    }

    #[test]
    fn days_read_and_write_as_iso_dates() {
        assert_eq!(day("2026-02-28").to_string(), "2026-02-28");
        assert_eq!(day("2028-02-29").to_string(), "2028-02-29");
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00:00",
            "1899-12-31",
            "+026-01-01",
            "",
        ] {
            assert_eq!(Day::parse(text), Err(InvalidDay), "{text}");
        }
    }

    #[test]
    fn months_are_added_without_running_past_the_month_end() {
        assert_eq!(day("2026-01-31").plus_months(1), day("2026-02-28"));
        assert_eq!(day("2027-12-15").plus_months(1), day("2028-01-15"));
        assert_eq!(day("2026-03-01").plus_months(12), day("2027-03-01"));
        assert_eq!(day("2026-03-01").plus_days(-1), day("2026-02-28"));
    }

    #[test]
    fn unix_times_fall_on_their_utc_day() {
        let noon = day("2026-12-03").unix() + 12 * 3600;
        assert_eq!(Day::from_unix(noon), day("2026-12-03"));
        assert_eq!(day("2026-12-01").days_until(day("2026-12-31")), 30);
        assert_eq!(day("2026-12-31").days_until(day("2026-12-01")), -30);
    }
}
