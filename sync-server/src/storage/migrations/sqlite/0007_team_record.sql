-- Tandem relay, schema 7 (SQLite): the team record, a hash-chained log of membership entries
-- signed by the team's devices. The relay stores and verifies it (`rules::judge_record_post`)
-- but cannot write it. A team created with a founding entry has one; `record_seq` NULL is a
-- team from before the record, which keeps the older rules. The `devices` table of a team
-- with a record is kept in step with it, in the transaction that stores each entry.
CREATE TABLE record_entries (
    team         BLOB NOT NULL REFERENCES teams (team),
    seq          INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    kind         INTEGER NOT NULL,
    author       BLOB NOT NULL,
    bytes        BLOB NOT NULL,
    stored_at_ms INTEGER NOT NULL,
    PRIMARY KEY (team, seq)
) STRICT;
-- The record's head: the seq and hash of its last entry (NULL: no record).
ALTER TABLE team_heads ADD COLUMN record_seq INTEGER;
ALTER TABLE team_heads ADD COLUMN record_hash BLOB;
-- The record's `InviteCreated` an invite belongs to (`token_hash[..16]`), and when the record
-- revoked it. NULL for invites of teams without a record.
ALTER TABLE invites ADD COLUMN invite_id BLOB;
ALTER TABLE invites ADD COLUMN revoked_at_ms INTEGER;
CREATE UNIQUE INDEX invites_by_invite_id ON invites (team, invite_id);
