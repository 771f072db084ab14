//! What every job of a sync needs before it talks to the relay: a client signing as this
//! device, the team and the device's id, read from the vault once; and the device keys as
//! the relay lists them.

use super::relay::RelayClient;
use super::SyncError;
use crate::vault::SharedVault;
use std::collections::HashMap;
use tandem_protocol::api::DeviceInfo;
use tandem_protocol::{DeviceId, TeamId};

/// This device's link to its team on the relay.
pub(super) struct TeamLink {
    /// The relay, each request signed by this device.
    pub(super) client: RelayClient,
    /// The team on the relay.
    pub(super) team: TeamId,
    /// This device.
    pub(super) device: DeviceId,
}

impl TeamLink {
    /// The link of `vault`'s team; [`SyncError::NotInTeam`] while it is on no relay.
    pub(super) fn of(vault: &SharedVault) -> Result<Self, SyncError> {
        let v = vault.lock();
        let relay = v.relay()?.ok_or(SyncError::NotInTeam)?;
        let device = v.wire_device()?;
        let client =
            RelayClient::new(&relay.url, &relay.relay_id, device, v.signing_key().clone())?;
        Ok(Self {
            client,
            team: v.wire_team()?,
            device,
        })
    }
}

/// Each listed device's public key by hex id (a malformed one is left out).
pub(super) fn relay_keys(list: &[DeviceInfo]) -> HashMap<String, [u8; 32]> {
    // Revoked devices included: what they wrote before revocation stays valid (the relay
    // refuses anything new from them).
    list.iter()
        .filter_map(|d| {
            let mut k = [0u8; 32];
            hex::decode_to_slice(&d.public_key, &mut k).ok()?;
            Some((d.device.to_hex(), k))
        })
        .collect()
}
