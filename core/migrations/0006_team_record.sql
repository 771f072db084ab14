-- Tandem vault schema, version 6: the team record this device verified.

-- Who is in the team, with which role and key, and which key epochs exist, is decided by a
-- hash-chained record of entries each signed by a device allowed to make it (the relay
-- orders and serves them; it cannot make one). The entries are kept as received, from the
-- founding entry on; the state they verify to is kept in `meta` (`record_state`), so
-- unlocking never replays them. A vault whose team has no record (created before it
-- existed, or on no relay) has no rows here.
CREATE TABLE record_entries (
    seq    INTEGER PRIMARY KEY,  -- 0 for the founding entry, then +1 each
    hash   BLOB NOT NULL,        -- the entry's hash, which the next entry names
    bytes  BLOB NOT NULL         -- the signed entry, byte for byte
) STRICT;
