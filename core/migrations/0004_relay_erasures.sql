-- Tandem vault schema, version 4: people erased here whose log the relay must still drop.

-- Filled in the same transaction as the erasure; a row leaves once the relay has dropped
-- the person's envelopes and snapshot (it then also drops anything of them pushed later).
CREATE TABLE relay_erasures (
    doc_id       TEXT PRIMARY KEY,
    requested_at INTEGER NOT NULL
) STRICT;
