-- Tandem relay, schema 4 (SQLite): the key epoch an invite carries keys up to. An invite made
-- before the team moved to a newer key (a device was removed) is refused when redeemed: the
-- new device could read nothing written since. NULL: made by an older client, not checked.
ALTER TABLE invites ADD COLUMN epoch INTEGER;
