//! Changes in and out (the sync client builds on these), and upkeep.

use super::*;

/// Changes for one document, as they came in.
#[derive(Debug, Clone)]
pub struct IncomingChanges {
    /// The document.
    pub doc_id: String,
    /// What kind of document the sender says it is.
    pub kind: DocKind,
    /// Automerge bytes, in the order received.
    pub chunks: Vec<Vec<u8>>,
    /// Where each chunk came from in the team's log, when it did (then a chunk that cannot
    /// be read is set aside alone and the others are applied; else all are refused).
    pub origins: Vec<ChunkOrigin>,
}

/// A page pulled from the relay, for [`Vault::apply_page`].
#[derive(Debug, Default)]
pub(crate) struct PulledPage {
    /// The changes opened, by document.
    pub docs: Vec<IncomingChanges>,
    /// Where the cursor moves once they are in.
    pub cursor: Option<u64>,
    /// Envelopes set aside before they could be opened.
    pub set_aside: Vec<SetAside>,
    /// Envelopes set aside earlier that are among `docs` now.
    pub resolved: Vec<u64>,
    /// The head the relay announced with the page.
    pub head: Option<u64>,
    /// The envelope at `cursor`: its place and id.
    pub at_cursor: Option<(u64, [u8; 32])>,
}

/// What applying a page did.
#[derive(Debug, Default)]
pub struct PageReport {
    /// Documents that learnt something.
    pub learnt: usize,
    /// Documents whose changes were refused, and why.
    pub refused: Vec<(String, VaultError)>,
    /// Documents touched that still wait for changes they depend on.
    pub incomplete: usize,
    /// Envelopes set aside by this page (before opening, and changes that could not be read).
    pub set_aside: usize,
}

/// Loads a document into the cache if it is not there; returns whether it existed.
fn cache_doc(cache: &mut DocCache, conn: &Connection, actor: &ActorId, id: &str) -> Result<bool> {
    if cache.touch(id).is_some() {
        return Ok(true);
    }
    match store::load(conn, id)? {
        Some(stored) => {
            let doc = load_doc(&stored, id)?.with_actor(actor.clone());
            cache.insert(id.to_owned(), doc);
            Ok(true)
        }
        None => {
            cache.insert(id.to_owned(), Automerge::new().with_actor(actor.clone()));
            Ok(false)
        }
    }
}

impl Vault {
    // ---- changes in and out (the sync client builds on these) ----

    /// Local changes not yet acknowledged, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, doc_id, doc_kind, bytes FROM outbox ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(seq, doc_id, kind, bytes)| OutboxEntry {
                seq,
                doc_id,
                kind: DocKind::from_code(&kind).unwrap_or(DocKind::Person),
                bytes,
            })
            .collect())
    }

    /// How many local changes wait to be sent.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    /// Removes changes the relay has acknowledged.
    pub fn acknowledge(&mut self, seqs: &[i64]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut del = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
            for s in seqs {
                del.execute([s])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Applies changes to a document that came from another device (any order, duplicates
    /// welcome). Returns whether anything new was learnt. Bad bytes are refused whole and
    /// change nothing.
    pub fn apply_changes(&mut self, doc_id: &str, kind: DocKind, chunks: &[&[u8]]) -> Result<bool> {
        let incoming = IncomingChanges {
            doc_id: doc_id.to_owned(),
            kind,
            chunks: chunks.iter().map(|c| c.to_vec()).collect(),
            origins: Vec::new(),
        };
        let report = self.apply_batch(vec![incoming], None, true)?;
        Ok(report.learnt > 0)
    }

    /// Applies a page of changes pulled from the relay and moves the sync cursor, in one
    /// transaction: interrupted anywhere, the vault holds either the whole page and the new
    /// cursor, or neither. A change that cannot be read (not valid Automerge, past the bound,
    /// or making the document another kind than it claims) is set aside with its origin, and
    /// the rest of its document's changes are applied.
    pub(crate) fn apply_page(&mut self, page: PulledPage) -> Result<PageReport> {
        self.apply_batch_with(page, false)
    }

    pub(super) fn apply_batch(
        &mut self,
        docs: Vec<IncomingChanges>,
        cursor: Option<u64>,
        strict: bool,
    ) -> Result<PageReport> {
        let page = PulledPage {
            docs,
            cursor,
            ..PulledPage::default()
        };
        self.apply_batch_with(page, strict)
    }

    fn apply_batch_with(&mut self, page: PulledPage, strict: bool) -> Result<PageReport> {
        let mut touched: Vec<String> = Vec::new();
        // Only a street log (a link) or the team document (an erasure) can leave a link to
        // an erased person: the sweep below is not run for pages of records.
        let sweep = page
            .docs
            .iter()
            .any(|d| matches!(d.kind, DocKind::StreetLog | DocKind::Team));
        let result = self.apply_batch_inner(page, strict, &mut touched);
        if result.is_err() {
            for id in &touched {
                self.cache.docs.remove(id);
            }
        } else if sweep && !touched.is_empty() {
            // A link written to a person elsewhere before that device heard of their
            // erasure arrives here after it: taken off. The page is written already, so a
            // log that cannot be edited now is tried again after the next one.
            let _ = self.unlink_links_to_erased();
        }
        result
    }

    fn apply_batch_inner(
        &mut self,
        page: PulledPage,
        strict: bool,
        touched: &mut Vec<String>,
    ) -> Result<PageReport> {
        let PulledPage {
            docs,
            cursor,
            mut set_aside,
            resolved,
            head,
            at_cursor,
        } = page;
        let mut erased = self.erased_people()?;
        let mut removed_any = false;
        let mut report = PageReport::default();
        let tx = self.conn.transaction()?;
        for incoming in docs {
            let id = incoming.doc_id;
            let from_log = !incoming.origins.is_empty();
            if from_log && incoming.origins.len() != incoming.chunks.len() {
                return Err(VaultError::Internal("a chunk without its origin"));
            }
            if !is_doc_id(&id) {
                let e = VaultError::Invalid {
                    field: "document id",
                    reason: "not a Tandem id",
                };
                if strict {
                    return Err(e);
                }
                report.refused.push((id, e));
                continue;
            }
            if incoming.kind == DocKind::Person && erased.contains(&id) {
                // Erased at the person's request: changes still in flight are dropped.
                continue;
            }
            if !self.cache.docs.contains_key(&id) && Vault::is_deferred(&tx, &id)? {
                // Stored from a snapshot and not loaded yet: the changes are checked on
                // their own and kept beside it, and its index rows are marked to be redone
                // when it is checked (rather than loading it now).
                let mut chunks = incoming.chunks;
                let all: Vec<u8> = chunks.concat();
                if let Err(e) = strict_load(&id, &all) {
                    if strict {
                        return Err(e);
                    }
                    if !from_log {
                        report.refused.push((id, e));
                        continue;
                    }
                    // Each on its own: those that cannot be read are set aside.
                    chunks = keep_readable(&id, chunks, incoming.origins, &mut set_aside, |c| {
                        strict_load(&id, c).map(drop)
                    });
                    if chunks.is_empty() {
                        continue;
                    }
                }
                let all: Vec<u8> = chunks.concat();
                store::append_chunk(&tx, &id, &all)?;
                store::count_log_envelopes(&tx, &id, chunks.len(), all.len())?;
                tx.prepare_cached("UPDATE deferred_docs SET stale = 1 WHERE doc_id = ?1")?
                    .execute([&id])?;
                report.learnt += 1;
                continue;
            }
            let exists = cache_doc(&mut self.cache, &tx, &self.actor, &id)?;
            touched.push(id.clone());
            let doc = self
                .cache
                .touch(&id)
                .ok_or(VaultError::Internal("document not cached"))?;
            let heads = doc.get_heads();
            let missing_before = doc.get_missing_deps(&[]).len();
            let mut chunks = incoming.chunks;
            let mut all: Vec<u8> = chunks.concat();
            let applied = strict_load(&id, &all).and_then(|loaded| match (loaded, exists) {
                // A document new here is loaded once, strictly, and kept as it is.
                (Some(loaded), false) => {
                    *doc = loaded.with_actor(self.actor.clone());
                    Ok(())
                }
                _ => load_peer_bytes(doc, &id, &all),
            });
            let doc = self
                .cache
                .touch(&id)
                .ok_or(VaultError::Internal("document not cached"))?;
            let applied = applied.and_then(|_| shape_is(doc, &id, incoming.kind));
            if let Err(e) = applied {
                // The document in memory may hold part of the refused bytes: drop it.
                self.cache.docs.remove(&id);
                if strict {
                    return Err(e);
                }
                if !from_log {
                    report.refused.push((id, e));
                    continue;
                }
                // From the log: one member's bad change must not hold back the others'. Each
                // is tried on its own against the document as it was; those that cannot be
                // read, or would change its kind, are set aside, the others are kept.
                cache_doc(&mut self.cache, &tx, &self.actor, &id)?;
                let doc = self
                    .cache
                    .touch(&id)
                    .ok_or(VaultError::Internal("document not cached"))?;
                let kind = incoming.kind;
                chunks = keep_readable(&id, chunks, incoming.origins, &mut set_aside, |c| {
                    strict_load(&id, c)?;
                    let mut trial = doc.clone();
                    load_peer_bytes(&mut trial, &id, c)?;
                    shape_is(&trial, &id, kind)?;
                    *doc = trial;
                    Ok(())
                });
                if chunks.is_empty() {
                    continue;
                }
                all = chunks.concat();
            }
            let doc = self
                .cache
                .touch(&id)
                .ok_or(VaultError::Internal("document not cached"))?;
            let missing_now = doc.get_missing_deps(&[]).len();
            if missing_now > 0 {
                report.incomplete += 1;
            }
            let learnt =
                doc.get_heads() != heads || missing_now != missing_before || missing_now > 0;
            if !learnt && exists {
                continue;
            }
            report.learnt += 1;
            let kind = incoming.kind;
            if !exists {
                store::insert(&tx, &id, kind, &[])?;
            }
            // The bytes are kept as received: changes whose dependencies have not arrived yet
            // are not in the document yet and would be lost by saving the document instead.
            let count = store::append_chunk(&tx, &id, &all)?;
            store::count_log_envelopes(&tx, &id, chunks.len(), all.len())?;
            reindex(&tx, &id, kind, doc)?;
            if count >= store::COMPACT_AFTER_CHUNKS {
                compact_doc(&tx, &id, doc)?;
            }
            if kind == DocKind::Team && id == self.team_id {
                // Another device erased someone at their request: so does this one.
                erased = team::erased(doc);
                for gone in &erased {
                    if store::remove(&tx, gone)? {
                        // This device held the record: it asks the relay too.
                        super::records::queue_relay_erasure(&tx, gone, Utc::now())?;
                        removed_any = true;
                    }
                    index::remove_person(&tx, gone)?;
                    Vault::forget_set_aside_of(&tx, gone)?;
                }
            }
        }
        // Nothing is kept of a person erased at their request, not even what could not be read.
        set_aside.retain(|s| !erased.contains(&s.doc_id));
        report.set_aside = set_aside.len();
        super::set_aside::record(&tx, &set_aside, &resolved)?;
        if let Some(head) = head {
            super::relay_trail::record(&tx, head, at_cursor)?;
        }
        if let Some(c) = cursor {
            // Only forward: two syncs applying overlapping pages must not move it back.
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('sync_cursor', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = ?1
                 WHERE CAST(CAST(value AS TEXT) AS INTEGER) < CAST(CAST(?1 AS TEXT) AS INTEGER)",
                [c.to_string().into_bytes()],
            )?;
        }
        tx.commit()?;
        for gone in &erased {
            self.cache.docs.remove(gone);
        }
        if removed_any {
            // Best effort, as in `erase_person`.
            let _ = crate::db::truncate_wal(&self.conn);
        }
        Ok(report)
    }

    /// People erased at their request, from the team document (none before it arrives).
    pub(super) fn erased_people(&mut self) -> Result<Vec<String>> {
        let team_id = self.team_id.clone();
        if self.cache.touch(&team_id).is_none() && store::load(&self.conn, &team_id)?.is_none() {
            return Ok(Vec::new());
        }
        Ok(team::erased(self.doc(&team_id)?))
    }

    /// Every document's id and kind.
    pub fn documents(&self) -> Result<Vec<(String, DocKind)>> {
        let mut out = Vec::new();
        for kind in [DocKind::Team, DocKind::Person, DocKind::StreetLog] {
            out.extend(
                store::doc_ids(&self.conn, Some(kind))?
                    .into_iter()
                    .map(|id| (id, kind)),
            );
        }
        Ok(out)
    }

    /// A document's full Automerge bytes.
    pub fn document_bytes(&mut self, doc_id: &str) -> Result<Vec<u8>> {
        Ok(self.doc(doc_id)?.save())
    }

    /// A document's heads (hex), sorted: equal heads mean equal documents.
    pub fn document_heads(&mut self, doc_id: &str) -> Result<Vec<String>> {
        let mut h: Vec<String> = self
            .doc(doc_id)?
            .get_heads()
            .iter()
            .map(|h| h.to_string())
            .collect();
        h.sort();
        Ok(h)
    }

    // ---- upkeep ----

    /// Rebuilds every index from the documents alone.
    pub fn rebuild_indexes(&mut self) -> Result<()> {
        let ids = self.documents()?;
        let mut loaded = Vec::new();
        for (id, kind) in &ids {
            if *kind == DocKind::Team {
                continue;
            }
            let stored = store::load(&self.conn, id)?
                .ok_or_else(|| VaultError::not_found("document", id))?;
            loaded.push((id.clone(), *kind, load_doc(&stored, id)?));
        }
        let tx = self.conn.transaction()?;
        index::clear(&tx)?;
        for (id, kind, doc) in &loaded {
            reindex(&tx, id, *kind, doc)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops the documents held in memory; the next read loads them from disk again (used
    /// when locking, and by benchmarks measuring a cold read).
    pub fn forget_cached_documents(&mut self) {
        self.cache.docs.clear();
    }

    /// Folds every document's chunks into its snapshot.
    pub fn compact(&mut self) -> Result<()> {
        let ids: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id FROM docs WHERE chunk_count > 0")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids
        };
        for id in ids {
            self.doc(&id)?;
            let tx = self.conn.transaction()?;
            let doc = self
                .cache
                .touch(&id)
                .ok_or_else(|| VaultError::not_found("document", &id))?;
            compact_doc(&tx, &id, doc)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Writes documents made elsewhere in this process (the demo generator), each whole into
    /// the outbox, in one transaction.
    pub(crate) fn write_new_docs(&mut self, docs: Vec<(String, DocKind, Automerge)>) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, kind, doc) in &docs {
            let bytes = doc.save();
            store::insert(&tx, id, *kind, &bytes)?;
            store::push_outbox(&tx, id, *kind, &bytes)?;
            reindex(&tx, id, *kind, doc)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Merges documents made elsewhere in this process into the vault's copies (creating
    /// those that do not exist), as local changes.
    pub(crate) fn merge_new_docs(&mut self, docs: Vec<(String, DocKind, Automerge)>) -> Result<()> {
        let mut pending = Vec::new();
        let mut fresh = Vec::new();
        for (id, kind, mut doc) in docs {
            if store::load(&self.conn, &id)?.is_none() && self.cache.touch(&id).is_none() {
                fresh.push((id, kind, doc));
                continue;
            }
            let mine = self.doc(&id)?;
            let heads = mine.get_heads();
            mine.merge(&mut doc)?;
            pending.push(Pending {
                bytes: mine.save_after(&heads),
                doc_id: id,
                kind,
                new_doc: false,
                index: IndexUpdate::Full,
            });
        }
        self.write_new_docs(fresh)?;
        self.commit(pending)
    }

    /// Lists people in the team document, in one change.
    pub(crate) fn register_people(&mut self, ids: &[PersonId]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let team_id = self.team_id.clone();
        let (_, change) = self.edit(
            &team_id,
            DocKind::Team,
            "person.register",
            |_| None,
            |tx| {
                ids.iter()
                    .try_for_each(|id| team::register_person(tx, id, now))
            },
        )?;
        self.commit(change.into_iter().collect())
    }
}

/// Checks that a document is the kind it is said to be (or not yet any kind: its first
/// change has not come).
fn shape_is(doc: &Automerge, id: &str, kind: DocKind) -> Result<()> {
    match docs::kind_of(doc) {
        Some(k) if k != kind => Err(VaultError::WrongDocumentShape {
            doc: id.to_owned(),
            expected: kind.code(),
        }),
        _ => Ok(()),
    }
}

/// Tries each chunk with `try_one`, in order; those it refuses are set aside with their
/// origin, the others are returned.
fn keep_readable(
    id: &str,
    chunks: Vec<Vec<u8>>,
    origins: Vec<ChunkOrigin>,
    set_aside: &mut Vec<SetAside>,
    mut try_one: impl FnMut(&[u8]) -> Result<()>,
) -> Vec<Vec<u8>> {
    let mut kept = Vec::with_capacity(chunks.len());
    for (chunk, origin) in chunks.into_iter().zip(origins) {
        match try_one(&chunk) {
            Ok(()) => kept.push(chunk),
            Err(e) => set_aside.push(SetAside {
                origin,
                doc_id: id.to_owned(),
                reason: SetAsideReason::of(&e),
                sealed: false,
                bytes: chunk,
            }),
        }
    }
    kept
}

/// Automerge panicked on bytes from elsewhere (its decoders are not all total): refused like
/// bytes it cannot read, never a crash of the sync.
fn panicked(id: &str) -> VaultError {
    VaultError::RefusedInput {
        doc: id.to_owned(),
        source: crate::automerge_input::InputError::Malformed("Automerge could not read it"),
    }
}

/// `load_incremental` of bytes from elsewhere, a panic inside Automerge refused as an error.
fn load_peer_bytes(doc: &mut Automerge, id: &str, bytes: &[u8]) -> Result<()> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.load_incremental(bytes)))
        .map_err(|_| panicked(id))?
        .map(drop)
        .map_err(|source| VaultError::InvalidChanges {
            doc: id.to_owned(),
            source: Box::new(source),
        })
}

/// Refuses Automerge bytes from elsewhere that would inflate past the bound, before
/// Automerge reads them (every path in: the log, snapshots, an invite's team document).
pub(crate) fn bounded(id: &str, bytes: &[u8]) -> Result<()> {
    crate::automerge_input::check(bytes)
        .map(drop)
        .map_err(|source| VaultError::RefusedInput {
            doc: id.to_owned(),
            source,
        })
}

/// Parses changes strictly. `load_incremental` quietly drops whatever it cannot read after
/// the first chunk, which would store junk that hides later chunks at the next unlock; so
/// bytes are first loaded on their own, refusing any partial load. Returns the loaded
/// document, or `None` when the changes wait for others (valid, but not loadable alone).
fn strict_load(id: &str, all: &[u8]) -> Result<Option<Automerge>> {
    if all.is_empty() {
        return Err(VaultError::Invalid {
            field: "changes",
            reason: "empty",
        });
    }
    bounded(id, all)?;
    let loaded = std::panic::catch_unwind(|| {
        Automerge::load_with_options(
            all,
            automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error),
        )
    })
    .map_err(|_| panicked(id))?;
    match loaded {
        Ok(doc) => Ok(Some(doc)),
        Err(automerge::AutomergeError::MissingDeps) => Ok(None),
        Err(source) => Err(VaultError::InvalidChanges {
            doc: id.to_owned(),
            source: Box::new(source),
        }),
    }
}
