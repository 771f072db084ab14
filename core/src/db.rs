//! Opening the encrypted database and bringing its schema up to date.

use crate::error::{Result, VaultError};
use crate::keyfile::RawKey;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;

/// The database file's name inside a vault folder.
pub const DB_FILE: &str = "vault.db";

/// Numbered migrations, applied in order, each in one transaction.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_init.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn classify(e: rusqlite::Error) -> VaultError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => VaultError::InUse,
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            VaultError::DatabaseUnreadable(e)
        }
        _ => VaultError::Database(e),
    }
}

/// Opens (or creates) the SQLCipher database with a raw key, takes the vault's exclusive lock,
/// and migrates it.
pub(crate) fn open(dir: &Path, key: &RawKey, create: bool) -> Result<Connection> {
    let path = dir.join(DB_FILE);
    if !create && !path.exists() {
        return Err(VaultError::NoVault(dir.to_path_buf()));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(&path, flags).map_err(classify)?;
    conn.pragma_update(None, "key", &*key.pragma_value())
        .map_err(classify)?;
    // Exclusive locking before the first WAL access: no shared-memory file is created, and
    // a second program gets "in use" instead of writing Automerge changes under the same
    // actor id concurrently (which would corrupt the documents' histories).
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(classify)?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(classify)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(classify)?;
    // FULL: a commit is synced to disk before the call returns (durable, not just atomic).
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(classify)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(classify)?;
    // Sorting and temporary tables stay in memory: no plaintext temp files.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(classify)?;
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(classify)?;
    if found > SCHEMA_VERSION {
        return Err(VaultError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    // Taking the write lock now, even when there is nothing to migrate, holds the exclusive
    // lock for the life of the connection.
    conn.execute_batch("BEGIN EXCLUSIVE").map_err(classify)?;
    let result = (|| -> Result<()> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(classify),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}
