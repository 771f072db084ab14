//! The team operations that go through the relay: putting a vault's team on a relay,
//! inviting a device, joining with an invite, listing and revoking devices.

use super::engine::sync_once;
use super::key_epochs::{fetch_key_packages, rotate_on_record, start_key_epoch};
use super::link::TeamLink;
use super::record::{post_entries, sync_record, Post};
use super::relay::{relay_info, RelayClient};
use super::report::{SyncProgress, SyncReport};
use super::SyncError;
use crate::passphrase::Passphrase;
use crate::vault::{DeviceIdentity, Joined, RelaySettings, SharedVault, Vault};
use rand::RngCore;
use std::path::Path;
use tandem_model::MemberId;
use tandem_protocol::api::{CreateInvite, DeviceInfo, DeviceRole};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::record::{
    entry_hash, invite_id, invite_signing_key, join_proof, key_commitment, EntryBody,
    FoundingDevice, NewEntry, Origin, RecordState, UncheckedEntry,
};
use tandem_protocol::{DeviceId, RelayErrorCode, TeamKey};

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// A member id (hex, as the vault keeps it) as the record holds it.
fn member_bytes(member: &MemberId) -> Result<[u8; 16], SyncError> {
    let mut out = [0u8; 16];
    hex::decode_to_slice(member.as_str(), &mut out)
        .map_err(|_| SyncError::Protocol("a member id is not 16 bytes of hex"))?;
    Ok(out)
}

/// Puts this vault's team on a relay: registers it with this device as admin (presenting
/// the relay operator's team-creation `token`, which a relay open to all does not need),
/// makes the first team key, names the team. The next sync sends everything recorded so far.
///
/// The team starts its record here: a founding entry signed by this device, naming it the
/// only admin and committing to the first key. Who joins, leaves or holds a key from now on
/// is decided by entries the team's devices sign, never by the relay.
pub fn create_team_on_relay(
    vault: &SharedVault,
    url: &str,
    name: &str,
    token: Option<&str>,
) -> Result<(), SyncError> {
    put_team_on_relay(vault, url, name, token, true)
}

/// Puts a team on a relay as releases before the team record did: no record, membership as
/// the relay lists it. For tests that check such teams (all those already in use) keep
/// working until they move to a record.
#[cfg(feature = "test-hooks")]
pub fn test_hook_create_team_without_record(
    vault: &SharedVault,
    url: &str,
    name: &str,
    token: Option<&str>,
) -> Result<(), SyncError> {
    put_team_on_relay(vault, url, name, token, false)
}

fn put_team_on_relay(
    vault: &SharedVault,
    url: &str,
    name: &str,
    token: Option<&str>,
    with_record: bool,
) -> Result<(), SyncError> {
    let info = relay_info(url)?;
    let mut v = vault.lock();
    if v.relay()?.is_some() {
        return Err(SyncError::Config(
            "this vault is already in a team on a relay",
        ));
    }
    let client = RelayClient::new(
        url,
        &info.relay_id,
        v.wire_device()?,
        v.signing_key().clone(),
    )?;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let key = TeamKey::new(1, key);
    let team = v.wire_team()?;
    let device = v.wire_device()?;
    let founding = NewEntry {
        team,
        seq: 0,
        prev: [0; 32],
        author: device,
        time_ms: now_ms(),
        body: EntryBody::Founding {
            origin: Origin::New,
            devices: vec![FoundingDevice {
                device,
                key: v.signing_key().verifying_key().to_bytes(),
                role: DeviceRole::Admin,
                removed: false,
                member: member_bytes(v.member_id())?,
            }],
            epochs: vec![(1, key_commitment(team, 1, key.bytes()))],
            legacy_log_head: 0,
        },
    }
    .sign(v.signing_key());
    let (state, _) = RecordState::found(team, &founding)
        .map_err(|_| SyncError::Protocol("this device's founding entry does not verify"))?;
    let record = with_record.then_some((std::slice::from_ref(&founding), &state));
    client.create_team(team, token, record.map(|_| founding.bytes()))?;
    v.connect_relay(
        &RelaySettings {
            url: client.url().to_owned(),
            relay_id: info.relay_id,
        },
        &key,
        record,
    )?;
    v.rename_team(name)?;
    Ok(())
}

/// Makes an invite for a new device: parks the team keys (every epoch's, so it reads what
/// was written before the last revocation), sealed under the code's secret half, on the
/// relay, and returns the code to show.
pub fn create_invite(vault: &SharedVault, valid_for_s: u64) -> Result<InviteCode, SyncError> {
    let link = TeamLink::of(vault)?;
    // Keys of a rotation this device has not heard of yet go in too; the relay refuses the
    // invite if the team moves on before it is used (the new device could not read).
    let epoch = fetch_key_packages(vault, &link)?;
    let keys = vault.lock().team_keys()?;
    if keys.is_empty() {
        return Err(SyncError::NotInTeam);
    }
    let mut token = [0u8; 10];
    let mut wrap = [0u8; 10];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut token);
    rand::rngs::OsRng.fill_bytes(&mut wrap);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let code = InviteCode {
        relay: link.client.url().to_owned(),
        token,
        wrap,
    };
    let mut anchor = None;
    if vault.lock().has_team_record()? {
        // The invite goes into the record first, signed by this device: the new device is
        // let in only with the secret half of this code, and only while this device stays
        // in the team.
        let expires_at_ms = now_ms().saturating_add(valid_for_s.saturating_mul(1000));
        let signing = vault.lock().signing_key().clone();
        let invite_key = invite_signing_key(link.team, &code.wrap)
            .verifying_key()
            .to_bytes();
        let id = invite_id(&code.token_hash());
        post_entries(vault, &link, |state| {
            if state.invite(&id).is_some() {
                return Ok(None);
            }
            let entry = NewEntry {
                team: link.team,
                seq: state.seq() + 1,
                prev: state.head(),
                author: link.device,
                time_ms: now_ms(),
                body: EntryBody::InviteCreated {
                    invite_id: id,
                    invite_key,
                    expires_at_ms,
                },
            }
            .sign(&signing);
            Ok(Some(Post {
                entries: vec![entry],
                packages: Vec::new(),
            }))
        })?;
        // The record up to the invite's own entry, pinned inside the sealed payload.
        let v = vault.lock();
        let state = v.team_record()?.ok_or(SyncError::NotInTeam)?;
        let seq = state
            .invite(&id)
            .ok_or(SyncError::Protocol(
                "the invite did not reach the team record",
            ))?
            .created_at_seq;
        let bytes = v
            .record_entries(seq)?
            .into_iter()
            .next()
            .ok_or(SyncError::Protocol("the invite's entry is not stored"))?;
        anchor = Some((seq, entry_hash(&bytes)));
    }
    let sealed = match anchor {
        Some(anchor) => code.seal_anchored(link.team, anchor, &keys, nonce),
        None => code.seal_team_keys(link.team, &keys, nonce),
    };
    link.client.create_invite(
        link.team,
        &CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(sealed),
            expires_in_s: valid_for_s,
            epoch: Some(epoch),
        },
    )?;
    Ok(code)
}

/// Joins a team with an invite code: enrolls a new device on the relay, creates its vault in
/// `dir`, and runs the first sync (which brings the team document and everyone's records).
/// If that first sync is interrupted, the vault is there and the next sync resumes it.
pub fn join_team(
    dir: &Path,
    passphrase: &Passphrase,
    member_name: &str,
    code: &str,
    progress: &dyn Fn(SyncProgress),
) -> Result<(SharedVault, Result<SyncReport, SyncError>), SyncError> {
    if Vault::exists(dir) {
        return Err(SyncError::Vault(crate::VaultError::VaultExists(
            dir.to_path_buf(),
        )));
    }
    let code = InviteCode::parse(code)?;
    let info = relay_info(&code.relay)?;
    let identity = DeviceIdentity::generate();
    let device = DeviceId(identity.device);
    let client = RelayClient::new(
        &code.relay,
        &info.relay_id,
        device,
        identity.signing.clone(),
    )?;
    let mut accepted = client.join(&code.token)?;
    let mut joined = None;
    let (mut keys, anchor) = open_invite_keys(&code, &accepted)?;
    if let Some(anchor) = anchor {
        // A team with a record: the relay has only offered it. This device checks the
        // record and the invite in it, then signs its own entry; it is enrolled only then.
        let member = MemberId(crate::docs::new_id());
        let mut attempt = 0;
        let (entries, state) = loop {
            attempt += 1;
            let (state, entry) = sign_join(&code, &accepted, anchor, &identity, &member, &keys)?;
            match client.complete_join(&code.token, entry.bytes()) {
                Ok(_) => {
                    let mut entries = Vec::with_capacity(accepted.record.len() + 1);
                    for hex_entry in &accepted.record {
                        entries.push(parse_entry(hex_entry)?);
                    }
                    entries.push(entry);
                    break (entries, state);
                }
                // Another entry got in first: ask for the record again and sign on it.
                Err(SyncError::Relay { code: c, .. })
                    if c == RelayErrorCode::RecordConflict && attempt < 3 =>
                {
                    accepted = client.join(&code.token)?;
                    keys = open_invite_keys(&code, &accepted)?.0;
                }
                Err(e) => return Err(e),
            }
        };
        joined = Some((member, entries, state));
    }
    let key = keys
        .iter()
        .max_by_key(|k| k.epoch)
        .cloned()
        .ok_or(SyncError::Protocol("the invite holds no team key"))?;
    let relay = RelaySettings {
        url: client.url().to_owned(),
        relay_id: info.relay_id,
    };
    let vault = Vault::create_enrolled(
        dir,
        passphrase,
        member_name,
        accepted.team,
        identity,
        &relay,
        &key,
        joined.as_ref().map(|(member, entries, state)| Joined {
            member: member.clone(),
            entries: entries.clone(),
            state,
        }),
    )?;
    for older in keys.iter().filter(|k| k.epoch != key.epoch) {
        vault.store_team_key(older)?;
    }
    let vault = SharedVault::new(vault);
    let first = sync_once(&vault, 0, progress);
    Ok((vault, first))
}

fn parse_entry(hex_entry: &str) -> Result<UncheckedEntry, SyncError> {
    let bytes =
        hex::decode(hex_entry).map_err(|_| SyncError::Protocol("a record entry is not hex"))?;
    UncheckedEntry::parse(&bytes)
        .map_err(|_| SyncError::Untrusted(crate::vault::TrustProblem::ForgedChange))
}

/// Where an invite pins the team record: the seq and hash of its own entry.
type Anchor = (u64, [u8; 32]);

/// The keys an invite carries and, for a team with a record, the record position it is
/// anchored to. What kind of team it is comes from the sealed payload, which the inviter
/// made, never from the relay's answer: a relay that answers as for a team without a
/// record (enrolled at once, no record) while the payload is anchored is refused.
fn open_invite_keys(
    code: &InviteCode,
    accepted: &tandem_protocol::api::JoinAccepted,
) -> Result<(Vec<TeamKey>, Option<Anchor>), SyncError> {
    use crate::vault::TrustProblem;
    let sealed = hex::decode(&accepted.sealed_team_key)
        .map_err(|_| SyncError::Protocol("sealed key is not hex"))?;
    if let Ok(anchored) = code.open_anchored(accepted.team, &sealed) {
        if accepted.enrolled || accepted.record.is_empty() {
            return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
        }
        return Ok((anchored.keys, Some(anchored.anchor)));
    }
    let keys = code.open_team_keys(accepted.team, &sealed)?;
    if !accepted.enrolled || !accepted.record.is_empty() {
        // A team record offered with an invite that does not pin one.
        return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
    }
    Ok((keys, None))
}

/// Checks a team's record as the relay offered it with an invite, and signs this device's
/// `DeviceJoined` entry on its head. The record must verify from its founding entry (a new
/// team's), and its entry at the anchor's seq must have the anchor's hash: the inviter
/// sealed that under the code's secret, so the record up to the invite is the team's own
/// (a relay would need another chain with that hash). After it, every entry is signed by
/// devices that record allows. The invite must be in it, made with this code's secret half
/// by a device still in the team, unused; every key the invite carries must be the one the
/// record committed to, up to the current epoch.
fn sign_join(
    code: &InviteCode,
    accepted: &tandem_protocol::api::JoinAccepted,
    anchor: Anchor,
    identity: &DeviceIdentity,
    member: &MemberId,
    keys: &[TeamKey],
) -> Result<(RecordState, UncheckedEntry), SyncError> {
    use crate::vault::TrustProblem;
    let team = accepted.team;
    let bytes: Vec<Vec<u8>> = accepted
        .record
        .iter()
        .map(|e| hex::decode(e).map_err(|_| SyncError::Protocol("a record entry is not hex")))
        .collect::<Result<_, _>>()?;
    let mut state = RecordState::verify_all(team, bytes.iter().map(Vec::as_slice))
        .map_err(|_| SyncError::Untrusted(TrustProblem::ForgedChange))?;
    let pinned = usize::try_from(anchor.0)
        .ok()
        .and_then(|i| bytes.get(i))
        .is_some_and(|b| entry_hash(b) == anchor.1);
    // The invite pins the record up to its own entry (seq and hash, sealed with the team
    // key): what comes before it, a new team's founding or a migrated one, is the team's.
    if !pinned {
        return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
    }
    let id = invite_id(&code.token_hash());
    let invite_key = invite_signing_key(team, &code.wrap);
    let Some(invite) = state.invite(&id) else {
        return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
    };
    if invite.key != invite_key.verifying_key().to_bytes() {
        return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
    }
    let current = state.current_epoch();
    for k in keys {
        if !state.key_matches(k.epoch, k.bytes()) {
            return Err(SyncError::Untrusted(TrustProblem::ForgedChange));
        }
    }
    if !keys.iter().any(|k| k.epoch == current) {
        // The team moved to a new key after the invite was made: it cannot read on.
        return Err(SyncError::Relay {
            status: 409,
            code: RelayErrorCode::InviteStale,
            reason: "the team changed its key since this invite was made".into(),
        });
    }
    let device = DeviceId(identity.device);
    let device_key = identity.signing.verifying_key().to_bytes();
    let member = member_bytes(member)?;
    let (seq, prev) = (state.seq() + 1, state.head());
    let entry = NewEntry {
        team,
        seq,
        prev,
        author: device,
        time_ms: now_ms(),
        body: EntryBody::DeviceJoined {
            invite_id: id,
            device_key,
            member,
            has_epochs_to: current,
            invite_proof: join_proof(&invite_key, team, seq, &prev, device, &device_key, &member),
        },
    }
    .sign(&identity.signing);
    state.apply(&entry).map_err(|e| match e {
        tandem_protocol::record::RecordError::InviteUsed
        | tandem_protocol::record::RecordError::InviteRevoked
        | tandem_protocol::record::RecordError::InviteMakerRemoved
        | tandem_protocol::record::RecordError::InviteExpired
        | tandem_protocol::record::RecordError::StaleInvite => SyncError::Relay {
            status: 410,
            code: RelayErrorCode::InviteUsed,
            reason: format!(
                "the team record says this invite cannot be used ({})",
                e.code()
            ),
        },
        _ => SyncError::Protocol("this device's join entry does not verify"),
    })?;
    Ok((state, entry))
}

/// The team's devices: for a team with a record, as the record says (the relay's list is
/// not believed); else as the relay knows them.
pub fn list_devices(vault: &SharedVault) -> Result<Vec<DeviceInfo>, SyncError> {
    let link = TeamLink::of(vault)?;
    if vault.lock().has_team_record()? {
        let state = sync_record(vault, &link)?.ok_or(SyncError::NotInTeam)?;
        let times = vault.lock().record_entry_times()?;
        let at = |seq: u64| {
            times
                .get(usize::try_from(seq).unwrap_or(usize::MAX))
                .map_or(0, |t| i64::try_from(*t).unwrap_or(i64::MAX))
        };
        return Ok(state
            .devices()
            .map(|(d, s)| DeviceInfo {
                device: *d,
                public_key: hex::encode(s.key),
                role: s.role,
                enrolled_at_ms: at(s.joined_at_seq),
                revoked_at_ms: s.removed_at_seq.map(at),
            })
            .collect());
    }
    link.client.devices(link.team)
}

/// Revokes a device (admins only): the relay refuses it from its next request on, and the
/// team moves to a new key epoch delivered to the remaining devices only, so what is written
/// from now on stays closed to the revoked device even if it gets hold of the envelopes.
///
/// If the new epoch cannot be delivered (the relay went away after revoking), this fails;
/// revoking again finishes it with the same new key.
pub fn revoke_device(vault: &SharedVault, device: &str) -> Result<(), SyncError> {
    let link = TeamLink::of(vault)?;
    let device: DeviceId = device
        .parse()
        .map_err(|_| SyncError::Config("not a device id"))?;
    if device == link.device {
        return Err(SyncError::Config("a device cannot revoke itself"));
    }
    if vault.lock().has_team_record()? {
        // Kept until it is in the record: if the relay goes away mid-way, the next sync
        // (or revoking again) finishes it.
        vault.lock().set_pending_removal(Some(&device))?;
        rotate_on_record(vault, &link, Some(device))?;
        vault.lock().set_pending_removal(None)?;
        return Ok(());
    }
    vault.lock().set_rotation_pending(true)?;
    link.client.revoke(link.team, device)?;
    if let Ok(list) = link.client.devices(link.team) {
        vault.lock().note_legacy_revocations(&list)?;
    }
    start_key_epoch(vault, &link)?;
    vault.lock().set_rotation_pending(false)?;
    Ok(())
}
