//! Two records of the same person merged into one, as a link: the record merged away says
//! which record it is part of now (`merged_into`, who and when), and nothing else changes.
//! Views and indexes read every record of the group together, so edits made to the old
//! record on a device that had not heard of the merge show in the merged one, and undoing it
//! is taking the link off.

use super::*;
use crate::error::Result;
use automerge::ROOT;
use chrono::{DateTime, Utc};
use tandem_model::{MemberId, PersonId};

/// Marks the record in `tx` as merged into `keep`.
pub(crate) fn set(
    tx: &mut impl Transactable,
    keep: &PersonId,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.put(ROOT, "merged_into", keep.as_str())?;
    tx.put(ROOT, "merged_by", by.as_str())?;
    tx.put(ROOT, "merged_at", timestamp(now))?;
    Ok(())
}

/// Takes the merge off (every value seen). Returns whether there was one.
pub(crate) fn clear(tx: &mut impl Transactable) -> Result<bool> {
    let had = tx.get(ROOT, "merged_into")?.is_some();
    for key in ["merged_into", "merged_by", "merged_at"] {
        if tx.get(ROOT, key)?.is_some() {
            tx.delete(ROOT, key)?;
        }
    }
    Ok(had)
}

/// The record a document says it was merged into (never itself, never a value that is not
/// an id), who merged it and when.
pub(crate) fn merged_into(
    doc: &impl ReadDoc,
    own_id: &str,
) -> Option<(PersonId, Option<MemberId>, Option<DateTime<Utc>>)> {
    let into =
        str_at(doc, &ROOT, "merged_into").filter(|s| street::is_record_id(s) && s != own_id)?;
    Some((
        PersonId(into),
        str_at(doc, &ROOT, "merged_by")
            .filter(|s| street::is_record_id(s))
            .map(MemberId),
        int_at(doc, &ROOT, "merged_at").and_then(DateTime::from_timestamp_millis),
    ))
}
