//! What came of encounters afterwards: referrals to the team's places and whether they
//! happened, and the team's list of debriefs asked for.

use super::*;
use crate::docs::{outcomes, place};
use tandem_model::{DebriefRequest, Noted, Outcome, PlaceId};

impl Vault {
    /// The names of places picked for referrals, as they are now: a referral keeps the
    /// name it was made with, even if the place is renamed or removed later. A place taken
    /// off the list can no longer be picked.
    pub(super) fn referred_places(&mut self, ids: &[PlaceId]) -> Result<Vec<(PlaceId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let team_id = self.team_id.clone();
        let doc = self.doc(&team_id)?;
        ids.iter()
            .map(|id| {
                let p = place::read(doc, id)?;
                if p.removed_at.is_some() {
                    return Err(VaultError::not_found("place on the list", id));
                }
                Ok((p.id, p.name))
            })
            .collect()
    }

    /// The document an encounter is in, from its id or the start of it (6 characters or
    /// more): `(document, person)`, the person `None` for the street log.
    pub fn find_encounter(&self, id: &str) -> Result<(EncounterId, String, Option<PersonId>)> {
        let q = id.trim().to_lowercase();
        if q.len() < 6 || !q.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(VaultError::Invalid {
                field: "encounter",
                reason: "give its id, or at least its first 6 characters",
            });
        }
        let mut stmt = self.conn.prepare_cached(
            // A range of the id's index (ids are lowercase letters and digits, all below
            // '~'), not a scan of every encounter as `LIKE` would be.
            "SELECT id, doc_id, person_id FROM encounter_index
             WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id = ?1 DESC LIMIT 2",
        )?;
        let rows = stmt
            .query_map([&q], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        match rows.as_slice() {
            [] => Err(VaultError::not_found("encounter", &q)),
            [(id, doc, person), ..] if rows.len() == 1 || id == &q => Ok((
                EncounterId(id.clone()),
                doc.clone(),
                person.clone().map(PersonId),
            )),
            _ => Err(VaultError::Ambiguous { count: rows.len() }),
        }
    }

    /// One change to the document holding an encounter.
    fn edit_encounter<T>(
        &mut self,
        encounter: &EncounterId,
        action: &str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let (eid, doc_id, person) = self.find_encounter(encounter.as_str())?;
        if &eid != encounter {
            return Err(VaultError::not_found("encounter", encounter));
        }
        let kind = if person.is_some() {
            DocKind::Person
        } else {
            DocKind::StreetLog
        };
        let target = eid.0.clone();
        let (out, change) = self.edit(&doc_id, kind, action, |_| Some(target), f)?;
        self.commit(change.into_iter().collect())?;
        Ok(out)
    }

    /// Notes whether referral number `index` (from 0, in the order the encounter lists
    /// them) happened, now, by this member; `None` makes it unknown again.
    pub fn set_referral_outcome(
        &mut self,
        encounter: &EncounterId,
        index: usize,
        outcome: Option<Outcome>,
    ) -> Result<()> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_encounter(encounter, "referral.outcome", |tx| {
            outcomes::set_referral_outcome(tx, encounter, index, outcome, &by, now)
        })
    }

    /// Notes that the debrief asked for on an encounter took place (now, by this member).
    /// One already noted stays as it was.
    pub fn mark_debrief_done(&mut self, encounter: &EncounterId) -> Result<()> {
        let (by, now) = (self.member.clone(), Utc::now());
        self.edit_encounter(encounter, "debrief.done", |tx| {
            outcomes::mark_debrief_done(tx, encounter, &by, now)
        })?;
        Ok(())
    }

    /// The debriefs peers asked for, newest first: those not done yet, or (`all`) every one.
    /// Each names the peer who asked and when, not the person met nor the notes.
    pub fn debrief_requests(&mut self, all: bool) -> Result<Vec<DebriefRequest>> {
        let team_id = self.team_id.clone();
        let names: HashMap<MemberId, String> = team::members(self.doc(&team_id)?)
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, person_id, at, debrief_by, debrief_done_at, debrief_done_by
             FROM encounter_index INDEXED BY encounter_index_debriefs
             WHERE debrief = 1 AND (?1 OR debrief_done_at IS NULL)
             ORDER BY at DESC, id",
        )?;
        let rows = stmt
            .query_map([all], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(id, person, at, by, done_at, done_by)| {
                let asked_by = by.map(MemberId);
                DebriefRequest {
                    encounter: EncounterId(id),
                    person: person.map(PersonId),
                    at: DateTime::from_timestamp_millis(at).unwrap_or_default(),
                    asked_by_name: asked_by.as_ref().and_then(|m| names.get(m).cloned()),
                    asked_by,
                    done: done_at
                        .and_then(DateTime::from_timestamp_millis)
                        .map(|at| Noted {
                            what: (),
                            at,
                            by: done_by.map(MemberId),
                        }),
                }
            })
            .collect())
    }
}
