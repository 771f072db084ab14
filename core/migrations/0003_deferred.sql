-- Tandem vault schema, version 3: records a new device stores before it reads them.

-- Documents that arrived whole in a snapshot and were written as received, their index rows
-- taken from the snapshot, without loading them: a new device's first sync does not pay an
-- Automerge load per record. A background pass loads each one, checks it, indexes it from
-- the document itself and removes it from here. `stale` = changes arrived after the
-- snapshot, so its index rows may lag: checked first.
-- `covers` is the relay log position the snapshot covered.
CREATE TABLE deferred_docs (
    doc_id TEXT PRIMARY KEY REFERENCES docs (id) ON DELETE CASCADE,
    stale  INTEGER NOT NULL DEFAULT 0,
    covers INTEGER NOT NULL
) STRICT;

-- Snapshots that could not be read once loaded: the next full pull rebuilds those documents
-- from the log instead (and takes a newer snapshot, covering more, if one comes).
CREATE TABLE refused_snapshots (
    doc_id TEXT PRIMARY KEY,
    covers INTEGER NOT NULL
) STRICT;

-- Bytes of log envelopes since a document's last snapshot: a large document gets a snapshot
-- even before it has many changes, so a new device need not replay it.
ALTER TABLE sync_docs ADD COLUMN log_bytes INTEGER NOT NULL DEFAULT 0;
