//! The PostgreSQL backend, for several stateless relays behind a load balancer over one
//! database. Same schema and rules as SQLite; what SQLite gets from its single writer, this
//! gets from row locks: an append locks its team's counter row (`FOR UPDATE`, then
//! `UPDATE … RETURNING`) until it commits, so sequence numbers are gap-free and in commit
//! order, and a replayed request is refused by whichever relay sees it second.

use super::{epoch_from_db, judge_key_epoch, DeviceKeyPackages, KeyEpochOutcome, NewKeyPackage};
use super::{
    id16, key32, new_relay_id, page_cut, page_filter, parse_role, seq_from_db, seq_to_db,
    AppendOutcome, DeviceLookup, DeviceRecord, NewEnvelope, NewInvite, NewSnapshot, Page,
    PageRequest, Redeemed, Result, SnapshotOutcome, StorageError, StoredSnapshot, RELAY_ID_KEY,
};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use tandem_protocol::{DeviceId, DocId, TeamId};
use tokio_postgres::Row;

/// Numbered migrations, applied in order under an advisory lock (relays may start together).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/postgres/0001_init.sql")),
    (2, include_str!("migrations/postgres/0002_key_packages.sql")),
];

/// Serialises migrations across relays starting at the same time ("tandem" in ASCII).
const MIGRATION_LOCK: i64 = 0x7461_6e64_656d;

const POOL_SIZE: usize = 16;

/// The PostgreSQL backend (cheap to clone).
#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
    relay_id: String,
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
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build()?;
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        if let Some(schema) = schema {
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await?;
        }
        tx.batch_execute("CREATE TABLE IF NOT EXISTS relay_schema (version BIGINT NOT NULL)")
            .await?;
        let found: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM relay_schema", &[])
            .await?
            .get(0);
        let supported = MIGRATIONS.last().map_or(0, |(v, _)| *v);
        if found > supported {
            return Err(StorageError::NewerSchema { found, supported });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
            tx.batch_execute(sql).await?;
            tx.execute("INSERT INTO relay_schema (version) VALUES ($1)", &[version])
                .await?;
        }
        tx.execute(
            "INSERT INTO relay_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&RELAY_ID_KEY, &new_relay_id()],
        )
        .await?;
        let relay_id: String = tx
            .query_one(
                "SELECT value FROM relay_meta WHERE key = $1",
                &[&RELAY_ID_KEY],
            )
            .await?
            .get(0);
        tx.commit().await?;
        drop(client);
        Ok(Self { pool, relay_id })
    }

    pub(super) fn relay_id(&self) -> &str {
        &self.relay_id
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
            .execute(
                "INSERT INTO teams (team, created_at_ms) VALUES ($1, $2) \
                 ON CONFLICT (team) DO NOTHING",
                &[&team.0.as_slice(), &now_ms],
            )
            .await?;
        if inserted == 0 {
            return Err(StorageError::Exists);
        }
        tx.execute(
            "INSERT INTO team_heads (team, head) VALUES ($1, 0)",
            &[&team.0.as_slice()],
        )
        .await?;
        tx.execute(
            "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
             VALUES ($1, $2, $3, 'admin', $4)",
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
            .query_opt("SELECT 1 FROM teams WHERE team = $1", &[&team.0.as_slice()])
            .await?
            .is_some();
        if !team_exists {
            return Ok(DeviceLookup::UnknownTeam);
        }
        let elsewhere = client
            .query_opt(
                "SELECT public_key FROM devices WHERE device = $1 LIMIT 1",
                &[&device.0.as_slice()],
            )
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
        let exists = tx
            .query_opt(
                "SELECT 1 FROM devices WHERE team = $1 AND device = $2",
                &[&team.0.as_slice(), &device.0.as_slice()],
            )
            .await?
            .is_some();
        if !exists {
            return Err(StorageError::NotFound);
        }
        tx.execute(
            "UPDATE devices SET revoked_at_ms = $3 \
             WHERE team = $1 AND device = $2 AND revoked_at_ms IS NULL",
            &[&team.0.as_slice(), &device.0.as_slice(), &now_ms],
        )
        .await?;
        collect(&tx, team).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn create_invite(&self, invite: NewInvite) -> Result<()> {
        let client = self.pool.get().await?;
        let inserted = client
            .execute(
                "INSERT INTO invites (token_hash, team, created_by, sealed_team_key, \
                 created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (token_hash) DO NOTHING",
                &[
                    &invite.token_hash.as_slice(),
                    &invite.team.0.as_slice(),
                    &invite.created_by.0.as_slice(),
                    &invite.sealed_team_key,
                    &invite.created_at_ms,
                    &invite.expires_at_ms,
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StorageError::Exists);
        }
        Ok(())
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
                "SELECT team, sealed_team_key, expires_at_ms, used_at_ms \
                 FROM invites WHERE token_hash = $1 FOR UPDATE",
                &[&token_hash.as_slice()],
            )
            .await?
            .ok_or(StorageError::NotFound)?;
        let team = TeamId(id16(row.try_get::<_, &[u8]>(0)?)?);
        let sealed_team_key: Vec<u8> = row.try_get(1)?;
        let expires_at_ms: i64 = row.try_get(2)?;
        let used_at_ms: Option<i64> = row.try_get(3)?;
        if used_at_ms.is_some() {
            return Err(StorageError::InviteUsed);
        }
        if now_ms >= expires_at_ms {
            return Err(StorageError::InviteExpired);
        }
        let inserted = tx
            .execute(
                "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
                 VALUES ($1, $2, $3, 'member', $4) ON CONFLICT (team, device) DO NOTHING",
                &[
                    &team.0.as_slice(),
                    &device.0.as_slice(),
                    &public_key.as_slice(),
                    &now_ms,
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StorageError::Exists);
        }
        tx.execute(
            "UPDATE invites SET used_at_ms = $2, used_by = $3, sealed_team_key = ''::bytea \
             WHERE token_hash = $1",
            &[&token_hash.as_slice(), &now_ms, &device.0.as_slice()],
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
        let client = self.pool.get().await?;
        let stmt = client
            .prepare_cached(
                "INSERT INTO seen_signatures (hash, expires_at_ms) VALUES ($1, $2) \
                 ON CONFLICT (hash) DO NOTHING",
            )
            .await?;
        let inserted = client
            .execute(&stmt, &[&hash.as_slice(), &expires_at_ms])
            .await?;
        Ok(inserted == 1)
    }

    pub(super) async fn prune_signatures(&self, now_ms: i64) -> Result<u64> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "DELETE FROM seen_signatures WHERE expires_at_ms < $1",
                &[&now_ms],
            )
            .await?)
    }

    pub(super) async fn append(
        &self,
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let t = team.0.as_slice();
        // Lock the counter row first: a concurrent push of the same envelope waits here,
        // then finds it below, instead of failing on the unique index.
        let lock = tx
            .prepare_cached("SELECT head FROM team_heads WHERE team = $1 FOR UPDATE")
            .await?;
        tx.query_opt(&lock, &[&t])
            .await?
            .ok_or(StorageError::NotFound)?;

        let ids: Vec<&[u8]> = envelopes.iter().map(|e| e.id.as_slice()).collect();
        let known_stmt = tx
            .prepare_cached("SELECT id, seq FROM envelopes WHERE team = $1 AND id = ANY($2)")
            .await?;
        let mut known: HashMap<[u8; 32], u64> = HashMap::new();
        for row in tx.query(&known_stmt, &[&t, &ids]).await? {
            known.insert(
                key32(row.try_get::<_, &[u8]>(0)?)?,
                seq_from_db(row.try_get(1)?)?,
            );
        }

        // New envelopes, first occurrence only, in push order.
        let mut fresh: Vec<&NewEnvelope> = Vec::new();
        let mut fresh_ids: HashMap<[u8; 32], usize> = HashMap::new();
        for envelope in &envelopes {
            if !known.contains_key(&envelope.id) && !fresh_ids.contains_key(&envelope.id) {
                fresh_ids.insert(envelope.id, fresh.len());
                fresh.push(envelope);
            }
        }

        let mut first_new = 0u64;
        if !fresh.is_empty() {
            let n = i64::try_from(fresh.len()).unwrap_or(i64::MAX);
            let bump = tx
                .prepare_cached(
                    "UPDATE team_heads SET head = head + $2 WHERE team = $1 RETURNING head",
                )
                .await?;
            let head: i64 = tx.query_one(&bump, &[&t, &n]).await?.try_get(0)?;
            first_new = seq_from_db(head - n + 1)?;
            let seqs: Vec<i64> = (0..n).map(|i| head - n + 1 + i).collect();
            let new_ids: Vec<&[u8]> = fresh.iter().map(|e| e.id.as_slice()).collect();
            let docs: Vec<&[u8]> = fresh.iter().map(|e| e.doc.0.as_slice()).collect();
            let bytes: Vec<&[u8]> = fresh.iter().map(|e| e.bytes.as_slice()).collect();
            let insert = tx
                .prepare_cached(
                    "INSERT INTO envelopes (team, seq, id, doc, bytes, stored_at_ms) \
                     SELECT $1, u.seq, u.id, u.doc, u.bytes, $6 \
                     FROM UNNEST($2::bigint[], $3::bytea[], $4::bytea[], $5::bytea[]) \
                     AS u(seq, id, doc, bytes)",
                )
                .await?;
            tx.execute(&insert, &[&t, &seqs, &new_ids, &docs, &bytes, &now_ms])
                .await?;
        }
        tx.commit().await?;

        let mut out = Vec::with_capacity(envelopes.len());
        let mut reported: HashMap<[u8; 32], ()> = HashMap::new();
        for envelope in &envelopes {
            let outcome = if let Some(seq) = known.get(&envelope.id) {
                AppendOutcome {
                    seq: *seq,
                    duplicate: true,
                }
            } else {
                let index = fresh_ids.get(&envelope.id).copied().unwrap_or(0) as u64;
                AppendOutcome {
                    seq: first_new + index,
                    duplicate: reported.insert(envelope.id, ()).is_some(),
                }
            };
            out.push(outcome);
        }
        Ok(out)
    }

    pub(super) async fn head(&self, team: TeamId) -> Result<u64> {
        let client = self.pool.get().await?;
        head(&client, team).await
    }

    pub(super) async fn page(&self, team: TeamId, request: PageRequest) -> Result<Page> {
        let client = self.pool.get().await?;
        // The head first: every sequence number up to it is committed (the counter row lock
        // orders commits), so reading rows up to it cannot skip a late commit.
        let head = head(&client, team).await?;
        let filter = page_filter(request.skip_covered, '$');
        let (t, after) = (team.0.as_slice(), seq_to_db(request.after));
        // First the sizes, to cut the page to its byte budget; then the bytes.
        let limit = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
        let sizes_stmt = client
            .prepare_cached(&format!(
                "SELECT e.seq, octet_length(e.bytes) {filter} ORDER BY e.seq LIMIT $4"
            ))
            .await?;
        let mut sizes = Vec::new();
        for row in client
            .query(&sizes_stmt, &[&t, &after, &seq_to_db(head), &limit])
            .await?
        {
            let len: i32 = row.try_get(1)?;
            sizes.push((
                seq_from_db(row.try_get(0)?)?,
                usize::try_from(len).unwrap_or(usize::MAX),
            ));
        }
        let (take, more) = page_cut(&sizes, &request);
        let mut items = Vec::with_capacity(take);
        if let Some((last, _)) = sizes.get(take.wrapping_sub(1)) {
            let stmt = client
                .prepare_cached(&format!("SELECT e.seq, e.bytes {filter} ORDER BY e.seq"))
                .await?;
            for row in client
                .query(&stmt, &[&t, &after, &seq_to_db(*last)])
                .await?
            {
                items.push((seq_from_db(row.try_get(0)?)?, row.try_get::<_, Vec<u8>>(1)?));
            }
        }
        Ok(Page { head, items, more })
    }

    pub(super) async fn set_cursor(
        &self,
        team: TeamId,
        device: DeviceId,
        cursor: u64,
    ) -> Result<u64> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(
                "UPDATE devices SET cursor = $3 WHERE team = $1 AND device = $2 AND cursor <> $3",
            )
            .await?;
        let changed = tx
            .execute(
                &stmt,
                &[&team.0.as_slice(), &device.0.as_slice(), &seq_to_db(cursor)],
            )
            .await?;
        let dropped = if changed > 0 {
            collect(&tx, team).await?
        } else {
            0
        };
        tx.commit().await?;
        Ok(dropped)
    }

    pub(super) async fn put_snapshot(
        &self,
        team: TeamId,
        snapshot: NewSnapshot,
    ) -> Result<SnapshotOutcome> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        if snapshot.covers > head(&tx, team).await? {
            return Err(StorageError::CoversBeyondHead);
        }
        let stored = tx
            .execute(
                "INSERT INTO snapshots (team, doc, covers, id, bytes, author, stored_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (team, doc) DO UPDATE SET covers = excluded.covers, \
                 id = excluded.id, bytes = excluded.bytes, author = excluded.author, \
                 stored_at_ms = excluded.stored_at_ms \
                 WHERE snapshots.covers < excluded.covers",
                &[
                    &team.0.as_slice(),
                    &snapshot.doc.0.as_slice(),
                    &seq_to_db(snapshot.covers),
                    &snapshot.id.as_slice(),
                    &snapshot.bytes,
                    &snapshot.author.0.as_slice(),
                    &snapshot.stored_at_ms,
                ],
            )
            .await?;
        let outcome = if stored == 0 {
            SnapshotOutcome::Superseded
        } else {
            collect(&tx, team).await?;
            SnapshotOutcome::Stored
        };
        tx.commit().await?;
        Ok(outcome)
    }

    pub(super) async fn snapshots(&self, team: TeamId) -> Result<Vec<StoredSnapshot>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT doc, covers, bytes FROM snapshots WHERE team = $1 ORDER BY doc",
                &[&team.0.as_slice()],
            )
            .await?;
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
        tx.query_opt(
            "SELECT head FROM team_heads WHERE team = $1 FOR UPDATE",
            &[&team.0.as_slice()],
        )
        .await?
        .ok_or(StorageError::NotFound)?;
        let current = current_epoch(&tx, team).await?;
        let stored = tx
            .query(
                "SELECT to_device, bytes FROM key_packages WHERE team = $1 AND epoch = $2",
                &[&team.0.as_slice(), &i64::from(epoch)],
            )
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<(Vec<u8>, Vec<u8>)>>>()?;
        if let Some(outcome) = judge_key_epoch(current, epoch, &stored, &packages)? {
            return Ok(outcome);
        }
        for p in &packages {
            let active = tx
                .query_opt(
                    "SELECT 1 FROM devices WHERE team = $1 AND device = $2 \
                     AND revoked_at_ms IS NULL",
                    &[&team.0.as_slice(), &p.to.0.as_slice()],
                )
                .await?
                .is_some();
            if !active {
                return Err(StorageError::InactiveRecipient);
            }
            tx.execute(
                "INSERT INTO key_packages (team, epoch, to_device, from_device, bytes, \
                 stored_at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
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
                "SELECT epoch, bytes FROM key_packages \
                 WHERE team = $1 AND to_device = $2 AND epoch > $3 ORDER BY epoch",
                &[
                    &team.0.as_slice(),
                    &device.0.as_slice(),
                    &i64::from(after_epoch),
                ],
            )
            .await?;
        let packages = rows
            .iter()
            .map(|r| Ok((epoch_from_db(r.try_get(0)?)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(DeviceKeyPackages {
            current_epoch,
            packages,
        })
    }

    pub(super) async fn collect_garbage(&self, team: TeamId) -> Result<u64> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let dropped = collect(&tx, team).await?;
        tx.commit().await?;
        Ok(dropped)
    }
}

/// The team's key epoch: the highest with packages, 1 before any rotation.
async fn current_epoch<C: GenericClient>(c: &C, team: TeamId) -> Result<u32> {
    let max: Option<i64> = c
        .query_one(
            "SELECT MAX(epoch) FROM key_packages WHERE team = $1",
            &[&team.0.as_slice()],
        )
        .await?
        .try_get(0)?;
    max.map_or(Ok(1), epoch_from_db)
}

async fn head<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    let stmt = c
        .prepare_cached("SELECT head FROM team_heads WHERE team = $1")
        .await?;
    let row = c
        .query_opt(&stmt, &[&team.0.as_slice()])
        .await?
        .ok_or(StorageError::NotFound)?;
    seq_from_db(row.try_get(0)?)
}

/// See the SQLite twin: drops covered envelopes' bytes once every active device is past the
/// snapshot, visiting only snapshots not fully collected yet.
async fn collect<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    let t = team.0.as_slice();
    let floor: Option<i64> = c
        .query_one(
            "SELECT MIN(cursor) FROM devices WHERE team = $1 AND revoked_at_ms IS NULL",
            &[&t],
        )
        .await?
        .try_get(0)?;
    let Some(floor) = floor else {
        return Ok(0);
    };
    let due = c
        .query(
            "SELECT doc, covers, collected FROM snapshots \
             WHERE team = $1 AND collected < covers AND covers <= $2",
            &[&t, &floor],
        )
        .await?;
    let mut dropped = 0u64;
    for row in due {
        let doc: &[u8] = row.try_get(0)?;
        let covers: i64 = row.try_get(1)?;
        let collected: i64 = row.try_get(2)?;
        dropped += c
            .execute(
                "UPDATE envelopes SET bytes = NULL WHERE team = $1 AND doc = $2 \
                 AND seq > $3 AND seq <= $4 AND bytes IS NOT NULL",
                &[&t, &doc, &collected, &covers],
            )
            .await?;
        c.execute(
            "UPDATE snapshots SET collected = $3 WHERE team = $1 AND doc = $2",
            &[&t, &doc, &covers],
        )
        .await?;
    }
    Ok(dropped)
}

const DEVICE_COLUMNS: &str = "SELECT device, public_key, role, enrolled_at_ms, revoked_at_ms, \
                              cursor FROM devices";

fn device_record(row: &Row) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        device: DeviceId(id16(row.try_get::<_, &[u8]>(0)?)?),
        public_key: key32(row.try_get::<_, &[u8]>(1)?)?,
        role: parse_role(row.try_get::<_, &str>(2)?)?,
        enrolled_at_ms: row.try_get(3)?,
        revoked_at_ms: row.try_get(4)?,
        cursor: seq_from_db(row.try_get(5)?)?,
    })
}
