//! Setting up the team record of a team made before it (an admin's device, once): the
//! devices it knows of, side by side from the team document and the relay's list, and the
//! first record written from the ones the admin keeps.
//!
//! The record begins with a migrated founding entry listing every device (those left out
//! as removed, with the key the team document gives them, so what they wrote before stays
//! verifiable), committing to every key epoch the team has had, and covering the log up to
//! this device's cursor; then a new key epoch for exactly the devices kept, so a device left
//! out reads nothing written after. The relay holds it to its own list; each other device to
//! what it knew (`legacy`).

use super::engine::sync_once;
use super::key_epochs::next_key_epoch;
use super::link::TeamLink;
use super::SyncError;
use crate::vault::SharedVault;
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
    /// Revoked on the relay.
    pub revoked: bool,
    /// The team document and the relay give it different keys, or only one of them knows
    /// it, or they differ on whether its member is an admin.
    pub differs: bool,
    /// Kept unless the admin says otherwise: listed by the relay, not revoked, the same
    /// key in both.
    pub kept_by_default: bool,
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

fn key_of(hex_key: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut out).ok().map(|()| out)
}

fn known_devices(
    vault: &SharedVault,
    link: &TeamLink,
) -> Result<BTreeMap<DeviceId, Known>, SyncError> {
    let doc = vault.lock().doc_devices()?;
    let relay = link.client.devices(link.team)?;
    let mut out: BTreeMap<DeviceId, Known> = BTreeMap::new();
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
                relay_key: None,
                relay_role: None,
                revoked: false,
            },
        );
    }
    for r in relay {
        let k = out.entry(r.device).or_insert(Known {
            doc_key: None,
            doc_admin: false,
            member: None,
            member_name: None,
            relay_key: None,
            relay_role: None,
            revoked: false,
        });
        k.relay_key = key_of(&r.public_key);
        k.relay_role = Some(r.role);
        k.revoked = r.revoked_at_ms.is_some();
    }
    Ok(out)
}

fn differs(k: &Known) -> bool {
    k.doc_key.is_none()
        || k.doc_key != k.relay_key
        || k.relay_role
            .is_some_and(|r| (r == DeviceRole::Admin) != k.doc_admin)
}

fn kept_by_default(k: &Known) -> bool {
    k.relay_role.is_some() && !k.revoked && k.doc_key.is_some() && k.doc_key == k.relay_key
}

/// The devices this admin's device knows of, for the admin to choose which to keep. Syncs
/// first, so the team document is the latest. Fails for a team that has a record already.
pub fn record_setup_plan(vault: &SharedVault) -> Result<Vec<SetupDevice>, SyncError> {
    let link = TeamLink::of(vault)?;
    sync_once(vault, 0, &|_| {})?;
    if vault.lock().has_team_record()? {
        return Err(SyncError::Config("this team has its team record already"));
    }
    Ok(known_devices(vault, &link)?
        .into_iter()
        .map(|(device, k)| SetupDevice {
            device,
            member_name: k.member_name.clone(),
            is_me: device == link.device,
            relay_role: k.relay_role,
            revoked: k.revoked,
            differs: differs(&k),
            kept_by_default: kept_by_default(&k),
        })
        .collect())
}

/// The record's fingerprint ([`RecordState::fingerprint`]).
pub fn fingerprint(state: &RecordState) -> String {
    state.fingerprint()
}

/// Writes the first team record of a team from before it, from this admin's device:
/// keeps every device kept by default ([`record_setup_plan`]) except `leave_out`, lists the
/// others as removed, and moves the team to a new key epoch for the kept ones.
pub fn set_up_record(vault: &SharedVault, leave_out: &[String]) -> Result<SetupDone, SyncError> {
    let link = TeamLink::of(vault)?;
    let leave_out = leave_out
        .iter()
        .map(|d| d.trim().to_ascii_lowercase().parse::<DeviceId>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| SyncError::Config("not a device id"))?;
    if leave_out.contains(&link.device) {
        return Err(SyncError::Config(
            "the device setting up the record keeps itself",
        ));
    }
    sync_once(vault, 0, &|_| {})?;
    if vault.lock().has_team_record()? {
        return Err(SyncError::Config("this team has its team record already"));
    }
    let known = known_devices(vault, &link)?;
    let me = known.get(&link.device);
    if !me.is_some_and(|k| k.relay_role == Some(DeviceRole::Admin) && k.doc_admin) {
        return Err(SyncError::Config(
            "only an admin of the team can set up its record",
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
    for (device, k) in &known {
        let keep = kept_by_default(k) && !leave_out.contains(device);
        let Some(key) = (if keep {
            k.relay_key
        } else {
            k.doc_key.or(k.relay_key)
        }) else {
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
            device: *device,
            key,
            role: if keep {
                k.relay_role.unwrap_or(DeviceRole::Member)
            } else {
                DeviceRole::Member
            },
            removed: !keep,
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
                "the team changed while setting up its record (another admin, or a new key): \
                 sync, then set up again",
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
        fingerprint: fingerprint(&after),
    })
}
