//! One group's pushes, in one transaction: the teams' counter rows locked in team order,
//! what the rules need read in three pipelined queries, numbers handed out push after push
//! in queue order (as if each committed alone), and the new rows written with one
//! `INSERT … UNNEST`. Called by the writer ([`super::writer`]).

use super::super::rules;
use super::super::sql::{id16, key32, seq_from_db};
use super::super::{AppendOutcome, NewEnvelope, Quota, Refusal, Result};
use super::listener::CHANNEL;
use std::collections::{HashMap, HashSet};
use tandem_protocol::{DeviceId, TeamId};

/// One push in a group.
#[derive(Clone, Copy)]
pub(super) struct AppendRequest<'a> {
    pub(super) team: TeamId,
    pub(super) envelopes: &'a [NewEnvelope],
    /// Refused whole if the team's key epoch is past this ([`Refusal::StaleEpoch`]).
    pub(super) oldest_epoch: Option<u32>,
    /// Refused whole if what it stores takes the team past this.
    pub(super) quota: Option<Quota>,
    /// The device that pushed it (and wrote every envelope of it).
    pub(super) author: Option<DeviceId>,
    pub(super) now_ms: i64,
}

/// Appends every request of the group inside `tx`; one result per request.
pub(super) async fn append_group(
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
            "SELECT team, head, stored_bytes FROM team_heads WHERE team = ANY($1) \
             ORDER BY team FOR UPDATE",
        )
        .await?;
    let mut heads: HashMap<[u8; 16], i64> = HashMap::new();
    let mut stored: HashMap<[u8; 16], i64> = HashMap::new();
    for row in tx.query(&lock, &[&teams]).await? {
        let team = id16(row.try_get::<_, &[u8]>(0)?)?;
        heads.insert(team, row.try_get(1)?);
        stored.insert(team, row.try_get(2)?);
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
    let mut epochs: HashMap<[u8; 16], i64> = HashMap::new();
    for row in epoch_rows {
        epochs.insert(id16(row.try_get::<_, &[u8]>(0)?)?, row.try_get(1)?);
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
            results.push(Err(Refusal::NotFound.into()));
            continue;
        };
        let current = rules::current_epoch(epochs.get(&team.0).copied())?;
        if let Err(refused) = rules::push_epoch(r.oldest_epoch, current) {
            results.push(Err(refused.into()));
            continue;
        }
        // Numbered on the side first: a push the quota refuses leaves no trace.
        let mut out = Vec::with_capacity(r.envelopes.len());
        let mut numbered: HashMap<[u8; 32], u64> = HashMap::new();
        let mut new: Vec<(i64, &NewEnvelope)> = Vec::new();
        let mut next = *head;
        let mut added: i64 = 0;
        for e in r.envelopes.iter() {
            let known_seq = numbered
                .get(&e.id)
                .or_else(|| known.get(&(team.0, e.id)))
                .copied();
            let is_erased = || Ok(erased.contains(&(team.0, e.doc.0)));
            let fate = rules::envelope_fate(known_seq, is_erased)?;
            if let Some(answered) = fate {
                out.push(answered);
                continue;
            }
            next += 1;
            added = added.saturating_add(i64::try_from(e.bytes.len()).unwrap_or(i64::MAX));
            let seq = seq_from_db(next)?;
            numbered.insert(e.id, seq);
            new.push((next, e));
            out.push(AppendOutcome {
                seq,
                duplicate: false,
                erased: false,
            });
        }
        let bytes = stored.entry(team.0).or_insert(0);
        if !new.is_empty() {
            let after = rules::Usage {
                envelopes: seq_from_db(next)?,
                bytes: rules::bytes_from_db(bytes.saturating_add(added))?,
            };
            if let Err(refused) = rules::push_quota(after, r.quota) {
                results.push(Err(refused.into()));
                continue;
            }
        }
        *head = next;
        *bytes = bytes.saturating_add(added);
        for (id, seq) in numbered {
            known.insert((team.0, id), seq);
        }
        for (seq, e) in new {
            rows.push(&team.0, seq, e, r.now_ms, r.author);
        }
        results.push(Ok(out));
    }

    if !rows.seq.is_empty() {
        let (mut bump_teams, mut bump_heads): (Vec<&[u8]>, Vec<i64>) = (Vec::new(), Vec::new());
        let mut bump_bytes: Vec<i64> = Vec::new();
        for team in &teams {
            let key = id16(team)?;
            if let (Some(now), Some(was)) = (heads.get(&key), before.get(&key)) {
                if now != was {
                    bump_teams.push(team);
                    bump_heads.push(*now);
                    bump_bytes.push(stored.get(&key).copied().unwrap_or(0));
                }
            }
        }
        let bump = tx
            .prepare_cached(
                "UPDATE team_heads h SET head = u.head, stored_bytes = u.bytes \
                 FROM UNNEST($1::bytea[], $2::bigint[], $3::bigint[]) AS u(team, head, bytes) \
                 WHERE h.team = u.team",
            )
            .await?;
        tx.execute(&bump, &[&bump_teams, &bump_heads, &bump_bytes])
            .await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO envelopes (team, seq, id, doc, bytes, stored_at_ms, author) \
                 SELECT * FROM UNNEST($1::bytea[], $2::bigint[], $3::bytea[], $4::bytea[], \
                 $5::bytea[], $6::bigint[], $7::bytea[])",
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
                &rows.author,
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

/// The envelopes a group inserts, column by column.
#[derive(Default)]
struct NewRows<'a> {
    team: Vec<&'a [u8]>,
    seq: Vec<i64>,
    id: Vec<&'a [u8]>,
    doc: Vec<&'a [u8]>,
    bytes: Vec<&'a [u8]>,
    at: Vec<i64>,
    author: Vec<Option<Vec<u8>>>,
}

impl<'a> NewRows<'a> {
    fn push(
        &mut self,
        team: &'a [u8; 16],
        seq: i64,
        e: &'a NewEnvelope,
        at: i64,
        author: Option<DeviceId>,
    ) {
        self.author.push(author.map(|a| a.0.to_vec()));
        self.team.push(team);
        self.seq.push(seq);
        self.id.push(&e.id);
        self.doc.push(&e.doc.0);
        self.bytes.push(&e.bytes);
        self.at.push(at);
    }
}
