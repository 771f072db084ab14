//! The rule book's part for a team made before the team record: how its first record is
//! judged. Pure, like `rules`, and shared by both backends.
//!
//! A team from before keeps the older membership routes until an admin writes its record:
//! a founding entry of origin `migrated` listing every device the admin keeps (and those it
//! leaves out, as removed, so that what they wrote before stays verifiable), the key epochs
//! the team has had, committed, and the log position the migration covers; then a new key
//! epoch for exactly the kept devices, so a device left out reads nothing written after.
//!
//! The relay holds that founding entry to what it knows of the team, so that neither a
//! member alone nor a relay alone could make one the devices accept: its author is the
//! poster, an admin in the relay's list with the key the entry gives it; every device it
//! keeps is one the relay lists, unrevoked, with the same key; its epochs are exactly the
//! team's (a rotation meanwhile is a conflict); and it covers no log position past the head.
//! Each device then checks it again against what *it* knew of the team before.

use super::rules::{judge_record_post, refuse, to_store, JudgedPost, Via, MAX_RECORD_POST};
use super::{DeviceRecord, Refusal};
use tandem_protocol::api::DeviceRole;
use tandem_protocol::key_package::KeyPackage;
use tandem_protocol::record::{EntryBody, Origin, RecordState, UncheckedEntry};
use tandem_protocol::TeamId;

/// The relay's own reasons for refusing a migration (the reason of a 403 `record_refused`).
pub mod refused_migration {
    /// The poster is not an admin of the team in the relay's list.
    pub const NOT_ADMIN: &str = "migration_not_admin";
    /// The founding entry keeps a device the relay does not list as active with that key.
    pub const DEVICE_UNKNOWN: &str = "migration_device_unknown";
    /// The founding entry leaves out a device the relay enrolled (every one must be listed,
    /// kept or removed).
    pub const DEVICE_MISSING: &str = "migration_device_missing";
    /// The founding entry's epochs are not the team's (1 to its current epoch).
    pub const EPOCHS: &str = "migration_epochs";
    /// The founding entry is not followed by a key epoch for the devices it keeps.
    pub const WITHOUT_ROTATION: &str = "migration_without_rotation";
}

/// What the relay knows of a team without a record, read before judging its migration.
#[derive(Debug, Clone, Copy)]
pub struct LegacyTeam<'a> {
    /// Every device enrolled, revoked ones too.
    pub devices: &'a [DeviceRecord],
    /// The team's key epoch (1 before any rotation).
    pub epoch: u32,
    /// The log's head.
    pub log_head: u64,
}

/// Judges the first record of a team made before the record, posted by `poster`: a
/// migrated founding entry, then entries on it (at least the key epoch that leaves out
/// whoever the founding entry does not keep), with their key packages. The effects bring
/// the relay's device table in line with the record: roles as it says, and every device it
/// does not keep revoked. The result is written on [`super::RecordBase::Legacy`] at
/// `legacy.epoch`.
pub fn judge_migration(
    team: TeamId,
    poster: &DeviceRecord,
    legacy: LegacyTeam<'_>,
    entries: &[UncheckedEntry],
    packages: &[KeyPackage],
) -> Result<JudgedPost, Refusal> {
    // Anything but a migration is for a team with a record.
    let Some(EntryBody::Founding {
        origin: Origin::Migrated,
        epochs,
        legacy_log_head,
        ..
    }) = entries.first().map(UncheckedEntry::body)
    else {
        return Err(Refusal::NoRecord);
    };
    if entries.len() < 2 || entries.len() > MAX_RECORD_POST {
        return Err(refuse(refused_migration::WITHOUT_ROTATION));
    }
    let (founding, rest) = (&entries[0], &entries[1..]);
    if founding.header().author != poster.device {
        return Err(refuse(super::refused::NOT_THE_POSTER));
    }
    if poster.role != DeviceRole::Admin || poster.revoked_at_ms.is_some() {
        return Err(refuse(refused_migration::NOT_ADMIN));
    }
    let (state, _) = RecordState::found(team, founding).map_err(|e| refuse(e.code()))?;
    if state.device(&poster.device).map(|d| d.key) != Some(poster.public_key) {
        return Err(refuse(super::refused::FOUNDING_NOT_THE_REQUESTER));
    }
    let listed = |device: &tandem_protocol::DeviceId, key: &[u8; 32]| {
        legacy
            .devices
            .iter()
            .any(|d| d.device == *device && d.public_key == *key && d.revoked_at_ms.is_none())
    };
    if state.active().any(|(device, d)| !listed(device, &d.key)) {
        return Err(refuse(refused_migration::DEVICE_UNKNOWN));
    }
    // Every device the relay ever enrolled is in it (kept, or left out as removed): one
    // missing would be active here and unknown to the record, and what it pushed would
    // stop every device's pull.
    if legacy
        .devices
        .iter()
        .any(|d| state.device(&d.device).is_none())
    {
        return Err(refuse(refused_migration::DEVICE_MISSING));
    }
    // `found` checked the epochs run 1…N without a gap.
    if epochs.len() != legacy.epoch as usize {
        return Err(refuse(refused_migration::EPOCHS));
    }
    if *legacy_log_head > legacy.log_head {
        return Err(refuse(super::refused::CUTOFF_AHEAD));
    }
    if !matches!(rest[0].body(), EntryBody::KeyEpoch { .. }) {
        return Err(refuse(refused_migration::WITHOUT_ROTATION));
    }
    let mut judged = judge_record_post(
        &state,
        rest,
        packages,
        Via::Post {
            poster: poster.device,
        },
    )?;
    judged.entries.insert(0, to_store(founding));
    for d in legacy.devices.iter().filter(|d| d.revoked_at_ms.is_none()) {
        match state.device(&d.device) {
            Some(s) if s.removed_at_seq.is_none() => {
                if s.role != d.role {
                    judged.effects.roles.push((d.device, s.role));
                }
            }
            _ => judged.effects.revoke.push(d.device),
        }
    }
    Ok(judged)
}
