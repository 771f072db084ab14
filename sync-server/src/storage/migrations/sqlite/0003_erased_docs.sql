-- Tandem relay, schema 3 (SQLite): documents erased at a person's request. Their envelopes'
-- bytes and their snapshot are gone (the envelope rows stay, without bytes, so sequence
-- numbers stay gap-free); envelopes of them pushed later are acknowledged and dropped.
CREATE TABLE erased_docs (
    team         BLOB NOT NULL REFERENCES teams (team),
    doc          BLOB NOT NULL,
    erased_at_ms INTEGER NOT NULL,
    PRIMARY KEY (team, doc)
) STRICT;
