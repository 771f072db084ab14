//! Rows holding documents: snapshot + chunks, and the outbox.

use crate::docs::DocKind;
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// A document's stored bytes.
pub(crate) struct StoredDoc {
    pub(crate) snapshot: Vec<u8>,
    pub(crate) chunks: Vec<u8>,
}

/// After this many chunks a document is folded back into one snapshot. Rare enough not to
/// weigh on the p99 of a save, frequent enough that loading stays one pass.
pub(crate) const COMPACT_AFTER_CHUNKS: i64 = 128;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn load(conn: &Connection, id: &str) -> Result<Option<StoredDoc>> {
    let snapshot = conn
        .query_row("SELECT snapshot FROM docs WHERE id = ?1", [id], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .optional()?;
    let Some(snapshot) = snapshot else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT bytes FROM doc_chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id])?;
    // One concatenated buffer: Automerge loads it in a single batched pass.
    let mut chunks = Vec::new();
    while let Some(row) = rows.next()? {
        let b: Vec<u8> = row.get(0)?;
        chunks.extend_from_slice(&b);
    }
    Ok(Some(StoredDoc { snapshot, chunks }))
}

/// A document's kind, if it is stored.
pub(crate) fn load_kind(conn: &Connection, id: &str) -> Result<Option<DocKind>> {
    let kind = conn
        .prepare_cached("SELECT kind FROM docs WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, String>(0))
        .optional()?;
    Ok(kind.as_deref().and_then(DocKind::from_code))
}

pub(crate) fn insert(conn: &Connection, id: &str, kind: DocKind, snapshot: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO docs (id, kind, snapshot, chunk_count, updated_at) VALUES (?1, ?2, ?3, 0, ?4)
         ON CONFLICT (id) DO NOTHING",
        params![id, kind.code(), snapshot, now_ms()],
    )?;
    Ok(())
}

/// Appends a chunk of changes; returns the document's chunk count afterwards.
pub(crate) fn append_chunk(conn: &Connection, id: &str, bytes: &[u8]) -> Result<i64> {
    let count: i64 = conn.query_row(
        "UPDATE docs SET chunk_count = chunk_count + 1, updated_at = ?2 WHERE id = ?1
         RETURNING chunk_count",
        params![id, now_ms()],
        |r| r.get(0),
    )?;
    conn.prepare_cached(
        "INSERT INTO doc_chunks (doc_id, seq, bytes)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM doc_chunks WHERE doc_id = ?1), ?2)",
    )?
    .execute(params![id, bytes])?;
    Ok(count)
}

/// Replaces a document's snapshot and drops its chunks.
pub(crate) fn replace_snapshot(conn: &Connection, id: &str, snapshot: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM doc_chunks WHERE doc_id = ?1", [id])?;
    conn.execute(
        "UPDATE docs SET snapshot = ?2, chunk_count = 0, updated_at = ?3 WHERE id = ?1",
        params![id, snapshot, now_ms()],
    )?;
    Ok(())
}

pub(crate) fn push_outbox(conn: &Connection, id: &str, kind: DocKind, bytes: &[u8]) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO outbox (doc_id, doc_kind, bytes, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, kind.code(), bytes, now_ms()])?;
    Ok(())
}

/// Counts envelopes (and their bytes) seen in the relay's log for a document since its last
/// snapshot.
pub(crate) fn count_log_envelopes(
    conn: &Connection,
    id: &str,
    n: usize,
    bytes: usize,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_docs (doc_id, log_envelopes, log_bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (doc_id) DO UPDATE SET log_envelopes = log_envelopes + ?2,
                                            log_bytes = log_bytes + ?3",
    )?
    .execute(params![id, n as i64, bytes as i64])?;
    Ok(())
}

/// Removes a document, its chunks and its unsent changes.
/// Removes a document and all that waits or is known of it; says whether there was one.
pub(crate) fn remove(conn: &Connection, id: &str) -> Result<bool> {
    conn.execute("DELETE FROM outbox WHERE doc_id = ?1", [id])?;
    conn.execute("DELETE FROM sync_docs WHERE doc_id = ?1", [id])?;
    Ok(conn.execute("DELETE FROM docs WHERE id = ?1", [id])? > 0)
}

pub(crate) fn doc_ids(conn: &Connection, kind: Option<DocKind>) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT id FROM docs WHERE ?1 IS NULL OR kind = ?1 ORDER BY id")?;
    let ids = stmt
        .query_map([kind.map(DocKind::code)], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}
