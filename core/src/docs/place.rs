//! The places the team refers people to, in a map of their own in the team document.
//!
//! ```text
//! places: { place_id: { name, kind, address, phone, hours, notes: Text, created_at, created_by,
//!                       checked_at, checked_by, removed_at, removed_by } }
//! ```
//!
//! Name, kind, address, phone and hours are plain values, so two devices editing one of them
//! offline keep both values as a conflict (shown, and settled by choosing one, like a
//! person's fields); notes are text, merged. This map is not membership: nothing about who
//! is in the team is read from it. Every field is bounded on writing and cut to its bound on
//! reading, and the map holds at most [`MAX_PLACES`] places, so a member writing with a
//! client of their own cannot make every device show megabytes.

use super::*;
use crate::error::{Result, VaultError};
use automerge::{ObjType, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use tandem_model::{
    fold_for_search, MemberId, NewPlace, Place, PlaceId, PlaceLimits, PlaceUpdate, MAX_PLACES,
};

/// The fields a member chooses (and so the ones whose conflicts are shown).
pub(crate) const EDITABLE: [&str; 5] = ["name", "kind", "address", "phone", "hours"];

fn cut(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        s
    } else {
        s.chars().take(max).collect()
    }
}

/// One line of at most `max` characters; `None` for an empty one.
fn line(field: &'static str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max {
        return Err(VaultError::Invalid {
            field,
            reason: "too long",
        });
    }
    if v.chars().any(char::is_control) {
        return Err(VaultError::Invalid {
            field,
            reason: "one line only",
        });
    }
    Ok(Some(v.to_owned()))
}

/// A phone number: digits and what is written between them (`+1 (514) 555-0199 poste 12`).
/// Nothing a spreadsheet could take for a formula or a link can start it.
fn phone(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = line("phone", value, PlaceLimits::PHONE)? else {
        return Ok(None);
    };
    let ok_char = |c: char| c.is_ascii_alphanumeric() || " +-.()/#*,;".contains(c);
    let starts_ok = v.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '(');
    if !starts_ok || !v.chars().all(ok_char) || !v.chars().any(|c| c.is_ascii_digit()) {
        return Err(VaultError::Invalid {
            field: "phone",
            reason: "digits, spaces and + - . ( ) / # only",
        });
    }
    Ok(Some(v))
}

fn name(value: &str) -> Result<String> {
    line("place name", Some(value), PlaceLimits::NAME)?.ok_or(VaultError::Invalid {
        field: "place name",
        reason: "a name is needed",
    })
}

fn notes(value: &str) -> Result<String> {
    let v = value.trim();
    if v.chars().count() > PlaceLimits::NOTES {
        return Err(VaultError::Invalid {
            field: "place notes",
            reason: "longer than 2,000 characters",
        });
    }
    Ok(v.to_owned())
}

fn places_map(tx: &mut impl Transactable) -> Result<ObjId> {
    Ok(match map_at(tx, &ROOT, "places") {
        Some(p) => p,
        None => tx.put_object(ROOT, "places", ObjType::Map)?,
    })
}

fn place_obj(tx: &impl ReadDoc, id: &PlaceId) -> Result<ObjId> {
    map_at(tx, &ROOT, "places")
        .and_then(|p| map_at(tx, &p, id.as_str()))
        .ok_or_else(|| VaultError::not_found("place", id))
}

pub(crate) fn add(
    tx: &mut impl Transactable,
    p: &NewPlace,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<PlaceId> {
    let name = name(&p.name)?;
    let kind = line("place kind", p.kind.as_deref(), PlaceLimits::KIND)?;
    let address = line("address", p.address.as_deref(), PlaceLimits::ADDRESS)?;
    let phone = phone(p.phone.as_deref())?;
    let hours = line("hours", p.hours.as_deref(), PlaceLimits::HOURS)?;
    let notes = notes(&p.notes)?;
    let map = places_map(tx)?;
    if tx.length(&map) >= MAX_PLACES {
        return Err(VaultError::Invalid {
            field: "places",
            reason: "the team's list is full (2,000 places, removed ones included)",
        });
    }
    let id = new_id();
    let obj = tx.put_object(&map, id.as_str(), ObjType::Map)?;
    tx.put(&obj, "name", name)?;
    put_opt_str(tx, &obj, "kind", kind.as_deref())?;
    put_opt_str(tx, &obj, "address", address.as_deref())?;
    put_opt_str(tx, &obj, "phone", phone.as_deref())?;
    put_opt_str(tx, &obj, "hours", hours.as_deref())?;
    // The text exists from the start, so a first edit on two devices cannot make two.
    put_text(tx, &obj, "notes", &notes)?;
    tx.put(&obj, "created_at", timestamp(now))?;
    tx.put(&obj, "created_by", by.as_str())?;
    // Whoever adds a place has just checked it.
    tx.put(&obj, "checked_at", timestamp(now))?;
    tx.put(&obj, "checked_by", by.as_str())?;
    Ok(PlaceId(id))
}

/// Writes only the fields given, and only those that differ: an edit that changes the phone
/// does not touch the address, so it cannot conflict with another device's new address.
pub(crate) fn edit(tx: &mut impl Transactable, id: &PlaceId, u: &PlaceUpdate) -> Result<()> {
    let obj = place_obj(tx, id)?;
    if let Some(n) = &u.name {
        put_changed(tx, &obj, "name", Some(name(n)?))?;
    }
    if let Some(k) = &u.kind {
        put_changed(
            tx,
            &obj,
            "kind",
            line("place kind", Some(k), PlaceLimits::KIND)?,
        )?;
    }
    if let Some(a) = &u.address {
        put_changed(
            tx,
            &obj,
            "address",
            line("address", Some(a), PlaceLimits::ADDRESS)?,
        )?;
    }
    if let Some(p) = &u.phone {
        put_changed(tx, &obj, "phone", phone(Some(p))?)?;
    }
    if let Some(h) = &u.hours {
        put_changed(
            tx,
            &obj,
            "hours",
            line("hours", Some(h), PlaceLimits::HOURS)?,
        )?;
    }
    if let Some(n) = &u.notes {
        put_text(tx, &obj, "notes", &notes(n)?)?;
    }
    Ok(())
}

fn put_changed(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    value: Option<String>,
) -> Result<()> {
    if str_at(tx, obj, key) != value {
        put_opt_str(tx, obj, key, value.as_deref())?;
    }
    Ok(())
}

/// "Still right as of today": who and when. Two checks at once are not a conflict.
pub(crate) fn check(
    tx: &mut impl Transactable,
    id: &PlaceId,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<()> {
    let obj = place_obj(tx, id)?;
    tx.put(&obj, "checked_at", timestamp(now))?;
    tx.put(&obj, "checked_by", by.as_str())?;
    Ok(())
}

/// Takes a place off the list. It stays in the document, so referrals that name it still
/// find it; says whether it was on the list.
pub(crate) fn remove(
    tx: &mut impl Transactable,
    id: &PlaceId,
    by: &MemberId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let obj = place_obj(tx, id)?;
    if tx.get(&obj, "removed_at")?.is_some() {
        return Ok(false);
    }
    tx.put(&obj, "removed_at", timestamp(now))?;
    tx.put(&obj, "removed_by", by.as_str())?;
    Ok(true)
}

/// Keeps value number `choice` of a field two devices edited at once.
pub(crate) fn resolve_conflict(
    tx: &mut impl Transactable,
    id: &PlaceId,
    field: &str,
    choice: usize,
) -> Result<()> {
    if !EDITABLE.contains(&field) {
        return Err(VaultError::Invalid {
            field: "field",
            reason: "not a field of a place",
        });
    }
    place_obj(tx, id)?;
    let path = ["places".to_owned(), id.0.clone(), field.to_owned()];
    super::person::resolve_conflict(tx, &path, choice)
}

fn read_one(doc: &impl ReadDoc, id: String, obj: &ObjId) -> Option<Place> {
    let f = Fields::of(doc, obj);
    let opt = |key: &str, max: usize| f.opt_str(doc, key).map(|s| cut(s, max));
    let mut conflicts = Vec::new();
    collect_conflicts(
        doc,
        obj,
        &mut vec!["places".to_owned(), id.clone()],
        &mut conflicts,
    );
    conflicts.retain(|c| EDITABLE.contains(&c.field()));
    for c in &mut conflicts {
        for v in &mut c.values {
            *v = cut(std::mem::take(v), PlaceLimits::ADDRESS);
        }
    }
    Some(Place {
        id: PlaceId(id),
        name: cut(f.str(doc, "name")?, PlaceLimits::NAME),
        kind: opt("kind", PlaceLimits::KIND),
        address: opt("address", PlaceLimits::ADDRESS),
        phone: opt("phone", PlaceLimits::PHONE),
        hours: opt("hours", PlaceLimits::HOURS),
        notes: cut(f.text(doc, "notes"), PlaceLimits::NOTES),
        checked_at: f.time("checked_at"),
        checked_by: f.opt_str(doc, "checked_by").map(MemberId),
        created_at: f.time("created_at").unwrap_or_default(),
        created_by: f.opt_str(doc, "created_by").map(MemberId),
        removed_at: f.time("removed_at"),
        conflicts,
    })
}

/// Every place (at most [`MAX_PLACES`]), removed ones included, by name (accents and case
/// ignored).
pub(crate) fn read_all(doc: &impl ReadDoc) -> Vec<Place> {
    let mut out: Vec<(String, Place)> = entries(doc, &ROOT, "places")
        .into_iter()
        .take(MAX_PLACES)
        .filter_map(|(id, obj)| read_one(doc, id, &obj))
        .map(|p| (fold_for_search(&p.name), p))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    out.into_iter().map(|(_, p)| p).collect()
}

/// One place, removed or not.
pub(crate) fn read(doc: &impl ReadDoc, id: &PlaceId) -> Result<Place> {
    let obj = place_obj(doc, id)?;
    read_one(doc, id.0.clone(), &obj).ok_or_else(|| VaultError::not_found("place", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, Automerge};

    /// What a member writing with a client of their own could put in the team document:
    /// every device reads it cut to the bounds.
    #[test]
    fn oversized_fields_written_by_someone_else_are_cut_on_reading() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let map = tx
            .put_object(ROOT, "places", ObjType::Map)
            .unwrap_or_else(|e| panic!("{e}"));
        let obj = tx
            .put_object(&map, "p1", ObjType::Map)
            .unwrap_or_else(|e| panic!("{e}"));
        let huge = "é".repeat(100_000);
        for key in ["name", "kind", "address", "phone", "hours"] {
            tx.put(&obj, key, huge.as_str())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        put_text(&mut tx, &obj, "notes", &huge).unwrap_or_else(|e| panic!("{e}"));
        tx.commit();
        let places = read_all(&doc);
        assert_eq!(places.len(), 1);
        let p = &places[0];
        assert_eq!(p.name.chars().count(), PlaceLimits::NAME);
        assert_eq!(
            p.kind.as_deref().map(|s| s.chars().count()),
            Some(PlaceLimits::KIND)
        );
        assert_eq!(
            p.phone.as_deref().map(|s| s.chars().count()),
            Some(PlaceLimits::PHONE)
        );
        assert_eq!(p.notes.chars().count(), PlaceLimits::NOTES);
    }
}
