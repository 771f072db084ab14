//! The SQLite backend: one file in WAL mode with `synchronous=FULL` (an acknowledged write
//! survives a power cut), one writer connection on its own thread, and a few reader
//! connections that WAL lets run beside it (reads run on tokio's blocking pool).
//!
//! **Group commit.** Every write (append, cursor, replay-table entry, team, invite…) is a job
//! sent to the writer thread. The thread opens one `BEGIN IMMEDIATE` transaction, runs the
//! first job and every job that is waiting or arrives while it works (up to
//! [`MAX_BATCH_JOBS`]), each inside its own `SAVEPOINT`, then commits once: one fsync for the
//! whole group. A job that fails is rolled back to its savepoint and answered with its own
//! error; the others go on. Every answer waits for the commit, so nothing is acknowledged
//! before it is durable; if the commit fails, every job of the group gets
//! [`StorageError::GroupCommit`]. Jobs run one after the other on one connection, so an
//! append sees the appends before it in the same group (gap-free numbers, duplicates
//! recognised) exactly as if each had committed alone. Nothing waits for a group to fill:
//! a lone write commits at once, and groups form only while a commit is in flight.

use super::{
    check_every_active_device, check_invite_epoch, epoch_from_db, judge_key_epoch,
    DeviceKeyPackages, KeyEpochOutcome, NewKeyPackage,
};
use super::{
    id16, key32, new_relay_id, page_cut, page_filter, parse_role, seq_from_db, seq_to_db,
    AppendOutcome, DeviceLookup, DeviceRecord, NewEnvelope, NewInvite, NewSnapshot, Page,
    PageRequest, Redeemed, Refusal, Result, SnapshotOutcome, StorageError, StoredSnapshot,
    RELAY_ID_KEY,
};
use super::{GroupStats, Release, WriterHold};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tandem_protocol::{DeviceId, DocId, TeamId};
use tokio::sync::{mpsc, oneshot};

/// Numbered migrations; each runs in one transaction and sets `PRAGMA user_version`.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/sqlite/0001_init.sql")),
    (2, include_str!("migrations/sqlite/0002_key_packages.sql")),
    (3, include_str!("migrations/sqlite/0003_erased_docs.sql")),
    (4, include_str!("migrations/sqlite/0004_invite_epoch.sql")),
];

/// Reader connections: at most this many reads run at once (each on tokio's blocking pool),
/// so the connections are opened once and kept, never opened and closed under load.
const READERS: usize = 6;

/// Most jobs in one group commit: bounds how long the first job of a group waits for the
/// others, and the size of one transaction.
pub(super) const MAX_BATCH_JOBS: usize = 256;

/// Writes waiting for the writer thread; senders wait (asynchronously) beyond this.
const QUEUE: usize = 1024;

/// A write for the writer thread. Given the connection, it runs inside its own savepoint and
/// says whether it succeeded, and hands back what to do once the group's commit is known;
/// given an error (no transaction could be had), it does not run and will answer that.
type Job = Box<dyn FnOnce(Result<&Connection, Arc<StorageError>>) -> (bool, Finish) + Send>;

/// Answers a job's caller: called with the group's commit result.
type Finish = Box<dyn FnOnce(std::result::Result<(), Arc<StorageError>>) + Send>;

/// The SQLite backend (cheap to clone).
#[derive(Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: mpsc::Sender<Job>,
    readers: Mutex<Vec<Connection>>,
    /// One permit per reader connection.
    reading: Arc<tokio::sync::Semaphore>,
    relay_id: String,
    groups: Arc<GroupStats>,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStorage")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// A poisoned mutex only means another task panicked while holding it; the reader
/// connections it guards hold no transaction between uses, so they are fine to use.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open_connection(path: &Path, write: bool) -> Result<Connection> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    if write {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // What is deleted is overwritten with zeros, not left in free pages: an erased
        // record's envelopes (and collected ones) are gone from the file, not just unlinked.
        conn.pragma_update(None, "secure_delete", "ON")?;
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Keep each prepared statement's plan. Without this, this SQLite build (STAT4) marks a
    // statement to be compiled again whenever a new value is bound to a parameter compared
    // with an indexed column: every page read and append paid for a fresh parse.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let supported = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > supported {
        return Err(StorageError::NewerSchema { found, supported });
    }
    tx.commit()?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

fn ensure_relay_id(conn: &Connection) -> Result<String> {
    conn.execute(
        "INSERT INTO relay_meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![RELAY_ID_KEY, new_relay_id()],
    )?;
    Ok(conn.query_row(
        "SELECT value FROM relay_meta WHERE key = ?1",
        [RELAY_ID_KEY],
        |r| r.get(0),
    )?)
}

/// The writer thread: one group commit after another until every sender is gone.
fn writer_loop(mut conn: Connection, mut jobs: mpsc::Receiver<Job>, stats: &GroupStats) {
    while let Some(first) = jobs.blocking_recv() {
        run_group(&mut conn, first, &mut jobs, stats);
    }
}

/// Runs `first` and whatever else is queued (up to [`MAX_BATCH_JOBS`]) in one transaction.
fn run_group(
    conn: &mut Connection,
    first: Job,
    queue: &mut mpsc::Receiver<Job>,
    stats: &GroupStats,
) {
    if let Err(e) = run_cached(conn, &["BEGIN IMMEDIATE"]) {
        // No transaction, so nothing can be stored: this job fails, the next ones try again.
        let (_, finish) = first(Err(Arc::new(e.into())));
        finish(Ok(()));
        return;
    }
    let mut finishes: Vec<Finish> = Vec::new();
    let mut next = Some(first);
    while let Some(job) = next.take() {
        match run_in_savepoint(conn, job) {
            Ok(finish) => finishes.extend(finish),
            Err((finish, broken)) => {
                // The group cannot be trusted any more (a savepoint could not be opened or
                // undone, or SQLite rolled the whole transaction back): drop all of it.
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                for finish in finishes.drain(..).chain(finish) {
                    finish(Err(broken.clone()));
                }
                return;
            }
        }
        if finishes.len() < MAX_BATCH_JOBS {
            next = queue.try_recv().ok();
        }
    }
    let committed = run_cached(conn, &["COMMIT"]).map_err(|e| Arc::new(StorageError::from(e)));
    if committed.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    if committed.is_ok() {
        stats.committed(finishes.len());
    }
    for finish in finishes {
        finish(committed.clone());
    }
}

/// What to answer a job with once the group's fate is known; `None` if it panicked (its
/// caller sees [`StorageError::WriterGone`]).
type Ran = Option<Finish>;

/// Runs one job inside `SAVEPOINT job`, released on success and rolled back on failure.
/// `Err` when the group's transaction can no longer be trusted.
fn run_in_savepoint(
    conn: &Connection,
    job: Job,
) -> std::result::Result<Ran, (Ran, Arc<StorageError>)> {
    if let Err(e) = run_cached(conn, &["SAVEPOINT job"]) {
        let e = Arc::new(StorageError::from(e));
        let (_, finish) = job(Err(e.clone()));
        return Err((Some(finish), e));
    }
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| job(Ok(conn))));
    let ok = matches!(ran, Ok((true, _)));
    let end: &[&str] = if ok {
        &["RELEASE job"]
    } else {
        &["ROLLBACK TO job", "RELEASE job"]
    };
    let finish = ran.ok().map(|(_, finish)| finish);
    if let Err(e) = run_cached(conn, end) {
        tracing::error!(error = %e, "ending a savepoint failed");
        return Err((finish, Arc::new(StorageError::from(e))));
    }
    if conn.is_autocommit() {
        // SQLite rolled the whole transaction back (it does on some I/O and memory errors).
        return Err((
            finish,
            Arc::new(StorageError::Corrupt(
                "the group's transaction was rolled back by SQLite",
            )),
        ));
    }
    Ok(finish)
}

/// Runs statements without parameters, prepared once per connection.
fn run_cached(conn: &Connection, statements: &[&str]) -> rusqlite::Result<()> {
    for sql in statements {
        conn.prepare_cached(sql)?.execute([])?;
    }
    Ok(())
}

impl SqliteStorage {
    /// Opens (creating and migrating) the database file.
    pub async fn open(path: &Path) -> Result<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut writer = open_connection(&path, true)?;
            migrate(&mut writer)?;
            let relay_id = ensure_relay_id(&writer)?;
            let (jobs, queue) = mpsc::channel(QUEUE);
            let groups = Arc::new(GroupStats::default());
            let stats = groups.clone();
            std::thread::Builder::new()
                .name("tandem-relay-sqlite-writer".into())
                .spawn(move || writer_loop(writer, queue, &stats))?;
            Ok(Self {
                inner: Arc::new(Inner {
                    path,
                    writer: jobs,
                    readers: Mutex::new(Vec::new()),
                    reading: Arc::new(tokio::sync::Semaphore::new(READERS)),
                    relay_id,
                    groups,
                }),
            })
        })
        .await?
    }

    pub(super) fn relay_id(&self) -> &str {
        &self.inner.relay_id
    }

    pub(super) fn group_stats(&self) -> &GroupStats {
        &self.inner.groups
    }

    pub(super) fn queued_writes(&self) -> usize {
        self.inner.writer.max_capacity() - self.inner.writer.capacity()
    }

    /// Sends a job that blocks the writer thread (inside a group) until the hold is dropped.
    pub(super) async fn hold_writer(&self) -> Result<WriterHold> {
        let (started, running) = oneshot::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let job: Job = Box::new(move |conn| {
            let _ = started.send(());
            if conn.is_ok() {
                // Returns (with an error) once the hold's sender is dropped.
                let _ = released.recv();
            }
            (true, Box::new(|_| {}))
        });
        self.inner
            .writer
            .send(job)
            .await
            .map_err(|_| StorageError::WriterGone)?;
        running.await.map_err(|_| StorageError::WriterGone)?;
        Ok(WriterHold {
            _release: Release::Thread(release),
        })
    }

    /// Runs `f` on the writer thread, inside the next group commit (and a savepoint of its
    /// own: an error rolls back what `f` did, and only that). Answers once the group is
    /// committed.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => f(conn),
                Err(e) => Err(StorageError::GroupCommit(e)),
            };
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let result = match (result, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(StorageError::GroupCommit(e)),
                    (Err(e), _) => Err(e),
                };
                let _ = answer.send(result);
            });
            (ok, finish)
        });
        self.inner
            .writer
            .send(job)
            .await
            .map_err(|_| StorageError::WriterGone)?;
        answered.await.map_err(|_| StorageError::WriterGone)?
    }

    /// Runs `f` on a reader connection.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        // Held by the blocking task, so it is released only once the connection is back even
        // if the caller gave up waiting.
        let permit = self
            .inner
            .reading
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::WriterGone)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = lock(&inner.readers).pop();
            let mut conn = match idle {
                Some(conn) => conn,
                None => open_connection(&inner.path, false)?,
            };
            let result = f(&mut conn);
            lock(&inner.readers).push(conn);
            result
        })
        .await?
    }

    pub(super) async fn ping(&self) -> Result<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    pub(super) async fn create_team(
        &self,
        team: TeamId,
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<()> {
        self.write(move |c| {
            let inserted = c.execute(
                "INSERT INTO teams (team, created_at_ms) VALUES (?1, ?2) \
                 ON CONFLICT (team) DO NOTHING",
                params![team.0, now_ms],
            )?;
            if inserted == 0 {
                return Err(StorageError::Refused(Refusal::Exists));
            }
            c.execute(
                "INSERT INTO team_heads (team, head) VALUES (?1, 0)",
                [team.0],
            )?;
            c.execute(
                "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
                 VALUES (?1, ?2, ?3, 'admin', ?4)",
                params![team.0, device.0, public_key, now_ms],
            )?;
            Ok(())
        })
        .await
    }

    pub(super) async fn lookup_device(
        &self,
        team: TeamId,
        device: DeviceId,
    ) -> Result<DeviceLookup> {
        self.read(move |c| {
            let found = c
                .prepare_cached(&format!("{DEVICE_COLUMNS} WHERE team = ?1 AND device = ?2"))?
                .query_row(params![team.0, device.0], raw_device)
                .optional()?;
            if let Some(raw) = found {
                return Ok(DeviceLookup::Member(raw.into_record()?));
            }
            let team_exists = c
                .query_row("SELECT 1 FROM teams WHERE team = ?1", [team.0], |_| Ok(()))
                .optional()?
                .is_some();
            if !team_exists {
                return Ok(DeviceLookup::UnknownTeam);
            }
            let elsewhere: Option<Vec<u8>> = c
                .query_row(
                    "SELECT public_key FROM devices WHERE device = ?1 LIMIT 1",
                    [device.0],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(match elsewhere {
                Some(key) => DeviceLookup::OtherTeam(key32(&key)?),
                None => DeviceLookup::Unknown,
            })
        })
        .await
    }

    pub(super) async fn devices(&self, team: TeamId) -> Result<Vec<DeviceRecord>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "{DEVICE_COLUMNS} WHERE team = ?1 ORDER BY enrolled_at_ms, device"
            ))?;
            let raws = stmt
                .query_map([team.0], raw_device)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raws.into_iter().map(RawDevice::into_record).collect()
        })
        .await
    }

    pub(super) async fn revoke(&self, team: TeamId, device: DeviceId, now_ms: i64) -> Result<()> {
        self.write(move |c| {
            let exists = c
                .query_row(
                    "SELECT 1 FROM devices WHERE team = ?1 AND device = ?2",
                    params![team.0, device.0],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !exists {
                return Err(StorageError::Refused(Refusal::NotFound));
            }
            c.execute(
                "UPDATE devices SET revoked_at_ms = ?3 \
                 WHERE team = ?1 AND device = ?2 AND revoked_at_ms IS NULL",
                params![team.0, device.0, now_ms],
            )?;
            // A revoked device no longer holds garbage collection back.
            collect(c, team)?;
            Ok(())
        })
        .await
    }

    pub(super) async fn erase_doc(&self, team: TeamId, doc: DocId, now_ms: i64) -> Result<u64> {
        let dropped = self
            .write(move |c| {
                c.execute(
                    "INSERT INTO erased_docs (team, doc, erased_at_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (team, doc) DO NOTHING",
                    params![team.0, doc.0, now_ms],
                )?;
                let dropped = c.execute(
                    "UPDATE envelopes SET bytes = NULL \
                 WHERE team = ?1 AND doc = ?2 AND bytes IS NOT NULL",
                    params![team.0, doc.0],
                )?;
                c.execute(
                    "DELETE FROM snapshots WHERE team = ?1 AND doc = ?2",
                    params![team.0, doc.0],
                )?;
                Ok(dropped as u64)
            })
            .await?;
        // The zeroed pages are in the write-ahead log; older images of them (with the
        // envelopes) may be in it too, until a checkpoint writes them back and the log is cut.
        self.truncate_wal().await;
        Ok(dropped)
    }

    /// Writes the write-ahead log back into the database file and truncates it to nothing.
    /// A truncating checkpoint holds the write lock while it waits for readers still in the
    /// log, so it waits at most 100 ms (every push would wait with it); if a reader is still
    /// there, a passive checkpoint writes back what it can without blocking anyone, and the
    /// log's old frames are overwritten as it is reused. Logged either way.
    async fn truncate_wal(&self) {
        let path = self.inner.path.clone();
        let outcome = tokio::task::spawn_blocking(move || -> Result<bool> {
            let conn = open_connection(&path, true)?;
            conn.busy_timeout(std::time::Duration::from_millis(100))?;
            let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy == 0 {
                return Ok(true);
            }
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
            Ok(false)
        })
        .await;
        match outcome {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::warn!(
                "a reader was in the write-ahead log: written back, not truncated, after an erasure"
            ),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "write-ahead log not truncated after an erasure")
            }
            Err(e) => tracing::warn!(error = %e, "write-ahead log truncation did not finish"),
        }
    }

    pub(super) async fn erased_among(&self, team: TeamId, docs: Vec<DocId>) -> Result<Vec<DocId>> {
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT 1 FROM erased_docs WHERE team = ?1 AND doc = ?2")?;
            let mut out = Vec::new();
            for doc in docs {
                if stmt.exists(params![team.0, doc.0])? {
                    out.push(doc);
                }
            }
            Ok(out)
        })
        .await
    }

    pub(super) async fn create_invite(&self, invite: NewInvite) -> Result<()> {
        self.write(move |c| {
            let inserted = c.execute(
                "INSERT INTO invites (token_hash, team, created_by, sealed_team_key, \
                 created_at_ms, expires_at_ms, epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (token_hash) DO NOTHING",
                params![
                    invite.token_hash,
                    invite.team.0,
                    invite.created_by.0,
                    invite.sealed_team_key,
                    invite.created_at_ms,
                    invite.expires_at_ms,
                    invite.epoch
                ],
            )?;
            if inserted == 0 {
                return Err(StorageError::Refused(Refusal::Exists));
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn redeem_invite(
        &self,
        token_hash: [u8; 32],
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<Redeemed> {
        self.write(move |c| {
            let found: Option<InviteRow> = c
                .query_row(
                    "SELECT team, sealed_team_key, expires_at_ms, used_at_ms, epoch \
                     FROM invites WHERE token_hash = ?1",
                    [token_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let (team, sealed_team_key, expires_at_ms, used_at_ms, epoch) =
                found.ok_or(StorageError::Refused(Refusal::NotFound))?;
            if used_at_ms.is_some() {
                return Err(StorageError::Refused(Refusal::InviteUsed));
            }
            if now_ms >= expires_at_ms {
                return Err(StorageError::Refused(Refusal::InviteExpired));
            }
            let team = TeamId(id16(&team)?);
            check_invite_epoch(epoch, current_epoch(c, team)?)?;
            let inserted = c.execute(
                "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
                 VALUES (?1, ?2, ?3, 'member', ?4) ON CONFLICT (team, device) DO NOTHING",
                params![team.0, device.0, public_key, now_ms],
            )?;
            if inserted == 0 {
                return Err(StorageError::Refused(Refusal::Exists));
            }
            c.execute(
                "UPDATE invites SET used_at_ms = ?2, used_by = ?3, sealed_team_key = X'' \
                 WHERE token_hash = ?1",
                params![token_hash, now_ms, device.0],
            )?;
            Ok(Redeemed {
                team,
                sealed_team_key,
            })
        })
        .await
    }

    pub(super) async fn record_signature(
        &self,
        hash: [u8; 32],
        expires_at_ms: i64,
    ) -> Result<bool> {
        self.write(move |c| {
            let inserted = c
                .prepare_cached(
                    "INSERT INTO seen_signatures (hash, expires_at_ms) VALUES (?1, ?2) \
                     ON CONFLICT (hash) DO NOTHING",
                )?
                .execute(params![hash, expires_at_ms])?;
            Ok(inserted == 1)
        })
        .await
    }

    pub(super) async fn prune_signatures(&self, now_ms: i64) -> Result<u64> {
        self.write(move |c| {
            let n = c.execute(
                "DELETE FROM seen_signatures WHERE expires_at_ms < ?1",
                [now_ms],
            )?;
            Ok(n as u64)
        })
        .await
    }

    pub(super) async fn append(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: Option<u32>,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        self.write(move |c| {
            // The writer's `BEGIN IMMEDIATE` holds the write lock for the whole group, and
            // the group's jobs run one after another: appends from every connection (and
            // process) are serialised, so sequence numbers follow commit order, and a new
            // key epoch or an erasure is either before this append (and seen) or after it.
            if let Some(oldest) = oldest_epoch {
                if oldest < current_epoch(c, team)? {
                    return Err(StorageError::Refused(Refusal::StaleEpoch));
                }
            }
            let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
            let mut out = Vec::with_capacity(envelopes.len());
            {
                let mut erased =
                    c.prepare_cached("SELECT 1 FROM erased_docs WHERE team = ?1 AND doc = ?2")?;
                let mut existing =
                    c.prepare_cached("SELECT seq FROM envelopes WHERE team = ?1 AND id = ?2")?;
                let mut bump = c.prepare_cached(
                    "UPDATE team_heads SET head = head + 1 WHERE team = ?1 RETURNING head",
                )?;
                let mut insert = c.prepare_cached(
                    "INSERT INTO envelopes (team, seq, id, doc, bytes, stored_at_ms) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for envelope in &envelopes {
                    if let Some(seq) = seen.get(&envelope.id) {
                        out.push(AppendOutcome {
                            seq: *seq,
                            duplicate: true,
                        });
                        continue;
                    }
                    let known: Option<i64> = existing
                        .query_row(params![team.0, envelope.id], |r| r.get(0))
                        .optional()?;
                    let outcome = match known {
                        Some(seq) => AppendOutcome {
                            seq: seq_from_db(seq)?,
                            duplicate: true,
                        },
                        // Erased at the person's request: acknowledged, never stored.
                        None if erased.exists(params![team.0, envelope.doc.0])? => {
                            out.push(AppendOutcome {
                                seq: 0,
                                duplicate: true,
                            });
                            continue;
                        }
                        None => {
                            let head: i64 = bump
                                .query_row([team.0], |r| r.get(0))
                                .optional()?
                                .ok_or(StorageError::Refused(Refusal::NotFound))?;
                            insert.execute(params![
                                team.0,
                                head,
                                envelope.id,
                                envelope.doc.0,
                                envelope.bytes,
                                now_ms
                            ])?;
                            AppendOutcome {
                                seq: seq_from_db(head)?,
                                duplicate: false,
                            }
                        }
                    };
                    seen.insert(envelope.id, outcome.seq);
                    out.push(outcome);
                }
            }
            Ok(out)
        })
        .await
    }

    pub(super) async fn head(&self, team: TeamId) -> Result<u64> {
        self.read(move |c| head(c, team)).await
    }

    pub(super) async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        self.read(move |c| read_page(c, team, request)).await
    }

    pub(super) async fn page_with_epoch(
        &self,
        team: TeamId,
        request: PageRequest,
    ) -> Result<(Page, u32)> {
        self.read(move |c| {
            let page = read_page(c, team, request)?;
            Ok((page, current_epoch(c, team)?))
        })
        .await
    }

    pub(super) async fn set_cursor(
        &self,
        team: TeamId,
        device: DeviceId,
        cursor: u64,
    ) -> Result<u64> {
        self.write(move |c| {
            let changed = c
                .prepare_cached(
                    "UPDATE devices SET cursor = ?3 \
                     WHERE team = ?1 AND device = ?2 AND cursor <> ?3",
                )?
                .execute(params![team.0, device.0, seq_to_db(cursor)])?;
            let dropped = if changed > 0 { collect(c, team)? } else { 0 };
            Ok(dropped)
        })
        .await
    }

    pub(super) async fn put_snapshot(
        &self,
        team: TeamId,
        snapshot: NewSnapshot,
    ) -> Result<SnapshotOutcome> {
        self.write(move |c| {
            if snapshot.covers > head(c, team)? {
                return Err(StorageError::Refused(Refusal::CoversBeyondHead));
            }
            if c.prepare_cached("SELECT 1 FROM erased_docs WHERE team = ?1 AND doc = ?2")?
                .exists(params![team.0, snapshot.doc.0])?
            {
                return Ok(SnapshotOutcome::Erased);
            }
            let stored = c.execute(
                "INSERT INTO snapshots (team, doc, covers, id, bytes, author, stored_at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (team, doc) DO UPDATE SET covers = excluded.covers, \
                 id = excluded.id, bytes = excluded.bytes, author = excluded.author, \
                 stored_at_ms = excluded.stored_at_ms \
                 WHERE snapshots.covers < excluded.covers",
                params![
                    team.0,
                    snapshot.doc.0,
                    seq_to_db(snapshot.covers),
                    snapshot.id,
                    snapshot.bytes,
                    snapshot.author.0,
                    snapshot.stored_at_ms
                ],
            )?;
            let outcome = if stored == 0 {
                SnapshotOutcome::Superseded
            } else {
                collect(c, team)?;
                SnapshotOutcome::Stored
            };
            Ok(outcome)
        })
        .await
    }

    pub(super) async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc, covers, bytes FROM snapshots WHERE team = ?1 ORDER BY doc",
            )?;
            let rows = stmt.query_map([team.0], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (doc, covers, bytes) = row?;
                out.push(StoredSnapshot {
                    doc: DocId(id16(&doc)?),
                    covers: seq_from_db(covers)?,
                    bytes,
                });
            }
            Ok(out)
        })
        .await
    }

    pub(super) async fn put_key_packages(
        &self,
        team: TeamId,
        epoch: u32,
        packages: Vec<NewKeyPackage>,
        now_ms: i64,
    ) -> Result<KeyEpochOutcome> {
        self.write(move |c| {
            let current = current_epoch(c, team)?;
            let mut stmt = c.prepare_cached(
                "SELECT to_device, bytes FROM key_packages WHERE team = ?1 AND epoch = ?2",
            )?;
            let stored = stmt
                .query_map(params![team.0, epoch], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<(Vec<u8>, Vec<u8>)>>>()?;
            drop(stmt);
            if let Some(outcome) = judge_key_epoch(current, epoch, &stored, &packages)? {
                return Ok(outcome);
            }
            let active = c
                .prepare_cached(
                    "SELECT device FROM devices WHERE team = ?1 AND revoked_at_ms IS NULL",
                )?
                .query_map([team.0], |r| r.get::<_, Vec<u8>>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            check_every_active_device(&active, &packages)?;
            for p in &packages {
                c.execute(
                    "INSERT INTO key_packages (team, epoch, to_device, from_device, bytes, \
                     stored_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![team.0, epoch, p.to.0, p.from.0, p.bytes, now_ms],
                )?;
            }
            Ok(KeyEpochOutcome::Stored)
        })
        .await
    }

    pub(super) async fn key_packages(
        &self,
        team: TeamId,
        device: DeviceId,
        after_epoch: u32,
    ) -> Result<DeviceKeyPackages> {
        self.read(move |c| {
            let current_epoch = current_epoch(c, team)?;
            let mut stmt = c.prepare_cached(
                "SELECT epoch, bytes FROM key_packages \
                 WHERE team = ?1 AND to_device = ?2 AND epoch > ?3 ORDER BY epoch",
            )?;
            let rows = stmt
                .query_map(params![team.0, device.0, after_epoch], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let packages = rows
                .into_iter()
                .map(|(e, b)| Ok((epoch_from_db(e)?, b)))
                .collect::<Result<Vec<_>>>()?;
            Ok(DeviceKeyPackages {
                current_epoch,
                packages,
            })
        })
        .await
    }

    pub(super) async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        self.write(move |c| {
            let dropped = collect(c, team)?;
            Ok(dropped)
        })
        .await
    }
}

/// A page of the log, in one read transaction.
fn read_page(c: &mut Connection, team: TeamId, request: PageRequest) -> Result<Page> {
    // One read transaction: the head and the rows come from the same snapshot.
    let tx = c.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let head = head(&tx, team)?;
    let filter = page_filter(request.skip_covered, '?');
    let (after, upto) = (seq_to_db(request.after), seq_to_db(head));
    // First the sizes, to cut the page to its byte budget; then the bytes.
    let limit = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let sizes: Vec<(u64, usize)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT e.seq, length(e.bytes) {filter} ORDER BY e.seq LIMIT ?4"
        ))?;
        let rows = stmt.query_map(params![team.0, after, upto, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut sizes = Vec::new();
        for row in rows {
            let (seq, len) = row?;
            sizes.push((
                seq_from_db(seq)?,
                usize::try_from(len).unwrap_or(usize::MAX),
            ));
        }
        sizes
    };
    let (take, more) = page_cut(&sizes, &request);
    let mut items = Vec::with_capacity(take);
    if let Some((last, _)) = sizes.get(take.wrapping_sub(1)) {
        let mut stmt =
            tx.prepare_cached(&format!("SELECT e.seq, e.bytes {filter} ORDER BY e.seq"))?;
        let rows = stmt.query_map(params![team.0, after, seq_to_db(*last)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (seq, bytes) = row?;
            items.push((seq_from_db(seq)?, bytes));
        }
    }
    tx.commit()?;
    Ok(Page { head, items, more })
}

/// The team's key epoch: the highest with packages, 1 before any rotation.
fn current_epoch(c: &Connection, team: TeamId) -> Result<u32> {
    let max: Option<i64> = c
        .prepare_cached("SELECT MAX(epoch) FROM key_packages WHERE team = ?1")?
        .query_row([team.0], |r| r.get(0))?;
    max.map_or(Ok(1), epoch_from_db)
}

fn head(c: &Connection, team: TeamId) -> Result<u64> {
    let head: Option<i64> = c
        .prepare_cached("SELECT head FROM team_heads WHERE team = ?1")?
        .query_row([team.0], |r| r.get(0))
        .optional()?;
    seq_from_db(head.ok_or(StorageError::Refused(Refusal::NotFound))?)
}

/// Drops the bytes of envelopes covered by a snapshot once every active device's cursor is
/// at or past the snapshot. Only snapshots not fully collected yet are visited, and each
/// visit is an index range, so this is cheap enough to run after every cursor move.
fn collect(c: &Connection, team: TeamId) -> Result<u64> {
    // Snapshots not fully collected first: usually none, and then nothing else to ask.
    let pending: Vec<(Vec<u8>, i64, i64)> = c
        .prepare_cached(
            "SELECT doc, covers, collected FROM snapshots WHERE team = ?1 AND collected < covers",
        )?
        .query_map(params![team.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if pending.is_empty() {
        return Ok(0);
    }
    let floor: Option<i64> = c
        .prepare_cached(
            "SELECT MIN(cursor) FROM devices WHERE team = ?1 AND revoked_at_ms IS NULL",
        )?
        .query_row([team.0], |r| r.get(0))?;
    let Some(floor) = floor else {
        return Ok(0);
    };
    let mut dropped = 0u64;
    for (doc, covers, collected) in pending
        .into_iter()
        .filter(|(_, covers, _)| *covers <= floor)
    {
        dropped += c
            .prepare_cached(
                "UPDATE envelopes SET bytes = NULL WHERE team = ?1 AND doc = ?2 \
                 AND seq > ?3 AND seq <= ?4 AND bytes IS NOT NULL",
            )?
            .execute(params![team.0, doc, collected, covers])? as u64;
        c.prepare_cached("UPDATE snapshots SET collected = ?3 WHERE team = ?1 AND doc = ?2")?
            .execute(params![team.0, doc, covers])?;
    }
    Ok(dropped)
}

/// team, sealed team key, expiry, use.
type InviteRow = (Vec<u8>, Vec<u8>, i64, Option<i64>, Option<i64>);

const DEVICE_COLUMNS: &str = "SELECT device, public_key, role, enrolled_at_ms, revoked_at_ms, \
                              cursor FROM devices";

struct RawDevice {
    device: Vec<u8>,
    public_key: Vec<u8>,
    role: String,
    enrolled_at_ms: i64,
    revoked_at_ms: Option<i64>,
    cursor: i64,
}

fn raw_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
    Ok(RawDevice {
        device: r.get(0)?,
        public_key: r.get(1)?,
        role: r.get(2)?,
        enrolled_at_ms: r.get(3)?,
        revoked_at_ms: r.get(4)?,
        cursor: r.get(5)?,
    })
}

impl RawDevice {
    fn into_record(self) -> Result<DeviceRecord> {
        Ok(DeviceRecord {
            device: DeviceId(id16(&self.device)?),
            public_key: key32(&self.public_key)?,
            role: parse_role(&self.role)?,
            enrolled_at_ms: self.enrolled_at_ms,
            revoked_at_ms: self.revoked_at_ms,
            cursor: seq_from_db(self.cursor)?,
        })
    }
}
