//! The PostgreSQL schema: numbered migrations, applied in one transaction under an
//! advisory lock (relays may start together), the version kept in `relay_schema`; and the
//! relay's identity, made once in the migrated database.

use super::super::sql::{self, new_relay_id, RELAY_ID_KEY};
use super::super::{Result, StorageError};

/// Numbered migrations, applied in order under an advisory lock (relays may start together).
const MIGRATIONS: &[(i64, &str)] = sql::migrations!("postgres");

/// Serialises migrations across relays starting at the same time ("tandem" in ASCII).
const MIGRATION_LOCK: i64 = 0x7461_6e64_656d;

/// Brings the database (in `schema`, created if missing) to the newest schema, refusing one
/// written by a newer relay, and returns the relay's identity: all in one transaction.
pub(super) async fn migrate(
    client: &mut deadpool_postgres::Client,
    schema: Option<&str>,
) -> Result<String> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    if let Some(schema) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await?;
    }
    tx.batch_execute("CREATE TABLE IF NOT EXISTS relay_schema (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM relay_schema", &[])
        .await?
        .get(0);
    let supported = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if found > supported {
        return Err(StorageError::NewerSchema { found, supported });
    }
    for (version, migration) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(migration).await?;
        tx.execute("INSERT INTO relay_schema (version) VALUES ($1)", &[version])
            .await?;
    }
    tx.execute(sql::INSERT_RELAY_ID, &[&RELAY_ID_KEY, &new_relay_id()])
        .await?;
    let relay_id: String = tx.query_one(sql::RELAY_ID, &[&RELAY_ID_KEY]).await?.get(0);
    tx.commit().await?;
    Ok(relay_id)
}
