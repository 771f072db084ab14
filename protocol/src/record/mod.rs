//! The team record: a hash-chained, append-only log of signed membership entries.
//!
//! Every device verifies the whole record from its founding entry (seq 0) to its head, and
//! decides from it alone who is in the team, with which role and key, which key epochs exist
//! and which invites may still be redeemed. The relay stores the record and runs the same
//! rules before it accepts an entry, but nothing it says is trusted by a device: every entry
//! is signed by its author, and each names the hash of the one before it.
//!
//! - [`UncheckedEntry`]: an entry parsed from its bytes (layout below), nothing verified yet;
//!   [`NewEntry::sign`] builds one.
//! - [`RecordState`]: the verified state after some entry; [`RecordState::apply`] is the whole
//!   rule book and takes one more entry or refuses it, leaving the state as it was.
//! - [`entry_hash`], [`key_commitment`], [`invite_signing_key`], [`join_proof`]: the hashes and
//!   keys the entries refer to.
//!
//! Binary layout of an entry (big-endian integers):
//! ```text
//! 0    magic "TNR1"                    4
//! 4    kind                            1
//! 5    team id                         16
//! 21   seq                             8    0 for the founding entry, then +1 each
//! 29   prev                            32   entry_hash of entry seq-1; zeros at seq 0
//! 61   author device id                16
//! 77   time_ms (the author's clock)    8    shown, never used to order
//! 85   body length n                   4    n ≤ 64 KiB
//! 89   body                            n    by kind, see EntryBody
//! 89+n signature                       64   Ed25519 (verify_strict) by the author over
//!                                           "tandem record v1\0" ‖ bytes 0..89+n
//! ```
//! Lists in bodies are sorted ascending without duplicates, so every entry has exactly one
//! encoding; [`UncheckedEntry::parse`] refuses anything else, and trailing bytes.

mod crypto;
mod encode;
mod serde_hex;
mod state;

pub use crypto::{entry_hash, invite_id, invite_signing_key, join_proof, key_commitment};
pub use encode::{BODY_AT, MAX_BODY_LEN, MAX_ENTRY_LEN, SIGNATURE_LEN};
pub use state::{
    Applied, AuthorVerdict, DeviceState, EpochState, InviteState, RecordState, MAX_INVITE_MS,
    MAX_OPEN_INVITES,
};

use crate::api::DeviceRole;
use crate::ids::{DeviceId, DocId, TeamId};

/// The kind of an entry (its byte on the wire is the discriminant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    /// 0: seq 0, the team's first devices and key epochs.
    Founding,
    /// 1: an active device made an invite.
    InviteCreated,
    /// 2: an invite was withdrawn before use.
    InviteRevoked,
    /// 3: a new device redeemed an invite (signed by the new device).
    DeviceJoined,
    /// 4: an admin changed a device's role.
    RoleChanged,
    /// 5: a device was removed (by an admin, or by itself when leaving).
    DeviceRemoved,
    /// 6: an admin made the next key epoch, for exactly the active devices.
    KeyEpoch,
    /// 7: an admin erased a document at a person's request.
    DocErased,
    /// 8: an admin says the relay was restored from a backup.
    RelayRestored,
    /// 9: an admin resolved a fork of the record.
    ForkResolved,
}

impl EntryKind {
    /// Every kind, in wire order.
    pub const ALL: [Self; 10] = [
        Self::Founding,
        Self::InviteCreated,
        Self::InviteRevoked,
        Self::DeviceJoined,
        Self::RoleChanged,
        Self::DeviceRemoved,
        Self::KeyEpoch,
        Self::DocErased,
        Self::RelayRestored,
        Self::ForkResolved,
    ];

    /// The kind's byte on the wire.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The kind with this byte, if any.
    pub fn from_u8(b: u8) -> Option<Self> {
        Self::ALL.get(usize::from(b)).copied()
    }
}

/// How a team's record began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// 0: a team created with its record.
    New,
    /// 1: a team from before the record, migrated by an admin.
    Migrated,
}

/// A device listed in the founding entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundingDevice {
    /// Its id.
    pub device: DeviceId,
    /// Its Ed25519 public key.
    pub key: [u8; 32],
    /// Its role.
    pub role: DeviceRole,
    /// Listed as removed (a migrated team's left-out device, kept so that what it wrote before
    /// stays verifiable).
    pub removed: bool,
    /// The person it belongs to (the team document's member id).
    pub member: [u8; 16],
}

/// The body of an entry, by kind. Fields are in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryBody {
    /// `origin u8 ‖ u16 count × (device 16 ‖ key 32 ‖ role u8 ‖ state u8 ‖ member 16) ‖
    /// u16 count × (epoch u32 ‖ commitment 32) ‖ legacy_log_head u64`; devices sorted by id,
    /// epochs by number.
    Founding {
        /// New or migrated.
        origin: Origin,
        /// The devices (sorted by id).
        devices: Vec<FoundingDevice>,
        /// `(epoch, key_commitment)` of every key epoch (sorted by epoch).
        epochs: Vec<(u32, [u8; 32])>,
        /// The relay log position the migration covered (0 for a new team).
        legacy_log_head: u64,
    },
    /// `invite_id 16 ‖ invite_key 32 ‖ expires_at_ms u64`.
    InviteCreated {
        /// [`invite_id`] of the invite token's hash.
        invite_id: [u8; 16],
        /// The public half of [`invite_signing_key`].
        invite_key: [u8; 32],
        /// When it expires (Unix ms, at most 7 days after the entry's time).
        expires_at_ms: u64,
    },
    /// `invite_id 16`.
    InviteRevoked {
        /// The invite withdrawn.
        invite_id: [u8; 16],
    },
    /// `invite_id 16 ‖ device_key 32 ‖ member 16 ‖ has_epochs_to u32 ‖ invite_proof 64`.
    DeviceJoined {
        /// The invite redeemed.
        invite_id: [u8; 16],
        /// The new device's Ed25519 public key (it signs this entry).
        device_key: [u8; 32],
        /// The person it belongs to.
        member: [u8; 16],
        /// The newest key epoch the invite carried: must be the record's current one.
        has_epochs_to: u32,
        /// [`join_proof`]: the invite key's signature, proving the code was known.
        invite_proof: [u8; 64],
    },
    /// `device 16 ‖ role u8`.
    RoleChanged {
        /// The device.
        device: DeviceId,
        /// Its new role.
        role: DeviceRole,
    },
    /// `device 16 ‖ cutoff_log_seq u64 ‖ cascade_since u64`.
    DeviceRemoved {
        /// The device removed.
        device: DeviceId,
        /// Its envelopes at relay log positions after this one are not applied.
        cutoff_log_seq: u64,
        /// Also remove devices that joined, at this record seq or later, with an invite made
        /// by a removed device; `u64::MAX` for none.
        cascade_since: u64,
    },
    /// `epoch u32 ‖ commitment 32 ‖ u16 count × device 16` (recipients sorted).
    KeyEpoch {
        /// The new epoch: the current one plus one.
        epoch: u32,
        /// [`key_commitment`] of its key.
        commitment: [u8; 32],
        /// Exactly the active devices (sorted).
        recipients: Vec<DeviceId>,
    },
    /// `doc 16`.
    DocErased {
        /// The document (never the team document).
        doc: DocId,
    },
    /// `log_head u64 ‖ log_chain 32`.
    RelayRestored {
        /// The relay log's head after the restore.
        log_head: u64,
        /// Its log chain there.
        log_chain: [u8; 32],
    },
    /// `fork_seq u64 ‖ u8 count × tag 16` (tags sorted).
    ForkResolved {
        /// Where the branches part.
        fork_seq: u64,
        /// Record tags of the abandoned entries at `fork_seq` (sorted).
        abandoned: Vec<[u8; 16]>,
    },
}

impl EntryBody {
    /// This body's kind.
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::Founding { .. } => EntryKind::Founding,
            Self::InviteCreated { .. } => EntryKind::InviteCreated,
            Self::InviteRevoked { .. } => EntryKind::InviteRevoked,
            Self::DeviceJoined { .. } => EntryKind::DeviceJoined,
            Self::RoleChanged { .. } => EntryKind::RoleChanged,
            Self::DeviceRemoved { .. } => EntryKind::DeviceRemoved,
            Self::KeyEpoch { .. } => EntryKind::KeyEpoch,
            Self::DocErased { .. } => EntryKind::DocErased,
            Self::RelayRestored { .. } => EntryKind::RelayRestored,
            Self::ForkResolved { .. } => EntryKind::ForkResolved,
        }
    }
}

/// The fixed part of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryHeader {
    /// The body's kind.
    pub kind: EntryKind,
    /// The team.
    pub team: TeamId,
    /// Its position: 0 for the founding entry, then +1 each.
    pub seq: u64,
    /// [`entry_hash`] of the entry at `seq - 1`; zeros at seq 0.
    pub prev: [u8; 32],
    /// The device that signed it.
    pub author: DeviceId,
    /// The author's clock (Unix ms): shown, and the time an invite's expiry is judged by.
    pub time_ms: u64,
}

/// An entry parsed from its bytes; nothing in it is verified yet (that is
/// [`RecordState::apply`]'s job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedEntry {
    header: EntryHeader,
    body: EntryBody,
    bytes: Vec<u8>,
    /// Set only by [`NewEntry::sign`] for an entry the layout cannot carry: every check refuses
    /// it as malformed.
    unfit: Option<&'static str>,
}

impl UncheckedEntry {
    /// The header.
    pub fn header(&self) -> &EntryHeader {
        &self.header
    }

    /// The body.
    pub fn body(&self) -> &EntryBody {
        &self.body
    }

    /// The encoded entry.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its [`entry_hash`] (what the next entry's `prev` names).
    pub fn hash(&self) -> [u8; 32] {
        entry_hash(&self.bytes)
    }
}

/// An entry to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// The team.
    pub team: TeamId,
    /// Its position (the record's head seq plus one; 0 to found).
    pub seq: u64,
    /// The head's [`entry_hash`] (zeros to found).
    pub prev: [u8; 32],
    /// The signing device (for a join, the new device).
    pub author: DeviceId,
    /// The author's clock (Unix ms).
    pub time_ms: u64,
    /// The body; its lists need not be sorted.
    pub body: EntryBody,
}

/// Why an entry is refused. [`RecordError::code`] is the stable name the relay sends back
/// (`record_refused`) and devices show.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The bytes are not a well-formed entry (the reason says which part).
    #[error("malformed record entry: {0}")]
    Malformed(&'static str),
    /// The entry is for another team.
    #[error("the entry is for another team")]
    WrongTeam,
    /// The entry is not the next one.
    #[error("entry out of order: expected seq {expected}, got {got}")]
    OutOfOrder {
        /// The seq the record expects next.
        expected: u64,
        /// The entry's seq.
        got: u64,
    },
    /// `prev` is not the hash of the record's head.
    #[error("the entry does not follow the record's head")]
    BadPrev,
    /// The author is not in the record.
    #[error("the author is not in the record")]
    UnknownAuthor,
    /// The signature does not verify with the author's key.
    #[error("bad entry signature")]
    BadSignature,
    /// The author was removed from the team.
    #[error("the author was removed from the team")]
    InactiveAuthor,
    /// The author's role may not do this (the reason says what).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// The founding entry breaks a founding rule (the reason says which).
    #[error("bad founding entry: {0}")]
    BadFounding(&'static str),
    /// A key in the entry is not a usable Ed25519 public key.
    #[error("not a usable Ed25519 public key")]
    BadKey,
    /// The device the entry is about is not in the record.
    #[error("no such device in the record")]
    UnknownDevice,
    /// The device the entry is about was removed already.
    #[error("the device was removed already")]
    DeviceNotActive,
    /// A joining device's id is in the record already.
    #[error("the device is in the record already")]
    DeviceExists,
    /// The device has that role already.
    #[error("the device has that role already")]
    RoleUnchanged,
    /// No such invite in the record.
    #[error("no such invite in the record")]
    UnknownInvite,
    /// An invite with this id is in the record already.
    #[error("an invite with this id exists")]
    InviteExists,
    /// The invite's expiry is more than 7 days after its making.
    #[error("an invite lasts at most 7 days")]
    InviteTooLong,
    /// The invite was used.
    #[error("the invite was used")]
    InviteUsed,
    /// The invite was revoked.
    #[error("the invite was revoked")]
    InviteRevoked,
    /// The device that made the invite is no longer active.
    #[error("the invite's maker was removed")]
    InviteMakerRemoved,
    /// The join is dated after the invite's expiry.
    #[error("the invite has expired")]
    InviteExpired,
    /// The invite carries keys up to an older epoch than the record's current one.
    #[error("the invite was made before the latest key epoch")]
    StaleInvite,
    /// The join proof does not verify with the invite's key.
    #[error("the join proof does not verify with the invite's key")]
    BadInviteProof,
    /// The change would leave the team without an active admin.
    #[error("the team's last admin cannot be removed or demoted")]
    LastAdmin,
    /// A key epoch's recipients are not exactly the active devices.
    #[error("the key epoch's recipients are not exactly the active devices")]
    WrongRecipients,
    /// A key epoch's number is not the current one plus one.
    #[error("the key epoch is not the next one")]
    WrongEpoch,
    /// The team document is never erased.
    #[error("the team document is never erased")]
    TeamDocNotErasable,
    /// The document was erased already.
    #[error("the document was erased already")]
    AlreadyErased,
}

impl RecordError {
    /// A stable snake_case name for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::WrongTeam => "wrong_team",
            Self::OutOfOrder { .. } => "out_of_order",
            Self::BadPrev => "bad_prev",
            Self::UnknownAuthor => "unknown_author",
            Self::BadSignature => "bad_signature",
            Self::InactiveAuthor => "inactive_author",
            Self::NotAllowed(_) => "not_allowed",
            Self::BadFounding(_) => "bad_founding",
            Self::BadKey => "bad_key",
            Self::UnknownDevice => "unknown_device",
            Self::DeviceNotActive => "device_not_active",
            Self::DeviceExists => "device_exists",
            Self::RoleUnchanged => "role_unchanged",
            Self::UnknownInvite => "unknown_invite",
            Self::InviteExists => "invite_exists",
            Self::InviteTooLong => "invite_too_long",
            Self::InviteUsed => "invite_used",
            Self::InviteRevoked => "invite_revoked",
            Self::InviteMakerRemoved => "invite_maker_removed",
            Self::InviteExpired => "invite_expired",
            Self::StaleInvite => "stale_invite",
            Self::BadInviteProof => "bad_invite_proof",
            Self::LastAdmin => "last_admin",
            Self::WrongRecipients => "wrong_recipients",
            Self::WrongEpoch => "wrong_epoch",
            Self::TeamDocNotErasable => "team_doc_not_erasable",
            Self::AlreadyErased => "already_erased",
        }
    }
}

#[cfg(test)]
mod tests;
