//! Setting up the team record of a team made before it (an admin's device, once): the
//! devices it knows of, side by side from the team document and the relay's list, and the
//! first record written from the ones the admin keeps.
//!
//! The record begins with a migrated founding entry listing every device (those left out
//! as removed, so what they wrote before stays verifiable), committing to every key epoch
//! the team has had, and covering the log up to this device's cursor; then a new key epoch
//! for exactly the devices kept, so a device left out reads nothing written after. The
//! relay holds it to its own list; each other device to what it knew (`legacy`).
//!
//! What the relay says feeds the list, so the list is bound to what the admin saw: it has a
//! short code, and writing needs that code (a relay that answers differently the second
//! time, a device enrolled meanwhile, makes the setup stop and show the list again). Only
//! the device setting the record up is an admin in it (no route made anyone else one
//! before, and a role the relay claims is no reason to hand one out); a device the relay's
//! list showed revoked when this device first saw it stays out whatever the list says now.

use super::engine::sync_once;
use super::key_epochs::next_key_epoch;
use super::link::TeamLink;
use super::SyncError;
use crate::vault::SharedVault;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tandem_protocol::api::{DeviceRole, PostRecord};
use tandem_protocol::record::{
    key_commitment, EntryBody, FoundingDevice, NewEntry, Origin, RecordState,
};
use tandem_protocol::{DeviceId, RelayErrorCode};

/// One device as the admin setting up the record sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupDevice {
    /// Its id.
    pub device: DeviceId,
    /// Its member's name in the team document, if it is there.
    pub member_name: Option<String>,
    /// This device.
    pub is_me: bool,
    /// Its role in the relay's list (`None`: the relay does not list it).
    pub relay_role: Option<DeviceRole>,
    /// Revoked on the relay (now, or when this device first kept the relay's list).
    pub revoked: bool,
    /// The team document and the relay give it different keys, or only one of them knows
    /// it, or they differ on whether its member is an admin.
    pub differs: bool,
    /// Kept by default: listed by the relay, never seen revoked, the same key in both.
    pub kept_by_default: bool,
    /// Kept in this plan (by default, and not left out).
    pub keep: bool,
}

/// The devices and the code that binds them (to give [`set_up_record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupPlan {
    /// Every device known, sorted by id.
    pub devices: Vec<SetupDevice>,
    /// Eight hex digits over every row: the plan the admin saw.
    pub code: String,
}

/// What setting up the record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupDone {
    /// The devices kept.
    pub kept: usize,
    /// The devices left out (listed as removed).
    pub left_out: usize,
    /// The key epoch the team moved to.
    pub epoch: u32,
    /// The record's fingerprint (to read to each member).
    pub fingerprint: String,
}

struct Known {
    doc_key: Option<[u8; 32]>,
    doc_admin: bool,
    member: Option<String>,
    member_name: Option<String>,
    relay_key: Option<[u8; 32]>,
    relay_role: Option<DeviceRole>,
    revoked: bool,
}

impl Known {
    fn differs(&self) -> bool {
        self.doc_key.is_none()
            || self.doc_key != self.relay_key
            || self
                .relay_role
                .is_some_and(|r| (r == DeviceRole::Admin) != self.doc_admin)
    }

    fn kept_by_default(&self) -> bool {
        self.relay_role.is_some()
            && !self.revoked
            && self.doc_key.is_some()
            && self.doc_key == self.relay_key
    }

    /// The key it is listed with: the relay's for a kept device (the two agree); for one
    /// left out, the key its pushes were checked against (the relay's), else the team
    /// document's.
    fn key(&self, keep: bool) -> Option<[u8; 32]> {
        if keep {
            self.relay_key
        } else {
            self.relay_key.or(self.doc_key)
        }
    }
}

fn key_of(hex_key: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut out).ok().map(|()| out)
}

fn known_devices(
    vault: &SharedVault,
    link: &TeamLink,
) -> Result<BTreeMap<DeviceId, Known>, SyncError> {
    let (doc, kept) = {
        let mut v = vault.lock();
        (v.doc_devices()?, v.legacy_relay_view()?.unwrap_or_default())
    };
    let relay = link.client.devices(link.team)?;
    let mut out: BTreeMap<DeviceId, Known> = BTreeMap::new();
    let blank = || Known {
        doc_key: None,
        doc_admin: false,
        member: None,
        member_name: None,
        relay_key: None,
        relay_role: None,
        revoked: false,
    };
    for (id, d) in &doc {
        let Ok(device) = id.parse::<DeviceId>() else {
            continue;
        };
        out.insert(
            device,
            Known {
                doc_key: Some(d.key),
                doc_admin: d.admin,
                member: Some(d.member.clone()),
                member_name: Some(d.member_name.clone()),
                ..blank()
            },
        );
    }
    for r in relay {
        let k = out.entry(r.device).or_insert_with(blank);
        k.relay_key = key_of(&r.public_key);
        k.relay_role = Some(r.role);
        k.revoked = r.revoked_at_ms.is_some();
    }
    for r in kept.iter().filter(|r| r.revoked_at_ms.is_some()) {
        if let Some(k) = out.get_mut(&r.device) {
            k.revoked = true;
        }
    }
    Ok(out)
}

fn parse_ids(ids: &[String]) -> Result<Vec<DeviceId>, SyncError> {
    ids.iter()
        .map(|d| d.trim().to_ascii_lowercase().parse::<DeviceId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| SyncError::Config("not a device id"))
}

fn plan_of(known: &BTreeMap<DeviceId, Known>, me: DeviceId, leave_out: &[DeviceId]) -> SetupPlan {
    let mut hash = Sha256::new();
    hash.update(b"tandem record setup plan v1\0");
    let devices: Vec<SetupDevice> = known
        .iter()
        .map(|(device, k)| {
            let keep = k.kept_by_default() && !leave_out.contains(device);
            hash.update(device.0);
            hash.update(k.key(keep).unwrap_or([0; 32]));
            hash.update([u8::from(keep), u8::from(k.revoked), u8::from(k.differs())]);
            SetupDevice {
                device: *device,
                member_name: k.member_name.clone(),
                is_me: *device == me,
                relay_role: k.relay_role,
                revoked: k.revoked,
                differs: k.differs(),
                kept_by_default: k.kept_by_default(),
                keep,
            }
        })
        .collect();
    SetupPlan {
        devices,
        code: hex::encode(&hash.finalize()[..4]),
    }
}

/// Syncs, then checks the team has no record yet and this device may set one up.
fn ready(vault: &SharedVault, link: &TeamLink) -> Result<BTreeMap<DeviceId, Known>, SyncError> {
    sync_once(vault, 0, &|_| {})?;
    if vault.lock().has_team_record()? {
        return Err(SyncError::Config("this team has its team record already"));
    }
    let known = known_devices(vault, link)?;
    let me = known.get(&link.device);
    if !me.is_some_and(|k| k.relay_role == Some(DeviceRole::Admin) && k.doc_admin) {
        return Err(SyncError::Config(
            "only an admin of the team can set up its record",
        ));
    }
    Ok(known)
}

/// The devices this admin's device knows of, with `leave_out` (device ids) left out, for
/// the admin to check. Syncs first, so the team document is the latest. Fails for a team
/// that has a record already, or on a member's device.
pub fn record_setup_plan(
    vault: &SharedVault,
    leave_out: &[String],
) -> Result<SetupPlan, SyncError> {
    let link = TeamLink::of(vault)?;
    let leave_out = parse_ids(leave_out)?;
    let known = ready(vault, &link)?;
    Ok(plan_of(&known, link.device, &leave_out))
}

/// Writes the first team record of a team from before it, from this admin's device, as the
/// plan `code` says ([`record_setup_plan`] with the same `leave_out`; if the devices the
/// relay lists changed since, nothing is written and the plan must be looked at again):
/// the devices kept stay, the others are listed as removed, and the team moves to a new key
/// epoch for the kept ones.
pub fn set_up_record(
    vault: &SharedVault,
    leave_out: &[String],
    code: &str,
) -> Result<SetupDone, SyncError> {
    let link = TeamLink::of(vault)?;
    let leave_out = parse_ids(leave_out)?;
    if leave_out.contains(&link.device) {
        return Err(SyncError::Config(
            "the device setting up the record keeps itself",
        ));
    }
    let known = ready(vault, &link)?;
    let plan = plan_of(&known, link.device, &leave_out);
    if !plan.code.eq_ignore_ascii_case(code.trim()) {
        return Err(SyncError::Config(
            "the team's devices are not the ones in that list any more: look at the list again",
        ));
    }
    let (signing, keys, cursor) = {
        let v = vault.lock();
        (v.signing_key().clone(), v.team_keys()?, v.sync_cursor()?)
    };
    let mut epochs: Vec<(u32, [u8; 32])> = keys
        .iter()
        .map(|k| (k.epoch, key_commitment(link.team, k.epoch, k.bytes())))
        .collect();
    epochs.sort_by_key(|(e, _)| *e);
    if epochs
        .iter()
        .enumerate()
        .any(|(i, (e, _))| *e as usize != i + 1)
    {
        return Err(SyncError::Config(
            "this device lacks an older team key: sync until it has them all, then set up again",
        ));
    }
    let mut devices = Vec::new();
    for row in &plan.devices {
        let Some(k) = known.get(&row.device) else {
            continue;
        };
        let Some(key) = k.key(row.keep) else {
            continue;
        };
        // A key that cannot verify anything signed nothing: it has no history to keep.
        if ed25519_dalek::VerifyingKey::from_bytes(&key).map_or(true, |v| v.is_weak()) {
            continue;
        }
        let mut member = [0u8; 16];
        if let Some(m) = &k.member {
            let _ = hex::decode_to_slice(m, &mut member);
        }
        devices.push(FoundingDevice {
            device: row.device,
            key,
            role: if row.is_me {
                DeviceRole::Admin
            } else {
                DeviceRole::Member
            },
            removed: !row.keep,
            member,
        });
    }
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    let founding = NewEntry {
        team: link.team,
        seq: 0,
        prev: [0; 32],
        author: link.device,
        time_ms: now,
        body: EntryBody::Founding {
            origin: Origin::Migrated,
            devices,
            epochs,
            legacy_log_head: cursor,
        },
    }
    .sign(&signing);
    let (founded, _) = RecordState::found(link.team, &founding)
        .map_err(|_| SyncError::Protocol("this device's founding entry does not verify"))?;
    let (rotation, packages, key) = next_key_epoch(&link, &signing, &founded, now)?;
    let mut after = founded;
    after
        .apply(&rotation)
        .map_err(|_| SyncError::Protocol("this device's key epoch does not verify"))?;
    let entries = vec![founding, rotation];
    let body = PostRecord {
        entries: entries.iter().map(|e| hex::encode(e.bytes())).collect(),
        packages,
    };
    match link.client.post_record(link.team, &body) {
        Ok(_) => {}
        Err(SyncError::Relay {
            code: RelayErrorCode::RecordConflict,
            ..
        }) => {
            return Err(SyncError::Config(
                "the team changed while setting up its record (another admin, a new key or a \
                 new device): look at the list again",
            ))
        }
        Err(e) => return Err(e),
    }
    {
        let mut v = vault.lock();
        v.store_team_key(&key)?;
        v.adopt_record(&entries, &after)?;
        v.advance_team_epoch(key.epoch)?;
    }
    let kept = after.active().count();
    Ok(SetupDone {
        kept,
        left_out: after.devices().count() - kept,
        epoch: key.epoch,
        fingerprint: after.fingerprint(),
    })
}
