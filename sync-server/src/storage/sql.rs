//! The SQL both backends send, written once, and the conversions between stored columns
//! and the relay's types. Statements are written with PostgreSQL's `$1` placeholders;
//! SQLite is given the same text with `?1` ([`for_sqlite`]), which it reads the same way.
//! What only one backend sends (SQLite's per-row appends, PostgreSQL's `UNNEST` groups and
//! row locks) stays with it.

use super::{Refusal, Result, StorageError};
use tandem_protocol::api::DeviceRole;

/// A shared statement as SQLite wants it: `$n` becomes `?n` (no statement here has a `$`
/// anywhere else).
pub(super) fn for_sqlite(statement: &str) -> String {
    statement.replace('$', "?")
}

/// The numbered migrations in `migrations/<backend>/`, listed once for both backends so
/// that they always reach the same schema version (each file is the backend's own SQL).
macro_rules! migrations {
    ($backend:literal) => {
        &[
            (
                1,
                $crate::storage::sql::migration!($backend, "0001_init.sql"),
            ),
            (
                2,
                $crate::storage::sql::migration!($backend, "0002_key_packages.sql"),
            ),
            (
                3,
                $crate::storage::sql::migration!($backend, "0003_erased_docs.sql"),
            ),
            (
                4,
                $crate::storage::sql::migration!($backend, "0004_invite_epoch.sql"),
            ),
            (
                5,
                $crate::storage::sql::migration!($backend, "0005_team_usage.sql"),
            ),
            (
                6,
                $crate::storage::sql::migration!($backend, "0006_envelope_author.sql"),
            ),
            (
                7,
                $crate::storage::sql::migration!($backend, "0007_team_record.sql"),
            ),
        ]
    };
}
pub(super) use migrations;

/// One migration's text, by backend and file name.
macro_rules! migration {
    ($backend:literal, $file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/storage/migrations/",
            $backend,
            "/",
            $file
        ))
    };
}
pub(super) use migration;

/// The `WHERE` of a page, shared by both backends and both steps (`{p}` is the placeholder
/// prefix: `?` or `$`): team 1, after 2, up to 3.
pub(super) fn page_filter(skip_covered: bool, p: char) -> String {
    let covered = if skip_covered {
        "AND NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.team = e.team AND s.doc = e.doc \
         AND e.seq <= s.covers)"
    } else {
        ""
    };
    format!(
        "FROM envelopes e WHERE e.team = {p}1 AND e.seq > {p}2 AND e.seq <= {p}3 \
         AND e.bytes IS NOT NULL {covered}"
    )
}

/// A device's columns, in the order both backends read them into a `DeviceRecord`.
pub(super) const DEVICE_COLUMNS: &str =
    "SELECT device, public_key, role, enrolled_at_ms, revoked_at_ms, cursor FROM devices";

/// Name of the relay identity in `relay_meta`.
pub(super) const RELAY_ID_KEY: &str = "relay_id";
/// Keeps a first relay identity: key 1, value 2.
pub(super) const INSERT_RELAY_ID: &str =
    "INSERT INTO relay_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
/// The relay identity: key 1.
pub(super) const RELAY_ID: &str = "SELECT value FROM relay_meta WHERE key = $1";

/// A new team: team 1, now 2.
pub(super) const INSERT_TEAM: &str =
    "INSERT INTO teams (team, created_at_ms) VALUES ($1, $2) ON CONFLICT (team) DO NOTHING";
/// A new team's empty log: team 1.
pub(super) const INSERT_TEAM_HEAD: &str = "INSERT INTO team_heads (team, head) VALUES ($1, 0)";
/// A new team's first device: team 1, device 2, key 3, now 4.
pub(super) const INSERT_ADMIN: &str =
    "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
     VALUES ($1, $2, $3, 'admin', $4)";
/// A device joining through an invite: team 1, device 2, key 3, now 4.
pub(super) const INSERT_MEMBER: &str =
    "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
     VALUES ($1, $2, $3, 'member', $4) ON CONFLICT (team, device) DO NOTHING";
/// Whether a team exists: team 1.
pub(super) const TEAM_EXISTS: &str = "SELECT 1 FROM teams WHERE team = $1";
/// A device's key in whichever team has it: device 1.
pub(super) const KEY_ELSEWHERE: &str = "SELECT public_key FROM devices WHERE device = $1 LIMIT 1";
/// Whether a device is in a team: team 1, device 2.
pub(super) const DEVICE_EXISTS: &str = "SELECT 1 FROM devices WHERE team = $1 AND device = $2";
pub(super) const DEVICE_COUNT: &str = "SELECT COUNT(*) FROM devices WHERE team = $1";
/// Revokes a device unless it is already: team 1, device 2, now 3.
pub(super) const REVOKE: &str = "UPDATE devices SET revoked_at_ms = $3 \
     WHERE team = $1 AND device = $2 AND revoked_at_ms IS NULL";
/// The team's active devices: team 1.
pub(super) const ACTIVE_DEVICES: &str =
    "SELECT device FROM devices WHERE team = $1 AND revoked_at_ms IS NULL";

/// Parks an invite: token hash 1, team 2, made by 3, sealed key 4, now 5, expiry 6, epoch 7.
pub(super) const INSERT_INVITE: &str =
    "INSERT INTO invites (token_hash, team, created_by, sealed_team_key, \
     created_at_ms, expires_at_ms, epoch) VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (token_hash) DO NOTHING";
/// An invite as redemption reads it: token hash 1.
pub(super) const INVITE: &str = "SELECT team, sealed_team_key, expires_at_ms, used_at_ms, epoch \
     FROM invites WHERE token_hash = $1";
/// Marks an invite used and forgets its sealed key: token hash 1, now 2, device 3, an empty
/// key 4.
pub(super) const MARK_INVITE_USED: &str =
    "UPDATE invites SET used_at_ms = $2, used_by = $3, sealed_team_key = $4 \
     WHERE token_hash = $1";

/// Forgets signatures that expired before now 1.
pub(super) const PRUNE_SIGNATURES: &str = "DELETE FROM seen_signatures WHERE expires_at_ms < $1";

/// The team's head: team 1.
pub(super) const HEAD: &str = "SELECT head FROM team_heads WHERE team = $1";
/// What the team stores, for its quota (head, stored bytes): team 1.
pub(super) const USAGE: &str = "SELECT head, stored_bytes FROM team_heads WHERE team = $1";
/// Adds to (or, negative, takes from) what the team stores: team 1, bytes 2.
pub(super) const ADD_STORED_BYTES: &str =
    "UPDATE team_heads SET stored_bytes = stored_bytes + $2 WHERE team = $1";
/// Takes what a document's envelopes and snapshot hold from what the team stores, before
/// they are erased: team 1, doc 2.
pub(super) const RELEASE_DOC_BYTES: &str = "UPDATE team_heads SET stored_bytes = stored_bytes \
     - (SELECT COALESCE(SUM(length(e.bytes)), 0) FROM envelopes e \
        WHERE e.team = $1 AND e.doc = $2 AND e.bytes IS NOT NULL) \
     - (SELECT COALESCE(SUM(length(s.bytes)), 0) FROM snapshots s \
        WHERE s.team = $1 AND s.doc = $2) \
     WHERE team = $1";
/// Takes what covered envelopes hold from what the team stores, before they are dropped:
/// team 1, doc 2, after 3, up to 4 (the rows of [`DROP_COVERED`]).
pub(super) const RELEASE_COVERED_BYTES: &str = "UPDATE team_heads SET stored_bytes = \
     stored_bytes - (SELECT COALESCE(SUM(length(e.bytes)), 0) FROM envelopes e \
     WHERE e.team = $1 AND e.doc = $2 AND e.seq > $3 AND e.seq <= $4 AND e.bytes IS NOT NULL) \
     WHERE team = $1";
/// The size and coverage of a document's snapshot: team 1, doc 2.
pub(super) const SNAPSHOT_SIZE: &str =
    "SELECT covers, length(bytes) FROM snapshots WHERE team = $1 AND doc = $2";
/// The team's highest key epoch with packages: team 1.
pub(super) const HIGHEST_EPOCH: &str = "SELECT MAX(epoch) FROM key_packages WHERE team = $1";

/// A document's first envelope, as erasure asks who wrote it (author, bytes): team 1,
/// doc 2.
pub(super) const FIRST_ENVELOPE: &str = "SELECT author, bytes FROM envelopes \
     WHERE team = $1 AND doc = $2 ORDER BY seq LIMIT 1";

/// Whether a document was erased: team 1, doc 2.
pub(super) const ERASED: &str = "SELECT 1 FROM erased_docs WHERE team = $1 AND doc = $2";
/// Remembers an erasure: team 1, doc 2, now 3.
pub(super) const INSERT_ERASED: &str =
    "INSERT INTO erased_docs (team, doc, erased_at_ms) VALUES ($1, $2, $3) \
     ON CONFLICT (team, doc) DO NOTHING";
/// Drops an erased document's envelopes' bytes: team 1, doc 2.
pub(super) const ERASE_ENVELOPES: &str =
    "UPDATE envelopes SET bytes = NULL WHERE team = $1 AND doc = $2 AND bytes IS NOT NULL";
/// Drops an erased document's snapshot: team 1, doc 2.
pub(super) const ERASE_SNAPSHOT: &str = "DELETE FROM snapshots WHERE team = $1 AND doc = $2";

/// Keeps a snapshot if it covers more than the document's one: team 1, doc 2, covers 3,
/// id 4, bytes 5, author 6, now 7.
pub(super) const UPSERT_SNAPSHOT: &str =
    "INSERT INTO snapshots (team, doc, covers, id, bytes, author, stored_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (team, doc) DO UPDATE SET covers = excluded.covers, \
     id = excluded.id, bytes = excluded.bytes, author = excluded.author, \
     stored_at_ms = excluded.stored_at_ms \
     WHERE snapshots.covers < excluded.covers";
/// The team's snapshots: team 1.
pub(super) const SNAPSHOTS: &str =
    "SELECT doc, covers, bytes FROM snapshots WHERE team = $1 ORDER BY doc";
/// The sizes of the snapshots of documents after 2, in document order, at most 3: team 1.
pub(super) const SNAPSHOT_SIZES_AFTER: &str = "SELECT doc, length(bytes) FROM snapshots \
     WHERE team = $1 AND doc > $2 ORDER BY doc LIMIT $3";
/// The snapshots of documents after 2 up to 3, in document order: team 1.
pub(super) const SNAPSHOTS_BETWEEN: &str = "SELECT doc, covers, bytes FROM snapshots \
     WHERE team = $1 AND doc > $2 AND doc <= $3 ORDER BY doc";

/// What is stored for one key epoch: team 1, epoch 2.
pub(super) const EPOCH_PACKAGES: &str =
    "SELECT to_device, bytes FROM key_packages WHERE team = $1 AND epoch = $2";
/// Stores a key package: team 1, epoch 2, to 3, from 4, bytes 5, now 6.
pub(super) const INSERT_KEY_PACKAGE: &str =
    "INSERT INTO key_packages (team, epoch, to_device, from_device, bytes, stored_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6)";
/// A device's packages after an epoch: team 1, device 2, after 3.
pub(super) const DEVICE_PACKAGES: &str = "SELECT epoch, bytes FROM key_packages \
     WHERE team = $1 AND to_device = $2 AND epoch > $3 ORDER BY epoch";

/// Snapshots not fully collected: team 1.
pub(super) const PENDING_SNAPSHOTS: &str =
    "SELECT doc, covers, collected FROM snapshots WHERE team = $1 AND collected < covers";
/// The lowest cursor of an active device: team 1.
pub(super) const ACTIVE_FLOOR: &str =
    "SELECT MIN(cursor) FROM devices WHERE team = $1 AND revoked_at_ms IS NULL";
/// Drops covered envelopes' bytes: team 1, doc 2, after 3, up to 4.
pub(super) const DROP_COVERED: &str = "UPDATE envelopes SET bytes = NULL WHERE team = $1 \
     AND doc = $2 AND seq > $3 AND seq <= $4 AND bytes IS NOT NULL";
/// Notes how far a snapshot is collected: team 1, doc 2, up to 3.
pub(super) const MARK_COLLECTED: &str =
    "UPDATE snapshots SET collected = $3 WHERE team = $1 AND doc = $2";

/// The team's record head (seq, hash; both NULL for a team without a record): team 1.
pub(super) const RECORD_HEAD: &str =
    "SELECT record_seq, record_hash FROM team_heads WHERE team = $1";
/// Moves the team's record head: team 1, seq 2, hash 3.
pub(super) const SET_RECORD_HEAD: &str =
    "UPDATE team_heads SET record_seq = $2, record_hash = $3 WHERE team = $1";
/// Stores a record entry: team 1, seq 2, hash 3, kind 4, author 5, bytes 6, now 7.
pub(super) const INSERT_RECORD_ENTRY: &str =
    "INSERT INTO record_entries (team, seq, hash, kind, author, bytes, stored_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// Record entries from a seq on, in order: team 1, from 2, at most 3.
pub(super) const RECORD_ENTRIES: &str = "SELECT seq, bytes FROM record_entries \
     WHERE team = $1 AND seq >= $2 ORDER BY seq LIMIT $3";
/// A device the record enrols, with the record's role: team 1, device 2, key 3, role 4,
/// now 5.
pub(super) const INSERT_DEVICE_WITH_ROLE: &str =
    "INSERT INTO devices (team, device, public_key, role, enrolled_at_ms) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team, device) DO NOTHING";
/// The record changed a device's role: team 1, device 2, role 3.
pub(super) const SET_ROLE: &str = "UPDATE devices SET role = $3 WHERE team = $1 AND device = $2";
/// Parks an invite the record made: the columns of [`INSERT_INVITE`], then invite id 8.
/// Any key taken (the token hash, or the invite id in the team) changes nothing.
pub(super) const INSERT_RECORD_INVITE: &str =
    "INSERT INTO invites (token_hash, team, created_by, sealed_team_key, \
     created_at_ms, expires_at_ms, epoch, invite_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT DO NOTHING";
/// An invite as a team with a record reads it: token hash 1.
pub(super) const RECORD_INVITE: &str = "SELECT team, created_by, sealed_team_key, \
     expires_at_ms, used_at_ms, used_by, invite_id, revoked_at_ms FROM invites \
     WHERE token_hash = $1";
/// Marks an invite used by the record's `DeviceJoined`, if it is neither used nor revoked:
/// token hash 1, now 2, device 3, an empty key 4.
pub(super) const USE_RECORD_INVITE: &str =
    "UPDATE invites SET used_at_ms = $2, used_by = $3, sealed_team_key = $4 \
     WHERE token_hash = $1 AND used_at_ms IS NULL AND revoked_at_ms IS NULL";
/// Marks the invite of a record's `InviteRevoked` revoked: team 1, invite id 2, now 3.
pub(super) const REVOKE_INVITE: &str = "UPDATE invites SET revoked_at_ms = $3 \
     WHERE team = $1 AND invite_id = $2 AND revoked_at_ms IS NULL";

/// A role as stored.
pub(super) fn role_name(role: DeviceRole) -> &'static str {
    match role {
        DeviceRole::Admin => "admin",
        DeviceRole::Member => "member",
    }
}

/// A record head as stored (seq, hash; both NULL without a record).
pub(super) fn record_head(
    seq: Option<i64>,
    hash: Option<&[u8]>,
) -> Result<Option<super::RecordHead>> {
    match (seq, hash) {
        (None, None) => Ok(None),
        (Some(seq), Some(hash)) => Ok(Some(super::RecordHead {
            seq: seq_from_db(seq)?,
            hash: key32(hash)?,
        })),
        _ => Err(StorageError::Corrupt(
            "a record head has a seq or a hash only",
        )),
    }
}

pub(super) fn parse_role(name: &str) -> Result<DeviceRole> {
    match name {
        "admin" => Ok(DeviceRole::Admin),
        "member" => Ok(DeviceRole::Member),
        _ => Err(StorageError::Corrupt("unknown device role")),
    }
}

pub(super) fn id16(bytes: &[u8]) -> Result<[u8; 16]> {
    bytes
        .try_into()
        .map_err(|_| StorageError::Corrupt("an id is not 16 bytes"))
}

pub(super) fn key32(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| StorageError::Corrupt("a key or hash is not 32 bytes"))
}

/// Sequence numbers are `u64` on the wire and `BIGINT` in the database.
pub(super) fn seq_to_db(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(super) fn seq_from_db(seq: i64) -> Result<u64> {
    u64::try_from(seq).map_err(|_| StorageError::Corrupt("negative sequence number"))
}

/// A row that must be there: [`Refusal::NotFound`] otherwise.
pub(super) fn found<T>(row: Option<T>) -> Result<T, Refusal> {
    row.ok_or(Refusal::NotFound)
}

/// A fresh relay identity: 16 random bytes in hex.
pub(super) fn new_relay_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_reads_the_same_placeholders() {
        assert_eq!(
            for_sqlite("UPDATE t SET a = $3 WHERE b = $1 AND c = $2"),
            "UPDATE t SET a = ?3 WHERE b = ?1 AND c = ?2"
        );
    }
}
