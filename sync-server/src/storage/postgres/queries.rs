//! The PostgreSQL reads more than one method makes: a page with its key epoch, the head,
//! the team's row lock, a device row; and the collection of covered envelopes, which
//! several writes end with.

use super::super::rules::{self, page_cut};
use super::super::sql::{self, id16, key32, page_filter, parse_role, seq_from_db, seq_to_db};
use super::super::{DeviceRecord, Page, PageRequest, Refusal, Result};
use deadpool_postgres::GenericClient;
use tandem_protocol::{DeviceId, TeamId};
use tokio_postgres::Row;

/// A page of the log and the team's key epoch. The head, the epoch and the page's sizes
/// come from one statement (one snapshot: every sequence number up to the head it sees is
/// committed), then the bytes of the rows that fit the byte budget.
pub(super) async fn read_page<C: GenericClient>(
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
    let first = rows.first().ok_or(Refusal::NotFound)?;
    let head = seq_from_db(first.try_get(0)?)?;
    let epoch = rules::current_epoch(first.try_get(1)?)?;
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
pub(super) async fn lock_team<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    read_head(c, team, &format!("{} FOR UPDATE", sql::HEAD)).await
}

/// What the team stores: its head and its stored bytes.
pub(super) async fn usage<C: GenericClient>(c: &C, team: TeamId) -> Result<rules::Usage> {
    let stmt = c.prepare_cached(sql::USAGE).await?;
    let row = c
        .query_opt(&stmt, &[&team.0.as_slice()])
        .await?
        .ok_or(Refusal::NotFound)?;
    Ok(rules::Usage {
        envelopes: seq_from_db(row.try_get(0)?)?,
        bytes: rules::bytes_from_db(row.try_get(1)?)?,
    })
}

pub(super) async fn head<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    read_head(c, team, sql::HEAD).await
}

/// The head, read with `statement` ([`sql::HEAD`], perhaps locking the row).
async fn read_head<C: GenericClient>(c: &C, team: TeamId, statement: &str) -> Result<u64> {
    let stmt = c.prepare_cached(statement).await?;
    let row = c
        .query_opt(&stmt, &[&team.0.as_slice()])
        .await?
        .ok_or(Refusal::NotFound)?;
    seq_from_db(row.try_get(0)?)
}

pub(super) async fn current_epoch<C: GenericClient>(c: &C, team: TeamId) -> Result<u32> {
    let stmt = c.prepare_cached(sql::HIGHEST_EPOCH).await?;
    let highest: Option<i64> = c
        .query_one(&stmt, &[&team.0.as_slice()])
        .await?
        .try_get(0)?;
    rules::current_epoch(highest)
}

/// Drops the bytes of envelopes covered by a snapshot once every active device's cursor is
/// at or past the snapshot ([`rules::collectable`]), visiting only snapshots not fully
/// collected yet.
pub(super) async fn collect<C: GenericClient>(c: &C, team: TeamId) -> Result<u64> {
    let t = team.0.as_slice();
    // Snapshots not fully collected first: usually none, and then nothing else to ask.
    let pending_stmt = c.prepare_cached(sql::PENDING_SNAPSHOTS).await?;
    let pending = c
        .query(&pending_stmt, &[&t])
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<_, Vec<u8>>(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
            ))
        })
        .collect::<Result<Vec<rules::Pending<Vec<u8>>>>>()?;
    if pending.is_empty() {
        return Ok(0);
    }
    let floor_stmt = c.prepare_cached(sql::ACTIVE_FLOOR).await?;
    let floor: Option<i64> = c.query_one(&floor_stmt, &[&t]).await?.try_get(0)?;
    let mut dropped = 0u64;
    for (doc, covers, collected) in rules::collectable(pending, floor) {
        c.execute(sql::RELEASE_COVERED_BYTES, &[&t, &doc, &collected, &covers])
            .await?;
        dropped += c
            .execute(sql::DROP_COVERED, &[&t, &doc, &collected, &covers])
            .await?;
        c.execute(sql::MARK_COLLECTED, &[&t, &doc, &covers]).await?;
    }
    Ok(dropped)
}

/// Reads a row of [`sql::DEVICE_COLUMNS`].
pub(super) fn device_record(row: &Row) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        device: DeviceId(id16(row.try_get::<_, &[u8]>(0)?)?),
        public_key: key32(row.try_get::<_, &[u8]>(1)?)?,
        role: parse_role(row.try_get::<_, &str>(2)?)?,
        enrolled_at_ms: row.try_get(3)?,
        revoked_at_ms: row.try_get(4)?,
        cursor: seq_from_db(row.try_get(5)?)?,
    })
}
