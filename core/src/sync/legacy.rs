//! A team made before the team record, on a device that has none: it keeps syncing as
//! before until an admin sets the record up, then takes that record only if it matches what
//! this device knew of the team before.
//!
//! While the team has no record, every sync asks the relay for one, and keeps (once) the
//! relay's device list as it was then. A record that appears must begin with a migrated
//! founding entry that holds to what this device knew: its author an admin with the same
//! key in the team document and in the kept list; this device listed with its own key; every
//! key epoch this device held before committed to as it holds it. (Other devices' keys are
//! the signing admin's view: once the author is the admin this device knew, they are the
//! team's word; a member rewriting a key in the team document cannot lock anyone out.) A member alone (who can
//! write the team document) or a relay alone (which wrote the list) cannot make one that
//! passes; the two together could, which is what the record's fingerprint, read between
//! people, is for.

use super::link::TeamLink;
use super::SyncError;
use crate::vault::{DocDevice, SharedVault, TrustProblem};
use std::collections::HashMap;
use tandem_protocol::api::{DeviceInfo, DeviceRole};
use tandem_protocol::record::{key_commitment, EntryBody, Origin, RecordState, UncheckedEntry};
use tandem_protocol::{DeviceId, RelayErrorCode, TeamId, TeamKey};

/// Why a migrated founding entry was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mismatch {
    /// It does not begin with a migrated founding entry.
    NotMigrated,
    /// Its author is not an admin with that key in what this device knew.
    NotAnAdmin,
    /// It gives this device another key than its own.
    KeyDiffers,
    /// It does not list this device.
    NotListed,
    /// It lists this device as left out.
    LeftOut,
    /// A key epoch this device holds is missing or committed to another key.
    EpochDiffers,
}

/// What this device knew of its team before the record.
pub(super) struct LegacyView<'a> {
    /// The team document's devices, by id (hex).
    pub doc: &'a HashMap<String, DocDevice>,
    /// The relay's list as first kept after the update, if it was kept.
    pub relay: Option<&'a [DeviceInfo]>,
    /// The team keys this device holds.
    pub keys: &'a [TeamKey],
    /// This device and its key.
    pub me: (DeviceId, [u8; 32]),
}

/// Checks a migrated founding entry against `view` (its signature and the record's own
/// rules are `RecordState::found`'s business).
pub(super) fn check_founding(
    team: TeamId,
    founding: &UncheckedEntry,
    view: &LegacyView<'_>,
) -> Result<(), Mismatch> {
    let EntryBody::Founding {
        origin: Origin::Migrated,
        devices,
        epochs,
        ..
    } = founding.body()
    else {
        return Err(Mismatch::NotMigrated);
    };
    let author = founding.header().author;
    let Some(listed_author) = devices.iter().find(|d| d.device == author) else {
        return Err(Mismatch::NotAnAdmin);
    };
    let doc_admin = view
        .doc
        .get(&author.to_hex())
        .is_some_and(|d| d.admin && d.key == listed_author.key);
    let relay_admin = view.relay.is_none_or(|list| {
        list.iter().any(|d| {
            d.device == author
                && d.role == DeviceRole::Admin
                && d.revoked_at_ms.is_none()
                && d.public_key == hex::encode(listed_author.key)
        })
    });
    if !doc_admin || !relay_admin {
        return Err(Mismatch::NotAnAdmin);
    }
    match devices.iter().find(|d| d.device == view.me.0) {
        None => return Err(Mismatch::NotListed),
        Some(d) if d.key != view.me.1 => return Err(Mismatch::KeyDiffers),
        Some(d) if d.removed => return Err(Mismatch::LeftOut),
        Some(_) => {}
    }
    // Keys past the founding's epochs are the record's business (its key epochs): a device
    // may have taken the migration's new key before it saw the record.
    let last = epochs.last().map_or(0, |(e, _)| *e);
    for key in view.keys.iter().filter(|k| k.epoch <= last) {
        let committed = epochs
            .iter()
            .find(|(e, _)| *e == key.epoch)
            .map(|(_, c)| *c);
        if committed != Some(key_commitment(team, key.epoch, key.bytes())) {
            return Err(Mismatch::EpochDiffers);
        }
    }
    Ok(())
}

/// For a device whose team has no record yet: the record the relay holds, checked against
/// what this device knew and verified from its founding entry, then kept; `None` while the
/// relay has none (its device list is kept the first time).
pub(super) fn first_record(
    vault: &SharedVault,
    link: &TeamLink,
) -> Result<Option<RecordState>, SyncError> {
    let mut page = match link.client.record(link.team, 0) {
        // A relay from before the record has no such route (404): the same as none yet.
        Err(SyncError::Relay {
            code: RelayErrorCode::NoRecord,
            ..
        })
        | Err(SyncError::Relay { status: 404, .. }) => {
            let pinned = vault.lock().legacy_relay_view()?.is_some();
            if !pinned {
                let list = link.client.devices(link.team)?;
                vault.lock().pin_legacy_relay_view(&list)?;
            }
            // No record offered, none held: nothing the relay says contradicts this device
            // (a record it made up before is forgotten with the problem it caused).
            vault.lock().clear_trust_problem()?;
            return Ok(None);
        }
        other => other?,
    };
    let mut bytes = std::mem::take(&mut page.entries);
    while page.more {
        page = link.client.record(link.team, bytes.len() as u64)?;
        if page.entries.is_empty() {
            // "More" with nothing in it would keep this device asking for ever.
            return Err(SyncError::untrusted_noted(vault, TrustProblem::OutOfOrder));
        }
        bytes.append(&mut page.entries);
    }
    let entries = bytes
        .iter()
        .map(|b| UncheckedEntry::parse(b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| SyncError::untrusted_noted(vault, TrustProblem::ForgedChange))?;
    let Some(founding) = entries.first() else {
        return Err(SyncError::untrusted_noted(
            vault,
            TrustProblem::RecordWentBack,
        ));
    };
    // The record's own rules and signatures first: nothing unsigned can say anything here
    // (not even that this device was left out).
    let state = RecordState::verify_all(link.team, bytes.iter().map(Vec::as_slice))
        .map_err(|_| SyncError::untrusted_noted(vault, TrustProblem::ForgedChange))?;
    if page.head != Some((state.seq(), state.head())) {
        return Err(SyncError::untrusted_noted(vault, TrustProblem::OutOfOrder));
    }
    let (checked, keys) = {
        let mut v = vault.lock();
        let doc = v.doc_devices()?;
        let relay = v.legacy_relay_view()?;
        let keys = v.team_keys()?;
        let me = (link.device, v.signing_key().verifying_key().to_bytes());
        let checked = check_founding(
            link.team,
            founding,
            &LegacyView {
                doc: &doc,
                relay: relay.as_deref(),
                keys: &keys,
                me,
            },
        );
        (checked, keys)
    };
    match checked {
        Ok(()) => {}
        Err(Mismatch::LeftOut) => return Err(SyncError::Revoked),
        Err(_) => {
            return Err(SyncError::untrusted_noted(
                vault,
                TrustProblem::ForgedChange,
            ))
        }
    }
    // A key taken before the record (through the older route) that the record does not
    // commit to is forgotten: the record's key packages bring the right one.
    if let Some(bad) = keys
        .iter()
        .filter(|k| !state.key_matches(k.epoch, k.bytes()))
        .map(|k| k.epoch)
        .min()
    {
        vault.lock().forget_team_keys_from(bad)?;
    }
    vault.lock().adopt_record(&entries, &state)?;
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use tandem_protocol::record::{FoundingDevice, NewEntry};

    struct Team {
        id: TeamId,
        admin: (DeviceId, SigningKey),
        member: (DeviceId, SigningKey),
        keys: Vec<TeamKey>,
        doc: HashMap<String, DocDevice>,
        relay: Vec<DeviceInfo>,
    }

    fn dev(n: u8) -> (DeviceId, SigningKey) {
        (DeviceId([n; 16]), SigningKey::from_bytes(&[n; 32]))
    }

    fn public(k: &SigningKey) -> [u8; 32] {
        k.verifying_key().to_bytes()
    }

    fn team() -> Team {
        let (admin, member) = (dev(1), dev(2));
        let mut doc = HashMap::new();
        let mut relay = Vec::new();
        for ((id, key), is_admin) in [(&admin, true), (&member, false)] {
            doc.insert(
                id.to_hex(),
                DocDevice {
                    key: public(key),
                    member: hex::encode(id.0),
                    member_name: "x".into(),
                    admin: is_admin,
                },
            );
            relay.push(DeviceInfo {
                device: *id,
                public_key: hex::encode(public(key)),
                role: if is_admin {
                    DeviceRole::Admin
                } else {
                    DeviceRole::Member
                },
                enrolled_at_ms: 0,
                revoked_at_ms: None,
            });
        }
        Team {
            id: TeamId([9; 16]),
            admin,
            member,
            keys: vec![TeamKey::new(1, [3; 32]), TeamKey::new(2, [4; 32])],
            doc,
            relay,
        }
    }

    /// A migrated founding by `author` listing `devices` (id, key, removed), committing to
    /// `keys`.
    fn founding(
        t: &Team,
        author: &(DeviceId, SigningKey),
        devices: &[(DeviceId, [u8; 32], bool)],
        keys: &[TeamKey],
    ) -> UncheckedEntry {
        let mut listed: Vec<FoundingDevice> = devices
            .iter()
            .map(|(device, key, removed)| FoundingDevice {
                device: *device,
                key: *key,
                role: if *device == author.0 {
                    DeviceRole::Admin
                } else {
                    DeviceRole::Member
                },
                removed: *removed,
                member: [0; 16],
            })
            .collect();
        listed.sort_by_key(|d| d.device);
        NewEntry {
            team: t.id,
            seq: 0,
            prev: [0; 32],
            author: author.0,
            time_ms: 1,
            body: EntryBody::Founding {
                origin: Origin::Migrated,
                devices: listed,
                epochs: keys
                    .iter()
                    .map(|k| (k.epoch, key_commitment(t.id, k.epoch, k.bytes())))
                    .collect(),
                legacy_log_head: 10,
            },
        }
        .sign(&author.1)
    }

    fn check(t: &Team, entry: &UncheckedEntry, pinned: bool) -> Result<(), Mismatch> {
        check_founding(
            t.id,
            entry,
            &LegacyView {
                doc: &t.doc,
                relay: pinned.then_some(t.relay.as_slice()),
                keys: &t.keys,
                me: (t.member.0, public(&t.member.1)),
            },
        )
    }

    fn honest(t: &Team) -> UncheckedEntry {
        founding(
            t,
            &t.admin,
            &[
                (t.admin.0, public(&t.admin.1), false),
                (t.member.0, public(&t.member.1), false),
            ],
            &t.keys,
        )
    }

    #[test]
    fn the_admins_record_is_taken_with_or_without_a_kept_relay_list() {
        let t = team();
        assert_eq!(check(&t, &honest(&t), true), Ok(()));
        assert_eq!(check(&t, &honest(&t), false), Ok(()));
    }

    #[test]
    fn an_author_who_is_admin_on_one_side_only_is_no_admin() {
        // A member who wrote itself admin in the team document: the relay list says not.
        let mut t = team();
        if let Some(d) = t.doc.get_mut(&t.member.0.to_hex()) {
            d.admin = true;
        }
        let by_member = founding(
            &t,
            &t.member,
            &[
                (t.admin.0, public(&t.admin.1), false),
                (t.member.0, public(&t.member.1), false),
            ],
            &t.keys,
        );
        assert_eq!(check(&t, &by_member, true), Err(Mismatch::NotAnAdmin));
        // A device the relay lists as admin that the team document does not know.
        let mut t = team();
        let stranger = dev(7);
        t.relay.push(DeviceInfo {
            device: stranger.0,
            public_key: hex::encode(public(&stranger.1)),
            role: DeviceRole::Admin,
            enrolled_at_ms: 0,
            revoked_at_ms: None,
        });
        let by_stranger = founding(
            &t,
            &stranger,
            &[
                (stranger.0, public(&stranger.1), false),
                (t.member.0, public(&t.member.1), false),
            ],
            &t.keys,
        );
        assert_eq!(check(&t, &by_stranger, true), Err(Mismatch::NotAnAdmin));
        assert_eq!(check(&t, &by_stranger, false), Err(Mismatch::NotAnAdmin));
    }

    #[test]
    fn keys_epochs_and_this_device_must_be_as_it_knew_them() {
        let t = team();
        let other = public(&dev(8).1);
        let swapped = founding(
            &t,
            &t.admin,
            &[
                (t.admin.0, public(&t.admin.1), false),
                (t.member.0, other, false),
            ],
            &t.keys,
        );
        assert_eq!(check(&t, &swapped, false), Err(Mismatch::KeyDiffers));
        let without_me = founding(
            &t,
            &t.admin,
            &[(t.admin.0, public(&t.admin.1), false)],
            &t.keys,
        );
        assert_eq!(check(&t, &without_me, true), Err(Mismatch::NotListed));
        let left_out = founding(
            &t,
            &t.admin,
            &[
                (t.admin.0, public(&t.admin.1), false),
                (t.member.0, public(&t.member.1), true),
            ],
            &t.keys,
        );
        assert_eq!(check(&t, &left_out, true), Err(Mismatch::LeftOut));
        let other_keys = [TeamKey::new(1, [3; 32]), TeamKey::new(2, [5; 32])];
        let devices = [
            (t.admin.0, public(&t.admin.1), false),
            (t.member.0, public(&t.member.1), false),
        ];
        let wrong_epoch = founding(&t, &t.admin, &devices, &other_keys);
        assert_eq!(check(&t, &wrong_epoch, true), Err(Mismatch::EpochDiffers));
        // A key this device holds past the founding's epochs (the migration's own new key,
        // taken before the record was seen) is the record's key epochs' business, not a
        // reason to refuse it.
        let fewer_epochs = founding(&t, &t.admin, &devices, &t.keys[..1]);
        assert_eq!(check(&t, &fewer_epochs, true), Ok(()));
        // An epoch missing below the founding's last one is.
        let gap = founding(&t, &t.admin, &devices, &[TeamKey::new(2, [4; 32])]);
        assert_eq!(check(&t, &gap, true), Err(Mismatch::EpochDiffers));
    }
}
