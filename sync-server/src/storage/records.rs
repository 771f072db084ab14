//! The rows storage takes and gives back, as the rest of the relay sees them: devices,
//! envelopes and pages, invites, snapshots, key packages. Plain data; what a backend may do
//! with them is in `rules`.

use tandem_protocol::api::{DeviceInfo, DeviceRole};
use tandem_protocol::{DeviceId, DocId, TeamId};

/// A device as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Its id.
    pub device: DeviceId,
    /// Its Ed25519 public key.
    pub public_key: [u8; 32],
    /// Admin or member.
    pub role: DeviceRole,
    /// When it was enrolled (Unix ms).
    pub enrolled_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
    /// The `after` of its latest pull.
    pub cursor: u64,
}

impl DeviceRecord {
    /// As the API shows it.
    pub fn info(&self) -> DeviceInfo {
        DeviceInfo {
            device: self.device,
            public_key: hex::encode(self.public_key),
            role: self.role,
            enrolled_at_ms: self.enrolled_at_ms,
            revoked_at_ms: self.revoked_at_ms,
        }
    }
}

/// Who a request's device is, as far as one team is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceLookup {
    /// Enrolled in the team (perhaps revoked since).
    Member(DeviceRecord),
    /// The team does not exist.
    UnknownTeam,
    /// Not in this team but enrolled in another one, with this key.
    OtherTeam([u8; 32]),
    /// Enrolled nowhere.
    Unknown,
}

/// An envelope to append: already parsed and verified by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnvelope {
    /// SHA-256 of the bytes.
    pub id: [u8; 32],
    /// Its document.
    pub doc: DocId,
    /// The sealed envelope.
    pub bytes: Vec<u8>,
}

/// One appended envelope's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Its sequence number.
    pub seq: u64,
    /// It was there already; nothing new was stored.
    pub duplicate: bool,
    /// Its document was erased at a person's request: not stored (`seq` 0, and `duplicate`
    /// too, which is what older clients understand).
    pub erased: bool,
}

/// What one team may store: envelopes in its log (rows, with or without their bytes) and
/// bytes (envelopes that still hold theirs, and snapshots). See `rules::push_quota`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Bytes stored.
    pub max_bytes: u64,
    /// Envelopes in the log.
    pub max_envelopes: u64,
}

/// A page of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The team's head when the page was read; every sequence number up to it is committed.
    pub head: u64,
    /// `(seq, envelope)` in order.
    pub items: Vec<(u64, Vec<u8>)>,
    /// More envelopes follow (up to `head`).
    pub more: bool,
}

/// What to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Sequence numbers above this.
    pub after: u64,
    /// At most this many.
    pub limit: usize,
    /// Leave out envelopes a snapshot of their document covers.
    pub skip_covered: bool,
    /// Stop before the page's envelopes exceed this many bytes (but always give at least
    /// one): 500 envelopes of a few MiB each would not fit in memory.
    pub max_bytes: usize,
}

/// An invite to park.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    /// [`tandem_protocol::invite::token_hash`] of the token.
    pub token_hash: [u8; 32],
    /// The team.
    pub team: TeamId,
    /// The device that made it.
    pub created_by: DeviceId,
    /// The team key sealed under the invite's wrap secret.
    pub sealed_team_key: Vec<u8>,
    /// Now (Unix ms).
    pub created_at_ms: i64,
    /// When it stops working.
    pub expires_at_ms: i64,
    /// The newest key epoch it carries (`None` from older clients: not checked).
    pub epoch: Option<u32>,
}

/// A redeemed invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The team joined.
    pub team: TeamId,
    /// The sealed team key parked with the invite.
    pub sealed_team_key: Vec<u8>,
}

/// A snapshot to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    /// Its document.
    pub doc: DocId,
    /// The sequence number it covers.
    pub covers: u64,
    /// SHA-256 of the bytes.
    pub id: [u8; 32],
    /// The sealed snapshot envelope.
    pub bytes: Vec<u8>,
    /// The device that uploaded it.
    pub author: DeviceId,
    /// Now (Unix ms).
    pub stored_at_ms: i64,
}

/// What became of an uploaded snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// Kept: it is now the document's snapshot.
    Stored,
    /// Dropped: the document already has a snapshot covering as much.
    Superseded,
    /// Dropped: the document was erased at the person's request.
    Erased,
}

/// Which snapshots a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPageRequest {
    /// Those of documents after this one (by id); `None`: from the first.
    pub after: Option<DocId>,
    /// At most this many.
    pub limit: usize,
    /// Stop before the page exceeds this many bytes (but always give at least one).
    pub max_bytes: usize,
}

/// A page of snapshots, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotPage {
    /// The snapshots.
    pub items: Vec<StoredSnapshot>,
    /// Whether more follow.
    pub more: bool,
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    /// Its document.
    pub doc: DocId,
    /// The sequence number it covers.
    pub covers: u64,
    /// The sealed snapshot envelope.
    pub bytes: Vec<u8>,
}

/// A new epoch's key sealed for one device (already parsed and checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKeyPackage {
    /// The device it is sealed for.
    pub to: DeviceId,
    /// The admin device that made it.
    pub from: DeviceId,
    /// The sealed package.
    pub bytes: Vec<u8>,
}

/// What became of a posted key epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEpochOutcome {
    /// Stored: it is now the team's current epoch.
    Stored,
    /// The same packages were there already (a re-post after a lost answer).
    AlreadyThere,
}

/// The key packages of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKeyPackages {
    /// The team's current epoch (1 before any rotation).
    pub current_epoch: u32,
    /// `(epoch, sealed package)` sealed for the device, oldest first.
    pub packages: Vec<(u32, Vec<u8>)>,
}

/// The head of a team's record: its last entry's seq and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHead {
    /// The seq of the last entry (0: the founding entry only).
    pub seq: u64,
    /// Its `entry_hash`.
    pub hash: [u8; 32],
}

/// A record entry to store: verified by the caller (`rules::judge_record_post`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecordEntry {
    /// Its seq.
    pub seq: u64,
    /// Its `entry_hash`.
    pub hash: [u8; 32],
    /// Its kind, as on the wire.
    pub kind: u8,
    /// The device that signed it.
    pub author: DeviceId,
    /// The entry.
    pub bytes: Vec<u8>,
}

/// A device the record enrols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDevice {
    /// Its id.
    pub device: DeviceId,
    /// The key the record holds for it.
    pub public_key: [u8; 32],
    /// The role the record gives it.
    pub role: DeviceRole,
}

/// The invite a `DeviceJoined` uses up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsedInvite {
    /// The invite's token hash.
    pub token_hash: [u8; 32],
    /// The device that joined with it.
    pub device: DeviceId,
}

/// What storing some record entries changes elsewhere, in the same transaction: the
/// relay's tables kept in step with the record (derived by `rules::judge_record_post`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordEffects {
    /// Devices enrolled (`Founding`, `DeviceJoined`).
    pub enrol: Vec<RecordDevice>,
    /// Roles changed (`RoleChanged`).
    pub roles: Vec<(DeviceId, DeviceRole)>,
    /// Devices revoked (`DeviceRemoved`, with its cascade).
    pub revoke: Vec<DeviceId>,
    /// Key packages stored (`KeyEpoch`), by epoch: the team's epoch moves to the highest.
    pub key_packages: Vec<(u32, NewKeyPackage)>,
    /// Documents erased (`DocErased`), as `POST …/erase` erases them.
    pub erase: Vec<DocId>,
    /// Invites revoked (`InviteRevoked`), by invite id.
    pub revoke_invites: Vec<[u8; 16]>,
    /// The invite a `DeviceJoined` used: refused ([`super::Refusal::InviteUsed`]) if it was
    /// used or revoked meanwhile.
    pub use_invite: Option<UsedInvite>,
}

/// What entries to append were judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordBase {
    /// The record's head.
    Head(RecordHead),
    /// A team without a record yet, at this key epoch and with these devices: a migration's
    /// founding entry and what follows it. A key epoch made or a device enrolled meanwhile
    /// through the older routes, or another device's migration, makes it a conflict.
    Legacy {
        /// The team's key epoch the founding entry commits up to.
        epoch: u32,
        /// How many devices the team had enrolled, revoked ones too (the founding entry
        /// lists every one): a device enrolled through the older route meanwhile makes it a
        /// conflict.
        devices: u64,
    },
}

/// Entries to append to a team's record, on the head they were judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAppend {
    /// The team.
    pub team: TeamId,
    /// What the entries were judged on: [`super::Refusal::RecordConflict`], nothing stored,
    /// if the team is not there any more by the time they are written.
    pub on: RecordBase,
    /// The entries, in order, from `on.seq + 1`.
    pub entries: Vec<NewRecordEntry>,
    /// What they change elsewhere.
    pub effects: RecordEffects,
    /// Now (Unix ms).
    pub now_ms: i64,
}

/// A page of a team's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPage {
    /// The record's head when the page was read (`None`: the team has no record).
    pub head: Option<RecordHead>,
    /// `(seq, entry)` in order.
    pub entries: Vec<(u64, Vec<u8>)>,
    /// More entries follow (up to `head`).
    pub more: bool,
}

/// An invite as a team with a record reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvite {
    /// Its team.
    pub team: TeamId,
    /// The device that parked it.
    pub created_by: DeviceId,
    /// The sealed key parked with it (emptied once used).
    pub sealed_team_key: Vec<u8>,
    /// When it stops working (the relay's clock).
    pub expires_at_ms: i64,
    /// When it was used, if it was.
    pub used_at_ms: Option<i64>,
    /// The device that used it, if one did.
    pub used_by: Option<DeviceId>,
    /// The record's invite id (`None`: an invite of a team without a record).
    pub invite_id: Option<[u8; 16]>,
    /// The record revoked it.
    pub revoked: bool,
}
