-- Tandem vault schema: street contacts linked to people, and records merged into others.
-- Derived from the documents like every index (so rebuilt from them alone).

-- A street-log entry linked to a person ("this was Marc"): the entry stays in its month's
-- log (doc_id), where its row of encounter_index stays anonymous, so the month's count of
-- street contacts does not change; this row says whom it was found to be. `at` is the
-- encounter's (Unix ms), so reports count the linked ones of a period without a join.
CREATE TABLE street_link_index (
    doc_id       TEXT NOT NULL,
    encounter_id TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (doc_id, encounter_id)
) STRICT;
CREATE INDEX street_link_person ON street_link_index (person_id);
CREATE INDEX street_link_at ON street_link_index (at);

-- A record merged into another: the record its document names (merged_into), and the
-- record the merge ends at once chains and cycles are followed (merge_root, computed from
-- merged_into of every row; NULL for a record that is not merged into another).
ALTER TABLE person_index ADD COLUMN merged_into TEXT;
ALTER TABLE person_index ADD COLUMN merge_root TEXT;
CREATE INDEX person_index_merged ON person_index (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX person_index_root ON person_index (merge_root) WHERE merge_root IS NOT NULL;

-- The rows above are empty in a vault made by an earlier version: the next unlock rebuilds
-- the indexes from the documents once, then removes this mark.
INSERT OR REPLACE INTO meta (key, value) VALUES ('reindex_pending', x'01');
