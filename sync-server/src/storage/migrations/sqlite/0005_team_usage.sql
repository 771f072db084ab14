-- Tandem relay, schema 5 (SQLite): what each team stores, for its quota. `stored_bytes` is the
-- bytes of its log envelopes that still hold bytes plus its snapshots; appends add to it,
-- collection, erasure and a smaller snapshot take from it, in the same transaction. The
-- number of envelopes needs no counter: rows are never deleted, so it is the head.
ALTER TABLE team_heads ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE team_heads SET stored_bytes =
    (SELECT COALESCE(SUM(length(e.bytes)), 0) FROM envelopes e WHERE e.team = team_heads.team)
    + (SELECT COALESCE(SUM(length(s.bytes)), 0) FROM snapshots s WHERE s.team = team_heads.team);
