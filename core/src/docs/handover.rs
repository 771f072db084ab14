//! Hand-over data in the documents: who accompanies a person and the notes left when someone
//! took over (the person's document), who is responsible for a follow-up (the follow-up), and
//! which members are away (the team document, in a map of its own beside `members`, which
//! stays the signed record's business).
//!
//! ```text
//! person:  accompanied_by: { member_id: since }          (absent: whoever created the record)
//!          handovers:      { id: { note: Text, by, at } }
//!          follow_ups.<id>.responsible: member_id        (absent: whoever added it)
//! team:    away:           { member_id: { reason, since, by } }
//! ```
//!
//! The maps are made on first use, so two devices may each make one offline; Automerge then
//! keeps both as concurrent values of the key. Readers take the union of every such map and
//! removals delete from each, so neither device's choice is lost.

use super::*;
use crate::error::{Result, VaultError};
use automerge::{ObjId, ObjType, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use tandem_model::{Away, AwayReason, FollowUpId, HandoverNote, MemberId, MAX_HANDOVER_CHARS};

const ACCOMPANIED: &str = "accompanied_by";
const HANDOVERS: &str = "handovers";
const AWAY: &str = "away";

/// Whether a conflict at `path` is bookkeeping of this module rather than a value someone
/// chose: two devices both adding the same member to "accompanied by" agree.
pub(crate) fn is_bookkeeping(path: &[String]) -> bool {
    path.first().is_some_and(|k| k == ACCOMPANIED) || path == [HANDOVERS]
}

/// Every map held at `key` of `obj`: one, or several made concurrently.
fn all_maps(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Vec<ObjId> {
    doc.get_all(obj, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
        .collect()
}

fn keys_of(doc: &impl ReadDoc, maps: &[ObjId]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in maps {
        for k in doc.keys(m) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out.sort();
    out
}

fn writable_map(tx: &mut impl Transactable, obj: &ObjId, key: &str) -> Result<ObjId> {
    match map_at(tx, obj, key) {
        Some(m) => Ok(m),
        None => Ok(tx.put_object(obj, key, ObjType::Map)?),
    }
}

/// The members who accompany the person. A record from before this was kept, or never
/// changed since, is accompanied by whoever created it.
pub(crate) fn accompanied_by(doc: &impl ReadDoc) -> Vec<MemberId> {
    let maps = all_maps(doc, &ROOT, ACCOMPANIED);
    if maps.is_empty() {
        return str_at(doc, &ROOT, "created_by")
            .filter(|s| !s.is_empty())
            .map(MemberId)
            .into_iter()
            .collect();
    }
    keys_of(doc, &maps).into_iter().map(MemberId).collect()
}

/// Adds and removes members accompanying the person. The first change to a record that had
/// no list writes its implicit one (its creator) first, so adding someone keeps the creator.
pub(crate) fn change_accompanied(
    tx: &mut impl Transactable,
    add: &[MemberId],
    remove: &[MemberId],
    now: DateTime<Utc>,
) -> Result<()> {
    let current = accompanied_by(tx);
    let mut maps = all_maps(tx, &ROOT, ACCOMPANIED);
    if maps.is_empty() {
        let m = tx.put_object(ROOT, ACCOMPANIED, ObjType::Map)?;
        for c in &current {
            tx.put(&m, c.as_str(), timestamp(now))?;
        }
        maps.push(m);
    }
    for r in remove {
        for m in &maps {
            if tx.get(m, r.as_str())?.is_some() {
                tx.delete(m, r.as_str())?;
            }
        }
    }
    let winner = writable_map(tx, &ROOT, ACCOMPANIED)?;
    for a in add {
        if !accompanied_by(tx).contains(a) {
            tx.put(&winner, a.as_str(), timestamp(now))?;
        }
    }
    Ok(())
}

/// Leaves a note for the next peer.
pub(crate) fn add_note(
    tx: &mut impl Transactable,
    note: &str,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<String> {
    let note = note.trim();
    if note.is_empty() {
        return Err(VaultError::Invalid {
            field: "hand-over note",
            reason: "empty",
        });
    }
    if note.chars().count() > MAX_HANDOVER_CHARS {
        return Err(VaultError::Invalid {
            field: "hand-over note",
            reason: "longer than 1000 characters",
        });
    }
    let sec = writable_map(tx, &ROOT, HANDOVERS)?;
    let id = new_id();
    let obj = tx.put_object(&sec, id.as_str(), ObjType::Map)?;
    put_text(tx, &obj, "note", note)?;
    tx.put(&obj, "by", by.as_str())?;
    tx.put(&obj, "at", timestamp(now))?;
    Ok(id)
}

/// The notes left on the person's record, newest first.
pub(crate) fn notes(doc: &impl ReadDoc) -> Vec<HandoverNote> {
    let mut out: Vec<HandoverNote> = Vec::new();
    for m in all_maps(doc, &ROOT, HANDOVERS) {
        for item in doc.map_range(&m, ..) {
            if !matches!(item.value, automerge::ValueRef::Object(ObjType::Map)) {
                continue;
            }
            let f = Fields::of(doc, &item.id());
            let (Some(at), note) = (f.time("at"), f.text(doc, "note")) else {
                continue;
            };
            out.push(HandoverNote {
                id: item.key.to_string(),
                note,
                by: f.opt_str(doc, "by").map(MemberId),
                at,
            });
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// Makes `member` responsible for a follow-up. Two devices doing it at once keep both
/// choices as a conflict of the field, shown and settled like any other.
pub(crate) fn set_responsible(
    tx: &mut impl Transactable,
    follow_up: &FollowUpId,
    member: &MemberId,
) -> Result<()> {
    let sec = map_at(tx, &ROOT, "follow_ups").ok_or(VaultError::WrongDocumentShape {
        doc: String::new(),
        expected: "person",
    })?;
    let obj = map_at(tx, &sec, follow_up.as_str())
        .ok_or_else(|| VaultError::not_found("follow-up", follow_up))?;
    tx.put(&obj, "responsible", member.as_str())?;
    Ok(())
}

// ---- the team document ----

/// Marks a member away (again: the reason and date are updated).
pub(crate) fn set_away(
    tx: &mut impl Transactable,
    member: &MemberId,
    reason: AwayReason,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    let away = writable_map(tx, &ROOT, AWAY)?;
    let entry = writable_map(tx, &away, member.as_str())?;
    tx.put(&entry, "reason", reason.code())?;
    tx.put(&entry, "since", timestamp(now))?;
    tx.put(&entry, "by", by.as_str())?;
    Ok(())
}

/// A member is back: whatever device marked them away, they are no longer.
pub(crate) fn set_back(tx: &mut impl Transactable, member: &MemberId) -> Result<bool> {
    let mut was = false;
    for m in all_maps(tx, &ROOT, AWAY) {
        if tx.get(&m, member.as_str())?.is_some() {
            tx.delete(&m, member.as_str())?;
            was = true;
        }
    }
    Ok(was)
}

/// Members marked away (names are filled in by the caller, from the team it trusts).
pub(crate) fn away(doc: &impl ReadDoc) -> Vec<Away> {
    let mut out: Vec<Away> = Vec::new();
    for m in all_maps(doc, &ROOT, AWAY) {
        for (id, entry) in entries_of(doc, &m) {
            if out.iter().any(|a| a.member.as_str() == id) {
                continue;
            }
            let f = Fields::of(doc, &entry);
            let Some(reason) = f.str(doc, "reason").and_then(|r| AwayReason::from_code(&r)) else {
                continue;
            };
            out.push(Away {
                member: MemberId(id),
                name: String::new(),
                reason,
                since: f.time("since").unwrap_or_default(),
                by: f.opt_str(doc, "by").map(MemberId),
            });
        }
    }
    out.sort_by(|a, b| a.member.cmp(&b.member));
    out
}

fn entries_of(doc: &impl ReadDoc, map: &ObjId) -> Vec<(String, ObjId)> {
    doc.map_range(map, ..)
        .filter_map(|item| match item.value {
            automerge::ValueRef::Object(ObjType::Map) => Some((item.key.to_string(), item.id())),
            _ => None,
        })
        .collect()
}
