//! [`RecordState`]: the verified record, and [`RecordState::apply`], the whole rule book.

use super::crypto::{join_message, usable_key, verifies};
use super::serde_hex;
use super::{EntryBody, EntryKind, Origin, RecordError, UncheckedEntry};
use crate::api::DeviceRole;
use crate::ids::{DeviceId, DocId, TeamId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest an invite may last: its expiry is at most this long after the entry's time.
pub const MAX_INVITE_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// Invites one device may have open (unused, unrevoked, unexpired by the new entry's date)
/// at once: a member cannot grow the record without end. (The relay also refuses entries
/// dated more than a day from its clock, so old invites cannot be made to look expired.)
pub const MAX_OPEN_INVITES: usize = 16;

/// A device as the record knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    /// Its Ed25519 public key.
    #[serde(with = "serde_hex::array")]
    pub key: [u8; 32],
    /// Its role.
    pub role: DeviceRole,
    /// The person it belongs to.
    #[serde(with = "serde_hex::array")]
    pub member: [u8; 16],
    /// The seq of the entry that brought it in (0 for the founding devices).
    pub joined_at_seq: u64,
    /// The seq of the entry that removed it, if one did (0 for a device the founding entry
    /// lists as removed).
    pub removed_at_seq: Option<u64>,
    /// The last relay log position at which its envelopes are applied, once removed (for a
    /// device the founding entry lists as removed: the founding entry's `legacy_log_head`).
    pub cutoff_log_seq: Option<u64>,
    /// The invite it joined with (none for the founding devices).
    #[serde(with = "serde_hex::option")]
    pub via_invite: Option<[u8; 16]>,
}

impl DeviceState {
    /// Not removed.
    pub fn is_active(&self) -> bool {
        self.removed_at_seq.is_none()
    }
}

/// An invite as the record knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteState {
    /// The device that made it.
    pub maker: DeviceId,
    /// The public invite key ([`super::invite_signing_key`]'s public half).
    #[serde(with = "serde_hex::array")]
    pub key: [u8; 32],
    /// When it expires (Unix ms).
    pub expires_at_ms: u64,
    /// The seq of its `InviteCreated` entry.
    pub created_at_seq: u64,
    /// The device that joined with it, once used.
    pub used_by: Option<DeviceId>,
    /// Revoked before use.
    pub revoked: bool,
}

/// A key epoch as the record knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochState {
    /// Its number (from 1).
    pub epoch: u32,
    /// [`super::key_commitment`] of its key.
    #[serde(with = "serde_hex::array")]
    pub commitment: [u8; 32],
    /// The devices it was made for (for the founding entry's epochs: the devices it lists as
    /// active).
    pub recipients: Vec<DeviceId>,
    /// The seq of the entry that made it (0 for the founding entry's).
    pub at_seq: u64,
    /// The device that made it.
    pub author: DeviceId,
}

/// May an envelope by this device be applied (see [`RecordState::author_at_log`])?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorVerdict {
    /// Yes.
    Allowed,
    /// No: the device was removed, and the envelope is at a relay log position after the
    /// removal's cutoff (set aside, not applied).
    AfterRemoval,
    /// No: the record does not know the device.
    Unknown,
}

/// What an applied entry changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The entry's seq.
    pub seq: u64,
    /// Its kind.
    pub kind: EntryKind,
    /// The device that joined.
    pub joined: Option<DeviceId>,
    /// The devices removed: the one named first, then those the cascade took (sorted); for a
    /// founding entry, the devices it lists as removed.
    pub removed: Vec<DeviceId>,
    /// A device's new role.
    pub role_changed: Option<(DeviceId, DeviceRole)>,
    /// The key epoch made.
    pub new_epoch: Option<u32>,
    /// The document erased.
    pub erased: Option<DocId>,
    /// The invite made.
    pub invite_created: Option<[u8; 16]>,
    /// The invite used by the join.
    pub invite_used: Option<[u8; 16]>,
    /// The invite revoked.
    pub invite_revoked: Option<[u8; 16]>,
}

impl Applied {
    fn new(seq: u64, kind: EntryKind) -> Self {
        Self {
            seq,
            kind,
            joined: None,
            removed: Vec::new(),
            role_changed: None,
            new_epoch: None,
            erased: None,
            invite_created: None,
            invite_used: None,
            invite_revoked: None,
        }
    }
}

/// The verified record: who is in the team, with which role and key, which key epochs and
/// invites exist. Built by [`RecordState::found`] (or [`RecordState::verify_all`]) and moved
/// forward only by [`RecordState::apply`]. Serializable so that a device stores it and never
/// replays the record on unlocking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordState {
    team: TeamId,
    seq: u64,
    #[serde(with = "serde_hex::array")]
    head: [u8; 32],
    #[serde(with = "serde_hex::list")]
    tags: Vec<[u8; 16]>,
    devices: BTreeMap<DeviceId, DeviceState>,
    #[serde(with = "serde_hex::keyed")]
    invites: BTreeMap<[u8; 16], InviteState>,
    epochs: Vec<EpochState>,
    rotation_due: bool,
    erased: BTreeSet<DocId>,
    /// For a migrated team, the log position its founding entry covered (0 otherwise).
    #[serde(default)]
    legacy_log_head: u64,
}

/// What an entry will change, decided before anything is changed (so that `apply` is all or
/// nothing).
enum Change {
    Invite([u8; 16], InviteState),
    Revoke([u8; 16]),
    Join(DeviceId, DeviceState),
    Role(DeviceId, DeviceRole),
    Remove(Vec<DeviceId>, u64),
    Epoch(EpochState),
    Erase(DocId),
    Nothing,
}

fn tag_of(hash: &[u8; 32]) -> [u8; 16] {
    let mut tag = [0u8; 16];
    tag.copy_from_slice(&hash[..16]);
    tag
}

fn check_signature(entry: &UncheckedEntry, key: &[u8; 32]) -> Result<(), RecordError> {
    if verifies(key, &entry.signed_message(), &entry.signature()) {
        Ok(())
    } else {
        Err(RecordError::BadSignature)
    }
}

impl RecordState {
    /// Verifies a founding entry (seq 0) and starts the record with it.
    ///
    /// Rules: seq 0 and `prev` zeros; the author is listed as an active admin, and its listed
    /// key verifies the signature; every listed key is a usable Ed25519 key; for
    /// [`Origin::New`], exactly the author and epoch 1, and `legacy_log_head` 0; for
    /// [`Origin::Migrated`], epochs 1…N without a gap.
    pub fn found(team: TeamId, entry: &UncheckedEntry) -> Result<(Self, Applied), RecordError> {
        if let Some(why) = entry.unfit() {
            return Err(RecordError::Malformed(why));
        }
        let h = entry.header();
        if h.team != team {
            return Err(RecordError::WrongTeam);
        }
        if h.seq != 0 {
            return Err(RecordError::OutOfOrder {
                expected: 0,
                got: h.seq,
            });
        }
        if h.prev != [0; 32] {
            return Err(RecordError::BadPrev);
        }
        let EntryBody::Founding {
            origin,
            devices,
            epochs,
            legacy_log_head,
        } = entry.body()
        else {
            return Err(RecordError::BadFounding("seq 0 is not a founding entry"));
        };
        let Some(founder) = devices.iter().find(|d| d.device == h.author) else {
            return Err(RecordError::UnknownAuthor);
        };
        check_signature(entry, &founder.key)?;
        if founder.removed || founder.role != DeviceRole::Admin {
            return Err(RecordError::BadFounding(
                "the author is not listed as an active admin",
            ));
        }
        if devices.iter().any(|d| usable_key(&d.key).is_none()) {
            return Err(RecordError::BadKey);
        }
        match origin {
            Origin::New => {
                if devices.len() != 1 {
                    return Err(RecordError::BadFounding(
                        "a new team starts with its founder alone",
                    ));
                }
                if epochs.len() != 1 || epochs[0].0 != 1 {
                    return Err(RecordError::BadFounding("a new team starts at epoch 1"));
                }
                if *legacy_log_head != 0 {
                    return Err(RecordError::BadFounding(
                        "a new team has no legacy log head",
                    ));
                }
            }
            Origin::Migrated => {
                // Sorted without duplicates (parse), so starting at 1 and ending at the count
                // means 1…N without a gap.
                let contiguous = epochs.first().is_some_and(|e| e.0 == 1)
                    && epochs.last().is_some_and(|e| e.0 as usize == epochs.len());
                if !contiguous {
                    return Err(RecordError::BadFounding(
                        "a migrated team's epochs are 1…N without a gap",
                    ));
                }
            }
        }
        let mut applied = Applied::new(0, EntryKind::Founding);
        let mut states = BTreeMap::new();
        for d in devices {
            if d.removed {
                applied.removed.push(d.device);
            }
            states.insert(
                d.device,
                DeviceState {
                    key: d.key,
                    role: d.role,
                    member: d.member,
                    joined_at_seq: 0,
                    removed_at_seq: d.removed.then_some(0),
                    cutoff_log_seq: d.removed.then_some(*legacy_log_head),
                    via_invite: None,
                },
            );
        }
        let recipients: Vec<DeviceId> = devices
            .iter()
            .filter(|d| !d.removed)
            .map(|d| d.device)
            .collect();
        let epochs = epochs
            .iter()
            .map(|(epoch, commitment)| EpochState {
                epoch: *epoch,
                commitment: *commitment,
                recipients: recipients.clone(),
                at_seq: 0,
                author: h.author,
            })
            .collect::<Vec<_>>();
        applied.new_epoch = epochs.last().map(|e| e.epoch);
        let head = entry.hash();
        let state = Self {
            team,
            seq: 0,
            head,
            tags: vec![tag_of(&head)],
            devices: states,
            invites: BTreeMap::new(),
            epochs,
            rotation_due: false,
            erased: BTreeSet::new(),
            legacy_log_head: *legacy_log_head,
        };
        Ok((state, applied))
    }

    /// Verifies the next entry and applies it; on any error the state is left exactly as it
    /// was.
    ///
    /// In order, stopping at the first failure: the team; `seq` is the head's plus one and
    /// `prev` the head's hash; the author's key (the record's, or `device_key` for a join);
    /// `verify_strict` of the signature; the kind's rules; then the update.
    pub fn apply(&mut self, entry: &UncheckedEntry) -> Result<Applied, RecordError> {
        let change = self.judge(entry)?;
        Ok(self.commit(entry, change))
    }

    /// Verifies a whole record from seq 0. The error says at which seq (the entry's position)
    /// it failed.
    pub fn verify_all<'a>(
        team: TeamId,
        entries: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, (u64, RecordError)> {
        let mut state: Option<Self> = None;
        for (at, bytes) in (0u64..).zip(entries) {
            let entry = UncheckedEntry::parse(bytes).map_err(|e| (at, e))?;
            match &mut state {
                None => state = Some(Self::found(team, &entry).map_err(|e| (at, e))?.0),
                Some(s) => {
                    s.apply(&entry).map_err(|e| (at, e))?;
                }
            }
        }
        state.ok_or((0, RecordError::Malformed("an empty record")))
    }

    fn judge(&self, entry: &UncheckedEntry) -> Result<Change, RecordError> {
        if let Some(why) = entry.unfit() {
            return Err(RecordError::Malformed(why));
        }
        let h = entry.header();
        if h.team != self.team {
            return Err(RecordError::WrongTeam);
        }
        let expected = self.seq.saturating_add(1);
        if h.seq != expected {
            return Err(RecordError::OutOfOrder {
                expected,
                got: h.seq,
            });
        }
        if h.prev != self.head {
            return Err(RecordError::BadPrev);
        }
        let author = self.devices.get(&h.author);
        let key = match entry.body() {
            EntryBody::DeviceJoined { device_key, .. } => *device_key,
            _ => author.ok_or(RecordError::UnknownAuthor)?.key,
        };
        check_signature(entry, &key)?;
        if let EntryBody::DeviceJoined {
            invite_id,
            device_key,
            member,
            has_epochs_to,
            invite_proof,
        } = entry.body()
        {
            if author.is_some() {
                return Err(RecordError::DeviceExists);
            }
            let invite = self
                .invites
                .get(invite_id)
                .ok_or(RecordError::UnknownInvite)?;
            let proof = join_message(self.team, h.seq, &h.prev, h.author, device_key, member);
            if !verifies(&invite.key, &proof, invite_proof) {
                return Err(RecordError::BadInviteProof);
            }
            if invite.revoked {
                return Err(RecordError::InviteRevoked);
            }
            if invite.used_by.is_some() {
                return Err(RecordError::InviteUsed);
            }
            if !self.is_active(&invite.maker) {
                return Err(RecordError::InviteMakerRemoved);
            }
            if h.time_ms > invite.expires_at_ms {
                return Err(RecordError::InviteExpired);
            }
            if *has_epochs_to != self.current_epoch() {
                return Err(RecordError::StaleInvite);
            }
            return Ok(Change::Join(
                h.author,
                DeviceState {
                    key: *device_key,
                    role: DeviceRole::Member,
                    member: *member,
                    joined_at_seq: h.seq,
                    removed_at_seq: None,
                    cutoff_log_seq: None,
                    via_invite: Some(*invite_id),
                },
            ));
        }
        // Every other kind: an author active by the state before the entry.
        let author = author.ok_or(RecordError::UnknownAuthor)?;
        if !author.is_active() {
            return Err(RecordError::InactiveAuthor);
        }
        let admin = author.role == DeviceRole::Admin;
        let need_admin = |what: &'static str| {
            if admin {
                Ok(())
            } else {
                Err(RecordError::NotAllowed(what))
            }
        };
        match entry.body() {
            EntryBody::Founding { .. } => {
                Err(RecordError::NotAllowed("a founding entry only at seq 0"))
            }
            EntryBody::DeviceJoined { .. } => Err(RecordError::Malformed("unreachable")),
            EntryBody::InviteCreated {
                invite_id,
                invite_key,
                expires_at_ms,
            } => {
                if self.invites.contains_key(invite_id) {
                    return Err(RecordError::InviteExists);
                }
                let open = self
                    .invites
                    .values()
                    .filter(|i| {
                        i.maker == h.author
                            && i.used_by.is_none()
                            && !i.revoked
                            && i.expires_at_ms > h.time_ms
                    })
                    .count();
                if open >= MAX_OPEN_INVITES {
                    return Err(RecordError::NotAllowed(
                        "a device has this many invites open at most",
                    ));
                }
                if *expires_at_ms > h.time_ms.saturating_add(MAX_INVITE_MS) {
                    return Err(RecordError::InviteTooLong);
                }
                if usable_key(invite_key).is_none() {
                    return Err(RecordError::BadKey);
                }
                Ok(Change::Invite(
                    *invite_id,
                    InviteState {
                        maker: h.author,
                        key: *invite_key,
                        expires_at_ms: *expires_at_ms,
                        created_at_seq: h.seq,
                        used_by: None,
                        revoked: false,
                    },
                ))
            }
            EntryBody::InviteRevoked { invite_id } => {
                let invite = self
                    .invites
                    .get(invite_id)
                    .ok_or(RecordError::UnknownInvite)?;
                if invite.maker != h.author && !admin {
                    return Err(RecordError::NotAllowed(
                        "only its maker or an admin may revoke an invite",
                    ));
                }
                if invite.used_by.is_some() {
                    return Err(RecordError::InviteUsed);
                }
                if invite.revoked {
                    return Err(RecordError::InviteRevoked);
                }
                Ok(Change::Revoke(*invite_id))
            }
            EntryBody::RoleChanged { device, role } => {
                need_admin("only an admin may change a role")?;
                let target = self.active_target(device)?;
                if target.role == *role {
                    return Err(RecordError::RoleUnchanged);
                }
                if target.role == DeviceRole::Admin && self.active_admins() == 1 {
                    return Err(RecordError::LastAdmin);
                }
                Ok(Change::Role(*device, *role))
            }
            EntryBody::DeviceRemoved {
                device,
                cutoff_log_seq,
                cascade_since,
            } => {
                if *device != h.author {
                    need_admin("only an admin or the device itself may remove a device")?;
                }
                if *cascade_since != u64::MAX {
                    need_admin("only an admin may remove with a cascade")?;
                }
                self.active_target(device)?;
                let gone = self.cascade(*device, *cascade_since);
                let admins_left = self
                    .active()
                    .filter(|(id, d)| d.role == DeviceRole::Admin && !gone.contains(id))
                    .count();
                if admins_left == 0 {
                    return Err(RecordError::LastAdmin);
                }
                Ok(Change::Remove(gone, *cutoff_log_seq))
            }
            EntryBody::KeyEpoch {
                epoch,
                commitment,
                recipients,
            } => {
                need_admin("only an admin may make a key epoch")?;
                if Some(*epoch) != self.current_epoch().checked_add(1) {
                    return Err(RecordError::WrongEpoch);
                }
                // Both sorted by id: equal lists are equal sets.
                if !recipients.iter().eq(self.active().map(|(id, _)| id)) {
                    return Err(RecordError::WrongRecipients);
                }
                Ok(Change::Epoch(EpochState {
                    epoch: *epoch,
                    commitment: *commitment,
                    recipients: recipients.clone(),
                    at_seq: h.seq,
                    author: h.author,
                }))
            }
            EntryBody::DocErased { doc } => {
                need_admin("only an admin may erase a document")?;
                if doc.0 == self.team.0 {
                    return Err(RecordError::TeamDocNotErasable);
                }
                if self.erased.contains(doc) {
                    return Err(RecordError::AlreadyErased);
                }
                Ok(Change::Erase(*doc))
            }
            EntryBody::RelayRestored { .. } => {
                need_admin("only an admin may say the relay was restored")?;
                Ok(Change::Nothing)
            }
            EntryBody::ForkResolved { fork_seq, .. } => {
                need_admin("only an admin may resolve a fork")?;
                if *fork_seq > h.seq {
                    return Err(RecordError::NotAllowed(
                        "a fork cannot be after its resolution",
                    ));
                }
                Ok(Change::Nothing)
            }
        }
    }

    /// The device named by an entry, which must be active.
    fn active_target(&self, device: &DeviceId) -> Result<&DeviceState, RecordError> {
        let target = self.devices.get(device).ok_or(RecordError::UnknownDevice)?;
        if !target.is_active() {
            return Err(RecordError::DeviceNotActive);
        }
        Ok(target)
    }

    /// The devices a removal of `device` takes: it first, then (sorted) every active device
    /// that joined at seq ≥ `since` with an invite made by a device removed in the same entry,
    /// transitively.
    fn cascade(&self, device: DeviceId, since: u64) -> Vec<DeviceId> {
        let mut gone = BTreeSet::from([device]);
        if since != u64::MAX {
            loop {
                let more: Vec<DeviceId> = self
                    .active()
                    .filter(|(id, d)| {
                        !gone.contains(*id)
                            && d.joined_at_seq >= since
                            && d.via_invite
                                .and_then(|i| self.invites.get(&i))
                                .is_some_and(|i| gone.contains(&i.maker))
                    })
                    .map(|(id, _)| *id)
                    .collect();
                if more.is_empty() {
                    break;
                }
                gone.extend(more);
            }
        }
        gone.remove(&device);
        let mut out = vec![device];
        out.extend(gone);
        out
    }

    fn commit(&mut self, entry: &UncheckedEntry, change: Change) -> Applied {
        let h = entry.header();
        let mut applied = Applied::new(h.seq, h.kind);
        match change {
            Change::Invite(id, invite) => {
                self.invites.insert(id, invite);
                applied.invite_created = Some(id);
            }
            Change::Revoke(id) => {
                if let Some(i) = self.invites.get_mut(&id) {
                    i.revoked = true;
                }
                applied.invite_revoked = Some(id);
            }
            Change::Join(device, state) => {
                if let Some(id) = state.via_invite {
                    if let Some(i) = self.invites.get_mut(&id) {
                        i.used_by = Some(device);
                    }
                    applied.invite_used = Some(id);
                }
                self.devices.insert(device, state);
                applied.joined = Some(device);
            }
            Change::Role(device, role) => {
                if let Some(d) = self.devices.get_mut(&device) {
                    d.role = role;
                }
                applied.role_changed = Some((device, role));
            }
            Change::Remove(gone, cutoff) => {
                for id in &gone {
                    if let Some(d) = self.devices.get_mut(id) {
                        d.removed_at_seq = Some(h.seq);
                        d.cutoff_log_seq = Some(cutoff);
                    }
                }
                self.rotation_due = true;
                applied.removed = gone;
            }
            Change::Epoch(epoch) => {
                applied.new_epoch = Some(epoch.epoch);
                self.epochs.push(epoch);
                self.rotation_due = false;
            }
            Change::Erase(doc) => {
                self.erased.insert(doc);
                applied.erased = Some(doc);
            }
            Change::Nothing => {}
        }
        self.seq = h.seq;
        self.head = entry.hash();
        self.tags.push(tag_of(&self.head));
        applied
    }

    fn is_active(&self, device: &DeviceId) -> bool {
        self.devices.get(device).is_some_and(DeviceState::is_active)
    }

    fn active_admins(&self) -> usize {
        self.active()
            .filter(|(_, d)| d.role == DeviceRole::Admin)
            .count()
    }

    /// The team.
    pub fn team(&self) -> TeamId {
        self.team
    }

    /// The seq of the head (the last entry applied).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The head's [`super::entry_hash`].
    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// The record tag (`entry_hash[..16]`) of the entry at `seq`, if applied.
    pub fn tag(&self, seq: u64) -> Option<[u8; 16]> {
        usize::try_from(seq)
            .ok()
            .and_then(|i| self.tags.get(i))
            .copied()
    }

    /// A device the record knows (active or removed).
    pub fn device(&self, d: &DeviceId) -> Option<&DeviceState> {
        self.devices.get(d)
    }

    /// Every device the record knows, sorted by id.
    pub fn devices(&self) -> impl Iterator<Item = (&DeviceId, &DeviceState)> {
        self.devices.iter()
    }

    /// The active devices, sorted by id.
    pub fn active(&self) -> impl Iterator<Item = (&DeviceId, &DeviceState)> {
        self.devices.iter().filter(|(_, d)| d.is_active())
    }

    /// Whether the device is active and an admin.
    pub fn is_active_admin(&self, d: &DeviceId) -> bool {
        self.devices
            .get(d)
            .is_some_and(|d| d.is_active() && d.role == DeviceRole::Admin)
    }

    /// The newest key epoch.
    pub fn current_epoch(&self) -> u32 {
        self.epochs.last().map_or(0, |e| e.epoch)
    }

    /// A key epoch the record made.
    pub fn epoch(&self, e: u32) -> Option<&EpochState> {
        self.epochs.iter().find(|s| s.epoch == e)
    }

    /// Every key epoch, oldest first.
    pub fn epochs(&self) -> &[EpochState] {
        &self.epochs
    }

    /// An invite the record knows.
    pub fn invite(&self, id: &[u8; 16]) -> Option<&InviteState> {
        self.invites.get(id)
    }

    /// A device was removed since the last key epoch: an admin owes the team a rotation.
    pub fn rotation_due(&self) -> bool {
        self.rotation_due
    }

    /// For a team from before the record (a migrated founding entry), the relay log
    /// position up to which its history was written before the record: what is there was
    /// not signed under the record's rules. 0 for a team that began with its record.
    pub fn legacy_log_head(&self) -> u64 {
        self.legacy_log_head
    }

    /// The record's fingerprint: twelve bytes of its founding entry's hash, as six groups
    /// of five digits. It never changes, and every device of the team shows the same one;
    /// two people comparing theirs find out whether someone else wrote the record they hold.
    pub fn fingerprint(&self) -> String {
        let tag = self.tags.first().copied().unwrap_or([0; 16]);
        tag[..12]
            .chunks(2)
            .map(|pair| format!("{:05}", u16::from_be_bytes([pair[0], pair[1]])))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether the document was erased.
    pub fn is_erased(&self, doc: &DocId) -> bool {
        self.erased.contains(doc)
    }

    /// May an envelope by `device` at relay log position `log_seq` be applied? Active:
    /// [`AuthorVerdict::Allowed`]; removed with cutoff `c`: allowed if `log_seq <= c`, else
    /// [`AuthorVerdict::AfterRemoval`]; not in the record: [`AuthorVerdict::Unknown`].
    pub fn author_at_log(&self, device: &DeviceId, log_seq: u64) -> AuthorVerdict {
        match self.devices.get(device) {
            None => AuthorVerdict::Unknown,
            Some(d) if d.is_active() => AuthorVerdict::Allowed,
            Some(d) => match d.cutoff_log_seq {
                Some(c) if log_seq <= c => AuthorVerdict::Allowed,
                _ => AuthorVerdict::AfterRemoval,
            },
        }
    }

    /// Whether `key` is the key the record committed to for `epoch`: a key from anywhere (a
    /// key package, an invite) may be taken only if this holds.
    pub fn key_matches(&self, epoch: u32, key: &[u8; 32]) -> bool {
        self.epoch(epoch)
            .is_some_and(|e| e.commitment == super::key_commitment(self.team, epoch, key))
    }
}
