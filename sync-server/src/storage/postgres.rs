//! The PostgreSQL backend, for several stateless relays behind a load balancer over one
//! database. Same schema and rules as SQLite; what SQLite gets from its single writer, this
//! gets from row locks: a group of appends locks its teams' counter rows (`FOR UPDATE`, in
//! team order) until it commits, so sequence numbers are gap-free and in commit order, and a
//! replayed request is refused by whichever relay sees it second (the signature's unique
//! key). Each relay groups the writes every request makes into one transaction: see
//! [`writer_loop`].

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
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tandem_protocol::{DeviceId, DocId, TeamId};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::Row;

/// The writer task: one group commit after another until every sender is gone.
///
/// **Group commit.** Pushes, replay-table entries and cursor moves (the writes every request
/// makes) are queued to this one task per relay. It takes every write waiting (up to
/// [`MAX_BATCH_JOBS`] and [`MAX_BATCH_BYTES`]) and does them all in one transaction: the
/// teams' counter rows are locked in team order (so groups from several relays over one
/// database cannot deadlock on them), known envelope ids are looked up in one query, numbers
/// are handed out push after push in queue order, the new rows go in with one
/// `INSERT … UNNEST`, signatures with another, cursors with one `UPDATE … FROM UNNEST`, and
/// one commit (one WAL flush) makes them all durable before any of them is answered. A push
/// to a team that does not exist gets [`StorageError::Refused(Refusal::NotFound)`] without touching the
/// others. If the group's transaction fails for any other reason, each of its writes is
/// retried alone, so one bad write cannot fail the rest. Other writes (teams, invites,
/// snapshots, key epochs) are rare and run in their own transactions.
async fn writer_loop(pool: Pool, mut queue: mpsc::Receiver<Queued>, stats: Arc<GroupStats>) {
    let mut held: Option<Queued> = None;
    loop {
        let first = match held.take() {
            Some(next) => next,
            None => match queue.recv().await {
                Some(next) => next,
                None => return,
            },
        };
        let first = match first {
            Queued::Write(job) => job,
            Queued::Hold(started, released) => {
                let _ = started.send(());
                let _ = released.await;
                match queue.recv().await {
                    Some(next) => {
                        held = Some(next);
                        continue;
                    }
                    None => return,
                }
            }
        };
        let mut bytes = first.write.bytes();
        let mut group = vec![first];
        while group.len() < MAX_BATCH_JOBS && bytes < MAX_BATCH_BYTES {
            let Ok(next) = queue.try_recv() else { break };
            let job = match next {
                Queued::Write(job) => job,
                hold @ Queued::Hold(..) => {
                    held = Some(hold);
                    break;
                }
            };
            let more = job.write.bytes();
            if bytes + more > MAX_BATCH_BYTES {
                held = Some(Queued::Write(job));
                break;
            }
            bytes += more;
            group.push(job);
        }
        run_group(&pool, group, &stats).await;
    }
}

async fn run_group(pool: &Pool, group: Vec<Job>, stats: &GroupStats) {
    let writes: Vec<&Write> = group.iter().map(|j| &j.write).collect();
    match write_group(pool, &writes).await {
        Ok(results) => {
            stats.committed(group.len());
            for (job, result) in group.into_iter().zip(results) {
                let _ = job.answer.send(result);
            }
        }
        Err(e) if group.len() == 1 => {
            if let Some(job) = group.into_iter().next() {
                let _ = job.answer.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, writes = group.len(), "a group commit failed; retrying each write alone");
            for job in group {
                let result = write_group(pool, &[&job.write])
                    .await
                    .and_then(|mut r| r.pop().unwrap_or(Err(StorageError::WriterGone)));
                let _ = job.answer.send(result);
            }
        }
    }
}

/// Does every write of the group in one transaction; one result per write. The pushes, the
/// replay-table entries and the cursor moves touch different rows, so their statements are
/// sent together (pipelined on the one connection).
async fn write_group(pool: &Pool, writes: &[&Write]) -> Result<Vec<Result<Written>>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut results: Vec<Option<Result<Written>>> = (0..writes.len()).map(|_| None).collect();

    let appends: Vec<(usize, AppendRequest<'_>)> = writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Append {
                team,
                envelopes,
                oldest_epoch,
                now_ms,
            } => Some((
                i,
                AppendRequest {
                    team: *team,
                    envelopes: envelopes.as_slice(),
                    oldest_epoch: *oldest_epoch,
                    now_ms: *now_ms,
                },
            )),
            _ => None,
        })
        .collect();
    let requests: Vec<AppendRequest<'_>> = appends.iter().map(|(_, r)| *r).collect();

    // Replay table: the first of the group to bring a signature wins, as if one at a time.
    let mut first_with: HashMap<[u8; 32], usize> = HashMap::new();
    let (mut hashes, mut expiries): (Vec<&[u8]>, Vec<i64>) = (Vec::new(), Vec::new());
    for (i, w) in writes.iter().enumerate() {
        if let Write::Signature {
            hash,
            expires_at_ms,
        } = w
        {
            if first_with.contains_key(hash) {
                results[i] = Some(Ok(Written::Recorded(false)));
            } else {
                first_with.insert(*hash, i);
                hashes.push(hash);
                expiries.push(*expires_at_ms);
            }
        }
    }

    // Cursors: the last move of a device in the group is the one that counts.
    let mut last_move: HashMap<DeviceKey, (usize, u64)> = HashMap::new();
    for (i, w) in writes.iter().enumerate() {
        if let Write::Cursor {
            team,
            device,
            cursor,
        } = w
        {
            if let Some((earlier, _)) = last_move.insert((team.0, device.0), (i, *cursor)) {
                results[earlier] = Some(Ok(Written::CursorSet(0)));
            }
        }
    }
    let mut moves: Vec<(&DeviceKey, &(usize, u64))> = last_move.iter().collect();
    moves.sort_unstable();

    let (appended, fresh, changed) = tokio::try_join!(
        async {
            if requests.is_empty() {
                Ok(Vec::new())
            } else {
                append_group(&tx, &requests).await
            }
        },
        record_signatures(&tx, &hashes, &expiries),
        move_cursors(&tx, &moves),
    )?;
    for ((i, ..), result) in appends.iter().zip(appended) {
        results[*i] = Some(result.map(Written::Appended));
    }
    for (hash, i) in &first_with {
        results[*i] = Some(Ok(Written::Recorded(fresh.contains(hash))));
    }
    // What a team's collection drops is told to one of its moves (for the metrics).
    let mut dropped = collect_teams(&tx, &changed).await?;
    for ((team, _), (i, _)) in moves {
        let n = dropped.remove(team).unwrap_or(0);
        results[*i] = Some(Ok(Written::CursorSet(n)));
    }
    tx.commit().await?;
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or(Err(StorageError::WriterGone)))
        .collect())
}

/// Inserts the signatures not seen yet; returns those that were new.
async fn record_signatures(
    tx: &deadpool_postgres::Transaction<'_>,
    hashes: &[&[u8]],
    expiries: &[i64],
) -> Result<HashSet<[u8; 32]>> {
    let mut fresh = HashSet::new();
    if hashes.is_empty() {
        return Ok(fresh);
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO seen_signatures (hash, expires_at_ms) \
             SELECT * FROM UNNEST($1::bytea[], $2::bigint[]) \
             ON CONFLICT (hash) DO NOTHING RETURNING hash",
        )
        .await?;
    for row in tx.query(&stmt, &[&hashes, &expiries]).await? {
        fresh.insert(key32(row.try_get::<_, &[u8]>(0)?)?);
    }
    Ok(fresh)
}

/// Moves the cursors that changed; returns the teams (sorted, once each) where one did.
async fn move_cursors(
    tx: &deadpool_postgres::Transaction<'_>,
    moves: &[(&DeviceKey, &(usize, u64))],
) -> Result<Vec<[u8; 16]>> {
    let mut changed: Vec<[u8; 16]> = Vec::new();
    if moves.is_empty() {
        return Ok(changed);
    }
    let teams: Vec<&[u8]> = moves.iter().map(|((t, _), _)| t.as_slice()).collect();
    let devices: Vec<&[u8]> = moves.iter().map(|((_, d), _)| d.as_slice()).collect();
    let cursors: Vec<i64> = moves.iter().map(|(_, (_, c))| seq_to_db(*c)).collect();
    let stmt = tx
        .prepare_cached(
            "UPDATE devices d SET cursor = u.cursor \
             FROM UNNEST($1::bytea[], $2::bytea[], $3::bigint[]) AS u(team, device, cursor) \
             WHERE d.team = u.team AND d.device = u.device AND d.cursor <> u.cursor \
             RETURNING d.team",
        )
        .await?;
    for row in tx.query(&stmt, &[&teams, &devices, &cursors]).await? {
        changed.push(id16(row.try_get::<_, &[u8]>(0)?)?);
    }
    changed.sort_unstable();
    changed.dedup();
    Ok(changed)
}

/// Collects in every team of `teams` that has a snapshot not fully collected (one query to
/// find them); returns what each dropped.
async fn collect_teams(
    tx: &deadpool_postgres::Transaction<'_>,
    teams: &[[u8; 16]],
) -> Result<HashMap<[u8; 16], u64>> {
    let mut dropped = HashMap::new();
    if teams.is_empty() {
        return Ok(dropped);
    }
    let list: Vec<&[u8]> = teams.iter().map(|t| t.as_slice()).collect();
    let stmt = tx
        .prepare_cached(
            "SELECT DISTINCT team FROM snapshots WHERE team = ANY($1) AND collected < covers \
             ORDER BY team",
        )
        .await?;
    for row in tx.query(&stmt, &[&list]).await? {
        let team = id16(row.try_get::<_, &[u8]>(0)?)?;
        dropped.insert(team, collect(tx, TeamId(team)).await?);
    }
    Ok(dropped)
}

/// (team, device), as stored.
type DeviceKey = ([u8; 16], [u8; 16]);

/// One push in a group.
#[derive(Clone, Copy)]
struct AppendRequest<'a> {
    team: TeamId,
    envelopes: &'a [NewEnvelope],
    /// Refused whole if the team's key epoch is past this ([`StorageError::Refused(Refusal::StaleEpoch)`]).
    oldest_epoch: Option<u32>,
    now_ms: i64,
}

/// Appends every request of the group inside `tx`; one result per request.
async fn append_group(
    tx: &deadpool_postgres::Transaction<'_>,
    requests: &[AppendRequest<'_>],
) -> Result<Vec<Result<Vec<AppendOutcome>>>> {
    let mut teams: Vec<&[u8]> = requests.iter().map(|r| r.team.0.as_slice()).collect();
    teams.sort_unstable();
    teams.dedup();
    // Lock the counter rows first, in team order: a concurrent push of the same envelope
    // (through another relay) waits here, then finds it below, instead of failing on the
    // unique index.
    let lock = tx
        .prepare_cached(
            "SELECT team, head FROM team_heads WHERE team = ANY($1) ORDER BY team FOR UPDATE",
        )
        .await?;
    let mut heads: HashMap<[u8; 16], i64> = HashMap::new();
    for row in tx.query(&lock, &[&teams]).await? {
        heads.insert(id16(row.try_get::<_, &[u8]>(0)?)?, row.try_get(1)?);
    }
    let before: HashMap<[u8; 16], i64> = heads.clone();
    let (mut known_teams, mut known_ids): (Vec<&[u8]>, Vec<&[u8]>) = (Vec::new(), Vec::new());
    let (mut doc_teams, mut doc_ids): (Vec<&[u8]>, Vec<&[u8]>) = (Vec::new(), Vec::new());
    let mut asked: HashSet<([u8; 16], [u8; 32])> = HashSet::new();
    let mut asked_docs: HashSet<([u8; 16], [u8; 16])> = HashSet::new();
    for r in requests {
        if heads.contains_key(&r.team.0) {
            for e in r.envelopes.iter() {
                if asked.insert((r.team.0, e.id)) {
                    known_teams.push(r.team.0.as_slice());
                    known_ids.push(e.id.as_slice());
                }
                if asked_docs.insert((r.team.0, e.doc.0)) {
                    doc_teams.push(r.team.0.as_slice());
                    doc_ids.push(e.doc.0.as_slice());
                }
            }
        }
    }
    let epochs_stmt = tx
        .prepare_cached(
            "SELECT team, MAX(epoch) FROM key_packages WHERE team = ANY($1) GROUP BY team",
        )
        .await?;
    let erased_stmt = tx
        .prepare_cached(
            "SELECT e.team, e.doc FROM erased_docs e \
             JOIN UNNEST($1::bytea[], $2::bytea[]) AS u(team, doc) \
             ON e.team = u.team AND e.doc = u.doc",
        )
        .await?;
    let known_stmt = tx
        .prepare_cached(
            "SELECT e.team, e.id, e.seq FROM envelopes e \
             JOIN UNNEST($1::bytea[], $2::bytea[]) AS u(team, id) \
             ON e.team = u.team AND e.id = u.id",
        )
        .await?;
    // With the counter rows locked, as a new key epoch and an erasure lock them: what they
    // committed before is seen here, and they wait for this group to commit. The three
    // reads go out together (pipelined on the one connection).
    let epoch_params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&teams];
    let erased_params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&doc_teams, &doc_ids];
    let known_params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&known_teams, &known_ids];
    let (epoch_rows, erased_rows, known_rows) = tokio::try_join!(
        tx.query(&epochs_stmt, &epoch_params),
        tx.query(&erased_stmt, &erased_params),
        tx.query(&known_stmt, &known_params),
    )?;
    let mut epochs: HashMap<[u8; 16], u32> = HashMap::new();
    for row in epoch_rows {
        epochs.insert(
            id16(row.try_get::<_, &[u8]>(0)?)?,
            epoch_from_db(row.try_get(1)?)?,
        );
    }
    let mut erased: HashSet<([u8; 16], [u8; 16])> = HashSet::new();
    for row in erased_rows {
        erased.insert((
            id16(row.try_get::<_, &[u8]>(0)?)?,
            id16(row.try_get::<_, &[u8]>(1)?)?,
        ));
    }
    let mut known: HashMap<([u8; 16], [u8; 32]), u64> = HashMap::new();
    for row in known_rows {
        known.insert(
            (
                id16(row.try_get::<_, &[u8]>(0)?)?,
                key32(row.try_get::<_, &[u8]>(1)?)?,
            ),
            seq_from_db(row.try_get(2)?)?,
        );
    }

    // Numbers, push after push in queue order, exactly as if each committed alone.
    let mut rows = NewRows::default();
    let mut results = Vec::with_capacity(requests.len());
    for r in requests {
        let team = &r.team;
        let Some(head) = heads.get_mut(&team.0) else {
            results.push(Err(StorageError::Refused(Refusal::NotFound)));
            continue;
        };
        let current = epochs.get(&team.0).copied().unwrap_or(1);
        if r.oldest_epoch.is_some_and(|oldest| oldest < current) {
            results.push(Err(StorageError::Refused(Refusal::StaleEpoch)));
            continue;
        }
        let mut out = Vec::with_capacity(r.envelopes.len());
        for e in r.envelopes.iter() {
            if let Some(seq) = known.get(&(team.0, e.id)) {
                out.push(AppendOutcome {
                    seq: *seq,
                    duplicate: true,
                });
                continue;
            }
            if erased.contains(&(team.0, e.doc.0)) {
                // Erased at the person's request: acknowledged, never stored.
                out.push(AppendOutcome {
                    seq: 0,
                    duplicate: true,
                });
                continue;
            }
            *head += 1;
            let seq = seq_from_db(*head)?;
            known.insert((team.0, e.id), seq);
            rows.push(&team.0, *head, e, r.now_ms);
            out.push(AppendOutcome {
                seq,
                duplicate: false,
            });
        }
        results.push(Ok(out));
    }

    if !rows.seq.is_empty() {
        let (mut bump_teams, mut bump_heads): (Vec<&[u8]>, Vec<i64>) = (Vec::new(), Vec::new());
        for team in &teams {
            let key = id16(team)?;
            if let (Some(now), Some(was)) = (heads.get(&key), before.get(&key)) {
                if now != was {
                    bump_teams.push(team);
                    bump_heads.push(*now);
                }
            }
        }
        let bump = tx
            .prepare_cached(
                "UPDATE team_heads h SET head = u.head \
                 FROM UNNEST($1::bytea[], $2::bigint[]) AS u(team, head) WHERE h.team = u.team",
            )
            .await?;
        tx.execute(&bump, &[&bump_teams, &bump_heads]).await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO envelopes (team, seq, id, doc, bytes, stored_at_ms) \
                 SELECT * FROM UNNEST($1::bytea[], $2::bigint[], $3::bytea[], $4::bytea[], \
                 $5::bytea[], $6::bigint[])",
            )
            .await?;
        tx.execute(
            &insert,
            &[
                &rows.team,
                &rows.seq,
                &rows.id,
                &rows.doc,
                &rows.bytes,
                &rows.at,
            ],
        )
        .await?;
        // Delivered when the transaction commits: every relay on this database wakes the
        // long polls of these teams at once.
        let notify = tx
            .prepare_cached(&format!(
                "SELECT pg_notify({CHANNEL}, encode(t, 'hex')) FROM UNNEST($1::bytea[]) AS u(t)"
            ))
            .await?;
        tx.execute(&notify, &[&bump_teams]).await?;
    }
    Ok(results)
}

/// The `NOTIFY` channel appends are announced on: one per schema (relays of one database
/// with different schemas are different relays), within PostgreSQL's 63-byte names.
const CHANNEL: &str = "'tandem_log_' || left(md5(current_schema()), 16)";

/// Listens for appends announced on this schema's channel and calls `ring` with each team,
/// until the connection ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    ring: &(dyn Fn(TeamId) + Send + Sync),
) -> Result<()> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let channel: String = client
        .query_one(&format!("SELECT {CHANNEL}"), &[])
        .await?
        .get(0);
    client.batch_execute(&format!("LISTEN {channel}")).await?;
    while let Some(payload) = rx.recv().await {
        if let Ok(team) = payload.parse::<TeamId>() {
            ring(team);
        }
    }
    driver.abort();
    Ok(())
}

/// The envelopes a group inserts, column by column.
#[derive(Default)]
struct NewRows<'a> {
    team: Vec<&'a [u8]>,
    seq: Vec<i64>,
    id: Vec<&'a [u8]>,
    doc: Vec<&'a [u8]>,
    bytes: Vec<&'a [u8]>,
    at: Vec<i64>,
}

impl<'a> NewRows<'a> {
    fn push(&mut self, team: &'a [u8; 16], seq: i64, e: &'a NewEnvelope, at: i64) {
        self.team.push(team);
        self.seq.push(seq);
        self.id.push(&e.id);
        self.doc.push(&e.doc.0);
        self.bytes.push(&e.bytes);
        self.at.push(at);
    }
}

/// Numbered migrations, applied in order under an advisory lock (relays may start together).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/postgres/0001_init.sql")),
    (2, include_str!("migrations/postgres/0002_key_packages.sql")),
    (3, include_str!("migrations/postgres/0003_erased_docs.sql")),
    (4, include_str!("migrations/postgres/0004_invite_epoch.sql")),
];

/// Serialises migrations across relays starting at the same time ("tandem" in ASCII).
const MIGRATION_LOCK: i64 = 0x7461_6e64_656d;

const POOL_SIZE: usize = 16;

/// Most pushes in one group commit.
const MAX_BATCH_JOBS: usize = 256;

/// A group stops taking pushes once it holds this many envelope bytes (it always takes one):
/// one statement carries them all.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Pushes waiting for the appender; senders wait (asynchronously) beyond this.
const QUEUE: usize = 1024;

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

/// What the writer is sent.
enum Queued {
    Write(Job),
    /// Stop (signal the first sender once stopped) until the second is dropped.
    Hold(oneshot::Sender<()>, oneshot::Receiver<()>),
}

/// A write waiting for the writer, and where its answer goes.
struct Job {
    write: Write,
    answer: oneshot::Sender<Result<Written>>,
}

/// The writes the writer groups.
enum Write {
    Append {
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: Option<u32>,
        now_ms: i64,
    },
    Signature {
        hash: [u8; 32],
        expires_at_ms: i64,
    },
    Cursor {
        team: TeamId,
        device: DeviceId,
        cursor: u64,
    },
}

impl Write {
    fn bytes(&self) -> usize {
        match self {
            Write::Append { envelopes, .. } => envelopes.iter().map(|e| e.bytes.len()).sum(),
            _ => 0,
        }
    }
}

/// What became of a write.
enum Written {
    Appended(Vec<AppendOutcome>),
    Recorded(bool),
    CursorSet(u64),
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

    /// Calls `ring` with each team any relay on this database appends to (`LISTEN`), for as
    /// long as the task runs; after a lost connection it connects again (meanwhile, long polls
    /// still look again on their own every few seconds).
    pub(super) fn listen_for_appends(
        &self,
        ring: Arc<dyn Fn(TeamId) + Send + Sync>,
    ) -> tokio::task::JoinHandle<()> {
        let config = self.config.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = listen_once(&config, &*ring).await {
                    tracing::warn!(error = %e, "listening for appends failed; trying again");
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        })
    }

    pub(super) fn group_stats(&self) -> &GroupStats {
        &self.groups
    }

    pub(super) fn queued_writes(&self) -> usize {
        self.writes.max_capacity() - self.writes.capacity()
    }

    /// Sends a write to the writer and waits for its group's commit.
    async fn write(&self, write: Write) -> Result<Written> {
        let (answer, answered) = oneshot::channel();
        self.writes
            .send(Queued::Write(Job { write, answer }))
            .await
            .map_err(|_| StorageError::WriterGone)?;
        answered.await.map_err(|_| StorageError::WriterGone)?
    }

    /// Stops the writer until the hold is dropped.
    pub(super) async fn hold_writer(&self) -> Result<WriterHold> {
        let (started, running) = oneshot::channel();
        let (release, released) = oneshot::channel();
        self.writes
            .send(Queued::Hold(started, released))
            .await
            .map_err(|_| StorageError::WriterGone)?;
        running.await.map_err(|_| StorageError::WriterGone)?;
        Ok(WriterHold {
            _release: Release::Task(release),
        })
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
            return Err(StorageError::Refused(Refusal::Exists));
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
            return Err(StorageError::Refused(Refusal::NotFound));
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

    pub(super) async fn erase_doc(&self, team: TeamId, doc: DocId, now_ms: i64) -> Result<u64> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row, as appends lock it: a push in flight either committed
        // before (its bytes are dropped here) or sees the erasure (and stores nothing).
        lock_team(&tx, team).await?;
        tx.execute(
            "INSERT INTO erased_docs (team, doc, erased_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (team, doc) DO NOTHING",
            &[&team.0.as_slice(), &doc.0.as_slice(), &now_ms],
        )
        .await?;
        let dropped = tx
            .execute(
                "UPDATE envelopes SET bytes = NULL \
                 WHERE team = $1 AND doc = $2 AND bytes IS NOT NULL",
                &[&team.0.as_slice(), &doc.0.as_slice()],
            )
            .await?;
        tx.execute(
            "DELETE FROM snapshots WHERE team = $1 AND doc = $2",
            &[&team.0.as_slice(), &doc.0.as_slice()],
        )
        .await?;
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
                "INSERT INTO invites (token_hash, team, created_by, sealed_team_key, \
                 created_at_ms, expires_at_ms, epoch) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (token_hash) DO NOTHING",
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
        if inserted == 0 {
            return Err(StorageError::Refused(Refusal::Exists));
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
                "SELECT team, sealed_team_key, expires_at_ms, used_at_ms, epoch \
                 FROM invites WHERE token_hash = $1 FOR UPDATE",
                &[&token_hash.as_slice()],
            )
            .await?
            .ok_or(StorageError::Refused(Refusal::NotFound))?;
        let team = TeamId(id16(row.try_get::<_, &[u8]>(0)?)?);
        let sealed_team_key: Vec<u8> = row.try_get(1)?;
        let expires_at_ms: i64 = row.try_get(2)?;
        let used_at_ms: Option<i64> = row.try_get(3)?;
        if used_at_ms.is_some() {
            return Err(StorageError::Refused(Refusal::InviteUsed));
        }
        if now_ms >= expires_at_ms {
            return Err(StorageError::Refused(Refusal::InviteExpired));
        }
        let invite_epoch: Option<i64> = row.try_get(4)?;
        // The team's counter row, locked until commit, as a new key epoch locks it: a device
        // enrolls either before an epoch is stored (and must be in it) or after (and its
        // invite must carry that epoch's key), never in between.
        lock_team(&tx, team).await?;
        check_invite_epoch(invite_epoch, current_epoch(&tx, team).await?)?;
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
            return Err(StorageError::Refused(Refusal::Exists));
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
        oldest_epoch: Option<u32>,
        now_ms: i64,
    ) -> Result<Vec<AppendOutcome>> {
        match self
            .write(Write::Append {
                team,
                envelopes,
                oldest_epoch,
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

    pub(super) async fn put_snapshot(
        &self,
        team: TeamId,
        snapshot: NewSnapshot,
    ) -> Result<SnapshotOutcome> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The team's counter row, locked as an erasure locks it: an erasure committed before
        // is seen below; one after drops this snapshot.
        let head = lock_team(&tx, team).await?;
        if snapshot.covers > head {
            return Err(StorageError::Refused(Refusal::CoversBeyondHead));
        }
        let erased = tx
            .query_opt(
                "SELECT 1 FROM erased_docs WHERE team = $1 AND doc = $2",
                &[&team.0.as_slice(), &snapshot.doc.0.as_slice()],
            )
            .await?
            .is_some();
        if erased {
            return Ok(SnapshotOutcome::Erased);
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
        lock_team(&tx, team).await?;
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
        let active = tx
            .query(
                "SELECT device FROM devices WHERE team = $1 AND revoked_at_ms IS NULL",
                &[&team.0.as_slice()],
            )
            .await?
            .iter()
            .map(|r| Ok(r.try_get::<_, Vec<u8>>(0)?))
            .collect::<Result<Vec<_>>>()?;
        check_every_active_device(&active, &packages)?;
        for p in &packages {
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
/// A page of the log: the head first, then rows up to it.
/// A page of the log and the team's key epoch. The head, the epoch and the page's sizes
/// come from one statement (one snapshot: every sequence number up to the head it sees is
/// committed), then the bytes of the rows that fit the byte budget.
async fn read_page<C: GenericClient>(
    client: &C,
    team: TeamId,
    request: PageRequest,
) -> Result<(Page, u32)> {
    let filter = page_filter(request.skip_covered, '$');
    let (t, after) = (team.0.as_slice(), seq_to_db(request.after));
    let limit = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let sizes_stmt = client
        .prepare_cached(&format!(
            "SELECT h.head, (SELECT MAX(k.epoch) FROM key_packages k WHERE k.team = $1), \
             p.seq, p.len FROM team_heads h LEFT JOIN LATERAL (\
             SELECT e.seq, octet_length(e.bytes) AS len {} ORDER BY e.seq LIMIT $3\
             ) p ON TRUE WHERE h.team = $1 ORDER BY p.seq",
            filter.replace("e.seq <= $3", "e.seq <= h.head")
        ))
        .await?;
    let rows = client.query(&sizes_stmt, &[&t, &after, &limit]).await?;
    let first = rows
        .first()
        .ok_or(StorageError::Refused(Refusal::NotFound))?;
    let head = seq_from_db(first.try_get(0)?)?;
    let epoch = first
        .try_get::<_, Option<i64>>(1)?
        .map_or(Ok(1), epoch_from_db)?;
    let mut sizes = Vec::new();
    for row in &rows {
        if let (Some(seq), Some(len)) = (
            row.try_get::<_, Option<i64>>(2)?,
            row.try_get::<_, Option<i32>>(3)?,
        ) {
            sizes.push((
                seq_from_db(seq)?,
                usize::try_from(len).unwrap_or(usize::MAX),
            ));
        }
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
    Ok((Page { head, items, more }, epoch))
}

/// Locks the team's counter row until the transaction ends and returns the head. Appends
/// (every team of a group, in order), new key epochs, redeeming an invite, erasure and
/// snapshots take it first, so each sees the others' committed work whole.
async fn lock_team<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    let stmt = c
        .prepare_cached("SELECT head FROM team_heads WHERE team = $1 FOR UPDATE")
        .await?;
    let row = c
        .query_opt(&stmt, &[&team.0.as_slice()])
        .await?
        .ok_or(StorageError::Refused(Refusal::NotFound))?;
    seq_from_db(row.try_get(0)?)
}

async fn current_epoch<C: GenericClient>(c: &C, team: TeamId) -> Result<u32> {
    let stmt = c
        .prepare_cached("SELECT MAX(epoch) FROM key_packages WHERE team = $1")
        .await?;
    let max: Option<i64> = c
        .query_one(&stmt, &[&team.0.as_slice()])
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
        .ok_or(StorageError::Refused(Refusal::NotFound))?;
    seq_from_db(row.try_get(0)?)
}

/// See the SQLite twin: drops covered envelopes' bytes once every active device is past the
/// snapshot, visiting only snapshots not fully collected yet.
async fn collect<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    let t = team.0.as_slice();
    // Snapshots not fully collected first: usually none, and then nothing else to ask.
    let pending_stmt = c
        .prepare_cached(
            "SELECT doc, covers, collected FROM snapshots WHERE team = $1 AND collected < covers",
        )
        .await?;
    let pending = c.query(&pending_stmt, &[&t]).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let floor_stmt = c
        .prepare_cached("SELECT MIN(cursor) FROM devices WHERE team = $1 AND revoked_at_ms IS NULL")
        .await?;
    let floor: Option<i64> = c.query_one(&floor_stmt, &[&t]).await?.try_get(0)?;
    let Some(floor) = floor else {
        return Ok(0);
    };
    let mut dropped = 0u64;
    for row in pending {
        let doc: &[u8] = row.try_get(0)?;
        let covers: i64 = row.try_get(1)?;
        let collected: i64 = row.try_get(2)?;
        if covers > floor {
            continue;
        }
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
