//! The daily reminder: when it is raised and what it counts. Pure rules, shared by the shell
//! (which raises the desktop notification) and the tests.
//!
//! A reminder says how many of *this member's* follow-ups are due today or late, and with how
//! many of the people they accompany a goal's check-in has come. It never holds a name, a
//! note or a date: only the two counts, so that a notification read over a shoulder, or shown
//! while the vault is locked, tells nothing about anyone.
//!
//! It is raised once a day, from the time the peer chose: by the shell's clock when that time
//! comes (while the vault is locked too, from the due dates it kept when it was locked), or at
//! the first unlock after that time. Nothing is raised when nothing is due.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// Minutes in a day: a reminder time is a minute of the day, `0..MINUTES_IN_DAY`.
pub const MINUTES_IN_DAY: u16 = 24 * 60;

/// The reminder time of a first start: 8:30 in the morning, before the day's first visit.
pub const DEFAULT_REMINDER_MINUTE: u16 = 8 * 60 + 30;

/// When things come due for this member: the due date of each open follow-up they are
/// responsible for, and for each person they accompany the nearest check-in of an open goal.
/// Dates only (no person, no words): kept in memory while the vault is locked so the reminder
/// can still count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueDates {
    /// One date per open follow-up of this member.
    pub follow_ups: Vec<NaiveDate>,
    /// One date per person this member accompanies whose open goals have a check-in.
    pub check_ins: Vec<NaiveDate>,
}

/// What a reminder says on a given day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueCounts {
    /// Follow-ups due that day or late.
    pub follow_ups: usize,
    /// People with a goal whose check-in has come.
    pub check_ins: usize,
}

impl DueCounts {
    /// Whether there is nothing to remind of.
    pub fn is_empty(&self) -> bool {
        self.follow_ups == 0 && self.check_ins == 0
    }
}

impl DueDates {
    /// What is due on `day`: everything dated that day or before (late things stay due until
    /// they are done or moved).
    pub fn counts_on(&self, day: NaiveDate) -> DueCounts {
        DueCounts {
            follow_ups: self.follow_ups.iter().filter(|d| **d <= day).count(),
            check_ins: self.check_ins.iter().filter(|d| **d <= day).count(),
        }
    }
}

/// The time of day of a reminder minute (out-of-range minutes are brought to the last minute).
pub fn time_of(minute: u16) -> NaiveTime {
    let m = u32::from(minute.min(MINUTES_IN_DAY - 1));
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// The minute of the day of `"HH:MM"` (what a time field gives), if it is one.
pub fn parse_minute(text: &str) -> Option<u16> {
    let t = NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()?;
    u16::try_from(t.hour() * 60 + t.minute()).ok()
}

/// A reminder minute as `"HH:MM"`, for a time field.
pub fn minute_text(minute: u16) -> String {
    time_of(minute).format("%H:%M").to_string()
}

/// Whether today's reminder is due now: the chosen time has come (local time) and none was
/// raised today. `last_raised` is the local day of the last one raised, if any.
pub fn is_due(now: NaiveDateTime, minute: u16, last_raised: Option<NaiveDate>) -> bool {
    last_raised != Some(now.date()) && now.time() >= time_of(minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        day(d).and_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn counts_take_late_things_and_leave_later_ones() {
        let due = DueDates {
            follow_ups: vec![day(1), day(2), day(2), day(9)],
            check_ins: vec![day(3)],
        };
        assert_eq!(
            due.counts_on(day(2)),
            DueCounts {
                follow_ups: 3,
                check_ins: 0
            }
        );
        assert_eq!(due.counts_on(day(3)).check_ins, 1);
        assert!(due.counts_on(NaiveDate::MIN).is_empty());
        assert!(!due.counts_on(day(9)).is_empty());
    }

    #[test]
    fn raised_once_a_day_from_the_chosen_time() {
        let half_past_eight = DEFAULT_REMINDER_MINUTE;
        assert!(!is_due(at(2, 8, 29), half_past_eight, None));
        assert!(is_due(at(2, 8, 30), half_past_eight, None));
        assert!(is_due(at(2, 23, 59), half_past_eight, Some(day(1))));
        assert!(!is_due(at(2, 9, 0), half_past_eight, Some(day(2))));
        // Next day, same rule again.
        assert!(!is_due(at(3, 7, 0), half_past_eight, Some(day(2))));
        assert!(is_due(at(3, 8, 30), half_past_eight, Some(day(2))));
        // Midnight: due at once, the day it is.
        assert!(is_due(at(3, 0, 0), 0, Some(day(2))));
    }

    #[test]
    fn minutes_read_and_written_as_a_time_field_does() {
        assert_eq!(parse_minute("08:30"), Some(510));
        assert_eq!(parse_minute(" 23:59 "), Some(1439));
        assert_eq!(parse_minute("00:00"), Some(0));
        assert_eq!(parse_minute("24:00"), None);
        assert_eq!(parse_minute("8h30"), None);
        assert_eq!(minute_text(510), "08:30");
        assert_eq!(minute_text(5000), "23:59");
        assert_eq!(parse_minute(&minute_text(75)), Some(75));
    }
}
