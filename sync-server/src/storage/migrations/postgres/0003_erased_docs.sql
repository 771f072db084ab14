-- Tandem relay, schema 3 (PostgreSQL): documents erased at a person's request. Their
-- envelopes' bytes and their snapshot are gone (the envelope rows stay, without bytes, so
-- sequence numbers stay gap-free); envelopes of them pushed later are acknowledged and dropped.
CREATE TABLE erased_docs (
    team         BYTEA NOT NULL REFERENCES teams (team),
    doc          BYTEA NOT NULL,
    erased_at_ms BIGINT NOT NULL,
    PRIMARY KEY (team, doc)
);
