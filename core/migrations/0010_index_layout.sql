-- Tandem vault schema, version 10: fewer index trees to keep up on every encounter row, and
-- what a record's index rows were when a snapshot brought them.

-- `encounter_index_report` leads with `at`: it answers everything this one did (the most
-- recent encounters, a period's rows). One tree less to insert each row into at a random
-- place, which is what a first sync of a large team spends its time on.
DROP INDEX IF EXISTS encounter_index_at;

-- Only encounters where a peer asked for a debrief: a few rows, instead of one per
-- encounter (every query of the debrief list says `debrief = 1`).
DROP INDEX IF EXISTS encounter_index_debriefs;
CREATE INDEX encounter_index_debriefs ON encounter_index (debrief_done_at, at) WHERE debrief = 1;

-- A digest of the index rows a snapshot carried, as written for a record stored unloaded.
-- Checking the record later reads its rows from the document itself: when they are the same
-- rows (the digest matches) nothing is written again. Cleared whenever anything else writes
-- that record's rows.
ALTER TABLE deferred_docs ADD COLUMN rows_digest BLOB;
