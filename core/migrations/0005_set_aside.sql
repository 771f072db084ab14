-- Tandem vault schema, version 5: envelopes from the team that could not be read here.

-- A device of the team signed them, but they do not open with any key this device holds,
-- or what they hold is not readable Automerge data, or it would inflate past the bound.
-- They are kept (the sealed envelope when it did not open, so it is tried again once the
-- key arrives; else the opened change), counted, and shown to admins; the pull moves on.
CREATE TABLE set_aside (
    seq       INTEGER PRIMARY KEY,  -- its place in the team's log
    doc_id    TEXT NOT NULL,
    author    TEXT NOT NULL,        -- the device that signed it
    epoch     INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    sealed    INTEGER NOT NULL,     -- 1: `bytes` is the envelope as received; 0: the change
    bytes     BLOB NOT NULL,
    noted_at  INTEGER NOT NULL      -- Unix milliseconds
) STRICT;
