//! The SQLite reads more than one method makes: a page, the head, the key epoch, a device
//! row; and the collection of covered envelopes, which several writes end with.

use super::super::rules::{self, page_cut};
use super::super::sql::{self, for_sqlite, id16, key32, page_filter, parse_role};
use super::super::sql::{seq_from_db, seq_to_db};
use super::super::{DeviceRecord, Page, PageRequest, Refusal, Result};
use rusqlite::{params, Connection, OptionalExtension};
use tandem_protocol::{DeviceId, TeamId};

/// Runs `f` in one read transaction: everything it reads comes from the same snapshot of
/// the file (a page and its head, or a page and the key epoch it is handed with).
pub(super) fn in_one_read<T>(
    c: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// A page of the log: the head first, then rows up to it (inside [`in_one_read`], so the
/// rows are those of that head).
pub(super) fn read_page(tx: &Connection, team: TeamId, request: PageRequest) -> Result<Page> {
    let head = head(tx, team)?;
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
    Ok(Page { head, items, more })
}

/// The team's key epoch: the highest with packages, 1 before any rotation.
pub(super) fn current_epoch(c: &Connection, team: TeamId) -> Result<u32> {
    let highest: Option<i64> = c
        .prepare_cached(&for_sqlite(sql::HIGHEST_EPOCH))?
        .query_row([team.0], |r| r.get(0))?;
    rules::current_epoch(highest)
}

/// What the team stores: its head and its stored bytes.
pub(super) fn usage(c: &Connection, team: TeamId) -> Result<rules::Usage> {
    let row: Option<(i64, i64)> = c
        .prepare_cached(&for_sqlite(sql::USAGE))?
        .query_row([team.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (head, bytes) = row.ok_or(Refusal::NotFound)?;
    Ok(rules::Usage {
        envelopes: seq_from_db(head)?,
        bytes: rules::bytes_from_db(bytes)?,
    })
}

pub(super) fn head(c: &Connection, team: TeamId) -> Result<u64> {
    let head: Option<i64> = c
        .prepare_cached(&for_sqlite(sql::HEAD))?
        .query_row([team.0], |r| r.get(0))
        .optional()?;
    seq_from_db(head.ok_or(Refusal::NotFound)?)
}

/// Drops the bytes of envelopes covered by a snapshot once every active device's cursor is
/// at or past the snapshot ([`rules::collectable`]). Only snapshots not fully collected yet
/// are visited, and each visit is an index range, so this is cheap enough to run after
/// every cursor move.
pub(super) fn collect(c: &Connection, team: TeamId) -> Result<u64> {
    // Snapshots not fully collected first: usually none, and then nothing else to ask.
    let pending: Vec<rules::Pending<Vec<u8>>> = c
        .prepare_cached(&for_sqlite(sql::PENDING_SNAPSHOTS))?
        .query_map(params![team.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if pending.is_empty() {
        return Ok(0);
    }
    let floor: Option<i64> = c
        .prepare_cached(&for_sqlite(sql::ACTIVE_FLOOR))?
        .query_row([team.0], |r| r.get(0))?;
    let mut dropped = 0u64;
    for (doc, covers, collected) in rules::collectable(pending, floor) {
        c.prepare_cached(&for_sqlite(sql::RELEASE_COVERED_BYTES))?
            .execute(params![team.0, doc, collected, covers])?;
        dropped += c
            .prepare_cached(&for_sqlite(sql::DROP_COVERED))?
            .execute(params![team.0, doc, collected, covers])? as u64;
        c.prepare_cached(&for_sqlite(sql::MARK_COLLECTED))?
            .execute(params![team.0, doc, covers])?;
    }
    Ok(dropped)
}

/// A device row as read, before its columns are checked.
pub(super) struct RawDevice {
    device: Vec<u8>,
    public_key: Vec<u8>,
    role: String,
    enrolled_at_ms: i64,
    revoked_at_ms: Option<i64>,
    cursor: i64,
}

/// Reads a row of [`sql::DEVICE_COLUMNS`].
pub(super) fn raw_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
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
    pub(super) fn into_record(self) -> Result<DeviceRecord> {
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
