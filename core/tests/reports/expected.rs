//! The report a period should give, counted here from the documents themselves (read through
//! the vault's document API: records, street logs, history), not from the index code.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};
use tandem_core::model::{
    ConsentUse, Encounter, GoalStatus, PersonRecord, Report, ReportPeriod, Tally, WeekTally,
};
use tandem_core::{DocKind, Vault};

/// Everything the documents hold that a report counts.
pub struct Documents {
    pub people: Vec<PersonRecord>,
    pub anonymous: Vec<Encounter>,
    /// When each goal's status was last set: the last `goal.add`/`goal.edit` in its history
    /// naming it, else when it was set.
    pub goal_status_at: BTreeMap<String, DateTime<Utc>>,
}

pub fn read_documents(vault: &mut Vault) -> Documents {
    let mut people = Vec::new();
    let mut goal_status_at = BTreeMap::new();
    for (id, kind) in vault.documents().expect("documents") {
        if kind != DocKind::Person {
            continue;
        }
        let pid = tandem_core::model::PersonId(id);
        let rec = vault.person(&pid).expect("person");
        let history = vault.history(&pid).expect("history");
        for g in &rec.goals {
            let edited = history
                .iter()
                .filter(|h| {
                    matches!(h.action.as_str(), "goal.add" | "goal.edit")
                        && h.target.as_deref() == Some(g.id.as_str())
                })
                .map(|h| h.at)
                .max();
            goal_status_at.insert(g.id.0.clone(), edited.unwrap_or(g.created_at));
        }
        people.push(rec);
    }
    // Street logs are one document per UTC month: every month they could be in.
    let mut anonymous = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let last = Utc::now().date_naive() + Duration::days(62);
    while month <= last {
        let name = format!("{:04}-{:02}", month.year(), month.month());
        anonymous.extend(vault.street_log(&name).expect("street log"));
        month = month
            .checked_add_months(chrono::Months::new(1))
            .expect("next month");
    }
    Documents {
        people,
        anonymous,
        goal_status_at,
    }
}

/// Local midnight of `d` in `tz`, in UTC.
pub fn midnight(d: NaiveDate, tz: &jiff::tz::TimeZone) -> DateTime<Utc> {
    let civil = jiff::civil::date(d.year() as i16, d.month() as i8, d.day() as i8);
    let z = civil.to_zoned(tz.clone()).expect("zoned");
    DateTime::from_timestamp_millis(z.timestamp().as_millisecond()).expect("instant")
}

fn sorted(map: BTreeMap<Option<String>, u64>) -> Vec<Tally> {
    let mut v: Vec<Tally> = map
        .into_iter()
        .map(|(code, count)| Tally { code, count })
        .collect();
    v.sort_by(|a, b| {
        (a.code.is_none(), std::cmp::Reverse(a.count), &a.code).cmp(&(
            b.code.is_none(),
            std::cmp::Reverse(b.count),
            &b.code,
        ))
    });
    v
}

/// Whether a person's consent covers research on `today` (the rule the export documents).
pub fn covers_research(p: &PersonRecord, today: NaiveDate) -> bool {
    p.consents.iter().any(|c| {
        c.uses.contains(&ConsentUse::Research) && c.withdrawn_on.is_none() && c.given_on <= today
    })
}

pub fn expected(docs: &Documents, period: &ReportPeriod, now: DateTime<Utc>) -> Report {
    let tz = jiff::tz::TimeZone::get(&period.time_zone).expect("time zone");
    let start = midnight(period.from, &tz);
    let end = midnight(period.to + Duration::days(1), &tz);
    let inside = |t: DateTime<Utc>| t >= start && t < end;

    let mut all: Vec<&Encounter> = docs.anonymous.iter().collect();
    for p in &docs.people {
        all.extend(p.encounters.iter());
    }
    let in_period: Vec<&Encounter> = all.iter().copied().filter(|e| inside(e.at)).collect();

    let mut by_kind = BTreeMap::new();
    let mut given = BTreeMap::new();
    let mut met = BTreeSet::new();
    let (mut anonymous, mut referrals, mut minutes, mut timed, mut debriefs) = (0, 0, 0, 0, 0);
    let (mut referrals_done, mut referrals_missed) = (0, 0);
    for e in &in_period {
        *by_kind.entry(e.kind.clone()).or_insert(0u64) += 1;
        for g in &e.given {
            *given.entry(Some(g.clone())).or_insert(0u64) += 1;
        }
        match &e.subject {
            tandem_core::model::EncounterSubject::Person(p) => {
                met.insert(p.0.clone());
            }
            tandem_core::model::EncounterSubject::Anonymous(_) => anonymous += 1,
        }
        referrals += e.referrals.len() as u64;
        for r in &e.referral_details {
            match r.outcome.as_ref().map(|o| o.what) {
                Some(tandem_core::model::Outcome::Done) => referrals_done += 1,
                Some(tandem_core::model::Outcome::DidNotHappen) => referrals_missed += 1,
                None => {}
            }
        }
        if let Some(d) = e.duration_minutes {
            minutes += u64::from(d);
            timed += 1;
        }
        debriefs += u64::from(e.debrief);
    }
    let naloxone = given
        .get(&Some("naloxone".to_owned()))
        .copied()
        .unwrap_or(0);
    let mut given = sorted(given);
    given.sort_by_key(|t| t.code.as_deref() != Some("naloxone"));

    let cutoff = end.min(now);
    let cutoff_day = jiff::Timestamp::from_millisecond(cutoff.timestamp_millis())
        .expect("ts")
        .to_zoned(tz.clone())
        .date();
    let cutoff_day = NaiveDate::from_ymd_opt(
        i32::from(cutoff_day.year()),
        cutoff_day.month() as u32,
        cutoff_day.day() as u32,
    )
    .expect("day");
    let (mut done, mut overdue) = (0, 0);
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    let mut domains = BTreeMap::new();
    let mut reached = 0;
    for p in &docs.people {
        for f in &p.follow_ups {
            if f.done_at.is_some_and(inside) {
                done += 1;
            }
            let open_then = f.done_at.is_none_or(|d| d >= cutoff);
            if f.due.is_some_and(|d| d < cutoff_day) && open_then && f.created_at < cutoff {
                overdue += 1;
            }
        }
        for g in p.goals.iter().filter(|g| g.created_at < end) {
            *statuses.entry(g.status.code().to_owned()).or_insert(0) += 1;
            *domains.entry(g.domain.clone()).or_insert(0u64) += 1;
            if g.status == GoalStatus::Reached && inside(docs.goal_status_at[g.id.as_str()]) {
                reached += 1;
            }
        }
    }

    let mut per_week = Vec::new();
    let mut from = period.from;
    while from <= period.to {
        let mut until = from;
        while until < period.to && (until + Duration::days(1)).weekday() != chrono::Weekday::Mon {
            until += Duration::days(1);
        }
        let (a, b) = (
            midnight(from, &tz),
            midnight(until + Duration::days(1), &tz),
        );
        per_week.push(WeekTally {
            week_of: from,
            until,
            encounters: all.iter().filter(|e| e.at >= a && e.at < b).count() as u64,
        });
        from = until + Duration::days(1);
    }

    Report {
        period: period.clone(),
        encounters: in_period.len() as u64,
        by_kind: sorted(by_kind),
        people_met: met.len() as u64,
        new_people: docs.people.iter().filter(|p| inside(p.created_at)).count() as u64,
        anonymous_contacts: anonymous,
        // The demo links no street entry.
        street_contacts_linked: 0,
        naloxone,
        given,
        referrals,
        referrals_done,
        referrals_not_happened: referrals_missed,
        follow_ups_done: done,
        follow_ups_overdue: overdue,
        goals_by_status: GoalStatus::ALL
            .iter()
            .map(|s| Tally {
                code: Some(s.code().to_owned()),
                count: statuses.get(s.code()).copied().unwrap_or(0),
            })
            .collect(),
        goals_by_domain: sorted(domains),
        goals_reached: reached,
        minutes,
        timed_encounters: timed,
        per_week,
        debrief_requests: debriefs,
    }
}
