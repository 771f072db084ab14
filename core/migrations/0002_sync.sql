-- Tandem vault schema, version 2: what the sync client remembers per document.

-- How many log envelopes each document has had since its last snapshot on the relay, so a
-- caught-up device knows when uploading a snapshot will spare new devices a long tail.
CREATE TABLE sync_docs (
    doc_id           TEXT PRIMARY KEY,
    log_envelopes    INTEGER NOT NULL DEFAULT 0,
    snapshot_covers  INTEGER NOT NULL DEFAULT 0
) STRICT;
