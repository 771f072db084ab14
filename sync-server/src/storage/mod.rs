//! Where the relay keeps teams, devices, invites and the sealed log.
//!
//! Two backends behind one [`Storage`]: embedded SQLite (one file, zero set-up) and
//! PostgreSQL (several stateless relays over one database). Both keep the same schema, from
//! numbered migrations, and pass the same test suite (`tests/storage`). An enum rather than a
//! trait object: there are exactly two backends, and an enum needs no boxed futures.
//!
//! Nothing here can read an envelope: it stores bytes, ids and sequence numbers.

mod error;
mod postgres;
mod sqlite;

pub use self::error::{Refusal, Result, StorageError};
pub use self::postgres::PostgresStorage;
pub use self::sqlite::SqliteStorage;

use std::path::Path;
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

/// Which of the first rows (`(seq, length)` in order, up to `limit + 1` of them) make the
/// page, and whether more follow.
fn page_cut(rows: &[(u64, usize)], request: &PageRequest) -> (usize, bool) {
    let mut total = 0usize;
    let mut take = 0;
    for (_, len) in rows.iter().take(request.limit) {
        if take > 0 && total.saturating_add(*len) > request.max_bytes {
            break;
        }
        total = total.saturating_add(*len);
        take += 1;
    }
    (take, take < rows.len())
}

/// The `WHERE` of a page, shared by both backends and both steps (`{p}` is the placeholder
/// prefix: `?` or `$`): team 1, after 2, up to 3.
fn page_filter(skip_covered: bool, p: char) -> String {
    let covered = if skip_covered {
        "AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.team = e.team AND s.doc = e.doc \
         AND e.seq <= s.covers)"
    } else {
        ""
    };
    format!(
        "FROM envelopes e WHERE e.team = {p}1 AND e.seq > {p}2 AND e.seq <= {p}3 \
         AND e.bytes IS NOT NULL {covered}"
    )
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

/// Whether a post of `epoch` is a new epoch, a faithful re-post, or refused, given the
/// team's current epoch and what is stored for `epoch` (`(to, bytes)`). Shared by both
/// backends.
fn judge_key_epoch(
    current: u32,
    epoch: u32,
    stored: &[(Vec<u8>, Vec<u8>)],
    packages: &[NewKeyPackage],
) -> Result<Option<KeyEpochOutcome>> {
    if Some(epoch) == current.checked_add(1) {
        return Ok(None);
    }
    if epoch == current && current >= 2 {
        let same = stored.len() == packages.len()
            && packages.iter().all(|p| {
                stored
                    .iter()
                    .any(|(to, bytes)| to.as_slice() == p.to.0 && *bytes == p.bytes)
            });
        return if same {
            Ok(Some(KeyEpochOutcome::AlreadyThere))
        } else {
            Err(StorageError::Refused(Refusal::Exists))
        };
    }
    Err(StorageError::Refused(Refusal::WrongEpoch { current }))
}

/// An invite carrying keys only up to an epoch older than the team's is refused: the device
/// would join unable to read (or write) anything sealed since. Shared by both backends.
fn check_invite_epoch(invite_epoch: Option<i64>, current: u32) -> Result<()> {
    match invite_epoch {
        Some(e) if e < i64::from(current) => Err(StorageError::Refused(Refusal::InviteStale)),
        _ => Ok(()),
    }
}

/// A new epoch's packages go to active devices only, and must reach every one of them: one
/// enrolled while the admin was sealing them would otherwise never get the key. Shared by
/// both backends.
fn check_every_active_device(active: &[Vec<u8>], packages: &[NewKeyPackage]) -> Result<()> {
    if packages
        .iter()
        .any(|p| !active.iter().any(|d| d.as_slice() == p.to.0.as_slice()))
    {
        return Err(StorageError::Refused(Refusal::InactiveRecipient));
    }
    let missing = active
        .iter()
        .any(|d| !packages.iter().any(|p| p.to.0.as_slice() == d.as_slice()));
    if missing {
        return Err(StorageError::Refused(Refusal::MissingRecipient));
    }
    Ok(())
}

fn epoch_from_db(epoch: i64) -> Result<u32> {
    u32::try_from(epoch).map_err(|_| StorageError::Corrupt("a key epoch is out of range"))
}

/// Group commits so far: how many groups were committed, and how many writes they held
/// (SQLite: every write; PostgreSQL: pushes).
#[derive(Debug, Default)]
pub(crate) struct GroupStats {
    groups: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
}

impl GroupStats {
    fn committed(&self, writes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.groups.fetch_add(1, Relaxed);
        self.writes.fetch_add(writes as u64, Relaxed);
    }

    fn read(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.groups.load(Relaxed), self.writes.load(Relaxed))
    }
}

/// Holds the group-commit writer while alive (see [`Storage::hold_writer`]); dropping it lets
/// the writer go on.
#[derive(Debug)]
pub struct WriterHold {
    _release: Release,
}

/// The sender that stops the hold when dropped (held only to be dropped).
#[derive(Debug)]
#[expect(dead_code, reason = "the senders are held only to be dropped")]
enum Release {
    Thread(std::sync::mpsc::Sender<()>),
    Task(tokio::sync::oneshot::Sender<()>),
}

/// The relay's storage: SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub enum Storage {
    /// One embedded file.
    Sqlite(SqliteStorage),
    /// A PostgreSQL database, possibly shared by several relays.
    Postgres(PostgresStorage),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Storage::Sqlite($s) => $call.await,
            Storage::Postgres($s) => $call.await,
        }
    };
}

impl Storage {
    /// Opens (creating and migrating) the SQLite file at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Self> {
        Ok(Self::Sqlite(SqliteStorage::open(path).await?))
    }

    /// Connects to PostgreSQL (`postgres://…`) and migrates.
    pub async fn connect_postgres(url: &str) -> Result<Self> {
        Ok(Self::Postgres(PostgresStorage::connect(url, None).await?))
    }

    /// Connects to PostgreSQL and keeps everything in `schema` (created if missing): several
    /// relays or test runs can share one database.
    pub async fn connect_postgres_in_schema(url: &str, schema: &str) -> Result<Self> {
        Ok(Self::Postgres(
            PostgresStorage::connect(url, Some(schema)).await?,
        ))
    }

    /// Which backend, for logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Storage::Sqlite(_) => "sqlite",
            Storage::Postgres(_) => "postgres",
        }
    }

    /// This relay's identity, made at the first start and kept in the database.
    pub fn relay_id(&self) -> &str {
        match self {
            Storage::Sqlite(s) => s.relay_id(),
            Storage::Postgres(s) => s.relay_id(),
        }
    }

    /// Group commits so far: `(groups, writes in them)`. SQLite groups every write,
    /// PostgreSQL every push.
    pub fn group_commits(&self) -> (u64, u64) {
        match self {
            Storage::Sqlite(s) => s.group_stats().read(),
            Storage::Postgres(s) => s.group_stats().read(),
        }
    }

    /// Stops the group-commit writer until the returned guard is dropped: the writes sent
    /// meanwhile queue up and then go in one group, in the order sent. For tests (a group's
    /// make-up otherwise depends on timing); [`Storage::queued_writes`] says how many wait.
    /// On SQLite this holds the write lock, so keep it short.
    pub async fn hold_writer(&self) -> Result<WriterHold> {
        dispatch!(self, s => s.hold_writer())
    }

    /// Writes waiting for the group-commit writer.
    pub fn queued_writes(&self) -> usize {
        match self {
            Storage::Sqlite(s) => s.queued_writes(),
            Storage::Postgres(s) => s.queued_writes(),
        }
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        dispatch!(self, s => s.ping())
    }

    /// Registers a team with its first device, an admin. [`Refusal::Exists`] if the team
    /// does.
    pub async fn create_team(
        &self,
        team: TeamId,
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<()> {
        dispatch!(self, s => s.create_team(team, device, public_key, now_ms))
    }

    /// Finds a request's device.
    pub async fn lookup_device(&self, team: TeamId, device: DeviceId) -> Result<DeviceLookup> {
        dispatch!(self, s => s.lookup_device(team, device))
    }

    /// Every device of the team, in enrolment order.
    pub async fn devices(&self, team: TeamId) -> Result<Vec<DeviceRecord>> {
        dispatch!(self, s => s.devices(team))
    }

    /// Revokes a device (again is fine). [`Refusal::NotFound`] if it is not in the team.
    pub async fn revoke(&self, team: TeamId, device: DeviceId, now_ms: i64) -> Result<()> {
        dispatch!(self, s => s.revoke(team, device, now_ms))
    }

    /// Parks an invite. [`Refusal::Exists`] if the token hash is taken.
    pub async fn create_invite(&self, invite: NewInvite) -> Result<()> {
        dispatch!(self, s => s.create_invite(invite))
    }

    /// Redeems an invite once and enrols the device as a member, in one transaction.
    /// [`Refusal::NotFound`], [`Refusal::InviteExpired`], [`Refusal::InviteUsed`],
    /// or [`Refusal::Exists`] if the device is in the team already (the invite stays
    /// unused).
    pub async fn redeem_invite(
        &self,
        token_hash: [u8; 32],
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<Redeemed> {
        dispatch!(self, s => s.redeem_invite(token_hash, device, public_key, now_ms))
    }

    /// Notes a request signature; `false` if it was seen already (a replay).
    pub async fn record_signature(&self, hash: [u8; 32], expires_at_ms: i64) -> Result<bool> {
        dispatch!(self, s => s.record_signature(hash, expires_at_ms))
    }

    /// Forgets signatures that are stale anyway; returns how many.
    pub async fn prune_signatures(&self, now_ms: i64) -> Result<u64> {
        dispatch!(self, s => s.prune_signatures(now_ms))
    }

    /// Appends envelopes in one transaction: each new one gets the next sequence number, a
    /// known one (same id) its existing number. A new one of an erased document is not
    /// stored: its outcome is `seq` 0, `duplicate` (acknowledged and dropped). Outcomes in
    /// the order given.
    pub async fn append(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        dispatch!(self, s => s.append(team, envelopes, None, now_ms))
    }

    /// [`Self::append`] for a device's push sealed under key epochs `oldest_epoch` and up:
    /// [`Refusal::StaleEpoch`], nothing stored, if the team has moved past it. Both
    /// checks (epoch, erased documents) are made in the append's own transaction, so a
    /// rotation or an erasure committed at the same moment is never missed.
    pub async fn push(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: u32,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        dispatch!(self, s => s.append(team, envelopes, Some(oldest_epoch), now_ms))
    }

    /// The team's latest sequence number (0 for an empty log).
    pub async fn head(&self, team: TeamId) -> Result<u64> {
        dispatch!(self, s => s.head(team))
    }

    /// A page of the log.
    pub async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        dispatch!(self, s => s.page(team, request))
    }

    /// A page of the log, and the team's key epoch (1 before any rotation), in one call.
    pub async fn page_with_epoch(&self, team: TeamId, request: PageRequest) -> Result<(Page, u32)> {
        dispatch!(self, s => s.page_with_epoch(team, request))
    }

    /// On PostgreSQL, a task calling `ring` with each team any relay on the database appends
    /// to; `None` on SQLite (one relay owns the file and rings its own bells).
    pub fn listen_for_appends(
        &self,
        ring: std::sync::Arc<dyn Fn(TeamId) + Send + Sync>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        match self {
            Storage::Sqlite(_) => None,
            Storage::Postgres(p) => Some(p.listen_for_appends(ring)),
        }
    }

    /// How often a waiting pull looks at the log again even without a bell: a safety net.
    /// An SQLite file has one relay, whose appends all ring; relays sharing one PostgreSQL
    /// ring each other's bells through `NOTIFY` ([`Storage::listen_for_appends`]), and look
    /// every 5 s in case that connection is down.
    pub fn recheck_every(&self) -> std::time::Duration {
        match self {
            Storage::Sqlite(_) => std::time::Duration::from_secs(10),
            Storage::Postgres(_) => std::time::Duration::from_secs(5),
        }
    }

    /// Records a device's pull position, then drops what snapshots cover if every active
    /// device is past it. Returns how many envelopes were dropped.
    pub async fn set_cursor(&self, team: TeamId, device: DeviceId, cursor: u64) -> Result<u64> {
        dispatch!(self, s => s.set_cursor(team, device, cursor))
    }

    /// Keeps a document's snapshot if it covers more than the one there, then collects.
    pub async fn put_snapshot(
        &self,
        team: TeamId,
        snapshot: NewSnapshot,
    ) -> Result<SnapshotOutcome> {
        dispatch!(self, s => s.put_snapshot(team, snapshot))
    }

    /// The team's snapshots, by document.
    pub async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        dispatch!(self, s => s.snapshots(team))
    }

    /// Stores a new key epoch's packages in one transaction: `epoch` must be the team's
    /// current epoch plus one ([`Refusal::WrongEpoch`] otherwise), or the current one
    /// with exactly the packages stored ([`Refusal::Exists`] if they differ). Every
    /// recipient must be an enrolled, unrevoked device ([`Refusal::InactiveRecipient`]).
    pub async fn put_key_packages(
        &self,
        team: TeamId,
        epoch: u32,
        packages: Vec<NewKeyPackage>,
        now_ms: i64,
    ) -> Result<KeyEpochOutcome> {
        dispatch!(self, s => s.put_key_packages(team, epoch, packages, now_ms))
    }

    /// The packages sealed for `device` with an epoch above `after_epoch`, and the team's
    /// current epoch.
    pub async fn key_packages(
        &self,
        team: TeamId,
        device: DeviceId,
        after_epoch: u32,
    ) -> Result<DeviceKeyPackages> {
        dispatch!(self, s => s.key_packages(team, device, after_epoch))
    }

    /// Erases a document at a person's request: drops its envelopes' bytes (the rows stay,
    /// so sequence numbers stay gap-free and a late re-push is recognised) and its snapshot,
    /// and remembers it so envelopes of it pushed later are dropped too. Returns how many
    /// envelopes lost their bytes.
    pub async fn erase_doc(&self, team: TeamId, doc: DocId, now_ms: i64) -> Result<u64> {
        dispatch!(self, s => s.erase_doc(team, doc, now_ms))
    }

    /// Which of `docs` were erased.
    pub async fn erased_among(&self, team: TeamId, docs: Vec<DocId>) -> Result<Vec<DocId>> {
        if docs.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self, s => s.erased_among(team, docs))
    }

    /// Drops the bytes of envelopes that a snapshot covers and every active device has
    /// pulled past. Returns how many. (Also run by the calls that can make it possible.)
    pub async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        dispatch!(self, s => s.collect_garbage(team))
    }
}

fn parse_role(name: &str) -> Result<DeviceRole> {
    match name {
        "admin" => Ok(DeviceRole::Admin),
        "member" => Ok(DeviceRole::Member),
        _ => Err(StorageError::Corrupt("unknown device role")),
    }
}

fn id16(bytes: &[u8]) -> Result<[u8; 16]> {
    bytes
        .try_into()
        .map_err(|_| StorageError::Corrupt("an id is not 16 bytes"))
}

fn key32(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| StorageError::Corrupt("a key or hash is not 32 bytes"))
}

/// Sequence numbers are `u64` on the wire and `BIGINT` in the database.
fn seq_to_db(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_from_db(seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|_| StorageError::Corrupt("negative sequence number"))
}

/// A fresh relay identity: 16 random bytes in hex.
fn new_relay_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Name of the relay identity in `relay_meta`.
const RELAY_ID_KEY: &str = "relay_id";
