-- Tandem relay, schema 1 (SQLite). Ids are raw bytes; times are Unix milliseconds.

-- Facts about this relay, such as its identity (`relay_id`).
CREATE TABLE relay_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE teams (
    team          BLOB PRIMARY KEY,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- The per-team sequence counter. Appends bump it inside their transaction, so sequence
-- numbers are gap-free and handed out in commit order (unlike a serial column).
CREATE TABLE team_heads (
    team BLOB PRIMARY KEY REFERENCES teams (team),
    head INTEGER NOT NULL
) STRICT;

CREATE TABLE devices (
    team           BLOB NOT NULL REFERENCES teams (team),
    device         BLOB NOT NULL,
    public_key     BLOB NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    enrolled_at_ms INTEGER NOT NULL,
    revoked_at_ms  INTEGER,
    -- The `after` of the device's latest pull: it holds everything up to here.
    cursor         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team, device)
) STRICT;
CREATE INDEX devices_by_device ON devices (device);

CREATE TABLE invites (
    token_hash      BLOB PRIMARY KEY,
    team            BLOB NOT NULL REFERENCES teams (team),
    created_by      BLOB NOT NULL,
    -- Sealed under a secret the relay never sees; emptied once redeemed.
    sealed_team_key BLOB NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    used_at_ms      INTEGER,
    used_by         BLOB
) STRICT;

-- The log. `bytes` is NULL once a snapshot covers the envelope and every device has it:
-- the row stays so that a late re-push of the same envelope is still recognised.
CREATE TABLE envelopes (
    team         BLOB NOT NULL REFERENCES teams (team),
    seq          INTEGER NOT NULL,
    id           BLOB NOT NULL,
    doc          BLOB NOT NULL,
    bytes        BLOB,
    stored_at_ms INTEGER NOT NULL,
    PRIMARY KEY (team, seq),
    UNIQUE (team, id)
) STRICT;
CREATE INDEX envelopes_by_doc ON envelopes (team, doc, seq);

-- The latest snapshot of each document; `collected` is how far its covered envelopes
-- have been dropped already.
CREATE TABLE snapshots (
    team         BLOB NOT NULL REFERENCES teams (team),
    doc          BLOB NOT NULL,
    covers       INTEGER NOT NULL,
    id           BLOB NOT NULL,
    bytes        BLOB NOT NULL,
    author       BLOB NOT NULL,
    stored_at_ms INTEGER NOT NULL,
    collected    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team, doc)
) STRICT;

-- Hashes of request signatures seen lately, to refuse replays; pruned once stale.
CREATE TABLE seen_signatures (
    hash          BLOB PRIMARY KEY,
    expires_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX seen_signatures_by_expiry ON seen_signatures (expires_at_ms);
