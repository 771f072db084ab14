//! What this device knew of its team before the team record, for a team made before it: the
//! team document's members and device keys, and the relay's device list as first seen after
//! the update, with every revocation seen since (kept, so that a relay that later changes
//! its list cannot also change what a migrated record is held to, nor bring a revoked device
//! back).

use super::*;
use tandem_model::MemberRole;
use tandem_protocol::api::DeviceInfo;

/// A device as the team document records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocDevice {
    /// Its key, as the device wrote it when it registered.
    pub key: [u8; 32],
    /// Its member's id (hex).
    pub member: String,
    /// Its member's name (shown to the admin who sets the record up, never sent anywhere).
    pub member_name: String,
    /// Its member is written as an admin.
    pub admin: bool,
}

impl Vault {
    /// The team document's devices, by device id (hex).
    pub(crate) fn doc_devices(&mut self) -> Result<HashMap<String, DocDevice>> {
        if !self.has_team_doc()? {
            return Ok(HashMap::new());
        }
        let team_id = self.team_id.clone();
        let doc = self.doc(&team_id)?;
        let keys = team::device_keys(doc);
        let mut out = HashMap::new();
        for m in team::members(doc) {
            for d in &m.devices {
                if let Some(key) = keys.get(d) {
                    out.insert(
                        d.clone(),
                        DocDevice {
                            key: *key,
                            member: m.id.as_str().to_owned(),
                            member_name: m.name.clone(),
                            admin: m.role == MemberRole::Admin,
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    /// The relay's device list as this device first saw it while its team had no record.
    pub(crate) fn legacy_relay_view(&self) -> Result<Option<Vec<DeviceInfo>>> {
        let Some(json) = opt_meta_string(&self.conn, "legacy_relay_view")? else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| VaultError::Internal("the kept device list does not read back"))
    }

    /// Adds to the kept list the revocations `list` shows (a device seen revoked once stays
    /// revoked here, whatever the relay says later); keeps `list` if none is kept yet.
    pub(crate) fn note_legacy_revocations(&self, list: &[DeviceInfo]) -> Result<()> {
        let Some(mut kept) = self.legacy_relay_view()? else {
            return self.pin_legacy_relay_view(list);
        };
        let mut changed = false;
        for d in list.iter().filter(|d| d.revoked_at_ms.is_some()) {
            match kept.iter_mut().find(|k| k.device == d.device) {
                Some(k) if k.revoked_at_ms.is_some() => {}
                Some(k) => {
                    k.revoked_at_ms = d.revoked_at_ms;
                    changed = true;
                }
                None => {
                    kept.push(d.clone());
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(());
        }
        let json = serde_json::to_string(&kept)
            .map_err(|_| VaultError::Internal("a device list did not serialise"))?;
        set_meta(&self.conn, "legacy_relay_view", json.as_bytes())
    }

    /// Keeps `list` as the relay's device list, unless one is kept already.
    pub(crate) fn pin_legacy_relay_view(&self, list: &[DeviceInfo]) -> Result<()> {
        if opt_meta_string(&self.conn, "legacy_relay_view")?.is_some() {
            return Ok(());
        }
        let json = serde_json::to_string(list)
            .map_err(|_| VaultError::Internal("a device list did not serialise"))?;
        set_meta(&self.conn, "legacy_relay_view", json.as_bytes())
    }
}

impl Vault {
    /// Forgets the team keys from `epoch` on (keys an older path took that the team record
    /// does not commit to), the current epoch going back to the one before.
    pub(crate) fn forget_team_keys_from(&self, epoch: u32) -> Result<()> {
        let Some(current) = self.team_epoch()? else {
            return Ok(());
        };
        for e in epoch..=current {
            self.conn
                .execute("DELETE FROM meta WHERE key = ?1", [format!("team_key:{e}")])?;
        }
        if current >= epoch {
            let back = epoch.saturating_sub(1).max(1);
            set_meta(&self.conn, "team_epoch", back.to_string().as_bytes())?;
        }
        Ok(())
    }
}
