-- Tandem vault schema, version 7: what reports count, derived from the documents like every
-- index (so rebuilt from them alone). Reports read these rows, never the documents.

-- Per encounter: how long (minutes), whether the peer asked for a debrief, how many
-- referrals were made, and what was given (a JSON array of item codes, read with json_each).
ALTER TABLE encounter_index ADD COLUMN duration INTEGER;
ALTER TABLE encounter_index ADD COLUMN debrief INTEGER NOT NULL DEFAULT 0;
ALTER TABLE encounter_index ADD COLUMN referrals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE encounter_index ADD COLUMN given TEXT NOT NULL DEFAULT '[]';
-- Life domain codes touched (JSON array): the research export's only description of the
-- encounter besides its kind.
ALTER TABLE encounter_index ADD COLUMN domains TEXT NOT NULL DEFAULT '[]';

-- Everything a report reads about encounters, in time order: a month or a year is one
-- sequential read of this index instead of a lookup per encounter into the table.
CREATE INDEX encounter_index_report
    ON encounter_index (at, person_id, kind, duration, debrief, referrals, given);

-- Per person: when the record was started (Unix ms; "new people" in a period), and since
-- when a consent that covers research and is not withdrawn holds (YYYY-MM-DD, NULL if none).
ALTER TABLE person_index ADD COLUMN created_at INTEGER;
ALTER TABLE person_index ADD COLUMN research_since TEXT;

-- Per follow-up: when it was done and when it was added (Unix ms).
ALTER TABLE follow_up_index ADD COLUMN done_at INTEGER;
ALTER TABLE follow_up_index ADD COLUMN created_at INTEGER;

-- Per goal: its life domain, status, when it was set, and when its status last changed
-- (Unix ms; NULL for a goal whose status was changed by a version that did not note it).
CREATE TABLE goal_index (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    domain     TEXT,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status_at  INTEGER
) STRICT;
CREATE INDEX goal_index_person ON goal_index (person_id);

-- The rows above are empty in a vault made by an earlier version: the next unlock rebuilds
-- the indexes from the documents once, then removes this mark.
INSERT OR REPLACE INTO meta (key, value) VALUES ('reindex_pending', x'01');
