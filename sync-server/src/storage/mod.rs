//! Where the relay keeps teams, devices, invites and the sealed log.
//!
//! Two backends behind one [`Storage`]: embedded SQLite (one file, zero set-up) and
//! PostgreSQL (several stateless relays over one database). Both keep the same schema, from
//! numbered migrations, and pass the same test suite (`tests/storage`). An enum rather than a
//! trait object: there are exactly two backends, and an enum needs no boxed futures.
//!
//! The layout says who decides what:
//!
//! - `rules`: the decisions both backends make (may this invite be redeemed, is this key
//!   epoch the next one, what becomes of this envelope, which bytes may be collected), as
//!   pure functions over the rows read; each backend reads rows, asks the rule, writes rows;
//! - `sql`: the statements both send, written once, and the column conversions;
//! - `group`: what the two group-commit writers share (bounds, counters, the test hold);
//! - `sqlite/` and `postgres/`: each backend, with its `writer` (the group commit: waiting
//!   writes batched into one transaction), its `queries` and its `migrations`; SQLite also
//!   has its `readers` (connections beside the writer), PostgreSQL its `append` (one
//!   group's pushes) and its `listener` (appends announced between relays);
//! - `records` and `error`: the rows callers hand in and get back, and the refusals and
//!   failures they may get instead.
//!
//! Nothing here can read an envelope: it stores bytes, ids and sequence numbers.

mod error;
mod group;
mod migration;
mod postgres;
mod records;
mod rules;
mod sql;
mod sqlite;

pub use self::error::{Refusal, Result, StorageError};
pub use self::group::WriterHold;
pub use self::migration::{judge_migration, refused_migration, LegacyTeam};
pub use self::postgres::PostgresStorage;
pub use self::records::{
    AppendOutcome, DeviceKeyPackages, DeviceLookup, DeviceRecord, KeyEpochOutcome, NewEnvelope,
    NewInvite, NewKeyPackage, NewRecordEntry, NewSnapshot, Page, PageRequest, Quota, RecordAppend,
    RecordBase, RecordDevice, RecordEffects, RecordHead, RecordPage, Redeemed, SnapshotOutcome,
    SnapshotPage, SnapshotPageRequest, StoredInvite, StoredSnapshot, UsedInvite,
};
pub use self::rules::{
    already_stored, judge_entry_clock, judge_founding, judge_post_shape, judge_record_post,
    record_invite_open, record_invite_parkable, refused, replay_record, stored_invite_usable,
    JudgedFounding, JudgedPost, Via, MAX_RECORD_POST,
};
pub use self::sqlite::SqliteStorage;

use std::path::Path;
use tandem_protocol::{DeviceId, DocId, TeamId};

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

    /// Revokes a device (again is fine). [`Refusal::NotFound`] if it is not in the team,
    /// [`Refusal::UseTeamRecord`] if the team has a record (its record removes devices).
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
    /// unused); [`Refusal::UseTeamRecord`] for a team with a record (a device joins it with
    /// a `DeviceJoined` entry).
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
        dispatch!(self, s => s.append(team, envelopes, None, None, None, now_ms))
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
        dispatch!(self, s => s.append(team, envelopes, Some(oldest_epoch), None, None, now_ms))
    }

    /// [`Self::push`] within the team's `quota`: [`Refusal::QuotaEnvelopes`] or
    /// [`Refusal::QuotaBytes`], nothing stored, if what the push would store takes the team
    /// past it (`rules::push_quota`; duplicates and envelopes of erased documents store
    /// nothing and never count). Judged in the append's own transaction, with the team's
    /// counter row held, so two pushes at once cannot both slip under it.
    pub async fn push_within(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: u32,
        quota: Quota,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        dispatch!(self, s => s.append(team, envelopes, Some(oldest_epoch), Some(quota), None, now_ms))
    }

    /// [`Self::push_within`] by `author`, the device that pushed it (the caller checked it
    /// wrote every envelope): kept with each new envelope, so that the writer of a
    /// document's first one may erase it ([`Self::erase_doc_by`]).
    pub async fn push_by(
        &self,
        team: TeamId,
        author: DeviceId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: u32,
        quota: Quota,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        dispatch!(self, s => s.append(
            team,
            envelopes,
            Some(oldest_epoch),
            Some(quota),
            Some(author),
            now_ms
        ))
    }

    /// The team's latest sequence number (0 for an empty log).
    pub async fn head(&self, team: TeamId) -> Result<u64> {
        dispatch!(self, s => s.head(team))
    }

    /// A page of the log.
    pub async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        dispatch!(self, s => s.page(team, request))
    }

    /// A page of the log, and the team's key epoch (1 before any rotation) as of the same
    /// moment: read together, so a later rotation is never handed out with an older page (a
    /// puller decides from it whether it needs a newer key for what it was handed).
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
        let mut outcomes = dispatch!(self, s => s.put_snapshots(team, vec![snapshot], None))?;
        outcomes
            .pop()
            .ok_or(StorageError::Corrupt("a snapshot went unanswered"))
    }

    /// [`Self::put_snapshot`] within the team's `quota`: [`Refusal::QuotaBytes`], nothing
    /// stored, if the snapshot would take the team's stored bytes an eighth past it
    /// (`rules::snapshot_quota`: room for the snapshots that let collection free space).
    pub async fn put_snapshot_within(
        &self,
        team: TeamId,
        snapshot: NewSnapshot,
        quota: Quota,
    ) -> Result<SnapshotOutcome> {
        let mut outcomes =
            dispatch!(self, s => s.put_snapshots(team, vec![snapshot], Some(quota)))?;
        outcomes
            .pop()
            .ok_or(StorageError::Corrupt("a snapshot went unanswered"))
    }

    /// [`Self::put_snapshot_within`] for several snapshots in one transaction, then one
    /// collection: the outcome of each, in order, or a refusal and none stored.
    pub async fn put_snapshots_within(
        &self,
        team: TeamId,
        snapshots: Vec<NewSnapshot>,
        quota: Quota,
    ) -> Result<Vec<SnapshotOutcome>> {
        dispatch!(self, s => s.put_snapshots(team, snapshots, Some(quota)))
    }

    /// A page of the team's snapshots, in document order.
    pub async fn snapshot_page(
        &self,
        team: TeamId,
        request: SnapshotPageRequest,
    ) -> Result<SnapshotPage> {
        dispatch!(self, s => s.snapshot_page(team, request))
    }

    /// What the team stores: `(envelopes in its log, bytes held)`.
    pub async fn usage(&self, team: TeamId) -> Result<(u64, u64)> {
        dispatch!(self, s => s.usage(team))
    }

    /// The team's snapshots, by document.
    pub async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        dispatch!(self, s => s.snapshots(team))
    }

    /// Stores a new key epoch's packages in one transaction: `epoch` must be the team's
    /// current epoch plus one ([`Refusal::WrongEpoch`] otherwise), or the current one
    /// with exactly the packages stored ([`Refusal::Exists`] if they differ). Every
    /// recipient must be an enrolled, unrevoked device ([`Refusal::InactiveRecipient`]).
    /// [`Refusal::UseTeamRecord`] for a team with a record (its `KeyEpoch` entries do this).
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
        dispatch!(self, s => s.erase_doc(team, doc, None, now_ms))
    }

    /// [`Self::erase_doc`] asked by `device` (an `admin` or not), if the rule book lets it
    /// (`rules::may_erase`, judged in the erasure's own transaction): never the team
    /// document ([`Refusal::TeamDocument`]); another one only by an admin or by the device
    /// that wrote its first envelope ([`Refusal::NotDocAuthor`]). Nothing changes when
    /// refused.
    pub async fn erase_doc_by(
        &self,
        team: TeamId,
        doc: DocId,
        device: DeviceId,
        admin: bool,
        now_ms: i64,
    ) -> Result<u64> {
        dispatch!(self, s => s.erase_doc(team, doc, Some((device, admin)), now_ms))
    }

    /// Which of `docs` were erased.
    pub async fn erased_among(&self, team: TeamId, docs: Vec<DocId>) -> Result<Vec<DocId>> {
        if docs.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self, s => s.erased_among(team, docs))
    }

    /// Registers a team with a record: its founding entry (seq 0, judged by the caller) and
    /// the devices it enrols, in one transaction. [`Refusal::Exists`] if the team does.
    pub async fn create_record_team(
        &self,
        team: TeamId,
        devices: Vec<RecordDevice>,
        founding: NewRecordEntry,
        now_ms: i64,
    ) -> Result<()> {
        dispatch!(self, s => s.create_record_team(team, devices, founding, now_ms))
    }

    /// The team's record head; `None` for a team without a record, [`Refusal::NotFound`]
    /// for no team.
    pub async fn record_head(&self, team: TeamId) -> Result<Option<RecordHead>> {
        dispatch!(self, s => s.record_head(team))
    }

    /// Up to `limit` entries of the team's record from seq `from` on, and its head, read
    /// together. [`Refusal::NotFound`] for no team.
    pub async fn record_page(&self, team: TeamId, from: u64, limit: usize) -> Result<RecordPage> {
        dispatch!(self, s => s.record_page(team, from, limit))
    }

    /// Appends judged entries to the team's record with their effects, all or nothing, if
    /// its head is still `append.on` (compare-and-swap: [`Refusal::RecordConflict`] with the
    /// head now, nothing stored, otherwise; [`Refusal::NoRecord`] for a team without one).
    /// On [`RecordBase::Legacy`], the team must still have no record and be at that key
    /// epoch ([`Refusal::RecordConflict`] otherwise). Returns the new head.
    pub async fn append_record(&self, append: RecordAppend) -> Result<RecordHead> {
        if append.entries.is_empty() {
            return match append.on {
                RecordBase::Head(head) => Ok(head),
                RecordBase::Legacy { .. } => Err(Refusal::NoRecord.into()),
            };
        }
        dispatch!(self, s => s.append_record(append))
    }

    /// Parks an invite of a team with a record, for the record's invite `invite_id`.
    /// [`Refusal::Exists`] if the token hash or the invite id is taken.
    pub async fn create_record_invite(&self, invite: NewInvite, invite_id: [u8; 16]) -> Result<()> {
        dispatch!(self, s => s.create_record_invite(invite, invite_id))
    }

    /// An invite by its token hash, as a team with a record reads it.
    pub async fn record_invite(&self, token_hash: [u8; 32]) -> Result<Option<StoredInvite>> {
        dispatch!(self, s => s.record_invite(token_hash))
    }

    /// Drops the bytes of envelopes that a snapshot covers and every active device has
    /// pulled past. Returns how many. (Also run by the calls that can make it possible.)
    pub async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        dispatch!(self, s => s.collect_garbage(team))
    }
}
