//! The team operations that go through the relay: putting a vault's team on a relay,
//! inviting a device, joining with an invite, listing and revoking devices.

use super::engine::sync_once;
use super::key_epochs::{fetch_key_packages, start_key_epoch};
use super::link::TeamLink;
use super::relay::{relay_info, RelayClient};
use super::report::{SyncProgress, SyncReport};
use super::SyncError;
use crate::passphrase::Passphrase;
use crate::vault::{DeviceIdentity, RelaySettings, SharedVault, Vault};
use rand::RngCore;
use std::path::Path;
use tandem_protocol::api::{CreateInvite, DeviceInfo};
use tandem_protocol::invite::InviteCode;
use tandem_protocol::{DeviceId, TeamKey};

/// Puts this vault's team on a relay: registers it with this device as admin (presenting
/// the relay operator's team-creation `token`, which a relay open to all does not need),
/// makes the first team key, names the team. The next sync sends everything recorded so far.
pub fn create_team_on_relay(
    vault: &SharedVault,
    url: &str,
    name: &str,
    token: Option<&str>,
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
    client.create_team(v.wire_team()?, token)?;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let key = TeamKey::new(1, key);
    v.connect_relay(
        &RelaySettings {
            url: client.url().to_owned(),
            relay_id: info.relay_id,
        },
        &key,
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
    link.client.create_invite(
        link.team,
        &CreateInvite {
            token_hash: hex::encode(code.token_hash()),
            sealed_team_key: hex::encode(code.seal_team_keys(link.team, &keys, nonce)),
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
    let accepted = client.join(&code.token)?;
    let sealed = hex::decode(&accepted.sealed_team_key)
        .map_err(|_| SyncError::Protocol("sealed key is not hex"))?;
    let keys = code.open_team_keys(accepted.team, &sealed)?;
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
    )?;
    for older in keys.iter().filter(|k| k.epoch != key.epoch) {
        vault.store_team_key(older)?;
    }
    let vault = SharedVault::new(vault);
    let first = sync_once(&vault, 0, progress);
    Ok((vault, first))
}

/// The team's devices as the relay knows them.
pub fn list_devices(vault: &SharedVault) -> Result<Vec<DeviceInfo>, SyncError> {
    let link = TeamLink::of(vault)?;
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
    vault.lock().set_rotation_pending(true)?;
    link.client.revoke(link.team, device)?;
    start_key_epoch(vault, &link)?;
    vault.lock().set_rotation_pending(false)?;
    Ok(())
}
