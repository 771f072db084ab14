//! The PostgreSQL backend, for several stateless relays behind a load balancer over one
//! database. Same schema and rules as SQLite; what SQLite gets from its single writer, this
//! gets from row locks: a group of appends locks its teams' counter rows (`FOR UPDATE`, in
//! team order) until it commits, so sequence numbers are gap-free and in commit order, and a
//! replayed request is refused by whichever relay sees it second (the signature's unique
//! key).
//!
//! Each relay groups the writes every request makes (pushes, signatures, cursors) into one
//! transaction ([`writer`], the pushes numbered in [`append`]); appends are announced to the
//! other relays through [`listener`]; the schema is in [`migrations`], shared reads in
//! [`queries`]. The other writes are rare and run in their own transactions here; each
//! method reads rows, asks [`super::rules`], and writes rows.

mod append;
mod listener;
mod migrations;
mod queries;
mod record;
mod snapshots;
mod writer;

use self::queries::{collect, current_epoch, device_record, head, lock_team, read_page, usage};
use self::record::refuse_record_team;
use self::snapshots::{put_one_snapshot, read_snapshot_page};
use self::writer::{writer_loop, Queued, Write, Written};
use super::group::{GroupStats, QUEUE};
use super::rules::{self, InviteState};
use super::sql::{self, id16, key32, seq_from_db, DEVICE_COLUMNS};
use super::{
    AppendOutcome, DeviceKeyPackages, DeviceLookup, DeviceRecord, KeyEpochOutcome, NewEnvelope,
    NewInvite, NewKeyPackage, NewSnapshot, Page, PageRequest, Quota, Redeemed, Result,
    SnapshotOutcome, SnapshotPage, SnapshotPageRequest, StorageError, StoredSnapshot,
};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::sync::Arc;
use tandem_protocol::{DeviceId, DocId, TeamId};
use tokio::sync::mpsc;

const POOL_SIZE: usize = 16;

/// The PostgreSQL backend (cheap to clone).
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    /// For the connection that listens for appends (outside the pool).
    config: Arc<tokio_postgres::Config>,
    relay_id: String,
    writes: mpsc::Sender<Queued>,
    groups: Arc<GroupStats>,
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PostgresStorage").finish_non_exhaustive()
    }
}

/// A schema name safe to splice into SQL and connection options.
fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

impl PostgresStorage {
    /// Connects, migrates, and reads (or makes) the relay's identity.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self> {
        let mut config: tokio_postgres::Config = url.parse()?;
        if let Some(schema) = schema {
            if !valid_schema(schema) {
                return Err(StorageError::Corrupt(
                    "a schema name is lowercase letters, digits and underscores",
                ));
            }
            config.options(format!("-c search_path={schema}"));
        }
        let listen_config = config.clone();
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build()?;
        let mut client = pool.get().await?;
        let relay_id = migrations::migrate(&mut client, schema).await?;
        drop(client);
        let (writes, queue) = mpsc::channel(QUEUE);
        let groups = Arc::new(GroupStats::default());
        tokio::spawn(writer_loop(pool.clone(), queue, groups.clone()));
        Ok(Self {
            pool,
            config: Arc::new(listen_config),
            relay_id,
            writes,
            groups,
        })
    }

    pub(super) fn relay_id(&self) -> &str {
        &self.relay_id
    }

    pub(super) fn group_stats(&self) -> &GroupStats {
        &self.groups
    }

    pub(super) fn queued_writes(&self) -> usize {
        self.writes.max_capacity() - self.writes.capacity()
    }

    pub(super) async fn ping(&self) -> Result<()> {
        let client = self.pool.get().await?;
        client.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    pub(super) async fn create_team(
        &self,
        team: TeamId,
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let inserted = tx
            .execute(sql::INSERT_TEAM, &[&team.0.as_slice(), &now_ms])
            .await?;
        rules::inserted(inserted)?;
        tx.execute(sql::INSERT_TEAM_HEAD, &[&team.0.as_slice()])
            .await?;
        tx.execute(
            sql::INSERT_ADMIN,
            &[
                &team.0.as_slice(),
                &device.0.as_slice(),
                &public_key.as_slice(),
                &now_ms,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn lookup_device(
        &self,
        team: TeamId,
        device: DeviceId,
    ) -> Result<DeviceLookup> {
        let client = self.pool.get().await?;
        let stmt = client
            .prepare_cached(&format!("{DEVICE_COLUMNS} WHERE team = $1 AND device = $2"))
            .await?;
        if let Some(row) = client
            .query_opt(&stmt, &[&team.0.as_slice(), &device.0.as_slice()])
            .await?
        {
            return Ok(DeviceLookup::Member(device_record(&row)?));
        }
        let team_exists = client
            .query_opt(sql::TEAM_EXISTS, &[&team.0.as_slice()])
            .await?
            .is_some();
        if !team_exists {
            return Ok(DeviceLookup::UnknownTeam);
        }
        let elsewhere = client
            .query_opt(sql::KEY_ELSEWHERE, &[&device.0.as_slice()])
            .await?;
        Ok(match elsewhere {
            Some(row) => DeviceLookup::OtherTeam(key32(row.try_get::<_, &[u8]>(0)?)?),
            None => DeviceLookup::Unknown,
        })
    }

    pub(super) async fn devices(&self, team: TeamId) -> Result<Vec<DeviceRecord>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!("{DEVICE_COLUMNS} WHERE team = $1 ORDER BY enrolled_at_ms, device"),
                &[&team.0.as_slice()],
            )
            .await?;
        rows.iter().map(device_record).collect()
    }

    pub(super) async fn revoke(&self, team: TeamId, device: DeviceId, now_ms: i64) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row first, as appends take it: collection below writes it.
        lock_team(&tx, team).await?;
        refuse_record_team(&tx, team).await?;
        let exists = tx
            .query_opt(
                sql::DEVICE_EXISTS,
                &[&team.0.as_slice(), &device.0.as_slice()],
            )
            .await?;
        sql::found(exists)?;
        tx.execute(
            sql::REVOKE,
            &[&team.0.as_slice(), &device.0.as_slice(), &now_ms],
        )
        .await?;
        // A revoked device no longer holds garbage collection back.
        collect(&tx, team).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn erase_doc(
        &self,
        team: TeamId,
        doc: DocId,
        by: Option<(DeviceId, bool)>,
        now_ms: i64,
    ) -> Result<u64> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row, as appends lock it: a push in flight either committed
        // before (its bytes are dropped here) or sees the erasure (and stores nothing).
        lock_team(&tx, team).await?;
        let (t, d) = (team.0.as_slice(), doc.0.as_slice());
        if let Some((device, admin)) = by {
            let first = tx.query_opt(sql::FIRST_ENVELOPE, &[&t, &d]).await?;
            let first_author = match first {
                Some(row) => rules::first_author(
                    row.try_get::<_, Option<&[u8]>>(0)?,
                    row.try_get::<_, Option<Vec<u8>>>(1)?,
                ),
                None => None,
            };
            rules::may_erase(team, doc, device, admin, first_author)?;
        }
        tx.execute(sql::INSERT_ERASED, &[&t, &d, &now_ms]).await?;
        tx.execute(sql::RELEASE_DOC_BYTES, &[&t, &d]).await?;
        let dropped = tx.execute(sql::ERASE_ENVELOPES, &[&t, &d]).await?;
        tx.execute(sql::ERASE_SNAPSHOT, &[&t, &d]).await?;
        tx.commit().await?;
        Ok(dropped)
    }

    pub(super) async fn erased_among(&self, team: TeamId, docs: Vec<DocId>) -> Result<Vec<DocId>> {
        let client = self.pool.get().await?;
        let wanted: Vec<&[u8]> = docs.iter().map(|d| d.0.as_slice()).collect();
        let rows = client
            .query(
                "SELECT doc FROM erased_docs WHERE team = $1 AND doc = ANY($2)",
                &[&team.0.as_slice(), &wanted],
            )
            .await?;
        Ok(docs
            .into_iter()
            .filter(|d| rows.iter().any(|r| r.get::<_, &[u8]>(0) == d.0.as_slice()))
            .collect())
    }

    pub(super) async fn create_invite(&self, invite: NewInvite) -> Result<()> {
        let client = self.pool.get().await?;
        let inserted = client
            .execute(
                sql::INSERT_INVITE,
                &[
                    &invite.token_hash.as_slice(),
                    &invite.team.0.as_slice(),
                    &invite.created_by.0.as_slice(),
                    &invite.sealed_team_key,
                    &invite.created_at_ms,
                    &invite.expires_at_ms,
                    &invite.epoch.map(i64::from),
                ],
            )
            .await?;
        Ok(rules::inserted(inserted)?)
    }

    pub(super) async fn redeem_invite(
        &self,
        token_hash: [u8; 32],
        device: DeviceId,
        public_key: [u8; 32],
        now_ms: i64,
    ) -> Result<Redeemed> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // FOR UPDATE: two devices redeeming the same code at once are served one after the
        // other, and the second sees it used.
        let row = tx
            .query_opt(
                &format!("{} FOR UPDATE", sql::INVITE),
                &[&token_hash.as_slice()],
            )
            .await?;
        let row = sql::found(row)?;
        let team = TeamId(id16(row.try_get::<_, &[u8]>(0)?)?);
        let sealed_team_key: Vec<u8> = row.try_get(1)?;
        let invite = InviteState {
            expires_at_ms: row.try_get(2)?,
            used_at_ms: row.try_get(3)?,
            epoch: row.try_get(4)?,
        };
        // The team's counter row, locked until commit, as a new key epoch locks it: a device
        // enrolls either before an epoch is stored (and must be in it) or after (and its
        // invite must carry that epoch's key), never in between.
        lock_team(&tx, team).await?;
        refuse_record_team(&tx, team).await?;
        rules::redeemable(invite, now_ms, current_epoch(&tx, team).await?)?;
        let inserted = tx
            .execute(
                sql::INSERT_MEMBER,
                &[
                    &team.0.as_slice(),
                    &device.0.as_slice(),
                    &public_key.as_slice(),
                    &now_ms,
                ],
            )
            .await?;
        rules::inserted(inserted)?;
        tx.execute(
            sql::MARK_INVITE_USED,
            &[
                &token_hash.as_slice(),
                &now_ms,
                &device.0.as_slice(),
                &Vec::<u8>::new(),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(Redeemed {
            team,
            sealed_team_key,
        })
    }

    pub(super) async fn record_signature(
        &self,
        hash: [u8; 32],
        expires_at_ms: i64,
    ) -> Result<bool> {
        match self
            .write(Write::Signature {
                hash,
                expires_at_ms,
            })
            .await?
        {
            Written::Recorded(new) => Ok(new),
            _ => Err(StorageError::Corrupt("the writer answered another write")),
        }
    }

    pub(super) async fn prune_signatures(&self, now_ms: i64) -> Result<u64> {
        let client = self.pool.get().await?;
        Ok(client.execute(sql::PRUNE_SIGNATURES, &[&now_ms]).await?)
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
        match self
            .write(Write::Append {
                team,
                envelopes,
                oldest_epoch,
                quota,
                author,
                now_ms,
            })
            .await?
        {
            Written::Appended(outcomes) => Ok(outcomes),
            _ => Err(StorageError::Corrupt("the writer answered another write")),
        }
    }

    pub(super) async fn head(&self, team: TeamId) -> Result<u64> {
        let client = self.pool.get().await?;
        head(&client, team).await
    }

    pub(super) async fn usage(&self, team: TeamId) -> Result<(u64, u64)> {
        let client = self.pool.get().await?;
        let now = usage(&client, team).await?;
        Ok((now.envelopes, now.bytes))
    }

    pub(super) async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        let client = self.pool.get().await?;
        Ok(read_page(&client, team, request).await?.0)
    }

    pub(super) async fn page_with_epoch(
        &self,
        team: TeamId,
        request: PageRequest,
    ) -> Result<(Page, u32)> {
        let client = self.pool.get().await?;
        read_page(&client, team, request).await
    }

    pub(super) async fn set_cursor(
        &self,
        team: TeamId,
        device: DeviceId,
        cursor: u64,
    ) -> Result<u64> {
        match self
            .write(Write::Cursor {
                team,
                device,
                cursor,
            })
            .await?
        {
            Written::CursorSet(dropped) => Ok(dropped),
            _ => Err(StorageError::Corrupt("the writer answered another write")),
        }
    }

    pub(super) async fn put_snapshots(
        &self,
        team: TeamId,
        snapshots: Vec<NewSnapshot>,
        quota: Option<Quota>,
    ) -> Result<Vec<SnapshotOutcome>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row, locked as an erasure locks it: an erasure committed before
        // is seen below; one after drops these snapshots.
        lock_team(&tx, team).await?;
        let mut outcomes = Vec::with_capacity(snapshots.len());
        for snapshot in snapshots {
            // A refusal returns before the commit: the transaction is dropped, none stored.
            outcomes.push(put_one_snapshot(&tx, team, snapshot, quota).await?);
        }
        if outcomes.contains(&SnapshotOutcome::Stored) {
            collect(&tx, team).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    pub(super) async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        let client = self.pool.get().await?;
        let rows = client.query(sql::SNAPSHOTS, &[&team.0.as_slice()]).await?;
        rows.iter()
            .map(|row| {
                Ok(StoredSnapshot {
                    doc: DocId(id16(row.try_get::<_, &[u8]>(0)?)?),
                    covers: seq_from_db(row.try_get(1)?)?,
                    bytes: row.try_get(2)?,
                })
            })
            .collect()
    }

    pub(super) async fn snapshot_page(
        &self,
        team: TeamId,
        request: SnapshotPageRequest,
    ) -> Result<SnapshotPage> {
        let mut client = self.pool.get().await?;
        // Sizes and bytes from one snapshot of the database.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let page = read_snapshot_page(&tx, team, request).await?;
        tx.commit().await?;
        Ok(page)
    }

    pub(super) async fn put_key_packages(
        &self,
        team: TeamId,
        epoch: u32,
        packages: Vec<NewKeyPackage>,
        now_ms: i64,
    ) -> Result<KeyEpochOutcome> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row, locked until commit: two admins posting the next epoch at
        // once are served one after the other, and the second sees it taken.
        lock_team(&tx, team).await?;
        refuse_record_team(&tx, team).await?;
        let current = current_epoch(&tx, team).await?;
        let stored = tx
            .query(
                sql::EPOCH_PACKAGES,
                &[&team.0.as_slice(), &i64::from(epoch)],
            )
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<(Vec<u8>, Vec<u8>)>>>()?;
        if let Some(outcome) = rules::judge_key_epoch(current, epoch, &stored, &packages)? {
            return Ok(outcome);
        }
        let active = tx
            .query(sql::ACTIVE_DEVICES, &[&team.0.as_slice()])
            .await?
            .iter()
            .map(|r| Ok(r.try_get::<_, Vec<u8>>(0)?))
            .collect::<Result<Vec<_>>>()?;
        rules::check_every_active_device(&active, &packages)?;
        for p in &packages {
            tx.execute(
                sql::INSERT_KEY_PACKAGE,
                &[
                    &team.0.as_slice(),
                    &i64::from(epoch),
                    &p.to.0.as_slice(),
                    &p.from.0.as_slice(),
                    &p.bytes,
                    &now_ms,
                ],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(KeyEpochOutcome::Stored)
    }

    pub(super) async fn key_packages(
        &self,
        team: TeamId,
        device: DeviceId,
        after_epoch: u32,
    ) -> Result<DeviceKeyPackages> {
        let client = self.pool.get().await?;
        let current_epoch = current_epoch(&client, team).await?;
        let rows = client
            .query(
                sql::DEVICE_PACKAGES,
                &[
                    &team.0.as_slice(),
                    &device.0.as_slice(),
                    &i64::from(after_epoch),
                ],
            )
            .await?;
        let packages = rows
            .iter()
            .map(|r| Ok((rules::epoch_from_db(r.try_get(0)?)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(DeviceKeyPackages {
            current_epoch,
            packages,
        })
    }

    pub(super) async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        lock_team(&tx, team).await?;
        let dropped = collect(&tx, team).await?;
        tx.commit().await?;
        Ok(dropped)
    }
}
