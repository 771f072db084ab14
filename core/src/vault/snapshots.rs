//! Snapshots: a whole document, as one device uploads it to the relay and a new device takes
//! it in.
//!
//! A snapshot's payload (sealed and signed like any envelope) holds the document's Automerge
//! bytes **and the rows the indexes hold about it**. A device that does not have the document
//! yet stores both as they are, without loading the document: its first sync writes bytes
//! instead of rebuilding ~1,500 change graphs, and the people list, search and Today work at
//! once. Such documents are *deferred*: [`Vault::check_deferred`] loads each one later (the
//! app does it in the background, a few at a time), checks it is a valid document of the kind
//! it claims, indexes it again from the document itself, and drops any that cannot be read
//! (the next sync rebuilds those from the log). A brief opened before that loads the document
//! as usual, so what a peer reads always comes from the document, never from the rows.

use super::*;
use crate::index::IndexRows;
use std::collections::HashSet;

/// The payload's first bytes. Version 2 carries the log position the snapshot covers, sealed
/// and signed with the rest: the relay's word for it (beside the envelope, signed by no one)
/// could otherwise make a new device skip log envelopes the snapshot does not hold. Version 1
/// has no position (none is trusted: the log is replayed whole); older payloads are bare
/// Automerge bytes (they start with Automerge's own magic number), taken in by loading them.
const MAGIC: &[u8; 8] = b"TNSNAP\x00\x02";
const MAGIC_V1: &[u8; 8] = b"TNSNAP\x00\x01";
/// Automerge's magic number, at the start of any saved document or change.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// A snapshot's payload, taken apart.
#[derive(Debug)]
pub(crate) struct SnapshotPayload {
    pub(crate) document: Vec<u8>,
    pub(crate) rows: Option<IndexRows>,
    /// The log position it covers, as its author sealed it (`None`: an older payload).
    pub(crate) covers: Option<u64>,
}

impl SnapshotPayload {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let rows = self
            .rows
            .as_ref()
            .and_then(|r| serde_json::to_vec(r).ok())
            .unwrap_or_default();
        let mut out = Vec::with_capacity(MAGIC.len() + 12 + self.document.len() + rows.len());
        match self.covers {
            Some(covers) => {
                out.extend_from_slice(MAGIC);
                out.extend_from_slice(&covers.to_be_bytes());
            }
            None => out.extend_from_slice(MAGIC_V1),
        }
        out.extend_from_slice(&(self.document.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.document);
        out.extend_from_slice(&rows);
        out
    }

    /// Takes a payload apart; `None` if it is neither form.
    pub(crate) fn decode(mut payload: Vec<u8>) -> Option<Self> {
        if payload.starts_with(&AUTOMERGE_MAGIC) {
            return Some(Self {
                document: payload,
                rows: None,
                covers: None,
            });
        }
        let (covers, head) = if let Some(rest) = payload.strip_prefix(MAGIC.as_slice()) {
            let covers = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
            (Some(covers), MAGIC.len() + 8)
        } else {
            payload.strip_prefix(MAGIC_V1.as_slice())?;
            (None, MAGIC_V1.len())
        };
        let rest = &payload[head..];
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let rows_at = (head + 4).checked_add(len)?;
        if payload.len() < rows_at {
            return None;
        }
        let rows = match &payload[rows_at..] {
            [] => None,
            json => Some(serde_json::from_slice(json).ok()?),
        };
        payload.truncate(rows_at);
        payload.drain(..head + 4);
        if !payload.starts_with(&AUTOMERGE_MAGIC) {
            return None;
        }
        Some(Self {
            document: payload,
            rows,
            covers,
        })
    }
}

/// A snapshot from the relay, opened.
#[derive(Debug)]
pub struct IncomingSnapshot {
    /// The document.
    pub doc_id: String,
    /// Its kind, as the sender sealed it.
    pub kind: DocKind,
    /// The relay log position it covers.
    pub covers: u64,
    /// The payload, as sealed.
    pub payload: Vec<u8>,
}

/// What taking in snapshots did.
#[derive(Debug, Default)]
pub struct SnapshotReport {
    /// Documents that learnt something (stored new, or merged).
    pub learnt: usize,
    /// Snapshots refused (unreadable, or not the kind they claim).
    pub refused: usize,
    /// The documents whose snapshot was taken in, with what it covers: their log envelopes up
    /// to there need not be applied.
    pub taken: Vec<(String, u64)>,
}

/// What a snapshot is made from, read under the vault's lock: a document loaded here is
/// made into its payload at once; another's stored bytes are loaded, indexed and saved
/// afterwards, on every core and without the lock ([`snapshot_payloads`]), so a founder
/// putting thousands of records on a relay neither waits on one core nor holds the app.
pub(crate) enum SnapshotSource {
    /// The payload, made already.
    Ready(Vec<u8>),
    /// A document as stored.
    Stored {
        id: String,
        kind: DocKind,
        stored: store::StoredDoc,
        covers: u64,
    },
}

impl SnapshotSource {
    fn payload(self) -> Result<Vec<u8>> {
        match self {
            Self::Ready(payload) => Ok(payload),
            Self::Stored {
                id,
                kind,
                stored,
                covers,
            } => {
                let doc = load_doc(&stored, &id)?;
                let rows = index_rows(&id, kind, &doc)?;
                // Stored whole (no changes since): those bytes are the document already.
                let document = if stored.chunks.is_empty() {
                    stored.snapshot
                } else {
                    doc.save()
                };
                Ok(SnapshotPayload {
                    document,
                    rows,
                    covers: Some(covers),
                }
                .encode())
            }
        }
    }
}

/// The payloads of `sources`, in their order, made on every core.
pub(crate) fn snapshot_payloads(sources: Vec<SnapshotSource>) -> Result<Vec<Vec<u8>>> {
    in_parallel(sources, SnapshotSource::payload)
        .into_iter()
        .collect()
}

impl Vault {
    /// What the snapshots of `docs` covering `covers` are made from ([`snapshot_payloads`]
    /// makes them).
    pub(crate) fn snapshot_sources(
        &mut self,
        docs: &[(String, DocKind)],
        covers: u64,
    ) -> Result<Vec<SnapshotSource>> {
        let mut out = Vec::with_capacity(docs.len());
        for (id, kind) in docs {
            if self.cache.docs.contains_key(id) {
                out.push(SnapshotSource::Ready(
                    self.snapshot_payload(id, *kind, covers)?,
                ));
            } else {
                let stored = store::load(&self.conn, id)?
                    .ok_or_else(|| VaultError::not_found("document", id))?;
                out.push(SnapshotSource::Stored {
                    id: id.clone(),
                    kind: *kind,
                    stored,
                    covers,
                });
            }
        }
        Ok(out)
    }

    /// A snapshot's payload for a document: its bytes, its index rows, and the log position
    /// it covers (this device's cursor: everything up to there is in it).
    pub fn snapshot_payload(
        &mut self,
        doc_id: &str,
        kind: DocKind,
        covers: u64,
    ) -> Result<Vec<u8>> {
        let doc = self.doc(doc_id)?;
        let rows = index_rows(doc_id, kind, doc)?;
        Ok(SnapshotPayload {
            document: doc.save(),
            rows,
            covers: Some(covers),
        }
        .encode())
    }

    /// Takes in snapshots from the relay. A document this device already has (and the team
    /// document, always) is loaded and merged; a new one is stored as received with the index
    /// rows it carries, to be checked later ([`Vault::check_deferred`]).
    pub fn apply_snapshots(&mut self, snapshots: Vec<IncomingSnapshot>) -> Result<SnapshotReport> {
        let mut report = SnapshotReport::default();
        let refused_before = self.refused_snapshots()?;
        let mut merge: Vec<(IncomingChanges, u64)> = Vec::new();
        let mut store_new: Vec<(String, DocKind, u64, SnapshotPayload)> = Vec::new();
        for mut s in snapshots {
            let Some(payload) = SnapshotPayload::decode(std::mem::take(&mut s.payload)) else {
                report.refused += 1;
                continue;
            };
            // What it covers is what its author sealed, never more than the relay says (an
            // older payload seals nothing: the log is replayed whole for it).
            s.covers = payload.covers.map_or(0, |sealed| sealed.min(s.covers));
            if refused_before
                .get(&s.doc_id)
                .is_some_and(|covers| s.covers <= *covers)
            {
                // This one could not be read before: the log rebuilds the document instead.
                continue;
            }
            if self
                .deferred_covers(&s.doc_id)?
                .is_some_and(|have| have >= s.covers)
            {
                // Stored from this very snapshot by a sync that was then cut off.
                report.taken.push((s.doc_id, s.covers));
                continue;
            }
            if super::changes::bounded(&s.doc_id, &payload.document).is_err() {
                // Stored unread below, so bounded here. Noted as one that could not be read:
                // the log rebuilds the document instead, and the same one is not tried again.
                self.conn
                    .prepare_cached(
                        "INSERT OR REPLACE INTO refused_snapshots (doc_id, covers) VALUES (?1, ?2)",
                    )?
                    .execute(params![s.doc_id, s.covers as i64])?;
                report.refused += 1;
                continue;
            }
            let known = self.cache.docs.contains_key(&s.doc_id)
                || store::load_kind(&self.conn, &s.doc_id)?.is_some();
            if s.kind == DocKind::Team || known || payload.rows.is_none() {
                merge.push((whole(s.doc_id, s.kind, payload.document), s.covers));
            } else {
                store_new.push((s.doc_id, s.kind, s.covers, payload));
            }
        }
        // The team document first: it says who was erased.
        merge.sort_by_key(|(c, _)| c.kind != DocKind::Team);
        self.merge_whole(merge, &mut report)?;

        let erased: HashSet<String> = self.erased_people()?.into_iter().collect();
        let mut fallback = Vec::new();
        let mut tx = self.conn.transaction()?;
        for (id, kind, covers, payload) in store_new {
            if !is_doc_id(&id) || kind == DocKind::Team {
                report.refused += 1;
                continue;
            }
            if kind == DocKind::Person && erased.contains(&id) {
                continue;
            }
            let Some(rows) = payload.rows else { continue };
            if (kind == DocKind::Person) != rows.person.is_some() {
                report.refused += 1;
                continue;
            }
            if store::load_kind(&tx, &id)?.is_some() {
                // Listed twice: the first one is in.
                continue;
            }
            let sp = tx.savepoint()?;
            store::insert(&sp, &id, kind, &payload.document)?;
            if let Err(e) = rows.write_new(&sp, &id) {
                if !is_constraint(&e) {
                    return Err(e);
                }
                // Its rows name encounters or follow-ups another record holds: not taken
                // as they are; the document is loaded and indexed from itself instead.
                drop(sp);
                fallback.push((whole(id, kind, payload.document), covers));
                continue;
            }
            // Rows from a version before reports lack what reports count: that document is
            // checked (and indexed from itself) first.
            let stale = rows.report_rows < crate::index::REPORT_ROWS;
            sp.prepare_cached(
                "INSERT INTO deferred_docs (doc_id, stale, covers, rows_digest)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                id,
                stale,
                covers as i64,
                rows.digest().map(Vec::from)
            ])?;
            sp.commit()?;
            report.learnt += 1;
            report.taken.push((id, covers));
        }
        tx.commit()?;
        self.merge_whole(fallback, &mut report)?;
        Ok(report)
    }

    /// Loads whole documents and merges them as the log would, noting in `report` those
    /// taken in (not refused) with what they cover.
    fn merge_whole(
        &mut self,
        docs: Vec<(IncomingChanges, u64)>,
        report: &mut SnapshotReport,
    ) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let covers: Vec<(String, u64)> = docs
            .iter()
            .map(|(c, covers)| (c.doc_id.clone(), *covers))
            .collect();
        let merged = self.apply_batch(docs.into_iter().map(|(c, _)| c).collect(), None, false)?;
        report.learnt += merged.learnt;
        report.refused += merged.refused.len();
        let refused: HashSet<&String> = merged.refused.iter().map(|(id, _)| id).collect();
        report
            .taken
            .extend(covers.into_iter().filter(|(id, _)| !refused.contains(id)));
        Ok(())
    }

    /// Documents stored from a snapshot and not checked yet.
    pub fn deferred_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM deferred_docs", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Checks up to `max` deferred documents (those with changes since their snapshot first):
    /// loads each, makes sure it is a readable document of its kind, and indexes it from
    /// itself. One that cannot be read is removed, and the next sync pulls the whole log to
    /// rebuild it. Returns how many are left to check.
    pub fn check_deferred(&mut self, max: usize) -> Result<u64> {
        self.check_deferred_where(max, false)?;
        self.deferred_count()
    }

    /// Checks the deferred documents that changed since their snapshot (their index rows
    /// lag): a sync does this before it returns, so the lists are up to date after it.
    pub(crate) fn check_changed_deferred(&mut self) -> Result<()> {
        while self.check_deferred_where(64, true)? > 0 {}
        Ok(())
    }

    /// Checks up to `max` deferred documents (only changed ones if `changed_only`); returns
    /// how many it checked.
    fn check_deferred_where(&mut self, max: usize, changed_only: bool) -> Result<usize> {
        // In the key's order, from the first still there (checked ones are deleted): each
        // batch reads only its own rows, where sorting by staleness first read and sorted
        // every row left each time (quadratic over a large first sync). Stale ones are
        // checked by the sync itself before it returns (`changed_only`).
        let sql = if changed_only {
            "SELECT f.doc_id, d.kind, f.covers, f.rows_digest FROM deferred_docs f
             JOIN docs d ON d.id = f.doc_id
             WHERE f.stale = 1 ORDER BY f.doc_id LIMIT ?1"
        } else {
            "SELECT f.doc_id, d.kind, f.covers, f.rows_digest FROM deferred_docs f
             JOIN docs d ON d.id = f.doc_id
             ORDER BY f.doc_id LIMIT ?1"
        };
        let batch: Vec<(String, String, i64, Option<Vec<u8>>)> = {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map(params![max as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        let n = batch.len();
        // Bytes are read here; documents are loaded on every core at once; what they say is
        // written in one transaction.
        let mut work = Vec::with_capacity(n);
        for (id, kind, covers, digest) in batch {
            let kind = DocKind::from_code(&kind).ok_or(VaultError::Internal("unknown kind"))?;
            let input = match self.cache.docs.get(&id) {
                Some((doc, _)) => Err(check_doc(doc, &id, kind)),
                None => Ok(store::load(&self.conn, &id)?
                    .ok_or_else(|| VaultError::not_found("document", &id))?),
            };
            work.push((id, kind, covers, digest, input));
        }
        let checked = in_parallel(work, |(id, kind, covers, digest, input)| {
            let result = match input {
                Err(from_memory) => from_memory,
                Ok(stored) => load_doc(&stored, &id).and_then(|doc| check_doc(&doc, &id, kind)),
            };
            // The rows the document gives are those its snapshot brought (and nothing else
            // wrote since): the indexes already hold them.
            let same = match (&result, &digest) {
                (Ok((Some(rows), _)), Some(had)) => rows.digest().is_some_and(|d| d[..] == had[..]),
                _ => false,
            };
            (id, covers, result, same)
        });
        let tx = self.conn.transaction()?;
        let mut dropped = Vec::new();
        for (id, covers, result, same) in checked {
            match result {
                Ok((rows, incomplete)) => {
                    match rows {
                        // Unless another record took some of them over meanwhile.
                        Some(rows) if same && rows.still_held(&tx, &id)? => {}
                        Some(rows) => rows.write(&tx, &id)?,
                        None => index::remove_person(&tx, &id)?,
                    }
                    if incomplete {
                        set_meta(&tx, "full_pull", b"1")?;
                    }
                    tx.execute("DELETE FROM deferred_docs WHERE doc_id = ?1", [&id])?;
                }
                Err(
                    e @ (VaultError::Database(_)
                    | VaultError::DiskFull(_)
                    | VaultError::Io { .. }
                    | VaultError::InUse
                    | VaultError::Internal(_)),
                ) => return Err(e),
                Err(_) => {
                    // Not a document of its kind: nothing of it is kept, and the log
                    // rebuilds it (this snapshot is skipped from now on).
                    let _ = store::remove(&tx, &id)?;
                    index::remove_person(&tx, &id)?;
                    tx.execute(
                        "INSERT OR REPLACE INTO refused_snapshots (doc_id, covers) VALUES (?1, ?2)",
                        params![id, covers],
                    )?;
                    set_meta(&tx, "full_pull", b"1")?;
                    dropped.push(id);
                }
            }
        }
        tx.commit()?;
        for id in dropped {
            self.cache.docs.remove(&id);
        }
        Ok(n)
    }

    /// Snapshots refused after loading, with what they covered.
    fn refused_snapshots(&self) -> Result<HashMap<String, u64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc_id, covers FROM refused_snapshots")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok(rows)
    }

    /// What the snapshot a deferred document was stored from covered.
    fn deferred_covers(&self, id: &str) -> Result<Option<u64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT covers FROM deferred_docs WHERE doc_id = ?1")?
            .query_row([id], |r| r.get::<_, i64>(0))
            .optional()?
            .map(|c| c as u64))
    }

    /// Whether a document was stored from a snapshot and not loaded yet.
    pub(crate) fn is_deferred(conn: &Connection, id: &str) -> Result<bool> {
        Ok(conn
            .prepare_cached("SELECT 1 FROM deferred_docs WHERE doc_id = ?1")?
            .query_row([id], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

/// A whole document, to merge as changes.
fn whole(doc_id: String, kind: DocKind, document: Vec<u8>) -> IncomingChanges {
    IncomingChanges {
        doc_id,
        kind,
        chunks: vec![document],
        origins: Vec::new(),
    }
}

fn is_constraint(e: &VaultError) -> bool {
    matches!(e, VaultError::Database(d)
        if d.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation))
}

/// Checks a loaded document is of its kind and reads its index rows; also says whether it
/// waits for changes that never came.
fn check_doc(doc: &Automerge, id: &str, kind: DocKind) -> Result<(Option<IndexRows>, bool)> {
    if docs::kind_of(doc) != Some(kind) {
        return Err(VaultError::WrongDocumentShape {
            doc: id.to_owned(),
            expected: kind.code(),
        });
    }
    let rows = index_rows(id, kind, doc)?;
    Ok((rows, !doc.get_missing_deps(&[]).is_empty()))
}

/// `f` over `items` on every core, results in the order of `items`.
fn in_parallel<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let mut chunks: Vec<Vec<T>> = (0..threads).map(|_| Vec::new()).collect();
    let per = items.len().div_ceil(threads);
    for (i, item) in items.into_iter().enumerate() {
        chunks[i / per].push(item);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passphrase::Passphrase;
    use crate::NewVault;
    use tandem_model::{NewEncounter, NewPerson};

    /// How many encounter rows of `doc` were written since the watch began.
    fn written(v: &Vault, doc: &str) -> i64 {
        v.conn
            .query_row(
                "SELECT count(*) FROM temp.written WHERE doc = ?1",
                [doc],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// A founder with two records of three encounters each, and a new device that stored
    /// both from snapshots without loading them.
    fn two_records_stored_unloaded() -> (
        tempfile::TempDir,
        tempfile::TempDir,
        Vault,
        Vault,
        Vec<String>,
    ) {
        let pass = Passphrase::new("correct horse battery staple");
        let (da, db) = (
            tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}")),
            tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}")),
        );
        let setup = NewVault {
            member_name: "Sam".into(),
            team_name: "Équipe".into(),
        };
        let mut a = Vault::create(da.path(), &pass, &setup).unwrap_or_else(|e| panic!("{e:?}"));
        let mut people = Vec::new();
        for name in ["Zoë", "Marc"] {
            let p = a
                .add_person(&NewPerson {
                    name: name.into(),
                    ..NewPerson::default()
                })
                .unwrap_or_else(|e| panic!("{e:?}"));
            for _ in 0..3 {
                a.record_encounter(&NewEncounter::with_person(p.clone()))
                    .unwrap_or_else(|e| panic!("{e:?}"));
            }
            people.push(p.as_str().to_owned());
        }
        let team_id = a.team_id().to_owned();
        let team_doc = a
            .document_bytes(&team_id)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let mut b =
            Vault::join(db.path(), &pass, "Alex", &team_doc).unwrap_or_else(|e| panic!("{e:?}"));
        let snapshots = people
            .iter()
            .map(|id| IncomingSnapshot {
                payload: a
                    .snapshot_payload(id, DocKind::Person, 5)
                    .unwrap_or_else(|e| panic!("{e:?}")),
                doc_id: id.clone(),
                kind: DocKind::Person,
                covers: 5,
            })
            .collect();
        b.apply_snapshots(snapshots)
            .unwrap_or_else(|e| panic!("{e:?}"));
        (da, db, a, b, people)
    }

    #[test]
    fn checking_writes_again_only_rows_that_may_differ_from_the_document() {
        let (_da, _db, _a, mut b, people) = two_records_stored_unloaded();
        let (same, other) = (&people[0], &people[1]);
        // Something other than the snapshot wrote the second record's rows.
        b.conn
            .execute(
                "UPDATE deferred_docs SET rows_digest = NULL WHERE doc_id = ?1",
                [other],
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        // Every encounter row written from here on is noted (a trigger on this connection).
        b.conn
            .execute_batch(
                "CREATE TEMP TABLE written (doc TEXT);
                 CREATE TEMP TRIGGER noting AFTER INSERT ON main.encounter_index
                 BEGIN INSERT INTO written (doc) VALUES (NEW.doc_id); END;",
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(b.check_deferred(10).unwrap_or_else(|e| panic!("{e:?}")), 0);
        // The first record's rows are the document's own: nothing written. The second
        // one's were written again.
        assert_eq!((written(&b, same), written(&b, other)), (0, 3));
        assert_eq!(b.check_deferred(10).unwrap_or_else(|e| panic!("{e:?}")), 0);
    }

    #[test]
    fn rows_another_record_took_over_are_put_back_by_the_check() {
        let (_da, _db, a, mut b, people) = two_records_stored_unloaded();
        let victim = &people[0];
        // What another record's `INSERT OR REPLACE` of one of the victim's encounter ids
        // leaves: the row under the other record (its digest was not the victim's to clear).
        b.conn
            .execute(
                "UPDATE encounter_index SET doc_id = ?2, person_id = ?2
                 WHERE id = (SELECT min(id) FROM encounter_index WHERE doc_id = ?1)",
                params![victim, people[1]],
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(b.check_deferred(10).unwrap_or_else(|e| panic!("{e:?}")), 0);
        let held: i64 = b
            .conn
            .query_row(
                "SELECT count(*) FROM encounter_index WHERE doc_id = ?1",
                [victim],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(held, 3);
        assert_eq!(
            b.list_people().unwrap_or_else(|e| panic!("{e:?}")),
            a.list_people().unwrap_or_else(|e| panic!("{e:?}"))
        );
        assert_eq!(
            b.list_people().unwrap_or_else(|e| panic!("{e:?}")),
            a.list_people().unwrap_or_else(|e| panic!("{e:?}"))
        );
    }

    #[test]
    fn payloads_round_trip_and_junk_is_refused() {
        let doc = Automerge::new().save();
        let rows = IndexRows::of_encounters(&[]);
        let p = SnapshotPayload {
            document: doc.clone(),
            rows: Some(rows.clone()),
            covers: Some(41),
        };
        let back = SnapshotPayload::decode(p.encode()).unwrap_or_else(|| panic!("decodes"));
        assert_eq!(back.document, doc);
        assert_eq!(back.rows, Some(rows.clone()));
        assert_eq!(back.covers, Some(41));
        // A version 1 payload (no position sealed) is read, with no position.
        let v1 = SnapshotPayload {
            document: doc.clone(),
            rows: Some(rows),
            covers: None,
        };
        let back = SnapshotPayload::decode(v1.encode()).unwrap_or_else(|| panic!("v1"));
        assert_eq!((back.document, back.covers), (doc.clone(), None));
        // A bare Automerge document (an older device's snapshot) is taken as it is.
        let bare = SnapshotPayload::decode(doc.clone()).unwrap_or_else(|| panic!("bare"));
        assert!(bare.rows.is_none());
        // Truncated, wrong length, junk rows, junk document: refused.
        let enc = p.encode();
        assert!(SnapshotPayload::decode(enc[..10].to_vec()).is_none());
        let mut long = enc.clone();
        long[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(SnapshotPayload::decode(long).is_none());
        let mut junk_rows = enc.clone();
        junk_rows.extend_from_slice(b"{not json");
        assert!(SnapshotPayload::decode(junk_rows).is_none());
        let junk_doc = SnapshotPayload {
            document: b"not automerge".to_vec(),
            rows: None,
            covers: Some(1),
        };
        assert!(SnapshotPayload::decode(junk_doc.encode()).is_none());
        assert!(SnapshotPayload::decode(b"hello".to_vec()).is_none());
    }
}
