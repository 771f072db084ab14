//! Opening the encrypted database and bringing its schema up to date.

use crate::error::{Result, VaultError};
use crate::keyfile::RawKey;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::sync::Once;
use std::time::Duration;

/// The database file's name inside a vault folder.
pub const DB_FILE: &str = "vault.db";

/// The database and the journal files SQLite keeps beside it.
pub(crate) const DB_FILES: [&str; 4] =
    [DB_FILE, "vault.db-wal", "vault.db-shm", "vault.db-journal"];

/// Numbered migrations, applied in order, each in one transaction.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_sync.sql"),
    include_str!("../migrations/0003_deferred.sql"),
    include_str!("../migrations/0004_relay_erasures.sql"),
    include_str!("../migrations/0005_set_aside.sql"),
    include_str!("../migrations/0006_team_record.sql"),
    include_str!("../migrations/0007_reports.sql"),
    include_str!("../migrations/0008_handover.sql"),
    include_str!("../migrations/0009_outcomes.sql"),
    include_str!("../migrations/0010_index_layout.sql"),
    include_str!("../migrations/0011_links.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn classify(e: rusqlite::Error) -> VaultError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => VaultError::InUse,
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            VaultError::DatabaseUnreadable(Box::new(e))
        }
        _ => VaultError::from(e),
    }
}

/// Waits, once per process, until SQLCipher has finished starting.
///
/// SQLite marks itself started and lets other threads in *before* it runs SQLCipher's own
/// start-up (`SQLITE_EXTRA_INIT`). A second thread opening a database in that window is
/// refused at `PRAGMA key` ("sqlcipher not initialized"): safe, since nothing is written
/// unencrypted, but a vault that fails to open for no reason. Seen as 13 failed processes in
/// 200 with sixteen threads opening at start. Keying an in-memory database goes through the
/// same check, so it is tried until it passes (another library in the process may be the one
/// starting SQLite); if SQLCipher never starts, the real open reports why.
fn sqlcipher_started() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        for _ in 0..200 {
            let keyed = Connection::open_in_memory()
                .and_then(|conn| conn.pragma_update(None, "key", "start-up probe"));
            if keyed.is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
}

/// Opens (or creates) the SQLCipher database with a raw key, takes the vault's exclusive lock,
/// and migrates it.
pub(crate) fn open(dir: &Path, key: &RawKey, create: bool) -> Result<Connection> {
    sqlcipher_started();
    let path = dir.join(DB_FILE);
    if !create && !path.exists() {
        return Err(VaultError::NoVault(dir.to_path_buf()));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
        // Made here, owner-only, so SQLite's journal files take the same mode from it.
        crate::private_files::touch(&path)
            .map_err(VaultError::io("creating the vault database"))?;
    }
    for name in DB_FILES {
        let _ = crate::private_files::restrict(&dir.join(name));
    }
    let conn = Connection::open_with_flags(&path, flags).map_err(classify)?;
    // SQLCipher's own log would print decryption failures to stderr; errors reach the caller
    // as values instead.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    // Another program holding the vault answers "in use" quickly rather than after 5 s.
    conn.busy_timeout(Duration::from_millis(250))
        .map_err(classify)?;
    conn.pragma_update(None, "key", &*key.pragma_value())
        .map_err(classify)?;
    // Exclusive locking before the first WAL access: no shared-memory file is created, and
    // a second program gets "in use" instead of writing Automerge changes under the same
    // actor id concurrently (which would corrupt the documents' histories).
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(classify)?;
    let tables = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(classify)?;
    if !create && tables == 0 {
        return Err(VaultError::DatabaseUnreadable(Box::new(
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
                Some("the vault database is empty".into()),
            ),
        )));
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(classify)?;
    // FULL: a commit is synced to disk before the call returns (durable, not just atomic).
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(classify)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(classify)?;
    // 32 MiB of decrypted pages (SQLite's default is 2 MiB): indexes of 100,000 encounters
    // stay in memory instead of being read and decrypted again page by page.
    conn.pragma_update(None, "cache_size", -32_768)
        .map_err(classify)?;
    // Sorting and temporary tables stay in memory: no plaintext temp files.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(classify)?;
    // Deleted content is overwritten with zeros rather than left in free pages, where the
    // vault's key would still read it: an erased person is gone from the file.
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(classify)?;
    migrate(&conn)?;
    Ok(conn)
}

/// Writes the write-ahead log back into the database file and cuts it to nothing: older
/// images of pages (with what was just deleted) leave the log. The vault holds the database
/// exclusively, so no reader can hold the log back.
pub(crate) fn truncate_wal(conn: &Connection) -> Result<()> {
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
        .map_err(classify)?;
    if busy != 0 {
        return Err(VaultError::InUse);
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn key(byte: u8) -> RawKey {
        RawKey(Zeroizing::new([byte; 32]))
    }

    #[test]
    fn migrates_to_the_current_schema_and_reopens() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let conn = open(dir.path(), &key(7), true).unwrap_or_else(|e| panic!("{e:?}"));
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap_or(-1);
        assert_eq!(v, SCHEMA_VERSION);
        drop(conn);
        assert!(open(dir.path(), &key(7), false).is_ok());
    }

    #[test]
    fn a_vault_from_a_newer_version_is_refused_unchanged() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let conn = open(dir.path(), &key(7), true).unwrap_or_else(|e| panic!("{e:?}"));
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap_or_else(|e| panic!("{e:?}"));
        drop(conn);
        match open(dir.path(), &key(7), false) {
            Err(VaultError::NewerSchema { found, supported }) => {
                assert_eq!(found, SCHEMA_VERSION + 1);
                assert_eq!(supported, SCHEMA_VERSION);
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_full_disk_is_said_as_such_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let conn = open(dir.path(), &key(7), true).unwrap_or_else(|e| panic!("{e:?}"));
        conn.execute_batch("CREATE TABLE t (b BLOB); INSERT INTO t VALUES (x'01')")
            .unwrap_or_else(|e| panic!("{e:?}"));
        // SQLite answers SQLITE_FULL when the file may not grow: as a full disk would.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
        conn.pragma_update(None, "max_page_count", pages)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let err = conn
            .execute("INSERT INTO t VALUES (zeroblob(1000000))", [])
            .map_err(VaultError::from)
            .err();
        assert!(matches!(err, Some(VaultError::DiskFull(_))), "{err:?}");
        assert_eq!(
            err.map(|e| e.code()),
            Some(tandem_model::ErrorCode::DiskFull)
        );
        drop(conn);
        let conn = open(dir.path(), &key(7), false).unwrap_or_else(|e| panic!("{e:?}"));
        let rows: Vec<Vec<u8>> = conn
            .prepare("SELECT b FROM t")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(rows, vec![vec![1u8]]);
    }

    #[test]
    fn a_wrong_raw_key_cannot_read_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        drop(open(dir.path(), &key(7), true).unwrap_or_else(|e| panic!("{e:?}")));
        assert!(matches!(
            open(dir.path(), &key(8), false),
            Err(VaultError::DatabaseUnreadable(_))
        ));
    }

    #[test]
    fn a_second_connection_is_refused_while_the_vault_is_open() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
        let _first = open(dir.path(), &key(7), true).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(
            open(dir.path(), &key(7), false),
            Err(VaultError::InUse)
        ));
    }

    /// Set in the child processes of the test below.
    const FIRST_OPENS_CHILD: &str = "TANDEM_TEST_FIRST_OPENS_DIR";

    /// Sixteen threads open their first vaults at once, as the first SQLite use of a fresh
    /// process; a hundred processes in a row. Without [`sqlcipher_started`] about one process
    /// in fifteen had a vault refused at `PRAGMA key`.
    #[test]
    fn vaults_opened_at_once_by_a_fresh_process_all_open() {
        if let Some(dir) = std::env::var_os(FIRST_OPENS_CHILD) {
            let dir = std::path::PathBuf::from(dir);
            let start = std::sync::Barrier::new(16);
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..16)
                    .map(|i| {
                        let (dir, start) = (dir.join(i.to_string()), &start);
                        s.spawn(move || {
                            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                            start.wait();
                            open(&dir, &key(7), true)
                                .map(drop)
                                .map_err(|e| e.to_string())
                        })
                    })
                    .collect();
                for h in handles {
                    let opened = h.join().unwrap_or_else(|_| Err("panicked".into()));
                    assert_eq!(opened, Ok(()));
                }
            });
            return;
        }
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e:?}"));
        for round in 0..100 {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e:?}"));
            let out = std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "db::tests::vaults_opened_at_once_by_a_fresh_process_all_open",
                    "--test-threads=1",
                ])
                .env(FIRST_OPENS_CHILD, dir.path())
                .output()
                .unwrap_or_else(|e| panic!("{e:?}"));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "process {round}: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
