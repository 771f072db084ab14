//! A report on the team's work over a period, computed on the device from the vault's
//! indexes: what a coordinator tells the clinic and the funder. Counts only, for the whole
//! team: nothing here is broken down per member (Tandem never ranks anyone).

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The smallest count shown as itself in anything exported; below it, "<5".
pub const SMALL_COUNT: u64 = 5;

/// What a report covers: the days `from` to `to`, both included, as they are in the time
/// zone `time_zone` (an IANA name such as `America/Montreal`): a day starts at local
/// midnight there, so a week across a daylight-saving change has 167 or 169 hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (included).
    pub to: NaiveDate,
    /// The IANA time zone the days are read in.
    pub time_zone: String,
}

impl ReportPeriod {
    /// Any days, `from` to `to` included.
    pub fn days(from: NaiveDate, to: NaiveDate, time_zone: &str) -> Self {
        Self {
            from,
            to,
            time_zone: time_zone.to_owned(),
        }
    }

    /// A calendar month (`None` if it does not exist).
    pub fn month(year: i32, month: u32, time_zone: &str) -> Option<Self> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = from.checked_add_months(Months::new(1))?;
        Some(Self::days(from, next.pred_opt()?, time_zone))
    }

    /// The calendar month before the one `today` is in.
    pub fn last_month(today: NaiveDate, time_zone: &str) -> Option<Self> {
        let prev = today.with_day(1)?.checked_sub_months(Months::new(1))?;
        Self::month(prev.year(), prev.month(), time_zone)
    }

    /// The week (Monday to Sunday) that `day` is in.
    pub fn week_of(day: NaiveDate, time_zone: &str) -> Self {
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        Self::days(monday, monday + Duration::days(6), time_zone)
    }

    /// The calendar quarter (January–March, April–June…) that `day` is in.
    pub fn quarter_of(day: NaiveDate, time_zone: &str) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1)?;
        let next = first.checked_add_months(Months::new(3))?;
        Some(Self::days(first, next.pred_opt()?, time_zone))
    }
}

/// How many times a code came up (`None`: not recorded).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// The stored code (an encounter kind, an item given, a goal status, a life domain).
    pub code: Option<String>,
    /// How many.
    pub count: u64,
}

/// Encounters in one week of the period (for the chart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekTally {
    /// The Monday the week starts on (the period's first day for a first week cut short).
    pub week_of: NaiveDate,
    /// The last day of the week inside the period.
    pub until: NaiveDate,
    /// Encounters in it, with people and anonymous.
    pub encounters: u64,
}

/// A report on a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What it covers.
    pub period: ReportPeriod,
    /// Encounters in all (with people the team accompanies and anonymous).
    pub encounters: u64,
    /// Encounters by kind, most first (kinds not recorded last).
    pub by_kind: Vec<Tally>,
    /// Different people met (encounters with a person's record).
    pub people_met: u64,
    /// People whose record was started in the period.
    pub new_people: u64,
    /// Encounters with someone not known (the street log), those later linked to a
    /// person included: the count of the month stays what it was.
    pub anonymous_contacts: u64,
    /// Of `anonymous_contacts`, how many were later linked to a person's record.
    #[serde(default)]
    pub street_contacts_linked: u64,
    /// Naloxone given (also in `given`): the count funders ask for first.
    pub naloxone: u64,
    /// What was given, by item: naloxone first, then most first.
    pub given: Vec<Tally>,
    /// Referrals made.
    pub referrals: u64,
    /// Of the referrals made in the period, those noted as done (so far).
    #[serde(default)]
    pub referrals_done: u64,
    /// Of the referrals made in the period, those noted as not having happened.
    #[serde(default)]
    pub referrals_not_happened: u64,
    /// Follow-ups done in the period.
    pub follow_ups_done: u64,
    /// Follow-ups overdue at the end of the period (or today, for a period not over):
    /// due before that day and not done by then.
    pub follow_ups_overdue: u64,
    /// Goals set by the end of the period, by their status now, in the statuses' order.
    pub goals_by_status: Vec<Tally>,
    /// The same goals by life domain, most first.
    pub goals_by_domain: Vec<Tally>,
    /// Goals whose status became "reached" in the period.
    pub goals_reached: u64,
    /// Minutes spent, over the encounters whose length was recorded.
    pub minutes: u64,
    /// Encounters whose length was recorded.
    pub timed_encounters: u64,
    /// Encounters per week, in order.
    pub per_week: Vec<WeekTally>,
    /// Encounters after which the peer asked for a debrief.
    pub debrief_requests: u64,
}

/// A count as it appears in anything exported: "<5" below [`SMALL_COUNT`] (zero included),
/// so that a small group cannot be told apart.
pub fn exported_count(n: u64) -> String {
    if n < SMALL_COUNT {
        format!("<{SMALL_COUNT}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn periods_cover_whole_months_weeks_and_quarters() {
        let tz = "Europe/Paris";
        let feb = ReportPeriod::month(2028, 2, tz);
        assert_eq!(
            feb.map(|p| (p.from, p.to)),
            Some((d(2028, 2, 1), d(2028, 2, 29)))
        );
        let last = ReportPeriod::last_month(d(2026, 1, 15), tz);
        assert_eq!(
            last.map(|p| (p.from, p.to)),
            Some((d(2025, 12, 1), d(2025, 12, 31)))
        );
        let week = ReportPeriod::week_of(d(2026, 11, 1), tz);
        assert_eq!((week.from, week.to), (d(2026, 10, 26), d(2026, 11, 1)));
        let q = ReportPeriod::quarter_of(d(2026, 11, 30), tz);
        assert_eq!(
            q.map(|p| (p.from, p.to)),
            Some((d(2026, 10, 1), d(2026, 12, 31)))
        );
        assert_eq!(ReportPeriod::month(2026, 13, tz), None);
    }

    #[test]
    fn small_counts_are_hidden_in_exports() {
        let shown: Vec<String> = [0, 1, 4, 5, 6, 120].map(exported_count).to_vec();
        assert_eq!(shown, ["<5", "<5", "<5", "5", "6", "120"]);
    }
}
