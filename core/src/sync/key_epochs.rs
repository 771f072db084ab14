//! Key epochs: moving the team to a new team key after a revocation, and taking delivery of
//! one. The admin seals the new key once per remaining device
//! ([`tandem_protocol::key_package`]) and parks the packages on the relay; each device
//! fetches its own when the relay says the team is at an epoch it lacks. A rotation that
//! could not be delivered is finished at the next sync.

use super::link::{relay_keys, TeamLink};
use super::record::{post_entries, sync_record, Post};
use super::SyncError;
use crate::vault::SharedVault;
use ed25519_dalek::SigningKey;
use ed25519_dalek::VerifyingKey;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tandem_protocol::api::{DeviceRole, PostKeyPackages};
use tandem_protocol::key_package::{KeyPackage, NewKeyPackage};
use tandem_protocol::record::{key_commitment, EntryBody, NewEntry, RecordState, UncheckedEntry};
use tandem_protocol::{DeviceId, TeamKey};

/// Fetches the key packages sealed for this device for every epoch it lacks (above its
/// current one, and any below that a relay held back while delivering a later one), opens
/// them and stores the keys; the newest becomes current. A package that fails any check is
/// ignored (a relay cannot make a device take a key no admin of the team sealed for it).
/// Returns the current epoch after.
pub(super) fn fetch_key_packages(vault: &SharedVault, link: &TeamLink) -> Result<u32, SyncError> {
    let (current, held) = {
        let v = vault.lock();
        let current = v.team_epoch()?.ok_or(SyncError::NotInTeam)?;
        let held: Vec<u32> = v.team_keys()?.iter().map(|k| k.epoch).collect();
        (current, held)
    };
    let after = (1..=current)
        .find(|e| !held.contains(e))
        .map_or(current, |missing| missing - 1);
    let answer = link.client.key_packages(link.team, after)?;
    if answer.packages.is_empty() {
        return Ok(current);
    }
    if vault.lock().has_team_record()? {
        return take_record_packages(vault, link, &answer.packages, &held, current);
    }
    let relay_devices = link.client.devices(link.team)?;
    let mut v = vault.lock();
    // A new epoch follows a revocation: the list says which device, and it stays revoked
    // in what this device keeps of the team from before the record.
    v.note_legacy_revocations(&relay_devices)?;
    let doc = v.doc_devices()?;
    let kept = v.legacy_relay_view()?;
    let mut newest = current;
    for hex_package in &answer.packages {
        let Some(package) = hex::decode(hex_package)
            .ok()
            .and_then(|b| KeyPackage::parse(b).ok())
        else {
            continue;
        };
        let h = *package.header();
        if h.team != link.team || h.to != link.device || held.contains(&h.epoch) {
            continue;
        }
        // The sender must be an admin by the relay's list, by the list as this device kept
        // it after the update (a relay cannot add an admin later), and by the team document,
        // with the same key in all three: neither the relay nor a member can make one alone.
        let admin_in = |list: &[tandem_protocol::api::DeviceInfo]| {
            list.iter()
                .find(|d| d.device == h.from && d.role == DeviceRole::Admin)
                .and_then(|d| relay_keys(std::slice::from_ref(d)).remove(&h.from.to_hex()))
        };
        let Some(listed) = admin_in(&relay_devices) else {
            continue;
        };
        let in_doc = doc
            .get(&h.from.to_hex())
            .is_some_and(|d| d.admin && d.key == listed);
        let in_kept = kept
            .as_deref()
            .is_none_or(|list| admin_in(list) == Some(listed));
        let Some(sender_key) = (in_doc && in_kept)
            .then(|| VerifyingKey::from_bytes(&listed).ok())
            .flatten()
        else {
            continue;
        };
        let Ok(key) = package.open(&sender_key, v.signing_key()) else {
            continue;
        };
        v.store_team_key(&key)?;
        newest = newest.max(key.epoch);
    }
    v.advance_team_epoch(newest)?;
    Ok(newest)
}

/// For a team with a record: a package is taken only if the record has its epoch, it was
/// sealed for this device by the admin whose signed `KeyEpoch` made that epoch (with the key
/// the record holds for that admin), and the key in it is the one that entry committed to.
/// Anything else is refused, whoever sent it: the relay cannot hand out a key.
fn take_record_packages(
    vault: &SharedVault,
    link: &TeamLink,
    packages: &[String],
    held: &[u32],
    current: u32,
) -> Result<u32, SyncError> {
    // The packages may be for an epoch the record gained since this device last looked.
    let state = sync_record(vault, link)?.ok_or(SyncError::NotInTeam)?;
    let v = vault.lock();
    let mut newest = current;
    for hex_package in packages {
        let Some(package) = hex::decode(hex_package)
            .ok()
            .and_then(|b| KeyPackage::parse(b).ok())
        else {
            continue;
        };
        let h = *package.header();
        if h.team != link.team || h.to != link.device || held.contains(&h.epoch) {
            continue;
        }
        let Some(epoch) = state.epoch(h.epoch) else {
            continue;
        };
        if epoch.author != h.from {
            continue;
        }
        let Some(sender_key) = state
            .device(&h.from)
            .and_then(|d| VerifyingKey::from_bytes(&d.key).ok())
        else {
            continue;
        };
        let Ok(key) = package.open(&sender_key, v.signing_key()) else {
            continue;
        };
        if key.epoch != h.epoch || !state.key_matches(key.epoch, key.bytes()) {
            continue;
        }
        v.store_team_key(&key)?;
        newest = newest.max(key.epoch);
    }
    v.advance_team_epoch(newest)?;
    Ok(newest)
}

/// The secret ephemeral key and nonce of the package of `key` for `to`: derived, so that
/// delivering the same new key again (after a lost answer) gives the same bytes, which the
/// relay accepts as a re-post. Unique per key and recipient, and secret as the key is.
fn package_randomness(key: &TeamKey, to: &DeviceId) -> ([u8; 32], [u8; 24]) {
    let derive = |label: &[u8]| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(label);
        h.update(key.bytes());
        h.update(key.epoch.to_be_bytes());
        h.update(to.0);
        h.finalize().into()
    };
    let ephemeral = derive(b"tandem key package ephemeral v1\0");
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&derive(b"tandem key package nonce v1\0")[..24]);
    (ephemeral, nonce)
}

/// Moves the team to a new key epoch: a new random key, sealed for every unrevoked device
/// (this one included, so the relay records the epoch) and parked on the relay, then made
/// current here. Returns the new epoch.
pub(super) fn start_key_epoch(vault: &SharedVault, link: &TeamLink) -> Result<u32, SyncError> {
    if vault.lock().has_team_record()? {
        return rotate_on_record(vault, link, None).map(|s| s.current_epoch());
    }
    // A device that enrolled while the packages were being sealed is refused by the relay
    // (every active device must get the key): the devices are listed again and the same
    // key sealed for all of them.
    let mut attempts = 0;
    loop {
        match seal_and_post_key_epoch(vault, link) {
            Err(SyncError::Relay {
                status: 409, code, ..
            }) if code == tandem_protocol::RelayErrorCode::MissingRecipient && attempts < 3 => {
                attempts += 1;
            }
            other => return other,
        }
    }
}

fn seal_and_post_key_epoch(vault: &SharedVault, link: &TeamLink) -> Result<u32, SyncError> {
    // Another admin may have moved the team on already.
    let current = fetch_key_packages(vault, link)?;
    let devices = link.client.devices(link.team)?;
    let epoch = current
        .checked_add(1)
        .ok_or(SyncError::Protocol("no key epoch left"))?;
    let packages = {
        let mut v = vault.lock();
        // A key made by an earlier attempt that did not get through is delivered again.
        let key = match v.team_key(epoch)? {
            Some(k) => k,
            None => {
                let mut raw = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut raw);
                let k = TeamKey::new(epoch, raw);
                v.store_team_key(&k)?;
                k
            }
        };
        let recorded = v.team_device_keys()?;
        let relay = relay_keys(&devices);
        let mut packages = Vec::new();
        for d in devices.iter().filter(|d| d.revoked_at_ms.is_none()) {
            let hexid = d.device.to_hex();
            let Some(listed) = relay.get(&hexid) else {
                return Err(SyncError::Protocol(
                    "the relay lists a malformed device key",
                ));
            };
            if recorded.get(&hexid).is_some_and(|k| k != listed) {
                // The relay is not trusted with keys the team document vouches for.
                return Err(SyncError::Protocol(
                    "the relay lists a device key that differs from the team's record",
                ));
            }
            let to_key = VerifyingKey::from_bytes(listed)
                .map_err(|_| SyncError::Protocol("the relay lists a malformed device key"))?;
            let (ephemeral, nonce) = package_randomness(&key, &d.device);
            let package = NewKeyPackage {
                team: link.team,
                key: &key,
                from: link.device,
                signer: v.signing_key(),
                to: d.device,
                to_key: &to_key,
            }
            .seal(ephemeral, nonce)
            .map_err(|_| SyncError::Protocol("a key package could not be sealed"))?;
            packages.push(hex::encode(package.bytes()));
        }
        packages
    };
    link.client
        .post_key_packages(link.team, &PostKeyPackages { epoch, packages })?;
    vault.lock().advance_team_epoch(epoch)?;
    Ok(epoch)
}

/// Finishes a key rotation an earlier revocation could not deliver (the relay went away, the
/// app closed). Failing again is not an error for the sync: it is tried at the next one.
pub(super) fn finish_rotation(
    vault: &SharedVault,
    link: &TeamLink,
    record: Option<&RecordState>,
) -> Result<(), SyncError> {
    if let Some(state) = record {
        if !state.is_active_admin(&link.device) {
            return Ok(());
        }
        // A removal this device asked for that never reached the relay; or a key change
        // the record says is owed (a removal no key epoch followed yet), which any admin's
        // device makes. Failing is not an error for the sync: it is tried at the next one.
        let pending = vault.lock().pending_removal()?;
        if (pending.is_some() || state.rotation_due())
            && rotate_on_record(vault, link, pending).is_ok()
        {
            vault.lock().set_pending_removal(None)?;
        }
        return Ok(());
    }
    if !vault.lock().rotation_pending()? {
        return Ok(());
    }
    if start_key_epoch(vault, link).is_ok() {
        vault.lock().set_rotation_pending(false)?;
    }
    Ok(())
}

/// For a team with a record: removes `remove` (if given and still active) and moves the team
/// to a new key epoch, in one post of two signed entries (`DeviceRemoved`, then `KeyEpoch`
/// naming exactly the devices the record keeps active) with one key package per recipient,
/// sealed to the key the record holds for it. Nothing comes from the relay's device list.
/// If another admin's entry got in first, it is all built again on the new head, with a
/// fresh key (a key is never offered under two epoch numbers). Returns the state after.
pub(super) fn rotate_on_record(
    vault: &SharedVault,
    link: &TeamLink,
    remove: Option<DeviceId>,
) -> Result<RecordState, SyncError> {
    let mut made: Option<TeamKey> = None;
    let after = post_entries(vault, link, |state| {
        made = None;
        if !state.is_active_admin(&link.device) {
            return Err(SyncError::Config("only an admin of the team can do this"));
        }
        if remove.is_some_and(|d| state.device(&d).is_none()) {
            return Err(SyncError::Config("no such device in the team"));
        }
        let removing =
            remove.filter(|d| state.device(d).is_some_and(|s| s.removed_at_seq.is_none()));
        if removing.is_none() && !state.rotation_due() {
            // Removed already and its key change made, or (built again after another
            // admin's entry got in first) no key change is owed any more.
            return Ok(None);
        }
        let (cutoff, signing) = {
            let v = vault.lock();
            (v.sync_cursor()?, v.signing_key().clone())
        };
        let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        let mut entries = Vec::new();
        let mut next = state.clone();
        if let Some(device) = removing {
            let entry = NewEntry {
                team: link.team,
                seq: next.seq() + 1,
                prev: next.head(),
                author: link.device,
                time_ms: now,
                body: EntryBody::DeviceRemoved {
                    device,
                    cutoff_log_seq: cutoff,
                    cascade_since: u64::MAX,
                },
            }
            .sign(&signing);
            next.apply(&entry)
                .map_err(|_| SyncError::Config("the team record does not allow this removal"))?;
            entries.push(entry);
        }
        let (entry, packages, key) = next_key_epoch(link, &signing, &next, now)?;
        entries.push(entry);
        made = Some(key);
        Ok(Some(Post { entries, packages }))
    })?;
    let state = match after {
        Some(state) => state,
        None => return sync_record(vault, link)?.ok_or(SyncError::NotInTeam),
    };
    if let Some(key) = made {
        let v = vault.lock();
        v.store_team_key(&key)?;
        v.advance_team_epoch(key.epoch)?;
    }
    Ok(state)
}

/// The entry that moves the team to a new key epoch on `on` (a new random key committed,
/// for exactly the devices active in `on`), signed by this device, with the key packages
/// (hex) sealing the key for each of them, and the key.
pub(super) fn next_key_epoch(
    link: &TeamLink,
    signing: &SigningKey,
    on: &RecordState,
    now_ms: u64,
) -> Result<(UncheckedEntry, Vec<String>, TeamKey), SyncError> {
    let epoch = on
        .current_epoch()
        .checked_add(1)
        .ok_or(SyncError::Protocol("no key epoch left"))?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let key = TeamKey::new(epoch, raw);
    let recipients: Vec<(DeviceId, [u8; 32])> = on.active().map(|(d, s)| (*d, s.key)).collect();
    let entry = NewEntry {
        team: link.team,
        seq: on.seq() + 1,
        prev: on.head(),
        author: link.device,
        time_ms: now_ms,
        body: EntryBody::KeyEpoch {
            epoch,
            commitment: key_commitment(link.team, epoch, key.bytes()),
            recipients: recipients.iter().map(|(d, _)| *d).collect(),
        },
    }
    .sign(signing);
    let mut packages = Vec::with_capacity(recipients.len());
    for (to, to_key) in &recipients {
        let to_key = VerifyingKey::from_bytes(to_key)
            .map_err(|_| SyncError::Protocol("the team record holds a malformed device key"))?;
        let (ephemeral, nonce) = package_randomness(&key, to);
        let package = NewKeyPackage {
            team: link.team,
            key: &key,
            from: link.device,
            signer: signing,
            to: *to,
            to_key: &to_key,
        }
        .seal(ephemeral, nonce)
        .map_err(|_| SyncError::Protocol("a key package could not be sealed"))?;
        packages.push(hex::encode(package.bytes()));
    }
    Ok((entry, packages, key))
}
