//! The SQLite backend: one file in WAL mode with `synchronous=FULL` (an acknowledged write
//! survives a power cut), one writer connection on its own thread, and a few reader
//! connections that WAL lets run beside it (reads run on tokio's blocking pool).
//!
//! Every write (append, cursor, replay-table entry, team, invite…) is a job for the writer
//! thread, which commits the jobs waiting as one group ([`writer`]); the SQLite-only reads
//! and the collection are in [`queries`], the schema in [`migrations`]. The methods here
//! read rows, ask [`super::rules`], and write rows; reads run on the reader connections
//! of [`readers`].

mod migrations;
mod queries;
mod readers;
mod record;
mod snapshots;
mod writer;

use self::queries::{
    collect, current_epoch, head, in_one_read, raw_device, read_page, usage, RawDevice,
};
use self::readers::READERS;
use self::record::refuse_record_team;
use self::snapshots::{put_one_snapshot, read_snapshot_page};
use self::writer::{writer_loop, Job};
use super::group::{GroupStats, QUEUE};
use super::rules::{self, InviteState};
use super::sql::{self, for_sqlite, id16, key32, seq_from_db, seq_to_db, DEVICE_COLUMNS};
use super::{
    AppendOutcome, DeviceKeyPackages, DeviceLookup, DeviceRecord, KeyEpochOutcome, NewEnvelope,
    NewInvite, NewKeyPackage, NewSnapshot, Page, PageRequest, Quota, Redeemed, Result,
    SnapshotOutcome, SnapshotPage, SnapshotPageRequest, StoredSnapshot,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tandem_protocol::{DeviceId, DocId, TeamId};
use tokio::sync::mpsc;

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

impl SqliteStorage {
    /// Opens (creating and migrating) the database file.
    pub async fn open(path: &Path) -> Result<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut writer = open_connection(&path, true)?;
            migrations::migrate(&mut writer)?;
            let relay_id = migrations::ensure_relay_id(&writer)?;
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
            let inserted = c.execute(&for_sqlite(sql::INSERT_TEAM), params![team.0, now_ms])?;
            rules::inserted(inserted as u64)?;
            c.execute(&for_sqlite(sql::INSERT_TEAM_HEAD), [team.0])?;
            c.execute(
                &for_sqlite(sql::INSERT_ADMIN),
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
                .query_row(&for_sqlite(sql::TEAM_EXISTS), [team.0], |_| Ok(()))
                .optional()?
                .is_some();
            if !team_exists {
                return Ok(DeviceLookup::UnknownTeam);
            }
            let elsewhere: Option<Vec<u8>> = c
                .query_row(&for_sqlite(sql::KEY_ELSEWHERE), [device.0], |r| r.get(0))
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
            refuse_record_team(c, team)?;
            let exists = c
                .query_row(
                    &for_sqlite(sql::DEVICE_EXISTS),
                    params![team.0, device.0],
                    |_| Ok(()),
                )
                .optional()?;
            sql::found(exists)?;
            c.execute(&for_sqlite(sql::REVOKE), params![team.0, device.0, now_ms])?;
            // A revoked device no longer holds garbage collection back.
            collect(c, team)?;
            Ok(())
        })
        .await
    }

    pub(super) async fn erase_doc(
        &self,
        team: TeamId,
        doc: DocId,
        by: Option<(DeviceId, bool)>,
        now_ms: i64,
    ) -> Result<u64> {
        let dropped = self
            .write(move |c| {
                if let Some((device, admin)) = by {
                    let first_author = c
                        .prepare_cached(&for_sqlite(sql::FIRST_ENVELOPE))?
                        .query_row(params![team.0, doc.0], |r| {
                            let column: Option<Vec<u8>> = r.get(0)?;
                            Ok(rules::first_author(column.as_deref(), r.get(1)?))
                        })
                        .optional()?
                        .flatten();
                    rules::may_erase(team, doc, device, admin, first_author)?;
                }
                c.execute(
                    &for_sqlite(sql::INSERT_ERASED),
                    params![team.0, doc.0, now_ms],
                )?;
                c.execute(&for_sqlite(sql::RELEASE_DOC_BYTES), params![team.0, doc.0])?;
                let dropped =
                    c.execute(&for_sqlite(sql::ERASE_ENVELOPES), params![team.0, doc.0])?;
                c.execute(&for_sqlite(sql::ERASE_SNAPSHOT), params![team.0, doc.0])?;
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
    pub(super) async fn truncate_wal(&self) {
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
            let mut stmt = c.prepare_cached(&for_sqlite(sql::ERASED))?;
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
                &for_sqlite(sql::INSERT_INVITE),
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
            Ok(rules::inserted(inserted as u64)?)
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
            // The writer holds the write lock for the whole group: nothing moves meanwhile.
            let found: Option<(Vec<u8>, Vec<u8>, InviteState)> = c
                .query_row(&for_sqlite(sql::INVITE), [token_hash], |r| {
                    let invite = InviteState {
                        expires_at_ms: r.get(2)?,
                        used_at_ms: r.get(3)?,
                        epoch: r.get(4)?,
                    };
                    Ok((r.get(0)?, r.get(1)?, invite))
                })
                .optional()?;
            let (team, sealed_team_key, invite) = sql::found(found)?;
            let team = TeamId(id16(&team)?);
            refuse_record_team(c, team)?;
            rules::redeemable(invite, now_ms, current_epoch(c, team)?)?;
            let inserted = c.execute(
                &for_sqlite(sql::INSERT_MEMBER),
                params![team.0, device.0, public_key, now_ms],
            )?;
            rules::inserted(inserted as u64)?;
            c.execute(
                &for_sqlite(sql::MARK_INVITE_USED),
                params![token_hash, now_ms, device.0, Vec::<u8>::new()],
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
            let n = c.execute(&for_sqlite(sql::PRUNE_SIGNATURES), [now_ms])?;
            Ok(n as u64)
        })
        .await
    }

    pub(super) async fn append(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: Option<u32>,
        quota: Option<Quota>,
        author: Option<DeviceId>,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        self.write(move |c| {
            // The writer's `BEGIN IMMEDIATE` holds the write lock for the whole group, and
            // the group's jobs run one after another: appends from every connection (and
            // process) are serialised, so sequence numbers follow commit order, and a new
            // key epoch or an erasure is either before this append (and seen) or after it.
            if oldest_epoch.is_some() {
                rules::push_epoch(oldest_epoch, current_epoch(c, team)?)?;
            }
            let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
            let mut out = Vec::with_capacity(envelopes.len());
            let mut erased = c.prepare_cached(&for_sqlite(sql::ERASED))?;
            let mut existing =
                c.prepare_cached("SELECT seq FROM envelopes WHERE team = ?1 AND id = ?2")?;
            // What the team stores after each new envelope comes back with its number: the
            // last one is what the quota judges (a refusal rolls this job's savepoint back).
            let mut bump = c.prepare_cached(
                "UPDATE team_heads SET head = head + 1, stored_bytes = stored_bytes + ?2 \
                 WHERE team = ?1 RETURNING head, stored_bytes",
            )?;
            let mut after: Option<rules::Usage> = None;
            let mut insert = c.prepare_cached(
                "INSERT INTO envelopes (team, seq, id, doc, bytes, stored_at_ms, author) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let author = author.map(|a| a.0);
            for envelope in &envelopes {
                let known = match seen.get(&envelope.id) {
                    Some(seq) => Some(*seq),
                    None => existing
                        .query_row(params![team.0, envelope.id], |r| r.get::<_, i64>(0))
                        .optional()?
                        .map(seq_from_db)
                        .transpose()?,
                };
                let fate = rules::envelope_fate(known, || {
                    Ok(erased.exists(params![team.0, envelope.doc.0])?)
                })?;
                let outcome = match fate {
                    Some(answered) => answered,
                    None => {
                        let len = i64::try_from(envelope.bytes.len()).unwrap_or(i64::MAX);
                        let (head, stored): (i64, i64) = sql::found(
                            bump.query_row(params![team.0, len], |r| Ok((r.get(0)?, r.get(1)?)))
                                .optional()?,
                        )?;
                        after = Some(rules::Usage {
                            envelopes: seq_from_db(head)?,
                            bytes: rules::bytes_from_db(stored)?,
                        });
                        insert.execute(params![
                            team.0,
                            head,
                            envelope.id,
                            envelope.doc.0,
                            envelope.bytes,
                            now_ms,
                            author
                        ])?;
                        AppendOutcome {
                            seq: seq_from_db(head)?,
                            duplicate: false,
                            erased: false,
                        }
                    }
                };
                if outcome.seq != 0 {
                    seen.insert(envelope.id, outcome.seq);
                }
                out.push(outcome);
            }
            // Only what this push stores counts: duplicates and erased documents' envelopes
            // (answered without a new number) never make it over.
            if let Some(after) = after {
                rules::push_quota(after, quota)?;
            }
            Ok(out)
        })
        .await
    }

    pub(super) async fn head(&self, team: TeamId) -> Result<u64> {
        self.read(move |c| head(c, team)).await
    }

    pub(super) async fn usage(&self, team: TeamId) -> Result<(u64, u64)> {
        self.read(move |c| usage(c, team).map(|u| (u.envelopes, u.bytes)))
            .await
    }

    pub(super) async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        self.read(move |c| in_one_read(c, |tx| read_page(tx, team, request)))
            .await
    }

    pub(super) async fn page_with_epoch(
        &self,
        team: TeamId,
        request: PageRequest,
    ) -> Result<(Page, u32)> {
        // The epoch in the page's own read transaction: read after it, an epoch committed
        // meanwhile would come with a page from before it.
        self.read(move |c| {
            in_one_read(c, |tx| {
                Ok((read_page(tx, team, request)?, current_epoch(tx, team)?))
            })
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

    pub(super) async fn put_snapshots(
        &self,
        team: TeamId,
        snapshots: Vec<NewSnapshot>,
        quota: Option<Quota>,
    ) -> Result<Vec<SnapshotOutcome>> {
        // One job, so one savepoint: a refusal of any rolls back all of them.
        self.write(move |c| {
            let mut outcomes = Vec::with_capacity(snapshots.len());
            for snapshot in snapshots {
                outcomes.push(put_one_snapshot(c, team, snapshot, quota)?);
            }
            if outcomes.contains(&SnapshotOutcome::Stored) {
                collect(c, team)?;
            }
            Ok(outcomes)
        })
        .await
    }

    pub(super) async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&for_sqlite(sql::SNAPSHOTS))?;
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

    pub(super) async fn snapshot_page(
        &self,
        team: TeamId,
        request: SnapshotPageRequest,
    ) -> Result<SnapshotPage> {
        self.read(move |c| in_one_read(c, |tx| read_snapshot_page(tx, team, request)))
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
            refuse_record_team(c, team)?;
            let current = current_epoch(c, team)?;
            let stored = c
                .prepare_cached(&for_sqlite(sql::EPOCH_PACKAGES))?
                .query_map(params![team.0, epoch], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<(Vec<u8>, Vec<u8>)>>>()?;
            if let Some(outcome) = rules::judge_key_epoch(current, epoch, &stored, &packages)? {
                return Ok(outcome);
            }
            let active = c
                .prepare_cached(&for_sqlite(sql::ACTIVE_DEVICES))?
                .query_map([team.0], |r| r.get::<_, Vec<u8>>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rules::check_every_active_device(&active, &packages)?;
            for p in &packages {
                c.execute(
                    &for_sqlite(sql::INSERT_KEY_PACKAGE),
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
            let rows = c
                .prepare_cached(&for_sqlite(sql::DEVICE_PACKAGES))?
                .query_map(params![team.0, device.0, after_epoch], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let packages = rows
                .into_iter()
                .map(|(e, b)| Ok((rules::epoch_from_db(e)?, b)))
                .collect::<Result<Vec<_>>>()?;
            Ok(DeviceKeyPackages {
                current_epoch,
                packages,
            })
        })
        .await
    }

    pub(super) async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        self.write(move |c| collect(c, team)).await
    }
}
