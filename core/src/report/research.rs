//! The de-identified export for research: one row per encounter, for the people whose
//! recorded consent covers research, and nothing that names or describes them.
//!
//! "Covers research" means a consent that lists the research use ("count them, anonymously,
//! in statistics and research") and has not been withdrawn, given on or before the day of
//! the export (`crate::index::research_since`). Anonymous street contacts gave no consent
//! anyone recorded: they are left out.
//!
//! A row holds a pseudonymous person key, the local day, the kind, the length, what was given
//! (codes), whether a referral was made and the life domains touched (codes; one the team's
//! lists do not offer is written "other"). Never a name, nickname, note, place, referral
//! text, goal words, or who recorded it. The person key is a keyed SHA-256 of the person's
//! id under a random key made for this export and then dropped: stable inside one file (so
//! rows of one person can be followed), unrelated from one export to the next, and not the
//! id the vault knows them by. Two records merged into one are one person with one key;
//! whether a record's encounters are in is still decided by the consent that record holds.

use super::csv::CsvWriter;
use super::{local_day, span, time_zone, KnownCodes};
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use tandem_model::{OptionList, ReportPeriod};
use zeroize::Zeroizing;

/// What a research export made: the file and what is in it.
#[derive(Debug)]
pub struct ResearchExport {
    /// The CSV file.
    pub bytes: Vec<u8>,
    /// Encounters (rows) in it.
    pub encounters: usize,
    /// Different people in it.
    pub people: usize,
    /// People met in the period left out because their consent does not cover research.
    pub left_out: usize,
}

/// The columns, in order (codes, not words: the file is for analysis, in any language).
pub const COLUMNS: [&str; 7] = [
    "person_key",
    "date",
    "kind",
    "duration_minutes",
    "given",
    "referral_made",
    "life_domains",
];

/// A list of codes, each as the export writes it (`fold`), once each, `;` between.
fn codes(json: &str, fold: impl Fn(&str) -> &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for code in serde_json::from_str::<Vec<String>>(json).unwrap_or_default() {
        let code = fold(&code).to_owned();
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out.join(";")
}

pub(crate) fn export(
    conn: &Connection,
    period: &ReportPeriod,
    now: DateTime<Utc>,
    known: &KnownCodes,
) -> Result<ResearchExport> {
    let tz = time_zone(&period.time_zone)?;
    let s = span(period, &tz)?;
    let today = local_day(now.timestamp_millis(), &tz).unwrap_or(period.to);
    let mut key = Zeroizing::new([0u8; 32]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, key.as_mut());
    let pseudonym = |id: &str| {
        let mut h = Sha256::new();
        h.update(key.as_slice());
        h.update(id.as_bytes());
        let digest = h.finalize();
        format!("P{}", hex::encode(&digest[..8]))
    };

    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(p.merge_root, p.id), e.at, e.kind, e.duration, e.given, e.referrals,
                e.domains
         FROM encounter_index e JOIN person_index p ON p.id = e.person_id
         WHERE e.at >= ?1 AND e.at < ?2
           AND p.research_since IS NOT NULL AND p.research_since <= ?3
         ORDER BY e.at, e.id",
    )?;
    let mut rows = stmt.query(params![s.start, s.end, today.to_string()])?;
    let mut w = CsvWriter::new();
    w.row(&COLUMNS);
    let (mut encounters, mut people) = (0usize, HashSet::new());
    while let Some(r) = rows.next()? {
        let person: String = r.get(0)?;
        let at: i64 = r.get(1)?;
        let kind: Option<String> = r.get(2)?;
        let duration: Option<i64> = r.get(3)?;
        let given: String = r.get(4)?;
        let referrals: i64 = r.get(5)?;
        let domains: String = r.get(6)?;
        w.row(&[
            pseudonym(&person),
            local_day(at, &tz)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            kind.as_deref()
                .map(|k| known.code(OptionList::EncounterKinds, k))
                .unwrap_or_default()
                .to_owned(),
            duration.map(|d| d.to_string()).unwrap_or_default(),
            codes(&given, |c| known.code(OptionList::GivenItems, c)),
            (if referrals > 0 { "yes" } else { "no" }).to_owned(),
            codes(&domains, |c| known.code(OptionList::LifeDomains, c)),
        ]);
        encounters += 1;
        people.insert(person);
    }
    let met: i64 = conn
        .prepare_cached(
            "SELECT count(DISTINCT COALESCE(p.merge_root, e.person_id))
             FROM encounter_index e LEFT JOIN person_index p ON p.id = e.person_id
             WHERE e.at >= ?1 AND e.at < ?2 AND e.person_id IS NOT NULL",
        )?
        .query_row(params![s.start, s.end], |r| r.get(0))?;
    Ok(ResearchExport {
        bytes: w.into_bytes(),
        encounters,
        people: people.len(),
        left_out: (met.max(0) as usize).saturating_sub(people.len()),
    })
}
