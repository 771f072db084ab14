-- Tandem relay, schema 1 (PostgreSQL). Ids are raw bytes; times are Unix milliseconds.

-- Facts about this relay, such as its identity (`relay_id`).
CREATE TABLE relay_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE teams (
    team          BYTEA PRIMARY KEY,
    created_at_ms BIGINT NOT NULL
);

-- The per-team sequence counter. Appends bump it inside their transaction (the UPDATE holds
-- the row lock until commit), so sequence numbers are gap-free and handed out in commit
-- order, unlike a serial column.
CREATE TABLE team_heads (
    team BYTEA PRIMARY KEY REFERENCES teams (team),
    head BIGINT NOT NULL
);

CREATE TABLE devices (
    team           BYTEA NOT NULL REFERENCES teams (team),
    device         BYTEA NOT NULL,
    public_key     BYTEA NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    enrolled_at_ms BIGINT NOT NULL,
    revoked_at_ms  BIGINT,
    -- The `after` of the device's latest pull: it holds everything up to here.
    cursor         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (team, device)
);
CREATE INDEX devices_by_device ON devices (device);

CREATE TABLE invites (
    token_hash      BYTEA PRIMARY KEY,
    team            BYTEA NOT NULL REFERENCES teams (team),
    created_by      BYTEA NOT NULL,
    -- Sealed under a secret the relay never sees; emptied once redeemed.
    sealed_team_key BYTEA NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    expires_at_ms   BIGINT NOT NULL,
    used_at_ms      BIGINT,
    used_by         BYTEA
);

-- The log. `bytes` is NULL once a snapshot covers the envelope and every device has it:
-- the row stays so that a late re-push of the same envelope is still recognised.
CREATE TABLE envelopes (
    team         BYTEA NOT NULL REFERENCES teams (team),
    seq          BIGINT NOT NULL,
    id           BYTEA NOT NULL,
    doc          BYTEA NOT NULL,
    bytes        BYTEA,
    stored_at_ms BIGINT NOT NULL,
    PRIMARY KEY (team, seq),
    UNIQUE (team, id)
);
CREATE INDEX envelopes_by_doc ON envelopes (team, doc, seq);

-- The latest snapshot of each document; `collected` is how far its covered envelopes
-- have been dropped already.
CREATE TABLE snapshots (
    team         BYTEA NOT NULL REFERENCES teams (team),
    doc          BYTEA NOT NULL,
    covers       BIGINT NOT NULL,
    id           BYTEA NOT NULL,
    bytes        BYTEA NOT NULL,
    author       BYTEA NOT NULL,
    stored_at_ms BIGINT NOT NULL,
    collected    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (team, doc)
);

-- Hashes of request signatures seen lately, to refuse replays; pruned once stale.
CREATE TABLE seen_signatures (
    hash          BYTEA PRIMARY KEY,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX seen_signatures_by_expiry ON seen_signatures (expires_at_ms);
