-- Tandem relay, schema 6 (PostgreSQL): the device that pushed each envelope (the relay checks it
-- wrote it), so that the writer of a document's first envelope may erase it. NULL for
-- envelopes stored before: their author is read from their header while they have bytes.
ALTER TABLE envelopes ADD COLUMN author BYTEA;
