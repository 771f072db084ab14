//! The SQLite schema: numbered migrations, each in one transaction, the version kept in
//! `PRAGMA user_version`; and the relay's identity, made once in the migrated file.

use super::super::sql::{self, new_relay_id, RELAY_ID_KEY};
use super::super::{Result, StorageError};
use rusqlite::{params, Connection, TransactionBehavior};

/// Numbered migrations; each runs in one transaction and sets `PRAGMA user_version`.
const MIGRATIONS: &[(i64, &str)] = sql::migrations!("sqlite");

/// Brings the file to the newest schema; refuses one written by a newer relay.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let supported = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > supported {
        return Err(StorageError::NewerSchema { found, supported });
    }
    tx.commit()?;
    for (version, migration) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

/// The relay's identity, made at the first start.
pub(super) fn ensure_relay_id(conn: &Connection) -> Result<String> {
    conn.execute(
        &sql::for_sqlite(sql::INSERT_RELAY_ID),
        params![RELAY_ID_KEY, new_relay_id()],
    )?;
    Ok(
        conn.query_row(&sql::for_sqlite(sql::RELAY_ID), [RELAY_ID_KEY], |r| {
            r.get(0)
        })?,
    )
}
