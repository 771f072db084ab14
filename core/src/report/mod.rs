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
use std::collections::{HashMap, HashSet};
use tandem_model::{GoalStatus, OptionList, Report, ReportPeriod, Tally, TeamSettings, WeekTally};

/// The code an export writes for what the team's lists do not offer.
pub const OTHER: &str = "other";

/// The codes a file that leaves the team may name: the built-in ones and the team's own
/// lists. Anything else a record holds (an option since taken off the list, or words a
/// changed client wrote where a code goes) is written as [`OTHER`]: an export never carries
/// free text from a record verbatim.
#[derive(Clone, Debug, Default)]
pub struct KnownCodes {
    lists: HashMap<OptionList, HashSet<String>>,
}

impl KnownCodes {
    /// The codes the team's settings offer, with the built-in ones.
    pub fn of(settings: &TeamSettings) -> Self {
        let builtin = TeamSettings::default();
        let lists = OptionList::ALL
            .into_iter()
            .map(|which| {
                let codes = builtin
                    .list(which)
                    .iter()
                    .chain(settings.list(which))
                    .cloned()
                    .chain([OTHER.to_owned()])
                    // A separator inside a code would split it in two in a spreadsheet.
                    .filter(|c| !c.contains([';', '|']) && !c.chars().any(char::is_control))
                    .collect();
                (which, codes)
            })
            .collect();
        Self { lists }
    }

    /// A code of list `which` as an export writes it.
    pub fn code<'a>(&self, which: OptionList, code: &'a str) -> &'a str {
        if self.lists.get(&which).is_some_and(|l| l.contains(code)) {
            code
        } else {
            OTHER
        }
    }

    /// Tallies of list `which` with the codes folded, counts of one folded code added up,
    /// in the report's order.
    pub(crate) fn fold_tallies(&self, rows: &[Tally], which: OptionList) -> Vec<Tally> {
        let mut counts: HashMap<Option<String>, u64> = HashMap::new();
        for t in rows {
            let code = t.code.as_deref().map(|c| self.code(which, c).to_owned());
            *counts.entry(code).or_insert(0) += t.count;
        }
        sorted(counts)
    }
}

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
    let out = stmt
        .query_map(args, |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        })?
        .collect::<rusqlite::Result<HashMap<_, _>>>()?;
    Ok(sorted(out))
}

/// Most first, codes not recorded last, then by code: the same order on every device.
fn sorted(counts: HashMap<Option<String>, u64>) -> Vec<Tally> {
    let mut out: Vec<Tally> = counts
        .into_iter()
        .map(|(code, count)| Tally { code, count })
        .collect();
    out.sort_by(|a, b| {
        (a.code.is_none(), std::cmp::Reverse(a.count), &a.code).cmp(&(
            b.code.is_none(),
            std::cmp::Reverse(b.count),
            &b.code,
        ))
    });
    out
}

/// What one pass over the period's encounters counts.
#[derive(Default)]
struct EncounterCounts {
    kinds: HashMap<Option<String>, u64>,
    given: HashMap<String, u64>,
    people: u64,
    anonymous: u64,
    linked: u64,
    referrals: u64,
    referrals_done: u64,
    referrals_missed: u64,
    debriefs: u64,
    minutes: u64,
    timed: u64,
    per_week: Vec<WeekTally>,
}

/// The record each merged record is part of now (few: read whole).
fn merge_roots(conn: &Connection) -> Result<HashMap<String, String>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, merge_root FROM person_index WHERE merge_root IS NOT NULL")?;
    let out = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<HashMap<String, String>>>()?;
    Ok(out)
}

/// Counts the period's encounters in one read of `encounter_index_report`, in time order
/// (three aggregate queries, each looking every encounter up in the table, took 330 ms for
/// a year of 83,000 encounters).
fn encounters(
    conn: &Connection,
    period: &ReportPeriod,
    tz: &jiff::tz::TimeZone,
    s: Span,
) -> Result<EncounterCounts> {
    // The weeks: from the period's first day, then each Monday, to the day after its last.
    let mut days = vec![period.from];
    let mut next = period.from;
    loop {
        let monday = next
            + Duration::days(
                7 - i64::from(chrono::Datelike::weekday(&next).num_days_from_monday()),
            );
        if monday > period.to {
            break;
        }
        days.push(monday);
        next = monday;
    }
    let starts = days
        .iter()
        .map(|d| midnight(*d, tz))
        .collect::<Result<Vec<i64>>>()?;
    let mut weekly = vec![0u64; days.len()];

    let mut c = EncounterCounts::default();
    let mut people: HashSet<String> = HashSet::new();
    let mut stmt = conn.prepare_cached(
        "SELECT at, person_id, kind, duration, debrief, referrals, given, referrals_done,
                referrals_missed
         FROM encounter_index INDEXED BY encounter_index_report
         WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = stmt.query(params![s.start, s.end])?;
    while let Some(r) = rows.next()? {
        let at: i64 = r.get(0)?;
        let week = starts.partition_point(|w| *w <= at).saturating_sub(1);
        weekly[week] += 1;
        match r
            .get_ref(1)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?
        {
            Some(p) => {
                if !people.contains(p) {
                    people.insert(p.to_owned());
                }
            }
            None => c.anonymous += 1,
        }
        let kind = r
            .get_ref(2)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?;
        match c.kinds.iter_mut().find(|(k, _)| k.as_deref() == kind) {
            Some((_, n)) => *n += 1,
            None => {
                c.kinds.insert(kind.map(str::to_owned), 1);
            }
        }
        if let Some(d) = r.get::<_, Option<i64>>(3)? {
            c.minutes += d.max(0) as u64;
            c.timed += 1;
        }
        c.debriefs += u64::from(r.get::<_, bool>(4)?);
        c.referrals += r.get::<_, i64>(5)?.max(0) as u64;
        c.referrals_done += r.get::<_, i64>(7)?.max(0) as u64;
        c.referrals_missed += r.get::<_, i64>(8)?.max(0) as u64;
        let given = r.get_ref(6)?.as_str().map_err(rusqlite::Error::from)?;
        if given != "[]" {
            for item in serde_json::from_str::<Vec<String>>(given).unwrap_or_default() {
                *c.given.entry(item).or_insert(0) += 1;
            }
        }
    }
    // A person met in the street and linked to their record later was met; two records
    // merged into one are one person.
    let mut linked = conn.prepare_cached(
        "SELECT COALESCE(p.merge_root, p.id) FROM street_link_index l INDEXED BY street_link_at
         JOIN person_index p ON p.id = l.person_id
         WHERE l.at >= ?1 AND l.at < ?2",
    )?;
    let mut rows = linked.query(params![s.start, s.end])?;
    while let Some(r) = rows.next()? {
        c.linked += 1;
        people.insert(r.get(0)?);
    }
    let roots = merge_roots(conn)?;
    if !roots.is_empty() {
        people = people
            .into_iter()
            .map(|p| roots.get(&p).cloned().unwrap_or(p))
            .collect();
    }
    c.people = people.len() as u64;
    c.per_week = days
        .iter()
        .enumerate()
        .map(|(i, d)| WeekTally {
            week_of: *d,
            until: days
                .get(i + 1)
                .map_or(period.to, |n| *n - Duration::days(1)),
            encounters: weekly[i],
        })
        .collect();
    Ok(c)
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

    let enc = encounters(conn, period, &tz, s)?;
    let by_kind = sorted(enc.kinds);
    let mut given = sorted(enc.given.into_iter().map(|(k, n)| (Some(k), n)).collect());
    // Naloxone first: it is the count a harm-reduction funder asks for before any other.
    given.sort_by_key(|t| t.code.as_deref() != Some("naloxone"));
    let naloxone = given
        .iter()
        .find(|t| t.code.as_deref() == Some("naloxone"))
        .map_or(0, |t| t.count);

    // A record merged into another is not a new person.
    let new_people = count(
        conn,
        "SELECT count(*) FROM person_index
         WHERE created_at >= ?1 AND created_at < ?2 AND merge_root IS NULL",
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

    Ok(Report {
        period: period.clone(),
        encounters: by_kind.iter().map(|t| t.count).sum(),
        by_kind,
        people_met: enc.people,
        new_people,
        anonymous_contacts: enc.anonymous,
        street_contacts_linked: enc.linked,
        naloxone,
        given,
        referrals: enc.referrals,
        referrals_done: enc.referrals_done,
        referrals_not_happened: enc.referrals_missed,
        follow_ups_done,
        follow_ups_overdue,
        goals_by_status,
        goals_by_domain,
        goals_reached,
        minutes: enc.minutes,
        timed_encounters: enc.timed,
        per_week: enc.per_week,
        debrief_requests: enc.debriefs,
    })
}
