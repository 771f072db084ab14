//! The team document: name, members and their devices, settings, the people it accompanies.
//!
//! ```text
//! kind: "team", schema: 1, id, name, created_at
//! members:  { member_id: { name, role, devices: { device_id: { public_key, added_at, revoked_at } } } }
//! settings: { encounter_kinds: [..], life_domains: [..], given_items: [..] }
//! persons:  { person_id: { added_at, erased_at } }
//! places:   { place_id: { .. } }   (see `place.rs`: team data, never membership)
//! ```

use super::*;
use crate::error::{Result, VaultError};
use automerge::{Automerge, ObjType, ROOT};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tandem_model::{Member, MemberId, MemberRole, OptionList, PersonId, TeamSettings};

/// A device joining the team document.
pub(crate) struct DeviceEntry<'a> {
    pub(crate) member: &'a MemberId,
    pub(crate) member_name: &'a str,
    pub(crate) role: MemberRole,
    pub(crate) device_id: &'a str,
    pub(crate) public_key: &'a [u8; 32],
}

pub(crate) fn create(
    tx: &mut impl Transactable,
    team_id: &str,
    name: &str,
    first: &DeviceEntry<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    if name.trim().is_empty() {
        return Err(VaultError::Invalid {
            field: "team name",
            reason: "a name is needed",
        });
    }
    tx.put(ROOT, "kind", "team")?;
    tx.put(ROOT, "schema", 1i64)?;
    tx.put(ROOT, "id", team_id)?;
    tx.put(ROOT, "name", name.trim())?;
    tx.put(ROOT, "created_at", timestamp(now))?;
    tx.put_object(ROOT, "members", ObjType::Map)?;
    tx.put_object(ROOT, "persons", ObjType::Map)?;
    let settings = tx.put_object(ROOT, "settings", ObjType::Map)?;
    let d = TeamSettings::default();
    put_list(tx, &settings, "encounter_kinds", &d.encounter_kinds)?;
    put_list(tx, &settings, "life_domains", &d.life_domains)?;
    put_list(tx, &settings, "given_items", &d.given_items)?;
    add_device(tx, first, now)
}

pub(crate) fn add_device(
    tx: &mut impl Transactable,
    d: &DeviceEntry<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let members = map_at(tx, &ROOT, "members").ok_or(VaultError::WrongDocumentShape {
        doc: String::new(),
        expected: "team",
    })?;
    let member = match map_at(tx, &members, d.member.as_str()) {
        Some(m) => m,
        None => {
            let m = tx.put_object(&members, d.member.as_str(), ObjType::Map)?;
            tx.put(&m, "name", d.member_name.trim())?;
            tx.put(&m, "role", role_code(d.role))?;
            tx.put_object(&m, "devices", ObjType::Map)?;
            m
        }
    };
    let devices = match map_at(tx, &member, "devices") {
        Some(x) => x,
        None => tx.put_object(&member, "devices", ObjType::Map)?,
    };
    let dev = tx.put_object(&devices, d.device_id, ObjType::Map)?;
    tx.put(&dev, "public_key", hex::encode(d.public_key))?;
    tx.put(&dev, "added_at", timestamp(now))?;
    Ok(())
}

/// What a member gone bad writes into the team document: itself an admin, and its own key
/// in place of another device's. For tests that check nothing believes it.
#[cfg(feature = "test-hooks")]
pub(crate) fn claim(
    tx: &mut impl Transactable,
    member: &MemberId,
    other_device: &str,
    key: &[u8; 32],
) -> Result<()> {
    let members = map_at(tx, &ROOT, "members").ok_or(VaultError::WrongDocumentShape {
        doc: String::new(),
        expected: "team",
    })?;
    if let Some(me) = map_at(tx, &members, member.as_str()) {
        tx.put(&me, "role", role_code(MemberRole::Admin))?;
    }
    let ids: Vec<String> = tx.keys(&members).collect();
    for id in ids {
        let Some(m) = map_at(tx, &members, &id) else {
            continue;
        };
        let Some(devices) = map_at(tx, &m, "devices") else {
            continue;
        };
        if let Some(dev) = map_at(tx, &devices, other_device) {
            tx.put(&dev, "public_key", hex::encode(key))?;
        }
    }
    Ok(())
}

fn role_code(r: MemberRole) -> &'static str {
    match r {
        MemberRole::Admin => "admin",
        MemberRole::Member => "member",
    }
}

pub(crate) fn register_person(
    tx: &mut impl Transactable,
    id: &PersonId,
    now: DateTime<Utc>,
) -> Result<()> {
    let persons = match map_at(tx, &ROOT, "persons") {
        Some(p) => p,
        None => tx.put_object(ROOT, "persons", ObjType::Map)?,
    };
    let p = tx.put_object(&persons, id.as_str(), ObjType::Map)?;
    tx.put(&p, "added_at", timestamp(now))?;
    Ok(())
}

pub(crate) fn mark_erased(
    tx: &mut impl Transactable,
    id: &PersonId,
    now: DateTime<Utc>,
) -> Result<()> {
    let persons = match map_at(tx, &ROOT, "persons") {
        Some(p) => p,
        None => tx.put_object(ROOT, "persons", ObjType::Map)?,
    };
    let p = match map_at(tx, &persons, id.as_str()) {
        Some(p) => p,
        None => tx.put_object(&persons, id.as_str(), ObjType::Map)?,
    };
    tx.put(&p, "erased_at", timestamp(now))?;
    Ok(())
}

/// People whose erasure was asked for.
pub(crate) fn erased(doc: &Automerge) -> Vec<String> {
    entries(doc, &ROOT, "persons")
        .into_iter()
        .filter(|(_, p)| int_at(doc, p, "erased_at").is_some())
        .map(|(id, _)| id)
        .collect()
}

pub(crate) fn name(doc: &Automerge) -> String {
    str_at(doc, &ROOT, "name").unwrap_or_default()
}

pub(crate) fn members(doc: &Automerge) -> Vec<Member> {
    let mut out: Vec<Member> = entries(doc, &ROOT, "members")
        .into_iter()
        .map(|(id, m)| Member {
            id: MemberId(id),
            name: str_at(doc, &m, "name").unwrap_or_default(),
            role: if str_at(doc, &m, "role").as_deref() == Some("admin") {
                MemberRole::Admin
            } else {
                MemberRole::Member
            },
            devices: entries(doc, &m, "devices")
                .into_iter()
                .map(|(d, _)| d)
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Device id → Ed25519 public key.
pub(crate) fn device_keys(doc: &Automerge) -> HashMap<String, [u8; 32]> {
    let mut out = HashMap::new();
    for (_, m) in entries(doc, &ROOT, "members") {
        for (d, dev) in entries(doc, &m, "devices") {
            let key = str_at(doc, &dev, "public_key").and_then(|k| {
                let mut b = [0u8; 32];
                hex::decode_to_slice(k, &mut b).ok().map(|_| b)
            });
            if let Some(k) = key {
                out.insert(d, k);
            }
        }
    }
    out
}

/// Device id → (member id, member name), for naming the authors of changes.
pub(crate) fn device_owners(doc: &Automerge) -> HashMap<String, (MemberId, String)> {
    let mut out = HashMap::new();
    for m in members(doc) {
        for d in &m.devices {
            out.insert(d.clone(), (m.id.clone(), m.name.clone()));
        }
    }
    out
}

/// Adds `value` at the end of one of the settings lists; says whether it was added (an
/// option already there is left as it is). Adding and removing are list operations, so two
/// devices adding different options at once both keep theirs.
pub(crate) fn add_option(
    tx: &mut impl Transactable,
    which: OptionList,
    value: &str,
) -> Result<bool> {
    let settings = match map_at(tx, &ROOT, "settings") {
        Some(s) => s,
        None => tx.put_object(ROOT, "settings", ObjType::Map)?,
    };
    let list = match tx.get(&settings, which.code())? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => {
            // A team document without this list reads as the defaults: it starts from them.
            put_list(
                tx,
                &settings,
                which.code(),
                TeamSettings::default().list(which),
            )?;
            match tx.get(&settings, which.code())? {
                Some((_, id)) => id,
                None => return Err(VaultError::Internal("settings list just written")),
            }
        }
    };
    if list_at(tx, &settings, which.code())
        .iter()
        .any(|v| v == value)
    {
        return Ok(false);
    }
    let end = tx.length(&list);
    tx.insert(&list, end, value)?;
    Ok(true)
}

/// Removes every occurrence of `value` from one of the settings lists; says whether there
/// was one. Records keep the codes they were written with.
pub(crate) fn remove_option(
    tx: &mut impl Transactable,
    which: OptionList,
    value: &str,
) -> Result<bool> {
    let Some(settings) = map_at(tx, &ROOT, "settings") else {
        return Ok(false);
    };
    let Some((automerge::Value::Object(ObjType::List), list)) = tx.get(&settings, which.code())?
    else {
        return Ok(false);
    };
    let at: Vec<usize> = tx
        .list_range(&list, ..)
        .filter(|item| {
            matches!(&item.value, automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) if s.as_ref() == value)
        })
        .map(|item| item.index)
        .collect();
    for i in at.iter().rev() {
        tx.delete(&list, *i)?;
    }
    Ok(!at.is_empty())
}

pub(crate) fn settings(doc: &Automerge) -> TeamSettings {
    let Some(s) = map_at(doc, &ROOT, "settings") else {
        return TeamSettings::default();
    };
    // A list that is not there reads as the defaults; one emptied on purpose stays empty.
    let read = |which: OptionList| match doc.get(&s, which.code()) {
        Ok(Some((automerge::Value::Object(ObjType::List), _))) => list_at(doc, &s, which.code()),
        _ => TeamSettings::default().list(which).to_vec(),
    };
    TeamSettings {
        encounter_kinds: read(OptionList::EncounterKinds),
        life_domains: read(OptionList::LifeDomains),
        given_items: read(OptionList::GivenItems),
    }
}
