//! Checking and opening envelopes from the relay: whose key vouches for an author (the team
//! document's record over the relay's list), and fetching a key epoch this device lacks.

use super::key_epochs::fetch_key_packages;
use super::link::{relay_keys, TeamLink};
use super::record::sync_record;
use super::SyncError;
use crate::vault::{SetAsideReason, SharedVault, Vault};
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;
use tandem_protocol::envelope::UncheckedEnvelope;
use tandem_protocol::record::{AuthorVerdict, RecordState};
use tandem_protocol::{DeviceId, PlainChange, TeamId, TeamKey};

/// Whose key vouches for an envelope's author.
enum Author {
    /// A device allowed to write there.
    Allowed(VerifyingKey),
    /// A device the team record removed before that place in the log: what it signed is
    /// kept aside, never applied.
    Removed(VerifyingKey),
    /// No device of the team.
    Unknown,
}

/// What checking one envelope from the relay found.
pub(super) enum Checked {
    /// From a device of the team, unaltered, and opened.
    Opened(PlainChange),
    /// From a device of the team and unaltered, but it does not open here: set aside (with
    /// the envelope as received), and the pull moves on.
    Unreadable {
        /// Why.
        reason: SetAsideReason,
        /// The envelope, to keep.
        envelope: Vec<u8>,
    },
    /// Not from a device of the team, altered, or for another team: that is the relay's
    /// doing (it checks signatures too), and the pull stops before it.
    Refused,
}

/// Checks and opens envelopes from the relay. Anything not from a device of the team, or
/// altered, is refused, never applied; what a device of the team sealed so that it does not
/// open is reported apart, to be set aside.
pub(super) struct Opener {
    team: TeamId,
    keys: HashMap<u32, TeamKey>,
    /// Device keys as the team document records them (the pull reloads them once it has
    /// learnt the document).
    pub(super) devices: HashMap<String, [u8; 32]>,
    relay_devices: Option<HashMap<String, [u8; 32]>>,
    /// Key packages were fetched during this pull already (once is enough: it brings every
    /// newer epoch).
    refreshed: bool,
    /// For a team with a record, the verified record: the only word on who may write (the
    /// team document and the relay's list are not asked).
    record: Option<RecordState>,
    /// The record was synced again during this pull for an author it did not know yet.
    record_resynced: bool,
}

fn keys_by_epoch(v: &Vault) -> Result<HashMap<u32, TeamKey>, SyncError> {
    if v.current_team_key()?.is_none() {
        return Err(SyncError::NotInTeam);
    }
    Ok(v.team_keys()?.into_iter().map(|k| (k.epoch, k)).collect())
}

impl Opener {
    pub(super) fn new(v: &mut Vault) -> Result<Self, SyncError> {
        Ok(Self {
            team: v.wire_team()?,
            keys: keys_by_epoch(v)?,
            devices: v.team_device_keys()?,
            relay_devices: None,
            refreshed: false,
            record: v.team_record()?,
            record_resynced: false,
        })
    }

    /// Who `author` is at log position `at`, by the team record when the team has one.
    fn author(
        &mut self,
        vault: &SharedVault,
        link: &TeamLink,
        author: &DeviceId,
        at: u64,
    ) -> Result<Author, SyncError> {
        let Some(record) = &self.record else {
            return Ok(match self.author_key(link, author)? {
                Some(k) => Author::Allowed(k),
                None => Author::Unknown,
            });
        };
        let key = |r: &RecordState| {
            r.device(author)
                .and_then(|d| VerifyingKey::from_bytes(&d.key).ok())
        };
        match record.author_at_log(author, at) {
            AuthorVerdict::Allowed => Ok(key(record).map_or(Author::Unknown, Author::Allowed)),
            AuthorVerdict::AfterRemoval => Ok(key(record).map_or(Author::Unknown, Author::Removed)),
            AuthorVerdict::Unknown if !self.record_resynced => {
                // A device may have joined since this device last read the record.
                self.record_resynced = true;
                self.record = sync_record(vault, link)?;
                self.author(vault, link, author, at)
            }
            AuthorVerdict::Unknown => Ok(Author::Unknown),
        }
    }

    /// Whether log position `at` was written before a migrated team's record: history the
    /// record cannot vouch for is set aside there rather than stopping the pull (a new
    /// device could otherwise never get past what a relay slipped in before the record).
    fn before_record(&self, at: u64) -> bool {
        self.record
            .as_ref()
            .is_some_and(|r| at <= r.legacy_log_head())
    }

    /// Fetches this device's key packages (once per pull) and reloads the keys.
    pub(super) fn refresh_keys(
        &mut self,
        vault: &SharedVault,
        link: &TeamLink,
    ) -> Result<(), SyncError> {
        if self.refreshed {
            return Ok(());
        }
        self.refreshed = true;
        fetch_key_packages(vault, link)?;
        self.keys = keys_by_epoch(&vault.lock())?;
        Ok(())
    }

    /// When the relay says the team is at a newer epoch than this device holds.
    pub(super) fn note_epoch(
        &mut self,
        vault: &SharedVault,
        link: &TeamLink,
        epoch: Option<u32>,
    ) -> Result<(), SyncError> {
        match epoch {
            Some(e) if !self.keys.contains_key(&e) => self.refresh_keys(vault, link),
            _ => Ok(()),
        }
    }

    fn author_key(
        &mut self,
        link: &TeamLink,
        author: &DeviceId,
    ) -> Result<Option<VerifyingKey>, SyncError> {
        let hexid = author.to_hex();
        // The team document (written by members, sealed) is trusted over the relay's list;
        // a device that just joined is not in it yet, so the relay's list fills the gap
        // (the relay still cannot forge what the team key seals).
        let raw = match self.devices.get(&hexid) {
            Some(k) => Some(*k),
            None => {
                if self.relay_devices.is_none() {
                    let list = link.client.devices(link.team)?;
                    self.relay_devices = Some(relay_keys(&list));
                }
                self.relay_devices
                    .as_ref()
                    .and_then(|m| m.get(&hexid).copied())
            }
        };
        Ok(raw.and_then(|k| VerifyingKey::from_bytes(&k).ok()))
    }

    /// Whether `bytes` are an envelope of this team, unaltered, signed by a device the team
    /// document records (not only the relay's list): one the relay could not have made.
    pub(super) fn is_genuine(&mut self, bytes: &[u8]) -> bool {
        let Ok(unchecked) = UncheckedEnvelope::parse(bytes.to_vec()) else {
            return false;
        };
        let h = *unchecked.header();
        let known = match &self.record {
            Some(r) => r.device(&h.author).map(|d| d.key),
            None => self.devices.get(&h.author.to_hex()).copied(),
        };
        let Some(key) = known.and_then(|k| VerifyingKey::from_bytes(&k).ok()) else {
            return false;
        };
        h.team == self.team && unchecked.verify(&key).is_ok()
    }

    /// The key epochs this device holds.
    pub(super) fn epochs(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    /// Checks and opens the envelope at log position `at`.
    pub(super) fn open_parsed(
        &mut self,
        vault: &SharedVault,
        link: &TeamLink,
        unchecked: UncheckedEnvelope,
        at: u64,
    ) -> Result<Checked, SyncError> {
        let h = *unchecked.header();
        if h.team != self.team {
            return Ok(Checked::Refused);
        }
        let author = match self.author(vault, link, &h.author, at)? {
            Author::Allowed(k) => k,
            Author::Removed(k) => {
                // Signed by a device after the record removed it: an honest one can only be
                // a push that raced the removal; kept aside, never applied.
                return Ok(match unchecked.verify(&k) {
                    Ok(sealed) => Checked::Unreadable {
                        reason: SetAsideReason::AfterRemoval,
                        envelope: sealed.into_bytes(),
                    },
                    Err(_) => Checked::Refused,
                });
            }
            Author::Unknown if self.before_record(at) => {
                return Ok(Checked::Unreadable {
                    reason: SetAsideReason::LegacyUnverified,
                    envelope: unchecked.into_bytes(),
                })
            }
            Author::Unknown => return Ok(Checked::Refused),
        };
        let sealed = match unchecked.verify_or_keep(&author) {
            Ok(sealed) => sealed,
            Err((_, kept)) if self.before_record(at) => {
                return Ok(Checked::Unreadable {
                    reason: SetAsideReason::LegacyUnverified,
                    envelope: kept.into_bytes(),
                })
            }
            Err(_) => return Ok(Checked::Refused),
        };
        // Only a device the team document records can have something set aside: one only the
        // relay lists (the relay could have made it up) is refused when it does not open. A
        // device that has not learnt the team document yet (early in its first sync) cannot
        // tell, and must not be stopped by a member's envelope: it sets aside.
        let of_the_team = self.record.is_some()
            || self.devices.is_empty()
            || self.devices.contains_key(&h.author.to_hex());
        if !self.keys.contains_key(&h.epoch) {
            self.refresh_keys(vault, link)?;
        }
        let Some(key) = self.keys.get(&h.epoch) else {
            if !of_the_team {
                return Ok(Checked::Refused);
            }
            return Ok(Checked::Unreadable {
                reason: SetAsideReason::UnknownEpoch,
                envelope: sealed.into_bytes(),
            });
        };
        Ok(match sealed.open(key) {
            Ok(plain) => Checked::Opened(plain),
            Err(_) if !of_the_team => Checked::Refused,
            Err(_) => Checked::Unreadable {
                reason: SetAsideReason::DoesNotOpen,
                envelope: sealed.into_bytes(),
            },
        })
    }
}
