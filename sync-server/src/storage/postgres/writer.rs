//! The PostgreSQL group commit: one writer task per relay.
//!
//! **Group commit.** Pushes, replay-table entries and cursor moves (the writes every request
//! makes) are queued to this one task per relay. It takes every write waiting (up to
//! [`MAX_BATCH_JOBS`] and [`MAX_BATCH_BYTES`]) and does them all in one transaction: the
//! teams' counter rows are locked in team order (so groups from several relays over one
//! database cannot deadlock on them), known envelope ids are looked up in one query, numbers
//! are handed out push after push in queue order, the new rows go in with one
//! `INSERT … UNNEST`, signatures with another, cursors with one `UPDATE … FROM UNNEST`, and
//! one commit (one WAL flush) makes them all durable before any of them is answered. A push
//! to a team that does not exist gets [`Refusal::NotFound`](super::super::Refusal::NotFound) without touching the
//! others. If the group's transaction fails for any other reason, each of its writes is
//! retried alone, so one bad write cannot fail the rest. Other writes (teams, invites,
//! snapshots, key epochs) are rare and run in their own transactions.
//!
//! The pushes of a group are numbered and stored by `append`.

use super::super::group::{send_and_wait, GroupStats, Release, WriterHold, MAX_BATCH_JOBS};
use super::super::sql::{id16, key32, seq_to_db};
use super::super::{AppendOutcome, NewEnvelope, Quota, Result, StorageError};
use super::append::{append_group, AppendRequest};
use super::queries::collect;
use super::PostgresStorage;
use deadpool_postgres::Pool;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tandem_protocol::{DeviceId, TeamId};
use tokio::sync::{mpsc, oneshot};

/// A group stops taking pushes once it holds this many envelope bytes (it always takes one):
/// one statement carries them all.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// What the writer is sent.
pub(super) enum Queued {
    Write(Job),
    /// Stop (signal the first sender once stopped) until the second is dropped.
    Hold(oneshot::Sender<()>, oneshot::Receiver<()>),
}

/// A write waiting for the writer, and where its answer goes.
pub(super) struct Job {
    write: Write,
    answer: oneshot::Sender<Result<Written>>,
}

/// The writes the writer groups.
pub(super) enum Write {
    Append {
        team: TeamId,
        envelopes: Vec<NewEnvelope>,
        oldest_epoch: Option<u32>,
        quota: Option<Quota>,
        author: Option<DeviceId>,
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
pub(super) enum Written {
    Appended(Vec<AppendOutcome>),
    Recorded(bool),
    CursorSet(u64),
}

/// The writer task: one group commit after another until every sender is gone.
pub(super) async fn writer_loop(
    pool: Pool,
    mut queue: mpsc::Receiver<Queued>,
    stats: Arc<GroupStats>,
) {
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
                quota,
                author,
                now_ms,
            } => Some((
                i,
                AppendRequest {
                    team: *team,
                    envelopes: envelopes.as_slice(),
                    oldest_epoch: *oldest_epoch,
                    quota: *quota,
                    author: *author,
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

impl PostgresStorage {
    /// Sends a write to the writer and waits for its group's commit.
    pub(super) async fn write(&self, write: Write) -> Result<Written> {
        let (answer, answered) = oneshot::channel();
        send_and_wait(&self.writes, Queued::Write(Job { write, answer }), answered).await?
    }

    /// Stops the writer until the hold is dropped.
    pub(in crate::storage) async fn hold_writer(&self) -> Result<WriterHold> {
        let (started, running) = oneshot::channel();
        let (release, released) = oneshot::channel();
        send_and_wait(&self.writes, Queued::Hold(started, released), running).await?;
        Ok(WriterHold {
            _release: Release::Task(release),
        })
    }
}
