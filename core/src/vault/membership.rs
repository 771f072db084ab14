//! The vault's side of being in a team on a relay: relay settings, team keys, the sync
//! cursor and this device's entry in the team document. Everything here lives in the
//! encrypted `meta` table; nothing here touches the network (see `crate::sync`).

use super::*;
use tandem_protocol::record::{RecordState, UncheckedEntry};
use tandem_protocol::{DeviceId, DocId, TeamId, TeamKey};

/// Where this vault syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelaySettings {
    /// The relay's base URL.
    pub url: String,
    /// The relay's identity (signed into requests).
    pub relay_id: String,
}

pub(crate) fn relay_meta(url: &str, relay_id: &str, key: &TeamKey) -> Vec<(String, Vec<u8>)> {
    vec![
        ("relay_url".into(), url.as_bytes().to_vec()),
        ("relay_id".into(), relay_id.as_bytes().to_vec()),
        ("team_epoch".into(), key.epoch.to_string().into_bytes()),
        (format!("team_key:{}", key.epoch), key.bytes().to_vec()),
    ]
}

/// What a device joining a team with a record verified before it was enrolled.
pub(crate) struct Joined<'a> {
    /// The member id its `DeviceJoined` entry names.
    pub member: MemberId,
    /// The record, its own entry included.
    pub entries: Vec<UncheckedEntry>,
    /// What they verify to.
    pub state: &'a RecordState,
}

impl Vault {
    /// Creates a vault for a device that has just been enrolled in a team on a relay. The
    /// team document and everyone's records arrive with the first sync.
    // One call site, which has every piece at hand; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_enrolled(
        dir: &Path,
        passphrase: &Passphrase,
        member_name: &str,
        team: TeamId,
        identity: DeviceIdentity,
        relay: &RelaySettings,
        key: &TeamKey,
        joined: Option<Joined<'_>>,
    ) -> Result<Self> {
        let meta = relay_meta(&relay.url, &relay.relay_id, key);
        let (member, record) = match joined {
            Some(j) => (
                Some(j.member),
                Some((j.entries, super::team_record::record_json(j.state)?)),
            ),
            None => (None, None),
        };
        Self::init(
            dir,
            passphrase,
            member_name,
            TeamStart::Remote {
                team_id: team.to_hex(),
                identity,
                meta,
                member,
                record,
            },
        )
    }

    /// Records that this vault's team lives on a relay, with its first key and, for a team
    /// made with one, its team record (the founding entry), all in one transaction.
    pub(crate) fn connect_relay(
        &mut self,
        relay: &RelaySettings,
        key: &TeamKey,
        record: Option<(&[UncheckedEntry], &RecordState)>,
    ) -> Result<()> {
        let json = record
            .map(|(_, state)| super::team_record::record_json(state))
            .transpose()?;
        let tx = self.conn.transaction()?;
        for (k, v) in relay_meta(&relay.url, &relay.relay_id, key) {
            set_meta(&tx, &k, &v)?;
        }
        if let (Some((entries, _)), Some(json)) = (record, json) {
            super::team_record::adopt_in(&tx, entries, &json)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The relay this vault syncs with, if it is in a team on one.
    pub fn relay(&self) -> Result<Option<RelaySettings>> {
        let url = opt_meta_string(&self.conn, "relay_url")?;
        let id = opt_meta_string(&self.conn, "relay_id")?;
        Ok(url
            .zip(id)
            .map(|(url, relay_id)| RelaySettings { url, relay_id }))
    }

    /// Points this vault at the relay's new address (the relay moved; same relay, same data).
    pub fn set_relay_url(&mut self, url: &str) -> Result<()> {
        if self.relay()?.is_none() {
            return Err(VaultError::Invalid {
                field: "relay",
                reason: "this vault is not on a relay",
            });
        }
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(VaultError::Invalid {
                field: "relay",
                reason: "an http(s):// address is needed",
            });
        }
        set_meta(&self.conn, "relay_url", url.as_bytes())
    }

    /// The team key of an epoch.
    pub(crate) fn team_key(&self, epoch: u32) -> Result<Option<TeamKey>> {
        let Some(bytes) = opt_meta(&self.conn, &format!("team_key:{epoch}"))? else {
            return Ok(None);
        };
        let bytes = Zeroizing::new(bytes);
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::KeyFileDamaged("a team key has the wrong length"))?;
        Ok(Some(TeamKey::new(epoch, key)))
    }

    /// The key new envelopes are sealed under.
    pub(crate) fn current_team_key(&self) -> Result<Option<TeamKey>> {
        let epoch = opt_meta_string(&self.conn, "team_epoch")?.and_then(|e| e.parse().ok());
        match epoch {
            Some(e) => self.team_key(e),
            None => Ok(None),
        }
    }

    /// The epoch new envelopes are sealed under (`None` when not in a team on a relay).
    pub fn team_epoch(&self) -> Result<Option<u32>> {
        Ok(opt_meta_string(&self.conn, "team_epoch")?.and_then(|e| e.parse().ok()))
    }

    /// Every team key this vault holds up to the current epoch, oldest first (an invite
    /// hands them all on: older envelopes stay readable).
    pub(crate) fn team_keys(&self) -> Result<Vec<TeamKey>> {
        let mut keys = Vec::new();
        for epoch in 1..=self.team_epoch()?.unwrap_or(0) {
            if let Some(k) = self.team_key(epoch)? {
                keys.push(k);
            }
        }
        Ok(keys)
    }

    /// Keeps a team key without making it current (a key being delivered, or an older one).
    pub(crate) fn store_team_key(&self, key: &TeamKey) -> Result<()> {
        set_meta(
            &self.conn,
            &format!("team_key:{}", key.epoch),
            key.bytes().as_slice(),
        )
    }

    /// Makes `epoch` (whose key is stored) the one new envelopes are sealed under; never
    /// goes back to an older one.
    /// Marks (or clears) a key rotation this admin owes the team: set before it revokes a
    /// device, cleared once the new epoch is delivered, so a rotation cut off by a lost
    /// connection or a crash is finished by a later sync.
    pub(crate) fn set_rotation_pending(&self, pending: bool) -> Result<()> {
        if pending {
            set_meta(&self.conn, "rotation_pending", b"1")
        } else {
            self.conn
                .execute("DELETE FROM meta WHERE key = 'rotation_pending'", [])?;
            Ok(())
        }
    }

    /// Whether a key rotation is owed (see [`Vault::set_rotation_pending`]).
    pub(crate) fn rotation_pending(&self) -> Result<bool> {
        Ok(opt_meta(&self.conn, "rotation_pending")?.is_some())
    }

    /// Documents erased here whose log the relay has not dropped yet.
    pub(crate) fn relay_erasures(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id FROM relay_erasures ORDER BY requested_at")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// The relay dropped this document's log.
    pub(crate) fn relay_erased(&self, doc_id: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM relay_erasures WHERE doc_id = ?1", [doc_id])?;
        Ok(())
    }

    pub(crate) fn advance_team_epoch(&self, epoch: u32) -> Result<()> {
        if self.team_key(epoch)?.is_none() {
            return Err(VaultError::Invalid {
                field: "team epoch",
                reason: "no key is stored for it",
            });
        }
        if self.team_epoch()?.is_some_and(|current| current >= epoch) {
            return Ok(());
        }
        set_meta(&self.conn, "team_epoch", epoch.to_string().as_bytes())
    }

    /// Whether this vault opens a sealed envelope: signed by a device of the team document,
    /// and sealed under a team key it holds. For diagnostics and tests: which devices can
    /// still read what the relay holds.
    pub fn can_open_envelope(&mut self, bytes: &[u8]) -> Result<bool> {
        let Ok(unchecked) = tandem_protocol::envelope::UncheckedEnvelope::parse(bytes.to_vec())
        else {
            return Ok(false);
        };
        let header = *unchecked.header();
        let known = match self.team_record()? {
            Some(record) => record.device(&header.author).map(|d| d.key),
            None => self
                .team_device_keys()?
                .get(&header.author.to_hex())
                .copied(),
        };
        let author = known.and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok());
        let (Some(author), Some(key)) = (author, self.team_key(header.epoch)?) else {
            return Ok(false);
        };
        Ok(unchecked
            .verify(&author)
            .and_then(|sealed| sealed.open(&key))
            .is_ok())
    }

    /// The last sequence number of the relay's log applied here.
    pub fn sync_cursor(&self) -> Result<u64> {
        Ok(opt_meta_string(&self.conn, "sync_cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// Asks the next sync to pull the whole log again (some change never arrived). At most
    /// once an hour, so a relay that keeps withholding cannot keep a device re-pulling.
    pub(crate) fn request_full_pull(&self) -> Result<()> {
        let last = opt_meta_string(&self.conn, "full_pull_at")?.and_then(|s| s.parse::<i64>().ok());
        let now = Utc::now().timestamp_millis();
        if last.is_some_and(|t| now - t < 3_600_000) {
            return Ok(());
        }
        set_meta(&self.conn, "full_pull_at", now.to_string().as_bytes())?;
        set_meta(&self.conn, "full_pull", b"1")
    }

    /// Whether a full pull was asked for.
    pub(crate) fn full_pull_requested(&self) -> Result<bool> {
        Ok(opt_meta(&self.conn, "full_pull")?.is_some_and(|v| v == b"1"))
    }

    /// The full pull went through to the end.
    pub(crate) fn full_pull_done(&self) -> Result<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key = 'full_pull'", [])?;
        Ok(())
    }

    /// When this vault last finished a sync.
    pub fn last_synced_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(opt_meta_string(&self.conn, "last_synced_at")?
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis))
    }

    pub(crate) fn set_last_synced_at(&self, at: DateTime<Utc>) -> Result<()> {
        set_meta(
            &self.conn,
            "last_synced_at",
            at.timestamp_millis().to_string().as_bytes(),
        )
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// This device's signing key, for a test acting as a member gone bad.
    #[cfg(feature = "test-hooks")]
    pub fn test_hook_signing_key(&self) -> SigningKey {
        self.signing_key.clone()
    }

    /// The team keys this device holds, for a test acting as a member gone bad.
    #[cfg(feature = "test-hooks")]
    pub fn test_hook_team_keys(&self) -> Result<Vec<TeamKey>> {
        self.team_keys()
    }

    /// Writes, as a member gone bad would, this member as an admin and this device's key in
    /// place of `other_device`'s into the team document (an ordinary change, synced).
    #[cfg(feature = "test-hooks")]
    pub fn test_hook_claim_in_team_doc(&mut self, other_device: &str) -> Result<()> {
        let member = self.member.clone();
        let key = self.signing_key.verifying_key().to_bytes();
        let other = other_device.to_owned();
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "team.claim",
            |_| None,
            |tx| team::claim(tx, &member, &other, &key),
        )?;
        self.commit(change.into_iter().collect())?;
        Ok(())
    }

    /// This device's id on the wire.
    pub fn wire_device(&self) -> Result<DeviceId> {
        self.device_id
            .parse()
            .map_err(|_| VaultError::KeyFileDamaged("device id is not hex"))
    }

    /// The team's id on the wire.
    pub fn wire_team(&self) -> Result<TeamId> {
        self.team_id.parse().map_err(|_| VaultError::Invalid {
            field: "team id",
            reason: "not hex",
        })
    }

    pub(crate) fn has_team_doc(&mut self) -> Result<bool> {
        Ok(self.cache.touch(&self.team_id).is_some()
            || store::load(&self.conn, &self.team_id)?.is_some())
    }

    /// Device id (hex) → Ed25519 public key, as the team document lists them.
    pub(crate) fn team_device_keys(&mut self) -> Result<HashMap<String, [u8; 32]>> {
        if !self.has_team_doc()? {
            return Ok(HashMap::new());
        }
        let team_id = self.team_id.clone();
        Ok(team::device_keys(self.doc(&team_id)?))
    }

    /// Adds this device to the team document if it is not there yet (a device that joined
    /// through a relay does so once the team document has arrived). Returns whether it did.
    pub(crate) fn ensure_registered(&mut self) -> Result<bool> {
        if !self.has_team_doc()? || self.team_device_keys()?.contains_key(&self.device_id) {
            return Ok(false);
        }
        let name = opt_meta_string(&self.conn, "member_name")?.unwrap_or_else(|| "?".into());
        let public_key = self.signing_key.verifying_key().to_bytes();
        let (member, device_id) = (self.member.clone(), self.device_id.clone());
        let team_id = self.team_id.clone();
        let now = Utc::now();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "team.join",
            |_| None,
            |tx| {
                let entry = team::DeviceEntry {
                    member: &member,
                    member_name: &name,
                    role: MemberRole::Member,
                    device_id: &device_id,
                    public_key: &public_key,
                };
                team::add_device(tx, &entry, now)
            },
        )?;
        self.commit(change.into_iter().collect())?;
        Ok(true)
    }

    /// Sets the team's name (when it is first put on a relay).
    pub(crate) fn rename_team(&mut self, name: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(VaultError::Invalid {
                field: "team name",
                reason: "a name is needed",
            });
        }
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "team.rename",
            |_| None,
            |tx| {
                automerge::transaction::Transactable::put(
                    tx,
                    automerge::ROOT,
                    "name",
                    name.trim(),
                )?;
                Ok(())
            },
        )?;
        self.commit(change.into_iter().collect())
    }

    /// Documents whose log on the relay has grown enough since their last snapshot that a
    /// snapshot would spare new devices a long tail.
    pub(crate) fn docs_needing_snapshot(
        &self,
        min_envelopes: i64,
        min_bytes: i64,
    ) -> Result<Vec<(DocId, DocKind)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.doc_id, d.kind FROM sync_docs s JOIN docs d ON d.id = s.doc_id
             WHERE s.log_envelopes >= ?1 OR s.log_bytes >= ?2
             ORDER BY s.log_bytes DESC LIMIT 200",
        )?;
        let rows = stmt
            .query_map([min_envelopes, min_bytes], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, kind)| Some((id.parse().ok()?, DocKind::from_code(&kind)?)))
            .collect())
    }

    pub(crate) fn snapshot_uploaded(&self, doc: &DocId, covers: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_docs SET log_envelopes = 0, log_bytes = 0, snapshot_covers = ?2
             WHERE doc_id = ?1",
            params![doc.to_hex(), covers as i64],
        )?;
        Ok(())
    }

    /// Counts envelopes this device pushed into the relay's log.
    pub(crate) fn count_pushed(&mut self, docs: &[(String, usize)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (d, bytes) in docs {
            store::count_log_envelopes(&tx, d, 1, *bytes)?;
        }
        tx.commit()?;
        Ok(())
    }
}
