//! Snapshots in SQLite: storing one (inside the caller's write job, so a batch is one
//! savepoint) and reading a page of them in document order.

use super::super::rules;
use super::super::sql::{self, for_sqlite, id16, seq_from_db, seq_to_db};
use super::super::{
    NewSnapshot, Quota, Result, SnapshotOutcome, SnapshotPage, SnapshotPageRequest, StoredSnapshot,
};
use super::queries::usage;
use rusqlite::{params, Connection, OptionalExtension};
use tandem_protocol::TeamId;

/// Keeps `snapshot` if it covers more than the document's snapshot there, within `quota`;
/// the caller collects once for the whole batch.
pub(super) fn put_one_snapshot(
    c: &Connection,
    team: TeamId,
    snapshot: NewSnapshot,
    quota: Option<Quota>,
) -> Result<SnapshotOutcome> {
    let erased = c
        .prepare_cached(&for_sqlite(sql::ERASED))?
        .exists(params![team.0, snapshot.doc.0])?;
    let now = usage(c, team)?;
    if let Some(outcome) = rules::admit_snapshot(snapshot.covers, now.envelopes, erased)? {
        return Ok(outcome);
    }
    let old: Option<(i64, i64)> = c
        .prepare_cached(&for_sqlite(sql::SNAPSHOT_SIZE))?
        .query_row(params![team.0, snapshot.doc.0], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let new_len = snapshot.bytes.len() as u64;
    let old_len = match old {
        // The upsert below keeps the one there: nothing changes, nothing to judge.
        Some((covers, _)) if covers >= seq_to_db(snapshot.covers) => {
            return Ok(SnapshotOutcome::Superseded)
        }
        Some((_, len)) => rules::bytes_from_db(len)?,
        None => 0,
    };
    rules::snapshot_quota(now.bytes, old_len, new_len, quota)?;
    let stored = c.execute(
        &for_sqlite(sql::UPSERT_SNAPSHOT),
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
    let outcome = rules::snapshot_kept(stored as u64);
    if outcome == SnapshotOutcome::Stored {
        let grown =
            i64::try_from(new_len).unwrap_or(i64::MAX) - i64::try_from(old_len).unwrap_or(i64::MAX);
        c.execute(&for_sqlite(sql::ADD_STORED_BYTES), params![team.0, grown])?;
    }
    Ok(outcome)
}

/// The snapshots of documents after `request.after`, in document order: sizes first, to
/// cut the page to its byte budget, then the bytes of those that make it.
pub(super) fn read_snapshot_page(
    tx: &Connection,
    team: TeamId,
    request: SnapshotPageRequest,
) -> Result<SnapshotPage> {
    let after = request.after.map(|d| d.0.to_vec()).unwrap_or_default();
    let limit = i64::try_from(request.limit.saturating_add(1)).unwrap_or(i64::MAX);
    let sizes: Vec<(Vec<u8>, usize)> = tx
        .prepare_cached(&for_sqlite(sql::SNAPSHOT_SIZES_AFTER))?
        .query_map(params![team.0, after, limit], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
        })?
        .map(|row| row.map(|(doc, len)| (doc, usize::try_from(len).unwrap_or(usize::MAX))))
        .collect::<rusqlite::Result<_>>()?;
    let lens: Vec<usize> = sizes.iter().map(|(_, len)| *len).collect();
    let (take, more) = rules::cut(&lens, request.limit, request.max_bytes);
    let mut items = Vec::with_capacity(take);
    if let Some((last, _)) = sizes.get(take.wrapping_sub(1)) {
        let mut stmt = tx.prepare_cached(&for_sqlite(sql::SNAPSHOTS_BETWEEN))?;
        let rows = stmt.query_map(params![team.0, after, last], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        for row in rows {
            let (doc, covers, bytes) = row?;
            items.push(StoredSnapshot {
                doc: tandem_protocol::DocId(id16(&doc)?),
                covers: seq_from_db(covers)?,
                bytes,
            });
        }
    }
    Ok(SnapshotPage { items, more })
}
