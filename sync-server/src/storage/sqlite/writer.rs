//! The SQLite group commit: one writer connection on its own thread, every write a job.
//!
//! The thread opens one `BEGIN IMMEDIATE` transaction, runs the first job and every job that
//! is waiting or arrives while it works (up to [`MAX_BATCH_JOBS`]), each inside its own
//! `SAVEPOINT`, then commits once: one fsync for the whole group. A job that fails is rolled
//! back to its savepoint and answered with its own error; the others go on. Every answer
//! waits for the commit, so nothing is acknowledged before it is durable; if the commit
//! fails, every job of the group gets [`StorageError::GroupCommit`]. Jobs run one after the
//! other on one connection, so an append sees the appends before it in the same group
//! (gap-free numbers, duplicates recognised) exactly as if each had committed alone. Nothing
//! waits for a group to fill: a lone write commits at once, and groups form only while a
//! commit is in flight.

use super::super::group::{send_and_wait, GroupStats, Release, WriterHold, MAX_BATCH_JOBS};
use super::super::{Result, StorageError};
use super::SqliteStorage;
use rusqlite::Connection;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A write for the writer thread. Given the connection, it runs inside its own savepoint and
/// says whether it succeeded, and hands back what to do once the group's commit is known;
/// given an error (no transaction could be had), it does not run and will answer that.
pub(super) type Job =
    Box<dyn FnOnce(Result<&Connection, Arc<StorageError>>) -> (bool, Finish) + Send>;

/// Answers a job's caller: called with the group's commit result.
type Finish = Box<dyn FnOnce(std::result::Result<(), Arc<StorageError>>) + Send>;

/// The writer thread: one group commit after another until every sender is gone.
pub(super) fn writer_loop(mut conn: Connection, mut jobs: mpsc::Receiver<Job>, stats: &GroupStats) {
    while let Some(first) = jobs.blocking_recv() {
        run_group(&mut conn, first, &mut jobs, stats);
    }
}

/// Runs `first` and whatever else is queued (up to [`MAX_BATCH_JOBS`]) in one transaction.
fn run_group(
    conn: &mut Connection,
    first: Job,
    queue: &mut mpsc::Receiver<Job>,
    stats: &GroupStats,
) {
    if let Err(e) = run_cached(conn, &["BEGIN IMMEDIATE"]) {
        // No transaction, so nothing can be stored: this job fails, the next ones try again.
        let (_, finish) = first(Err(Arc::new(e.into())));
        finish(Ok(()));
        return;
    }
    let mut finishes: Vec<Finish> = Vec::new();
    let mut next = Some(first);
    while let Some(job) = next.take() {
        match run_in_savepoint(conn, job) {
            Ok(finish) => finishes.extend(finish),
            Err((finish, broken)) => {
                // The group cannot be trusted any more (a savepoint could not be opened or
                // undone, or SQLite rolled the whole transaction back): drop all of it.
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                for finish in finishes.drain(..).chain(finish) {
                    finish(Err(broken.clone()));
                }
                return;
            }
        }
        if finishes.len() < MAX_BATCH_JOBS {
            next = queue.try_recv().ok();
        }
    }
    let committed = run_cached(conn, &["COMMIT"]).map_err(|e| Arc::new(StorageError::from(e)));
    if committed.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    if committed.is_ok() {
        stats.committed(finishes.len());
    }
    for finish in finishes {
        finish(committed.clone());
    }
}

/// What to answer a job with once the group's fate is known; `None` if it panicked (its
/// caller sees [`StorageError::WriterGone`]).
type Ran = Option<Finish>;

/// Runs one job inside `SAVEPOINT job`, released on success and rolled back on failure.
/// `Err` when the group's transaction can no longer be trusted.
fn run_in_savepoint(
    conn: &Connection,
    job: Job,
) -> std::result::Result<Ran, (Ran, Arc<StorageError>)> {
    if let Err(e) = run_cached(conn, &["SAVEPOINT job"]) {
        let e = Arc::new(StorageError::from(e));
        let (_, finish) = job(Err(e.clone()));
        return Err((Some(finish), e));
    }
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| job(Ok(conn))));
    let ok = matches!(ran, Ok((true, _)));
    let end: &[&str] = if ok {
        &["RELEASE job"]
    } else {
        &["ROLLBACK TO job", "RELEASE job"]
    };
    let finish = ran.ok().map(|(_, finish)| finish);
    if let Err(e) = run_cached(conn, end) {
        tracing::error!(error = %e, "ending a savepoint failed");
        return Err((finish, Arc::new(StorageError::from(e))));
    }
    if conn.is_autocommit() {
        // SQLite rolled the whole transaction back (it does on some I/O and memory errors).
        return Err((
            finish,
            Arc::new(StorageError::Corrupt(
                "the group's transaction was rolled back by SQLite",
            )),
        ));
    }
    Ok(finish)
}

/// Runs statements without parameters, prepared once per connection.
fn run_cached(conn: &Connection, statements: &[&str]) -> rusqlite::Result<()> {
    for sql in statements {
        conn.prepare_cached(sql)?.execute([])?;
    }
    Ok(())
}

impl SqliteStorage {
    /// Sends a job that blocks the writer thread (inside a group) until the hold is dropped.
    pub(in crate::storage) async fn hold_writer(&self) -> Result<WriterHold> {
        let (started, running) = oneshot::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let job: Job = Box::new(move |conn| {
            let _ = started.send(());
            if conn.is_ok() {
                // Returns (with an error) once the hold's sender is dropped.
                let _ = released.recv();
            }
            (true, Box::new(|_| {}))
        });
        send_and_wait(&self.inner.writer, job, running).await?;
        Ok(WriterHold {
            _release: Release::Thread(release),
        })
    }

    /// Runs `f` on the writer thread, inside the next group commit (and a savepoint of its
    /// own: an error rolls back what `f` did, and only that). Answers once the group is
    /// committed.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => f(conn),
                Err(e) => Err(StorageError::GroupCommit(e)),
            };
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |committed| {
                let result = match (result, committed) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(StorageError::GroupCommit(e)),
                    (Err(e), _) => Err(e),
                };
                let _ = answer.send(result);
            });
            (ok, finish)
        });
        send_and_wait(&self.inner.writer, job, answered).await?
    }
}
