//! Tables derived from the documents, for listing, search and what is due. They can always be
//! rebuilt from the documents alone (`Vault::rebuild_indexes`). Reports read them too
//! (`crate::report`), never the documents.

use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tandem_model::{
    fold_for_search, Consent, ConsentUse, Encounter, FollowUp, FollowUpDue, Outcome, PersonId,
    PersonRecord, PersonSummary,
};

/// Everything the indexes hold about one document. Built from the document by
/// [`IndexRows::of_person`] / [`IndexRows::of_encounters`]; a snapshot carries it too (sealed
/// with the document), so a new device can list, search and report on a record before it
/// loads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexRows {
    /// The person's row (none for a street log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) person: Option<PersonRow>,
    /// `(id, at in ms, kind)` of each encounter.
    #[serde(default)]
    pub(crate) encounters: Vec<(String, i64, Option<String>)>,
    /// `(id, due, done, follow-up as JSON)` of each follow-up.
    #[serde(default)]
    pub(crate) follow_ups: Vec<(String, Option<String>, bool, String)>,
    /// What reports count about each encounter, in the order of `encounters`. Kept apart
    /// from it so that snapshots made before reports existed still read.
    #[serde(default)]
    pub(crate) encounter_facts: Vec<EncounterFacts>,
    /// The person's goals.
    #[serde(default)]
    pub(crate) goals: Vec<GoalRow>,
    /// [`REPORT_ROWS`] when the rows carry what reports count; 0 in a snapshot made by an
    /// earlier version (its document is then indexed from itself first).
    #[serde(default)]
    pub(crate) report_rows: u32,
    /// Of a street log: the entries linked to a person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) links: Vec<LinkRow>,
}

/// The version of what [`IndexRows`] carry: 1 added what reports count, 2 who accompanies
/// each person and who is responsible for each follow-up, 3 what came of referrals and
/// debriefs, 4 street entries linked to people and records merged into others. Rows of an
/// older version are indexed again from their document.
pub(crate) const REPORT_ROWS: u32 = 4;

/// A row of `street_link_index`: a street-log entry found to be a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkRow {
    pub(crate) entry: String,
    pub(crate) person: String,
    /// The encounter's time (ms).
    pub(crate) at: i64,
}

/// What a report counts about one encounter (never its notes or place), and what the
/// team's list of debriefs shows (who asked: reports never read it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EncounterFacts {
    pub(crate) id: String,
    pub(crate) duration: Option<u32>,
    pub(crate) debrief: bool,
    pub(crate) referrals: u32,
    pub(crate) given: Vec<String>,
    pub(crate) domains: Vec<String>,
    #[serde(default)]
    pub(crate) referrals_done: u32,
    #[serde(default)]
    pub(crate) referrals_missed: u32,
    #[serde(default)]
    pub(crate) debrief_by: Option<String>,
    #[serde(default)]
    pub(crate) debrief_done_at: Option<i64>,
    #[serde(default)]
    pub(crate) debrief_done_by: Option<String>,
}

/// A row of `goal_index`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GoalRow {
    pub(crate) id: String,
    pub(crate) domain: Option<String>,
    pub(crate) status: String,
    pub(crate) created_at: i64,
    pub(crate) status_at: Option<i64>,
}

/// A row of `person_index` (its id is the document's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PersonRow {
    pub(crate) name: String,
    pub(crate) nicknames: Vec<String>,
    pub(crate) pronouns: Option<String>,
    pub(crate) search_key: String,
    pub(crate) last_seen: Option<i64>,
    pub(crate) next_check_in: Option<String>,
    pub(crate) open_goals: i64,
    pub(crate) open_follow_ups: i64,
    pub(crate) has_conflicts: bool,
    /// When the record was started (ms).
    #[serde(default)]
    pub(crate) created_at: Option<i64>,
    /// Since when a consent covering research holds ([`research_since`]).
    #[serde(default)]
    pub(crate) research_since: Option<String>,
    /// The members who accompany them (ids).
    #[serde(default)]
    pub(crate) accompanied_by: Vec<String>,
    /// The record this one was merged into, as its document says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) merged_into: Option<String>,
}

/// The day from which the person's recorded consent covers research, if it does: the
/// earliest `given_on` of a consent that lists the research use and has not been withdrawn.
/// A withdrawn consent covers nothing, not even what was recorded before the withdrawal: the
/// person said no, and an export made after that must not hold them.
pub(crate) fn research_since(consents: &[Consent]) -> Option<NaiveDate> {
    consents
        .iter()
        .filter(|c| c.withdrawn_on.is_none() && c.uses.contains(&ConsentUse::Research))
        .map(|c| c.given_on)
        .min()
}

fn encounter_row(e: &Encounter) -> (String, i64, Option<String>) {
    (
        e.id.as_str().to_owned(),
        e.at.timestamp_millis(),
        e.kind.clone(),
    )
}

fn encounter_facts(e: &Encounter) -> EncounterFacts {
    let outcomes = |o: Outcome| {
        e.referral_details
            .iter()
            .filter(|r| r.outcome.as_ref().map(|n| n.what) == Some(o))
            .count() as u32
    };
    EncounterFacts {
        id: e.id.as_str().to_owned(),
        duration: e.duration_minutes,
        debrief: e.debrief,
        referrals: e.referrals.len() as u32,
        given: e.given.clone(),
        domains: e.domains.clone(),
        referrals_done: outcomes(Outcome::Done),
        referrals_missed: outcomes(Outcome::DidNotHappen),
        debrief_by: e
            .debrief
            .then(|| e.recorded_by.as_ref().map(|m| m.0.clone()))
            .flatten(),
        debrief_done_at: e.debrief_done.as_ref().map(|d| d.at.timestamp_millis()),
        debrief_done_by: e
            .debrief_done
            .as_ref()
            .and_then(|d| d.by.as_ref().map(|m| m.0.clone())),
    }
}

const ENCOUNTER_COLUMNS: &str = "(id, doc_id, person_id, at, kind, duration, debrief, referrals, \
     given, domains, referrals_done, referrals_missed, debrief_by, debrief_done_at, \
     debrief_done_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

fn insert_encounter(
    ins: &mut rusqlite::CachedStatement<'_>,
    row: (&str, &str, Option<&str>, i64, &Option<String>),
    f: &EncounterFacts,
) -> Result<()> {
    let (id, doc_id, person, at, kind) = row;
    ins.execute(params![
        id,
        doc_id,
        person,
        at,
        kind,
        f.duration,
        f.debrief,
        f.referrals,
        json_list(&f.given),
        json_list(&f.domains),
        f.referrals_done,
        f.referrals_missed,
        f.debrief_by,
        f.debrief_done_at,
        f.debrief_done_by,
    ])?;
    Ok(())
}

fn follow_up_row(f: &FollowUp) -> (String, Option<String>, bool, String) {
    (
        f.id.as_str().to_owned(),
        f.due.map(|d| d.to_string()),
        f.done_at.is_some(),
        serde_json::to_string(f).unwrap_or_default(),
    )
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl IndexRows {
    /// `status_times`: when each goal's status last changed, read from the document.
    pub(crate) fn of_person(
        rec: &PersonRecord,
        status_times: &HashMap<String, DateTime<Utc>>,
        merged_into: Option<&PersonId>,
    ) -> Self {
        let p = &rec.profile;
        let mut key = fold_for_search(&p.name);
        for n in &p.nicknames {
            key.push_str(" | ");
            key.push_str(&fold_for_search(n));
        }
        Self {
            person: Some(PersonRow {
                name: p.name.clone(),
                nicknames: p.nicknames.clone(),
                pronouns: p.pronouns.clone(),
                search_key: key,
                last_seen: rec.last_seen().map(|t| t.timestamp_millis()),
                next_check_in: rec.next_check_in().map(|d| d.to_string()),
                open_goals: rec.goals.iter().filter(|g| g.status.is_open()).count() as i64,
                open_follow_ups: rec
                    .follow_ups
                    .iter()
                    .filter(|f| f.done_at.is_none())
                    .count() as i64,
                has_conflicts: !rec.conflicts.is_empty(),
                created_at: Some(rec.created_at.timestamp_millis()),
                research_since: research_since(&rec.consents).map(|d| d.to_string()),
                accompanied_by: rec
                    .accompanied_by
                    .iter()
                    .map(|m| m.as_str().to_owned())
                    .collect(),
                merged_into: merged_into.map(|p| p.as_str().to_owned()),
            }),
            encounters: rec.encounters.iter().map(encounter_row).collect(),
            follow_ups: rec.follow_ups.iter().map(follow_up_row).collect(),
            encounter_facts: rec.encounters.iter().map(encounter_facts).collect(),
            goals: rec
                .goals
                .iter()
                .map(|g| GoalRow {
                    id: g.id.as_str().to_owned(),
                    domain: g.domain.clone(),
                    status: g.status.code().to_owned(),
                    created_at: g.created_at.timestamp_millis(),
                    status_at: status_times
                        .get(g.id.as_str())
                        .map(DateTime::timestamp_millis),
                })
                .collect(),
            report_rows: REPORT_ROWS,
            links: Vec::new(),
        }
    }

    pub(crate) fn of_encounters(encounters: &[Encounter]) -> Self {
        Self {
            person: None,
            encounters: encounters.iter().map(encounter_row).collect(),
            follow_ups: Vec::new(),
            encounter_facts: encounters.iter().map(encounter_facts).collect(),
            goals: Vec::new(),
            report_rows: REPORT_ROWS,
            links: encounters
                .iter()
                .filter_map(|e| {
                    Some(LinkRow {
                        entry: e.id.as_str().to_owned(),
                        person: e.link.as_ref()?.person.as_str().to_owned(),
                        at: e.at.timestamp_millis(),
                    })
                })
                .collect(),
        }
    }

    /// Replaces what the indexes hold about document `doc_id` with these rows.
    pub(crate) fn write(&self, conn: &Connection, doc_id: &str) -> Result<()> {
        self.write_rows(conn, doc_id, "INSERT OR REPLACE")
    }

    /// Adds the rows of a document the indexes do not hold yet, refusing (with a constraint
    /// error) any row whose id another document holds: rows that came from elsewhere must
    /// not displace this vault's own.
    pub(crate) fn write_new(&self, conn: &Connection, doc_id: &str) -> Result<()> {
        self.write_rows(conn, doc_id, "INSERT")
    }

    /// A digest of these rows (SHA-256 of their serialised form): equal digests, equal
    /// rows. Lets the check of a record stored unloaded see that the rows its snapshot
    /// brought are the ones its document gives, and write nothing.
    /// `None` if the rows cannot be serialised (they always can: plain structs and lists),
    /// so that such rows never pass for equal to others.
    pub(crate) fn digest(&self) -> Option<[u8; 32]> {
        use sha2::{Digest, Sha256};
        // Serialised in field order: the same rows always give the same bytes.
        let bytes = serde_json::to_vec(self).ok()?;
        Some(Sha256::digest(&bytes).into())
    }

    /// Whether the indexes still hold every row these name under `doc_id`: none of them
    /// taken over by another record since (rows are keyed by their own ids across records,
    /// so another record's `INSERT OR REPLACE` of the same id moves it). With equal digests,
    /// the rows held are then exactly these.
    pub(crate) fn still_held(&self, conn: &Connection, doc_id: &str) -> Result<bool> {
        let count = |sql: &str| -> Result<usize> {
            let n: i64 = conn
                .prepare_cached(sql)?
                .query_row([doc_id], |r| r.get(0))?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        };
        if count("SELECT count(*) FROM encounter_index WHERE doc_id = ?1")? != self.encounters.len()
        {
            return Ok(false);
        }
        if self.person.is_none() {
            return Ok(true);
        }
        Ok(
            count("SELECT count(*) FROM person_index WHERE id = ?1")? == 1
                && count("SELECT count(*) FROM follow_up_index WHERE person_id = ?1")?
                    == self.follow_ups.len()
                && count("SELECT count(*) FROM goal_index WHERE person_id = ?1")?
                    == self.goals.len(),
        )
    }

    fn write_rows(&self, conn: &Connection, doc_id: &str, insert: &str) -> Result<()> {
        forget_digest(conn, doc_id)?;
        let person = self.person.as_ref().map(|_| doc_id);
        if let Some(p) = &self.person {
            let was_merged = merge_involved(conn, doc_id)?;
            conn.prepare_cached(&format!(
                "{insert} INTO person_index
                 (id, name, nicknames, pronouns, search_key, last_seen, next_check_in,
                  open_goals, open_follow_ups, has_conflicts, created_at, research_since,
                  merged_into)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
            ))?
            .execute(params![
                doc_id,
                p.name,
                json_list(&p.nicknames),
                p.pronouns,
                p.search_key,
                p.last_seen,
                p.next_check_in,
                p.open_goals,
                p.open_follow_ups,
                p.has_conflicts,
                p.created_at,
                p.research_since,
                p.merged_into,
            ])?;
            if was_merged || p.merged_into.is_some() {
                refresh_merge_roots(conn)?;
            }
            conn.prepare_cached("DELETE FROM accompany_index WHERE person_id = ?1")?
                .execute([doc_id])?;
            let mut ins = conn.prepare_cached(
                "INSERT OR IGNORE INTO accompany_index (person_id, member_id) VALUES (?1, ?2)",
            )?;
            for m in &p.accompanied_by {
                ins.execute(params![doc_id, m])?;
            }
        }
        conn.prepare_cached("DELETE FROM encounter_index WHERE doc_id = ?1")?
            .execute([doc_id])?;
        let mut ins = conn.prepare_cached(&format!(
            "{insert} INTO encounter_index {ENCOUNTER_COLUMNS}"
        ))?;
        let none = EncounterFacts::default();
        for (i, (id, at, kind)) in self.encounters.iter().enumerate() {
            let f = self
                .encounter_facts
                .get(i)
                .filter(|f| &f.id == id)
                .unwrap_or(&none);
            insert_encounter(&mut ins, (id, doc_id, person, *at, kind), f)?;
        }
        if person.is_none() {
            conn.prepare_cached("DELETE FROM street_link_index WHERE doc_id = ?1")?
                .execute([doc_id])?;
            let mut ins = conn.prepare_cached(&format!(
                "{insert} INTO street_link_index (doc_id, encounter_id, person_id, at)
                 VALUES (?1, ?2, ?3, ?4)"
            ))?;
            for l in &self.links {
                ins.execute(params![doc_id, l.entry, l.person, l.at])?;
            }
        }
        if let Some(person) = person {
            conn.prepare_cached("DELETE FROM follow_up_index WHERE person_id = ?1")?
                .execute([person])?;
            let mut ins = conn.prepare_cached(&format!(
                "{insert} INTO follow_up_index
                 (id, person_id, due, done, json, done_at, created_at, responsible)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))?;
            for (id, due, done, json) in &self.follow_ups {
                let (done_at, created_at, responsible) = follow_up_times(json);
                ins.execute(params![
                    id,
                    person,
                    due,
                    done,
                    json,
                    done_at,
                    created_at,
                    responsible
                ])?;
            }
            conn.prepare_cached("DELETE FROM goal_index WHERE person_id = ?1")?
                .execute([person])?;
            let mut ins = conn.prepare_cached(&format!(
                "{insert} INTO goal_index (id, person_id, domain, status, created_at, status_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ))?;
            for g in &self.goals {
                ins.execute(params![
                    g.id,
                    person,
                    g.domain,
                    g.status,
                    g.created_at,
                    g.status_at
                ])?;
            }
        }
        Ok(())
    }
}

/// When a follow-up (as its row's JSON) was done and added, in ms, and who is responsible:
/// the JSON carries them, so snapshots made before these columns existed fill them too.
fn follow_up_times(json: &str) -> (Option<i64>, Option<i64>, Option<String>) {
    match serde_json::from_str::<FollowUp>(json) {
        Ok(f) => (
            f.done_at.map(|t| t.timestamp_millis()),
            Some(f.created_at.timestamp_millis()),
            f.responsible.or(f.created_by).map(|m| m.0),
        ),
        Err(_) => (None, None, None),
    }
}

/// The record's rows are being written by something other than the snapshot that brought
/// them: the digest noted then no longer says what the indexes hold.
fn forget_digest(conn: &Connection, doc_id: &str) -> Result<()> {
    conn.prepare_cached("UPDATE deferred_docs SET rows_digest = NULL WHERE doc_id = ?1")?
        .execute([doc_id])?;
    Ok(())
}

/// Whether a record takes part in a merge as the index holds it: merged into another, or
/// another merged into it.
fn merge_involved(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM person_index WHERE id = ?1 AND merged_into IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM person_index WHERE merged_into = ?1)",
        )?
        .query_row([id], |r| r.get(0))?)
}

/// Computes `merge_root` again from `merged_into` of every row: the record each merged one
/// ends at, following chains (A into B into C: A's root is C). A record merged into one this
/// vault does not hold (not synced yet, erased, or made up) is its own root until that one
/// arrives. A cycle (A into B on one device while B into A on another, or a hostile member's
/// loop) ends at the smallest id of the cycle on every device, and never loops: each walk
/// stops at a record it has already passed. Nothing is lost either way: every document of
/// the group is read into the merged record.
pub(crate) fn refresh_merge_roots(conn: &Connection) -> Result<()> {
    let edges: HashMap<String, String> = conn
        .prepare_cached("SELECT id, merged_into FROM person_index WHERE merged_into IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut exists =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM person_index WHERE id = ?1)")?;
    let ends = merge_ends(&edges, &mut |id| Ok(exists.query_row([id], |r| r.get(0))?))?;
    // Only the rows whose root changed are written: a refresh after one record's write
    // costs a read of the merged rows, not a write of each.
    let had: HashMap<String, String> = conn
        .prepare_cached("SELECT id, merge_root FROM person_index WHERE merge_root IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = conn.prepare_cached("UPDATE person_index SET merge_root = ?2 WHERE id = ?1")?;
    for (id, root) in &had {
        let now = ends.get(id.as_str()).filter(|end| **end != id.as_str());
        if now != Some(&root.as_str()) {
            set.execute(params![id, now])?;
        }
    }
    for (id, end) in &ends {
        if *end != *id && !had.contains_key(*id) {
            set.execute(params![id, end])?;
        }
    }
    Ok(())
}

/// Where each merged record's chain ends (itself when it is a root): each record is walked
/// once, so a refresh is linear in the merged records, whatever shape a hostile member gives
/// them (a long chain, many into one, loops).
fn merge_ends<'a>(
    edges: &'a HashMap<String, String>,
    held: &mut impl FnMut(&str) -> Result<bool>,
) -> Result<HashMap<&'a str, &'a str>> {
    let mut ends: HashMap<&'a str, &'a str> = HashMap::with_capacity(edges.len());
    for start in edges.keys() {
        let mut path: Vec<&'a str> = Vec::new();
        let mut on_path: HashMap<&'a str, usize> = HashMap::new();
        let mut at: &'a str = start.as_str();
        let end: &'a str = loop {
            if let Some(end) = ends.get(at) {
                break end;
            }
            if let Some(&i) = on_path.get(at) {
                // A cycle: its smallest id ends it, whichever record the walk began at.
                break path[i..].iter().min().copied().unwrap_or(at);
            }
            on_path.insert(at, path.len());
            path.push(at);
            match edges.get(at) {
                Some(next) if next != at && held(next)? => at = next.as_str(),
                _ => break at,
            }
        };
        for id in path {
            ends.insert(id, end);
        }
    }
    Ok(ends)
}

pub(crate) fn remove_person(conn: &Connection, id: &str) -> Result<()> {
    forget_digest(conn, id)?;
    let was_merged = merge_involved(conn, id)?;
    conn.execute("DELETE FROM person_index WHERE id = ?1", [id])?;
    conn.execute("DELETE FROM encounter_index WHERE doc_id = ?1", [id])?;
    conn.execute("DELETE FROM follow_up_index WHERE person_id = ?1", [id])?;
    conn.execute("DELETE FROM goal_index WHERE person_id = ?1", [id])?;
    conn.execute("DELETE FROM accompany_index WHERE person_id = ?1", [id])?;
    if was_merged {
        refresh_merge_roots(conn)?;
    }
    Ok(())
}

pub(crate) fn clear(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM person_index; DELETE FROM encounter_index; DELETE FROM follow_up_index;
         DELETE FROM goal_index; DELETE FROM accompany_index; DELETE FROM street_link_index;
         UPDATE deferred_docs SET rows_digest = NULL;",
    )?;
    Ok(())
}

const SUMMARY_COLUMNS: &str = "id, name, nicknames, pronouns, last_seen, next_check_in, \
                               open_goals, open_follow_ups, has_conflicts";

fn summary(r: &Row<'_>) -> rusqlite::Result<PersonSummary> {
    let nick: String = r.get(2)?;
    Ok(PersonSummary {
        id: PersonId(r.get(0)?),
        name: r.get(1)?,
        nicknames: serde_json::from_str(&nick).unwrap_or_default(),
        pronouns: r.get(3)?,
        last_seen: r
            .get::<_, Option<i64>>(4)?
            .and_then(DateTime::from_timestamp_millis),
        next_check_in: r
            .get::<_, Option<String>>(5)?
            .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()),
        open_goals: r.get(6)?,
        open_follow_ups: r.get(7)?,
        has_conflicts: r.get(8)?,
    })
}

pub(crate) fn list_people(conn: &Connection) -> Result<Vec<PersonSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM person_index WHERE merge_root IS NULL
         ORDER BY name COLLATE NOCASE, id"
    ))?;
    let mut rows = stmt
        .query_map([], summary)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    fold_groups(conn, &mut rows)?;
    Ok(rows)
}

/// Adds to each summary what the records merged into it and the street entries linked to
/// it say: when last seen, open goals and follow-ups, conflicts. Both are few, so they are
/// read whole and folded here rather than joined into every list.
fn fold_groups(conn: &Connection, rows: &mut [PersonSummary]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let at = |rows: &mut [PersonSummary], id: &str| rows.iter().position(|p| p.id.as_str() == id);
    let mut merged = conn.prepare_cached(
        "SELECT merge_root, last_seen, next_check_in, open_goals, open_follow_ups, has_conflicts
         FROM person_index WHERE merge_root IS NOT NULL",
    )?;
    let merged = merged
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (root, seen, check_in, goals, follow_ups, conflicts) in merged {
        let Some(i) = at(rows, &root) else { continue };
        let p = &mut rows[i];
        p.last_seen = p
            .last_seen
            .max(seen.and_then(DateTime::from_timestamp_millis));
        let check_in = check_in.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        p.next_check_in = match (p.next_check_in, check_in) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        p.open_goals = p.open_goals.saturating_add(goals);
        p.open_follow_ups = p.open_follow_ups.saturating_add(follow_ups);
        p.has_conflicts |= conflicts;
    }
    let mut linked = conn.prepare_cached(
        "SELECT COALESCE(p.merge_root, p.id), MAX(l.at) FROM street_link_index l
         JOIN person_index p ON p.id = l.person_id GROUP BY l.person_id",
    )?;
    let linked = linked
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (root, seen) in linked {
        let Some(i) = at(rows, &root) else { continue };
        let p = &mut rows[i];
        p.last_seen = p.last_seen.max(DateTime::from_timestamp_millis(seen));
    }
    Ok(())
}

/// The summary of one record (of the record it was merged into, for a merged one).
pub(crate) fn person_summary(conn: &Connection, id: &str) -> Result<Option<PersonSummary>> {
    use rusqlite::OptionalExtension;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM person_index
         WHERE id = COALESCE((SELECT merge_root FROM person_index WHERE id = ?1), ?1)"
    ))?;
    let Some(one) = stmt.query_row([id], summary).optional()? else {
        return Ok(None);
    };
    let mut rows = [one];
    fold_groups(conn, &mut rows)?;
    let [one] = rows;
    Ok(Some(one))
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// People whose name or nicknames contain every word of the query (accents and case
/// ignored); names starting with the query come first.
pub(crate) fn search_people(
    conn: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<PersonSummary>> {
    let folded = fold_for_search(query);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // Any record of a group matches (a merged record's name finds the merged one); each
    // group is shown once, as its root.
    let mut sql = String::from("SELECT COALESCE(merge_root, id) FROM person_index WHERE 1");
    let mut args: Vec<String> = Vec::new();
    for w in &words {
        args.push(format!("%{}%", like_escape(w)));
        sql.push_str(&format!(" AND search_key LIKE ?{} ESCAPE '\\'", args.len()));
    }
    args.push(format!("{}%", like_escape(&folded)));
    sql.push_str(&format!(
        " ORDER BY (search_key LIKE ?{} ESCAPE '\\') DESC, name COLLATE NOCASE, id LIMIT {}",
        args.len(),
        limit
    ));
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut seen: Vec<&str> = Vec::new();
    let mut rows = Vec::new();
    for id in &ids {
        if seen.contains(&id.as_str()) {
            continue;
        }
        seen.push(id);
        if let Some(p) = person_summary(conn, id)? {
            rows.push(p);
        }
    }
    Ok(rows)
}

/// Open follow-ups due on or before `until`, oldest due first.
pub(crate) fn follow_ups_due(conn: &Connection, until: NaiveDate) -> Result<Vec<FollowUpDue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, f.json FROM follow_up_index f
         JOIN person_index o ON o.id = f.person_id
         JOIN person_index p ON p.id = COALESCE(o.merge_root, o.id)
         WHERE f.done = 0 AND f.due IS NOT NULL AND f.due <= ?1
         ORDER BY f.due, p.name COLLATE NOCASE",
    )?;
    due_rows(&mut stmt, rusqlite::params![until.to_string()])
}

/// Reads `(person id, name, follow-up JSON)` rows into follow-ups due.
pub(crate) fn due_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    args: impl rusqlite::Params,
) -> Result<Vec<FollowUpDue>> {
    let rows = stmt
        .query_map(args, |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(pid, name, json)| {
            let mut follow_up: FollowUp = serde_json::from_str(&json).ok()?;
            // Rows written before responsibility was kept: whoever added it.
            if follow_up.responsible.is_none() {
                follow_up.responsible = follow_up.created_by.clone();
            }
            Some(FollowUpDue {
                person: PersonId(pid),
                person_name: name,
                follow_up,
            })
        })
        .collect())
}

/// The most recent encounters across everyone: (document id, person id, encounter id).
pub(crate) fn recent_encounters(
    conn: &Connection,
    limit: usize,
) -> Result<Vec<(String, Option<String>, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc_id, person_id, id FROM encounter_index ORDER BY at DESC, id LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Indexes one new encounter (of a person, or in a street log) and the follow-ups decided in
/// it.
pub(crate) fn add_encounter(
    conn: &Connection,
    doc_id: &str,
    person: Option<&PersonId>,
    e: &Encounter,
    follow_ups: &[FollowUp],
) -> Result<()> {
    forget_digest(conn, doc_id)?;
    let (id, at, kind) = encounter_row(e);
    let f = encounter_facts(e);
    let mut ins = conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO encounter_index {ENCOUNTER_COLUMNS}"
    ))?;
    insert_encounter(
        &mut ins,
        (&id, doc_id, person.map(PersonId::as_str), at, &kind),
        &f,
    )?;
    let Some(person) = person else { return Ok(()) };
    let mut ins = conn.prepare_cached(
        "INSERT OR REPLACE INTO follow_up_index
         (id, person_id, due, done, json, done_at, created_at, responsible)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (id, due, done, json) in follow_ups.iter().map(follow_up_row) {
        let (done_at, created_at, responsible) = follow_up_times(&json);
        ins.execute(params![
            id,
            person.as_str(),
            due,
            done,
            json,
            done_at,
            created_at,
            responsible
        ])?;
    }
    let open = follow_ups.iter().filter(|f| f.done_at.is_none()).count() as i64;
    conn.prepare_cached(
        "UPDATE person_index
         SET last_seen = MAX(COALESCE(last_seen, ?2), ?2),
             open_follow_ups = open_follow_ups + ?3
         WHERE id = ?1",
    )?
    .execute(params![person.as_str(), e.at.timestamp_millis(), open])?;
    Ok(())
}

/// The root of `start`'s merge chain over edges alone, every record held (`None`: it is a
/// root itself).
#[cfg(test)]
pub(crate) fn merge_root_of_for_tests(
    start: &str,
    edges: &HashMap<String, String>,
) -> Result<Option<String>> {
    let ends = merge_ends(edges, &mut |_| Ok(true))?;
    Ok(ends
        .get(start)
        .filter(|end| **end != start)
        .map(|end| (*end).to_owned()))
}
