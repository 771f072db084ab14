//! Snapshots in PostgreSQL: storing one inside the caller's transaction (which holds the
//! team's row lock, so a batch is one transaction), and reading a page of them in document
//! order.

use super::super::rules;
use super::super::sql::{self, id16, seq_from_db, seq_to_db};
use super::super::{
    NewSnapshot, Quota, Result, SnapshotOutcome, SnapshotPage, SnapshotPageRequest, StoredSnapshot,
};
use super::queries::usage;
use deadpool_postgres::GenericClient;
use tandem_protocol::{DocId, TeamId};

/// Keeps `snapshot` if it covers more than the document's snapshot there, within `quota`;
/// the caller collects once for the whole batch.
pub(super) async fn put_one_snapshot<C: GenericClient>(
    tx: &C,
    team: TeamId,
    snapshot: NewSnapshot,
    quota: Option<Quota>,
) -> Result<SnapshotOutcome> {
    let now = usage(tx, team).await?;
    let (t, d) = (team.0.as_slice(), snapshot.doc.0.as_slice());
    let erased = tx.query_opt(sql::ERASED, &[&t, &d]).await?.is_some();
    if let Some(outcome) = rules::admit_snapshot(snapshot.covers, now.envelopes, erased)? {
        return Ok(outcome);
    }
    let old = tx.query_opt(sql::SNAPSHOT_SIZE, &[&t, &d]).await?;
    let new_len = snapshot.bytes.len() as u64;
    let old_len = match old {
        // The upsert below keeps the one there: nothing changes, nothing to judge.
        Some(row) if row.try_get::<_, i64>(0)? >= seq_to_db(snapshot.covers) => {
            return Ok(SnapshotOutcome::Superseded)
        }
        Some(row) => rules::bytes_from_db(i64::from(row.try_get::<_, i32>(1)?))?,
        None => 0,
    };
    rules::snapshot_quota(now.bytes, old_len, new_len, quota)?;
    let stored = tx
        .execute(
            sql::UPSERT_SNAPSHOT,
            &[
                &t,
                &d,
                &seq_to_db(snapshot.covers),
                &snapshot.id.as_slice(),
                &snapshot.bytes,
                &snapshot.author.0.as_slice(),
                &snapshot.stored_at_ms,
            ],
        )
        .await?;
    let outcome = rules::snapshot_kept(stored);
    if outcome == SnapshotOutcome::Stored {
        let grown =
            i64::try_from(new_len).unwrap_or(i64::MAX) - i64::try_from(old_len).unwrap_or(i64::MAX);
        tx.execute(sql::ADD_STORED_BYTES, &[&t, &grown]).await?;
    }
    Ok(outcome)
}

/// The snapshots of documents after `request.after`, in document order: sizes first, to
/// cut the page to its byte budget, then the bytes of those that make it (the caller
/// reads both from one snapshot of the database).
pub(super) async fn read_snapshot_page<C: GenericClient>(
    c: &C,
    team: TeamId,
    request: SnapshotPageRequest,
) -> Result<SnapshotPage> {
    let t = team.0.as_slice();
    let after = request.after.map(|d| d.0.to_vec()).unwrap_or_default();
    let limit = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let stmt = c.prepare_cached(sql::SNAPSHOT_SIZES_AFTER).await?;
    let mut sizes = Vec::new();
    for row in c.query(&stmt, &[&t, &after, &limit]).await? {
        let doc: Vec<u8> = row.try_get(0)?;
        let len: i32 = row.try_get(1)?;
        sizes.push((doc, usize::try_from(len).unwrap_or(usize::MAX)));
    }
    let lens: Vec<usize> = sizes.iter().map(|(_, len)| *len).collect();
    let (take, more) = rules::cut(&lens, request.limit, request.max_bytes);
    let mut items = Vec::with_capacity(take);
    if let Some((last, _)) = sizes.get(take.wrapping_sub(1)) {
        let stmt = c.prepare_cached(sql::SNAPSHOTS_BETWEEN).await?;
        for row in c.query(&stmt, &[&t, &after, last]).await? {
            items.push(StoredSnapshot {
                doc: DocId(id16(row.try_get::<_, &[u8]>(0)?)?),
                covers: seq_from_db(row.try_get(1)?)?,
                bytes: row.try_get(2)?,
            });
        }
    }
    Ok(SnapshotPage { items, more })
}
