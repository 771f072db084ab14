-- Tandem relay, schema 2 (SQLite): new team key epochs after a revocation.

-- A new epoch's key sealed for one device by an admin device. The relay cannot open it; it
-- hands each device only its own. The team's current epoch is the highest here (1 if none).
CREATE TABLE key_packages (
    team         BLOB NOT NULL REFERENCES teams (team),
    epoch        INTEGER NOT NULL,
    to_device    BLOB NOT NULL,
    from_device  BLOB NOT NULL,
    bytes        BLOB NOT NULL,
    stored_at_ms INTEGER NOT NULL,
    PRIMARY KEY (team, to_device, epoch)
) STRICT;
CREATE INDEX key_packages_by_epoch ON key_packages (team, epoch);
