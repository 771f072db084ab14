-- Tandem vault schema, version 9: what came of encounters afterwards, derived from the
-- documents like every index (so rebuilt from them alone).

-- Per encounter: how many of its referrals are known to have happened, and not to have
-- happened (reports count them; the rest are unknown).
ALTER TABLE encounter_index ADD COLUMN referrals_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE encounter_index ADD COLUMN referrals_missed INTEGER NOT NULL DEFAULT 0;
-- For the team's list of debriefs asked for: the member who asked (set only when a debrief
-- was asked; reports never read it, so nothing is counted per member), when it took place
-- (Unix ms) and who noted it.
ALTER TABLE encounter_index ADD COLUMN debrief_by TEXT;
ALTER TABLE encounter_index ADD COLUMN debrief_done_at INTEGER;
ALTER TABLE encounter_index ADD COLUMN debrief_done_by TEXT;
-- The report's sequential read covers the new counts too (see 0007).
DROP INDEX encounter_index_report;
CREATE INDEX encounter_index_report
    ON encounter_index (at, person_id, kind, duration, debrief, referrals, given, referrals_done,
                        referrals_missed);
CREATE INDEX encounter_index_debriefs ON encounter_index (debrief, debrief_done_at, at);

-- The rows above are empty in a vault made by an earlier version: the next unlock rebuilds
-- the indexes from the documents once, then removes this mark.
INSERT OR REPLACE INTO meta (key, value) VALUES ('reindex_pending', x'01');
