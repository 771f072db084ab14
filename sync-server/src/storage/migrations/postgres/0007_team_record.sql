-- Tandem relay, schema 7 (PostgreSQL): the team record, a hash-chained log of membership entries
-- signed by the team's devices. The relay stores and verifies it (`rules::judge_record_post`)
-- but cannot write it. A team created with a founding entry has one; `record_seq` NULL is a
-- team from before the record, which keeps the older rules. The `devices` table of a team
-- with a record is kept in step with it, in the transaction that stores each entry.
CREATE TABLE record_entries (
    team         BYTEA NOT NULL REFERENCES teams (team),
    seq          BIGINT NOT NULL,
    hash         BYTEA NOT NULL,
    kind         BIGINT NOT NULL,
    author       BYTEA NOT NULL,
    bytes        BYTEA NOT NULL,
    stored_at_ms BIGINT NOT NULL,
    PRIMARY KEY (team, seq)
);
-- The record's head: the seq and hash of its last entry (NULL: no record).
ALTER TABLE team_heads ADD COLUMN record_seq BIGINT;
ALTER TABLE team_heads ADD COLUMN record_hash BYTEA;
-- The record's `InviteCreated` an invite belongs to (`token_hash[..16]`), and when the record
-- revoked it. NULL for invites of teams without a record.
ALTER TABLE invites ADD COLUMN invite_id BYTEA;
ALTER TABLE invites ADD COLUMN revoked_at_ms BIGINT;
CREATE UNIQUE INDEX invites_by_invite_id ON invites (team, invite_id);
