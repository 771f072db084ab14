//! Reports on the team's work over a period, counted from the vault's indexes (never from
//! the documents): a month or a year over 100,000 encounters is a few indexed SQL counts.
//!
//! A period is days in an IANA time zone ([`ReportPeriod`]); each day runs from local
//! midnight to the next, so a report for "November" on a device in Montreal counts what was
//! recorded in Montreal's November, across a daylight-saving change too. Nothing is counted
//! per member.

pub mod csv;
pub(crate) mod research;

pub use research::{ResearchExport, COLUMNS as RESEARCH_COLUMNS};

use crate::error::{Result, VaultError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection};
use tandem_model::{GoalStatus, Report, ReportPeriod, Tally, WeekTally};

/// A period as instants: `[start, end)` in Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: i64,
    pub(crate) end: i64,
}

/// The time zone a period names, refused if this device does not know it.
pub(crate) fn time_zone(name: &str) -> Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).map_err(|_| VaultError::Invalid {
        field: "time zone",
        reason: "not a time zone this device knows (an IANA name such as America/Montreal)",
    })
}

/// The IANA name of this computer's time zone (from `TZ`, else the system's setting), if it
/// has one: what a report's days are read in unless the user names another.
pub fn system_time_zone() -> Option<String> {
    jiff::tz::TimeZone::system().iana_name().map(str::to_owned)
}

/// Today's date in the IANA time zone `name` (for "last month", "this week"…).
pub fn today_in(name: &str) -> Result<NaiveDate> {
    let tz = time_zone(name)?;
    local_day(Utc::now().timestamp_millis(), &tz).ok_or(VaultError::Invalid {
        field: "date",
        reason: "outside the dates a report can cover",
    })
}

/// The instant local midnight starts `day` in `tz` (where a change of clocks skips
/// midnight, the first instant of the day).
pub(crate) fn midnight(day: NaiveDate, tz: &jiff::tz::TimeZone) -> Result<i64> {
    use chrono::Datelike;
    let bad = || VaultError::Invalid {
        field: "date",
        reason: "outside the dates a report can cover",
    };
    let date = jiff::civil::Date::new(
        i16::try_from(day.year()).map_err(|_| bad())?,
        day.month() as i8,
        day.day() as i8,
    )
    .map_err(|_| bad())?;
    let zoned = date.to_zoned(tz.clone()).map_err(|_| bad())?;
    Ok(zoned.timestamp().as_millisecond())
}

/// The day `at` falls on in `tz`.
pub(crate) fn local_day(at_ms: i64, tz: &jiff::tz::TimeZone) -> Option<NaiveDate> {
    let ts = jiff::Timestamp::from_millisecond(at_ms).ok()?;
    let d = ts.to_zoned(tz.clone()).date();
    NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
}

pub(crate) fn span(period: &ReportPeriod, tz: &jiff::tz::TimeZone) -> Result<Span> {
    if period.to < period.from {
        return Err(VaultError::Invalid {
            field: "period",
            reason: "its last day is before its first",
        });
    }
    let after = period.to.succ_opt().ok_or(VaultError::Invalid {
        field: "date",
        reason: "outside the dates a report can cover",
    })?;
    Ok(Span {
        start: midnight(period.from, tz)?,
        end: midnight(after, tz)?,
    })
}

fn count(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<u64> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(args, |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

fn tallies(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Tally>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut out = stmt
        .query_map(args, |r| {
            Ok(Tally {
                code: r.get(0)?,
                count: r.get::<_, i64>(1)?.max(0) as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Most first, codes not recorded last, then by code: the same order on every device.
    out.sort_by(|a, b| {
        (a.code.is_none(), std::cmp::Reverse(a.count), &a.code).cmp(&(
            b.code.is_none(),
            std::cmp::Reverse(b.count),
            &b.code,
        ))
    });
    Ok(out)
}

/// Computes the report for `period` from the indexes, `now` deciding what is overdue in a
/// period not over yet.
pub(crate) fn compute(
    conn: &Connection,
    period: &ReportPeriod,
    now: DateTime<Utc>,
) -> Result<Report> {
    let tz = time_zone(&period.time_zone)?;
    let s = span(period, &tz)?;
    let (a, b) = (s.start, s.end);

    let by_kind = tallies(
        conn,
        "SELECT kind, count(*) FROM encounter_index WHERE at >= ?1 AND at < ?2 GROUP BY kind",
        params![a, b],
    )?;
    let (people_met, anonymous, referrals, debriefs, minutes, timed) = conn
        .prepare_cached(
            "SELECT count(DISTINCT person_id), count(*) - count(person_id),
                    COALESCE(sum(referrals), 0), COALESCE(sum(debrief), 0),
                    COALESCE(sum(duration), 0), count(duration)
             FROM encounter_index WHERE at >= ?1 AND at < ?2",
        )?
        .query_row(params![a, b], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
    let mut given = tallies(
        conn,
        "SELECT j.value, count(*) FROM encounter_index e, json_each(e.given) j
         WHERE e.at >= ?1 AND e.at < ?2 GROUP BY j.value",
        params![a, b],
    )?;
    // Naloxone first: it is the count a harm-reduction funder asks for before any other.
    given.sort_by_key(|t| t.code.as_deref() != Some("naloxone"));
    let naloxone = given
        .iter()
        .find(|t| t.code.as_deref() == Some("naloxone"))
        .map_or(0, |t| t.count);

    let new_people = count(
        conn,
        "SELECT count(*) FROM person_index WHERE created_at >= ?1 AND created_at < ?2",
        params![a, b],
    )?;
    let follow_ups_done = count(
        conn,
        "SELECT count(*) FROM follow_up_index WHERE done_at >= ?1 AND done_at < ?2",
        params![a, b],
    )?;
    // Overdue at the end of the period, or now for a period not over: due on a day before
    // the cut-off's day, added before it, and not done by it.
    let cutoff = b.min(now.timestamp_millis());
    let cutoff_day = local_day(cutoff, &tz).unwrap_or(period.to);
    let follow_ups_overdue = count(
        conn,
        "SELECT count(*) FROM follow_up_index
         WHERE due IS NOT NULL AND due < ?1
           AND (done_at IS NULL OR done_at >= ?2)
           AND (created_at IS NULL OR created_at < ?2)",
        params![cutoff_day.to_string(), cutoff],
    )?;

    let by_status = tallies(
        conn,
        "SELECT status, count(*) FROM goal_index WHERE created_at < ?1 GROUP BY status",
        params![b],
    )?;
    let goals_by_status = GoalStatus::ALL
        .iter()
        .map(|st| Tally {
            code: Some(st.code().to_owned()),
            count: by_status
                .iter()
                .find(|t| t.code.as_deref() == Some(st.code()))
                .map_or(0, |t| t.count),
        })
        .collect();
    let goals_by_domain = tallies(
        conn,
        "SELECT domain, count(*) FROM goal_index WHERE created_at < ?1 GROUP BY domain",
        params![b],
    )?;
    let goals_reached = count(
        conn,
        "SELECT count(*) FROM goal_index
         WHERE status = 'reached' AND status_at >= ?1 AND status_at < ?2",
        params![a, b],
    )?;

    let mut per_week = Vec::new();
    let mut week_start = period.from;
    while week_start <= period.to {
        let monday = week_start
            - Duration::days(i64::from(
                chrono::Datelike::weekday(&week_start).num_days_from_monday(),
            ));
        let next = (monday + Duration::days(7)).min(period.to + Duration::days(1));
        let encounters = count(
            conn,
            "SELECT count(*) FROM encounter_index WHERE at >= ?1 AND at < ?2",
            params![midnight(week_start, &tz)?, midnight(next, &tz)?],
        )?;
        per_week.push(WeekTally {
            week_of: week_start,
            until: next - Duration::days(1),
            encounters,
        });
        week_start = next;
    }

    Ok(Report {
        period: period.clone(),
        encounters: by_kind.iter().map(|t| t.count).sum(),
        by_kind,
        people_met: people_met.max(0) as u64,
        new_people,
        anonymous_contacts: anonymous.max(0) as u64,
        naloxone,
        given,
        referrals: referrals.max(0) as u64,
        follow_ups_done,
        follow_ups_overdue,
        goals_by_status,
        goals_by_domain,
        goals_reached,
        minutes: minutes.max(0) as u64,
        timed_encounters: timed.max(0) as u64,
        per_week,
        debrief_requests: debriefs.max(0) as u64,
    })
}
