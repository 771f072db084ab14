-- Tandem vault schema, version 1. Never edit once shipped: add 0002_….sql instead.

-- Small facts about this vault and device (device signing key, member id, team doc id).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- Automerge documents: the source of truth. A document is its snapshot plus the chunks of
-- changes appended since; compaction folds chunks back into the snapshot.
CREATE TABLE docs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('team', 'person', 'street_log')),
    snapshot    BLOB NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE doc_chunks (
    doc_id TEXT NOT NULL REFERENCES docs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) STRICT;

-- Local changes not yet acknowledged by the relay, written in the same transaction as the
-- change itself.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id     TEXT NOT NULL,
    doc_kind   TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Everything below is derived from the documents and can be rebuilt from them alone.
CREATE TABLE person_index (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    nicknames       TEXT NOT NULL,
    pronouns        TEXT,
    search_key      TEXT NOT NULL,
    last_seen       INTEGER,
    next_check_in   TEXT,
    open_goals      INTEGER NOT NULL,
    open_follow_ups INTEGER NOT NULL,
    has_conflicts   INTEGER NOT NULL
) STRICT;

CREATE TABLE encounter_index (
    id          TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    person_id   TEXT,
    at          INTEGER NOT NULL,
    kind        TEXT
) STRICT;
CREATE INDEX encounter_index_doc ON encounter_index (doc_id);
CREATE INDEX encounter_index_at ON encounter_index (at);

CREATE TABLE follow_up_index (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    due       TEXT,
    done      INTEGER NOT NULL,
    json      TEXT NOT NULL
) STRICT;
CREATE INDEX follow_up_index_person ON follow_up_index (person_id);
CREATE INDEX follow_up_index_due ON follow_up_index (done, due);
