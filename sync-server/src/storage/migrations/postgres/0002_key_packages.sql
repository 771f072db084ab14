-- Tandem relay, schema 2 (PostgreSQL): new team key epochs after a revocation.

-- A new epoch's key sealed for one device by an admin device. The relay cannot open it; it
-- hands each device only its own. The team's current epoch is the highest here (1 if none).
CREATE TABLE key_packages (
    team         BYTEA NOT NULL REFERENCES teams (team),
    epoch        BIGINT NOT NULL,
    to_device    BYTEA NOT NULL,
    from_device  BYTEA NOT NULL,
    bytes        BYTEA NOT NULL,
    stored_at_ms BIGINT NOT NULL,
    PRIMARY KEY (team, to_device, epoch)
);
CREATE INDEX key_packages_by_epoch ON key_packages (team, epoch);
