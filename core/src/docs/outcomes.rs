//! What came of an encounter afterwards, written into the encounter's map (in a person's
//! document or a street log): the place each referral was to, whether it happened, and
//! whether the debrief the peer asked for took place.
//!
//! ```text
//! encounters: { id: { referrals: [text, ..],
//!                     referral_<i>_place, referral_<i>_outcome, referral_<i>_outcome_at,
//!                     referral_<i>_outcome_by, debrief_done_at, debrief_done_by, .. } }
//! ```
//!
//! Plain keys on the encounter rather than maps of their own: two devices marking the same
//! old encounter offline would each create the map, and one map (with its outcome) would be
//! lost. Two different outcomes noted at once are a conflict, shown like any other; when and
//! by whom are bookkeeping (`mod.rs` does not show them as conflicts), so two devices noting
//! the same thing end with it noted once.

use super::*;
use crate::error::{Result, VaultError};
use automerge::{ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use tandem_model::{EncounterId, MemberId, Noted, Outcome, PlaceId, Referral};

fn place_key(i: usize) -> String {
    format!("referral_{i}_place")
}

fn outcome_key(i: usize) -> String {
    format!("referral_{i}_outcome")
}

/// The referrals of a new encounter: the places picked (in their names as they are today),
/// then the words typed, without repeats; each picked place linked by its position.
pub(crate) fn write_referrals(
    tx: &mut impl Transactable,
    obj: &ObjId,
    places: &[(PlaceId, String)],
    typed: &[String],
) -> Result<()> {
    let mut texts: Vec<String> = Vec::new();
    let mut links: Vec<(usize, &PlaceId)> = Vec::new();
    for (id, name) in places {
        if !texts.iter().any(|t| t == name) {
            links.push((texts.len(), id));
            texts.push(name.clone());
        }
    }
    for t in typed.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !texts.iter().any(|o| o == t) {
            texts.push(t.to_owned());
        }
    }
    if texts.len() > 50 {
        return Err(VaultError::Invalid {
            field: "referrals",
            reason: "more than 50",
        });
    }
    if texts.iter().any(|t| t.chars().count() > 300) {
        return Err(VaultError::Invalid {
            field: "referral",
            reason: "longer than 300 characters",
        });
    }
    put_list(tx, obj, "referrals", &texts)?;
    for (i, id) in links {
        tx.put(obj, place_key(i), id.as_str())?;
    }
    Ok(())
}

/// The referrals of an encounter as read (`texts` is its `referrals` list).
pub(crate) fn read_referrals(
    doc: &impl ReadDoc,
    f: &Fields<'_>,
    texts: &[String],
) -> Vec<Referral> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let outcome = f
                .str(doc, &outcome_key(i))
                .and_then(|c| Outcome::from_code(&c))
                .map(|what| Noted {
                    what,
                    at: f
                        .time(&format!("referral_{i}_outcome_at"))
                        .unwrap_or_default(),
                    by: f
                        .opt_str(doc, &format!("referral_{i}_outcome_by"))
                        .map(MemberId),
                });
            Referral {
                text: text.clone(),
                place: f.opt_str(doc, &place_key(i)).map(PlaceId),
                outcome,
            }
        })
        .collect()
}

pub(crate) fn read_debrief_done(doc: &impl ReadDoc, f: &Fields<'_>) -> Option<Noted<()>> {
    Some(Noted {
        what: (),
        at: f.time("debrief_done_at")?,
        by: f.opt_str(doc, "debrief_done_by").map(MemberId),
    })
}

/// The encounter's map, in a person's document or a street log (both keep them at
/// `encounters`).
pub(crate) fn encounter_obj(doc: &impl ReadDoc, id: &EncounterId) -> Result<ObjId> {
    map_at(doc, &ROOT, "encounters")
        .and_then(|e| map_at(doc, &e, id.as_str()))
        .ok_or_else(|| VaultError::not_found("encounter", id))
}

/// Notes whether referral number `index` (from 0) happened; `None` makes it unknown again.
pub(crate) fn set_referral_outcome(
    tx: &mut impl Transactable,
    encounter: &EncounterId,
    index: usize,
    outcome: Option<Outcome>,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = encounter_obj(tx, encounter)?;
    if index >= list_at(tx, &obj, "referrals").len() {
        return Err(VaultError::not_found("referral", index + 1));
    }
    let (at, who) = (
        format!("referral_{index}_outcome_at"),
        format!("referral_{index}_outcome_by"),
    );
    match outcome {
        Some(o) => {
            tx.put(&obj, outcome_key(index), o.code())?;
            tx.put(&obj, at, timestamp(now))?;
            tx.put(&obj, who, by.as_str())?;
        }
        None => {
            for key in [outcome_key(index), at, who] {
                if tx.get(&obj, key.as_str())?.is_some() {
                    tx.delete(&obj, key.as_str())?;
                }
            }
        }
    }
    Ok(())
}

/// Notes that the debrief asked for on an encounter took place; says whether it was not
/// noted yet (noting it twice changes nothing).
pub(crate) fn mark_debrief_done(
    tx: &mut impl Transactable,
    encounter: &EncounterId,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let obj = encounter_obj(tx, encounter)?;
    if !Fields::of(tx, &obj).bool("debrief") {
        return Err(VaultError::Invalid {
            field: "debrief",
            reason: "no debrief was asked for on this encounter",
        });
    }
    if tx.get(&obj, "debrief_done_at")?.is_some() {
        return Ok(false);
    }
    tx.put(&obj, "debrief_done_at", timestamp(now))?;
    tx.put(&obj, "debrief_done_by", by.as_str())?;
    Ok(true)
}
