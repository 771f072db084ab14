//! What the two group-commit writers share: their bounds, their counters, and the hold that
//! stops one for a test. The writers themselves are `sqlite/writer.rs` (every write, one
//! thread, savepoints) and `postgres/writer.rs` (the writes every request makes, one task,
//! one statement per kind).

use super::{Result, StorageError};

/// Most writes in one group commit: bounds how long the first write of a group waits for
/// the others, and the size of one transaction.
pub(super) const MAX_BATCH_JOBS: usize = 256;

/// Writes waiting for a writer; senders wait (asynchronously) beyond this.
pub(super) const QUEUE: usize = 1024;

/// Hands `item` to a writer's queue and waits for its answer on `answered`: either side
/// gone means the writer stopped ([`StorageError::WriterGone`]).
pub(super) async fn send_and_wait<T, A>(
    queue: &tokio::sync::mpsc::Sender<T>,
    item: T,
    answered: tokio::sync::oneshot::Receiver<A>,
) -> Result<A> {
    queue
        .send(item)
        .await
        .map_err(|_| StorageError::WriterGone)?;
    answered.await.map_err(|_| StorageError::WriterGone)
}

/// Group commits so far: how many groups were committed, and how many writes they held
/// (SQLite: every write; PostgreSQL: pushes).
#[derive(Debug, Default)]
pub(crate) struct GroupStats {
    groups: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
}

impl GroupStats {
    pub(super) fn committed(&self, writes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.groups.fetch_add(1, Relaxed);
        self.writes.fetch_add(writes as u64, Relaxed);
    }

    pub(super) fn read(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.groups.load(Relaxed), self.writes.load(Relaxed))
    }
}

/// Holds the group-commit writer while alive (see [`Storage::hold_writer`](super::Storage::hold_writer)); dropping it lets
/// the writer go on.
#[derive(Debug)]
pub struct WriterHold {
    pub(super) _release: Release,
}

/// The sender that stops the hold when dropped (held only to be dropped).
#[derive(Debug)]
#[expect(dead_code, reason = "the senders are held only to be dropped")]
pub(super) enum Release {
    Thread(std::sync::mpsc::Sender<()>),
    Task(tokio::sync::oneshot::Sender<()>),
}
