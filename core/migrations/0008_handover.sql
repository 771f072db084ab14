-- Tandem vault schema, version 8: who accompanies each person and who is responsible for
-- each follow-up, so that "needs someone", "my follow-ups" and the team view are read from
-- the indexes without opening a person's document. Derived from the documents like every
-- index (rebuilt from them alone); a snapshot's index rows carry them too.

CREATE TABLE accompany_index (
    person_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (person_id, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX accompany_index_member ON accompany_index (member_id, person_id);

-- The member responsible for the follow-up (whoever added it, until it is given to another).
ALTER TABLE follow_up_index ADD COLUMN responsible TEXT;
CREATE INDEX follow_up_index_responsible ON follow_up_index (responsible, done, due);

-- The rows above are empty in a vault made by an earlier version: the next unlock rebuilds
-- the indexes from the documents once, then removes this mark.
INSERT OR REPLACE INTO meta (key, value) VALUES ('reindex_pending', x'01');
