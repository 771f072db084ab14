//! A month's street log: encounters with people not (yet) known, one document per month.
//!
//! Every device may be the first to write in a month, offline. So that they all write into
//! the same document, its id is derived from the team and the month, and its first change is
//! built deterministically (fixed actor, fixed time): two devices produce the byte-identical
//! change, which Automerge treats as one.

use super::*;
use crate::error::{Result, VaultError};
use automerge::transaction::CommitOptions;
use automerge::{ActorId, Automerge, ObjType, ReadDoc, ROOT};
use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};
use tandem_model::{Encounter, EncounterId, MemberId, NewEncounter, StreetLink};

/// `YYYY-MM` of a moment (UTC).
pub fn month_of(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

fn digest(team_id: &str, month: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tandem street log\0");
    h.update(team_id.as_bytes());
    h.update(b"\0");
    h.update(month.as_bytes());
    h.finalize().into()
}

/// The street log's document id for a team and a month.
pub(crate) fn doc_id(team_id: &str, month: &str) -> String {
    hex::encode(&digest(team_id, month)[..16])
}

/// The month's document as every device creates it, before any encounter.
pub(crate) fn genesis(team_id: &str, month: &str) -> Result<Automerge> {
    let d = digest(team_id, month);
    let mut doc = Automerge::new().with_actor(ActorId::from(&d[16..32]));
    doc.transact_with(
        |_| {
            CommitOptions::default()
                .with_time(0)
                .with_message("street_log.create".to_owned())
        },
        |tx| -> Result<()> {
            tx.put(ROOT, "kind", "street_log")?;
            tx.put(ROOT, "month", month)?;
            tx.put_object(ROOT, "encounters", ObjType::Map)?;
            Ok(())
        },
    )
    .map_err(|f| f.error)?;
    Ok(doc)
}

fn encounters_obj(doc: &impl ReadDoc) -> Result<automerge::ObjId> {
    map_at(doc, &ROOT, "encounters").ok_or(VaultError::WrongDocumentShape {
        doc: String::new(),
        expected: "street log",
    })
}

/// Adds an anonymous encounter to the month's log.
pub(crate) fn add_encounter(
    tx: &mut impl Transactable,
    e: &NewEncounter,
    places: &[(tandem_model::PlaceId, String)],
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<EncounterId> {
    let sec = encounters_obj(tx)?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    person::write_encounter(tx, &obj, e, places, by, now)?;
    Ok(EncounterId(id))
}

/// One encounter of the log, read back after recording it.
pub(crate) fn read_one(doc: &impl ReadDoc, id: &EncounterId) -> Option<Encounter> {
    let obj = map_at(doc, &encounters_obj(doc).ok()?, id.as_str())?;
    let mut e = person::read_encounter(doc, id.0.clone(), &obj, None)?;
    e.link = read_link(doc, &obj);
    Some(e)
}

/// The log's entries with their links, newest first.
pub(crate) fn read(doc: &Automerge) -> Vec<Encounter> {
    let mut out: Vec<Encounter> = entries(doc, &ROOT, "encounters")
        .into_iter()
        .filter_map(|(id, obj)| {
            let mut e = person::read_encounter(doc, id, &obj, None)?;
            e.link = read_link(doc, &obj);
            Some(e)
        })
        .collect();
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Whether a value read from a document can be a record's id (what `new_id` makes, or
/// any short ASCII id): anything else in a link is ignored, so a hostile member cannot
/// make a link point into the index with an arbitrary string.
pub(crate) fn is_record_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Marks an entry of the log as being `person` ("this was Marc"). Written as three plain
/// keys in one change: two devices linking the same entry at once leave concurrent values of
/// `linked_to`, and Automerge's winner (the same on every device) is the link; the same
/// device's change wins `linked_by` and `linked_at` too, since the three operations of one
/// change compare alike against the three of another.
pub(crate) fn link(
    tx: &mut impl Transactable,
    entry: &EncounterId,
    person: &tandem_model::PersonId,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = map_at(tx, &encounters_obj(tx)?, entry.as_str())
        .ok_or_else(|| VaultError::not_found("street entry", entry))?;
    tx.put(&obj, "linked_to", person.as_str())?;
    tx.put(&obj, "linked_by", by.as_str())?;
    tx.put(&obj, "linked_at", timestamp(now))?;
    Ok(())
}

/// Takes the link off (every value this device has seen, a concurrent one included).
/// Returns whether there was one.
pub(crate) fn unlink(tx: &mut impl Transactable, entry: &EncounterId) -> Result<bool> {
    let obj = map_at(tx, &encounters_obj(tx)?, entry.as_str())
        .ok_or_else(|| VaultError::not_found("street entry", entry))?;
    let had = tx.get(&obj, "linked_to")?.is_some();
    for key in ["linked_to", "linked_by", "linked_at"] {
        if tx.get(&obj, key)?.is_some() {
            tx.delete(&obj, key)?;
        }
    }
    Ok(had)
}

/// Takes the link off an entry when it names one of `people` (the records of a person who
/// is being erased): the entry is an anonymous contact again. An entry linked to someone
/// else is left as it is. Returns whether it was unlinked.
pub(crate) fn unlink_if_to(
    tx: &mut impl Transactable,
    entry: &EncounterId,
    people: &[tandem_model::PersonId],
) -> Result<bool> {
    let Some(obj) = map_at(tx, &encounters_obj(tx)?, entry.as_str()) else {
        return Ok(false);
    };
    let names_them = read_link(tx, &obj).is_some_and(|l| people.contains(&l.person));
    if !names_them {
        return Ok(false);
    }
    unlink(tx, entry)
}

/// The link of an entry, if it has one: the winning value, and the others written at the
/// same time elsewhere.
pub(crate) fn read_link(doc: &impl ReadDoc, obj: &automerge::ObjId) -> Option<StreetLink> {
    let all = doc.get_all(obj, "linked_to").ok()?;
    let ids: Vec<String> = all
        .iter()
        .rev()
        .filter_map(|(v, _)| match v {
            automerge::Value::Scalar(s) => match s.as_ref() {
                automerge::ScalarValue::Str(s) if is_record_id(s) => Some(s.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // The winner is what `get` returns: the last of `get_all`. If it is not an id (a
    // hostile value), there is no link, whatever the others say.
    let winner = str_at(doc, obj, "linked_to").filter(|s| is_record_id(s))?;
    let mut also: Vec<tandem_model::PersonId> = Vec::new();
    for id in ids.into_iter().filter(|i| *i != winner) {
        if !also.iter().any(|a| a.as_str() == id) {
            also.push(tandem_model::PersonId(id));
        }
    }
    Some(StreetLink {
        person: tandem_model::PersonId(winner),
        by: str_at(doc, obj, "linked_by")
            .filter(|s| is_record_id(s))
            .map(MemberId),
        at: int_at(doc, obj, "linked_at").and_then(DateTime::from_timestamp_millis),
        also,
    })
}
