//! The SQLite readers: a few connections that WAL lets read beside the writer, kept open
//! and lent to one read at a time on tokio's blocking pool.

use super::super::{Result, StorageError};
use super::{open_connection, SqliteStorage};
use rusqlite::Connection;
use std::sync::{Mutex, MutexGuard};

/// Reader connections: at most this many reads run at once (each on tokio's blocking pool),
/// so the connections are opened once and kept, never opened and closed under load.
pub(super) const READERS: usize = 6;

/// A poisoned mutex only means another task panicked while holding it; the reader
/// connections it guards hold no transaction between uses, so they are fine to use.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SqliteStorage {
    /// Runs `f` on a reader connection.
    pub(super) async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        // Held by the blocking task, so it is released only once the connection is back even
        // if the caller gave up waiting.
        let permit = self
            .inner
            .reading
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::WriterGone)?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = lock(&inner.readers).pop();
            let mut conn = match idle {
                Some(conn) => conn,
                None => open_connection(&inner.path, false)?,
            };
            let result = f(&mut conn);
            lock(&inner.readers).push(conn);
            result
        })
        .await?
    }
}
