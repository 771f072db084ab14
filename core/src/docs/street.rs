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
use tandem_model::{Encounter, EncounterId, MemberId, NewEncounter};

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
    person::read_encounter(doc, id.0.clone(), &obj, None)
}

pub(crate) fn read(doc: &Automerge) -> Vec<Encounter> {
    person::read_encounters(doc, &ROOT, "encounters", None)
}
