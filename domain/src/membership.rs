//! Memberships: how long a paid membership lasts, how a renewal extends it, and which renewal
//! reminder is due on a given day.

use serde::{Deserialize, Serialize};

use crate::Day;

/// How long a membership bought through a campaign lasts. On the wire:
/// `{"type": "calendar_year"}`, `{"type": "rolling_months", "months": 12}` or
/// `{"type": "fixed", "starts_on": "2026-09-01", "ends_on": "2027-06-30"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ValidityWire", into = "ValidityWire")]
pub enum Validity {
    /// From payment to 31 December; paid while a membership already covers the year, it buys
    /// the next year.
    CalendarYear,
    /// A number of months from payment, or from the end of a membership still running.
    RollingMonths {
        /// How many months.
        months: u8,
    },
    /// The same dates for everyone, such as a season.
    Fixed {
        /// The first day.
        starts_on: Day,
        /// The last day.
        ends_on: Day,
    },
}

/// The kinds of validity, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValidityType {
    CalendarYear,
    RollingMonths,
    Fixed,
}

crate::wire::wire_names!(ValidityType {
    CalendarYear = "calendar_year",
    RollingMonths = "rolling_months",
    Fixed = "fixed",
});

/// [`Validity`] as a flat object: serde's tagged enums buffer what they read, which costs the
/// widget more than this does.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct ValidityWire {
    #[serde(rename = "type")]
    kind: ValidityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    months: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_on: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends_on: Option<Day>,
}

impl TryFrom<ValidityWire> for Validity {
    type Error = &'static str;

    fn try_from(wire: ValidityWire) -> Result<Self, Self::Error> {
        match (wire.kind, wire.months, wire.starts_on, wire.ends_on) {
            (ValidityType::CalendarYear, ..) => Ok(Self::CalendarYear),
            (ValidityType::RollingMonths, Some(months), ..) => Ok(Self::RollingMonths { months }),
            (ValidityType::Fixed, _, Some(starts_on), Some(ends_on)) => {
                Ok(Self::Fixed { starts_on, ends_on })
            }
            _ => Err("a validity lacks its months or its dates"),
        }
    }
}

impl From<Validity> for ValidityWire {
    fn from(validity: Validity) -> Self {
        let wire = |kind| Self {
            kind,
            months: None,
            starts_on: None,
            ends_on: None,
        };
        match validity {
            Validity::CalendarYear => wire(ValidityType::CalendarYear),
            Validity::RollingMonths { months } => Self {
                months: Some(months),
                ..wire(ValidityType::RollingMonths)
            },
            Validity::Fixed { starts_on, ends_on } => Self {
                starts_on: Some(starts_on),
                ends_on: Some(ends_on),
                ..wire(ValidityType::Fixed)
            },
        }
    }
}

/// The days a membership covers, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first day covered.
    pub starts_on: Day,
    /// The last day covered.
    pub ends_on: Day,
}

impl Validity {
    /// The period bought by a payment on `paid_on` by someone whose membership runs until
    /// `current_end` (if they were ever a member). A renewal while the membership runs starts
    /// the day after it ends, so paying early never loses days.
    pub fn period(self, paid_on: Day, current_end: Option<Day>) -> Period {
        let running = current_end.filter(|end| *end >= paid_on);
        match self {
            Self::CalendarYear => {
                let from = running.map_or(paid_on, |end| end.plus_days(1));
                let starts_on = if from.year() > paid_on.year() {
                    from.first_of_year()
                } else {
                    from
                };
                Period {
                    starts_on,
                    ends_on: starts_on.last_of_year(),
                }
            }
            Self::RollingMonths { months } => {
                let starts_on = running.map_or(paid_on, |end| end.plus_days(1));
                Period {
                    starts_on,
                    ends_on: starts_on.plus_months(u32::from(months)).plus_days(-1),
                }
            }
            Self::Fixed { starts_on, ends_on } => Period { starts_on, ends_on },
        }
    }

    /// Whether the settings make sense: at least one month, at most five years, or dates in
    /// order.
    pub fn is_sound(self) -> bool {
        match self {
            Self::CalendarYear => true,
            Self::RollingMonths { months } => (1..=60).contains(&months),
            Self::Fixed { starts_on, ends_on } => starts_on <= ends_on,
        }
    }
}

/// Where a member stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberStanding {
    /// Their membership runs for more than 30 days.
    Active,
    /// It ends within 30 days.
    Expiring,
    /// It has ended.
    Lapsed,
}

crate::wire::wire_names!(MemberStanding {
    Active = "active",
    Expiring = "expiring",
    Lapsed = "lapsed",
});

/// How many days before its end a membership counts as expiring.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

impl MemberStanding {
    /// Where a membership ending on `ends_on` stands on `today`.
    pub fn on(today: Day, ends_on: Day) -> Self {
        let left = today.days_until(ends_on);
        if left < 0 {
            Self::Lapsed
        } else if left < EXPIRING_WITHIN_DAYS {
            Self::Expiring
        } else {
            Self::Active
        }
    }
}

/// A member as the back-office lists them (`GET /v1/admin/members`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberLine {
    /// Their first name.
    pub first_name: String,
    /// Their last name.
    pub last_name: String,
    /// Their email address, which makes them one member whatever they renew through.
    pub email: String,
    /// The tier of their latest membership.
    pub tier: String,
    /// The campaign of their latest membership.
    pub campaign: String,
    /// The first day they were a member.
    pub since: Day,
    /// The last day their membership covers.
    pub ends_on: Day,
    /// Where they stand today.
    pub standing: MemberStanding,
}

/// The most reminders a campaign may send around one membership's end.
pub const MAX_REMINDERS: usize = 4;
/// How far from the end a reminder may be, in days.
pub const REMINDER_REACH_DAYS: i32 = 365;

/// The reminder due on `today` for a membership ending on `ends_on`, among `offsets` (days
/// relative to the end: `-30` is 30 days before, `7` a week after). It is the latest offset
/// already reached: a member who joins 10 days before the end gets the 7-days-before reminder,
/// not also the 30-days-before one, and a reminder a day late is still sent. Nothing is due
/// more than a month after the last offset, so an old lapse never wakes up.
pub fn due_reminder(offsets: &[i32], ends_on: Day, today: Day) -> Option<i32> {
    let since_end = ends_on.days_until(today);
    let latest = offsets
        .iter()
        .copied()
        .filter(|offset| i64::from(*offset) <= since_end)
        .max()?;
    (since_end - i64::from(latest) <= 31).then_some(latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|_| panic!("{text}"))
    }

    fn period(starts: &str, ends: &str) -> Period {
        Period {
            starts_on: day(starts),
            ends_on: day(ends),
        }
    }

    #[test]
    fn a_calendar_year_runs_from_payment_to_the_end_of_the_year() {
        let validity = Validity::CalendarYear;
        assert_eq!(
            validity.period(day("2026-03-14"), None),
            period("2026-03-14", "2026-12-31")
        );
        // A member who lapsed last year starts again from the day they pay.
        assert_eq!(
            validity.period(day("2026-03-14"), Some(day("2025-12-31"))),
            period("2026-03-14", "2026-12-31")
        );
    }

    #[test]
    fn renewing_a_calendar_year_early_buys_the_next_year() {
        assert_eq!(
            Validity::CalendarYear.period(day("2026-11-20"), Some(day("2026-12-31"))),
            period("2027-01-01", "2027-12-31")
        );
    }

    #[test]
    fn rolling_months_count_from_payment_or_from_the_running_end() {
        let validity = Validity::RollingMonths { months: 12 };
        assert_eq!(
            validity.period(day("2026-03-14"), None),
            period("2026-03-14", "2027-03-13")
        );
        assert_eq!(
            validity.period(day("2026-03-14"), Some(day("2026-04-30"))),
            period("2026-05-01", "2027-04-30")
        );
        assert_eq!(
            validity.period(day("2026-03-14"), Some(day("2026-03-13"))),
            period("2026-03-14", "2027-03-13")
        );
        assert_eq!(
            Validity::RollingMonths { months: 1 }.period(day("2026-01-31"), None),
            period("2026-01-31", "2026-02-27")
        );
    }

    #[test]
    fn fixed_dates_are_the_same_for_everyone() {
        let season = Validity::Fixed {
            starts_on: day("2026-09-01"),
            ends_on: day("2027-06-30"),
        };
        assert_eq!(
            season.period(day("2026-10-02"), Some(day("2026-06-30"))),
            period("2026-09-01", "2027-06-30")
        );
        assert!(season.is_sound());
        assert!(
            !Validity::Fixed {
                starts_on: day("2027-06-30"),
                ends_on: day("2026-09-01"),
            }
            .is_sound()
        );
        assert!(!Validity::RollingMonths { months: 0 }.is_sound());
    }

    #[test]
    fn standing_depends_on_the_days_left() {
        let today = day("2026-12-03");
        assert_eq!(
            MemberStanding::on(today, day("2027-06-30")),
            MemberStanding::Active
        );
        assert_eq!(
            MemberStanding::on(today, day("2026-12-31")),
            MemberStanding::Expiring
        );
        assert_eq!(
            MemberStanding::on(today, day("2026-12-03")),
            MemberStanding::Expiring
        );
        assert_eq!(
            MemberStanding::on(today, day("2026-12-02")),
            MemberStanding::Lapsed
        );
    }

    #[test]
    fn the_latest_reached_reminder_is_the_one_due() {
        let offsets = [-30, -7, 7];
        let ends = day("2026-12-31");
        assert_eq!(due_reminder(&offsets, ends, day("2026-11-30")), None);
        assert_eq!(due_reminder(&offsets, ends, day("2026-12-01")), Some(-30));
        assert_eq!(due_reminder(&offsets, ends, day("2026-12-20")), Some(-30));
        assert_eq!(due_reminder(&offsets, ends, day("2026-12-24")), Some(-7));
        assert_eq!(due_reminder(&offsets, ends, day("2027-01-07")), Some(7));
        assert_eq!(due_reminder(&offsets, ends, day("2027-02-07")), Some(7));
        assert_eq!(due_reminder(&offsets, ends, day("2027-02-08")), None);
        assert_eq!(due_reminder(&[], ends, day("2026-12-24")), None);
    }
}
