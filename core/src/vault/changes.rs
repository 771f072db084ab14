//! Changes in and out (the sync client builds on these), and upkeep.

use super::*;

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
        if doc_id.is_empty()
            || doc_id.len() > 64
            || !doc_id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(VaultError::Invalid {
                field: "document id",
                reason: "not a Tandem id",
            });
        }
        if kind == DocKind::Person {
            let team_id = self.team_id.clone();
            if team::erased(self.doc(&team_id)?)
                .iter()
                .any(|e| e == doc_id)
            {
                // Erased at the person's request: changes still in flight are dropped.
                return Ok(false);
            }
        }
        let exists =
            self.cache.touch(doc_id).is_some() || store::load(&self.conn, doc_id)?.is_some();
        if exists {
            self.doc(doc_id)?;
        } else {
            self.cache.insert(
                doc_id.to_owned(),
                Automerge::new().with_actor(self.actor.clone()),
            );
        }
        let result = self.apply_loaded(doc_id, kind, chunks, !exists);
        if result.is_err() {
            self.cache.docs.remove(doc_id);
        }
        result
    }

    fn apply_loaded(
        &mut self,
        doc_id: &str,
        kind: DocKind,
        chunks: &[&[u8]],
        new_doc: bool,
    ) -> Result<bool> {
        let doc = self
            .cache
            .touch(doc_id)
            .ok_or_else(|| VaultError::not_found("document", doc_id))?;
        let heads = doc.get_heads();
        let missing_before = doc.get_missing_deps(&[]).len();
        let all: Vec<u8> = chunks.concat();
        doc.load_incremental(&all)
            .map_err(|source| VaultError::InvalidChanges {
                doc: doc_id.to_owned(),
                source: Box::new(source),
            })?;
        let learnt = doc.get_heads() != heads || doc.get_missing_deps(&[]).len() != missing_before;
        let kind = match docs::kind_of(doc) {
            Some(k) if k != kind => {
                return Err(VaultError::WrongDocumentShape {
                    doc: doc_id.to_owned(),
                    expected: kind.code(),
                })
            }
            Some(k) => k,
            None => kind,
        };
        if !learnt && !new_doc {
            return Ok(false);
        }
        let tx = self.conn.transaction()?;
        if new_doc {
            store::insert(&tx, doc_id, kind, &[])?;
        }
        // The bytes are kept as received: changes whose dependencies have not arrived yet
        // are not in the document yet and would be lost by saving the document instead.
        let count = store::append_chunk(&tx, doc_id, &all)?;
        let doc = self
            .cache
            .touch(doc_id)
            .ok_or_else(|| VaultError::not_found("document", doc_id))?;
        reindex(&tx, doc_id, kind, doc)?;
        if count >= store::COMPACT_AFTER_CHUNKS {
            compact_doc(&tx, doc_id, doc)?;
        }
        // Another device erased someone at their request: so does this one.
        let erased = if kind == DocKind::Team {
            team::erased(doc)
        } else {
            Vec::new()
        };
        for id in &erased {
            store::remove(&tx, id)?;
            index::remove_person(&tx, id)?;
        }
        tx.commit()?;
        for id in &erased {
            self.cache.docs.remove(id);
        }
        Ok(learnt)
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
